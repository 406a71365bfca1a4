import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeH3Frame, type H3SettingEntry, H3SettingId, QpackEncoder, QpackErrorCode } from '@quicts/h3';
import { SeededRandom } from '@quicts/testkit';
import { drainEvents, FakeQuicPair, fields, GET, pairsOf, utf8 } from './fake-quic.ts';
import {
  bodyOf, concat, dataFrame, E, expectConnectionError, expectStreamError, headersFrame, kinds, lone, only, settingsFrame, settled,
} from './h3-helpers.ts';

// ---- settings and basic exchanges -------------------------------------------------------------

test('SETTINGS exchange, one byte at a time; GREASE setting ignored', () => {
  const pair = new FakeQuicPair({ client: { settings: { h3Datagram: true } }, server: { settings: { enableConnectProtocol: true } } });
  pair.run();
  const c = only(drainEvents(pair.client), 'settings');
  const s = only(drainEvents(pair.server), 'settings');
  assert.is(c[0]!.settings.enableConnectProtocol, true);
  assert.is(c[0]!.settings.qpackMaxTableCapacity, 4096);
  assert.is(c[0]!.settings.qpackBlockedStreams, 16);
  assert.is(s[0]!.settings.h3Datagram, true);
  assert.is(s[0]!.settings.extra.size, 0);
  assert.is(pair.client.peerSettings?.maxFieldSectionSize, 65536);
  // The control stream starts with its type and SETTINGS (RFC 9114 §6.2.1).
  const ctl = pair.clientPort.written.get(2)!.bytes;
  assert.equal(ctl.slice(0, 2), [0x00, 0x04]);
  assert.equal(pair.clientPort.written.get(6)!.bytes.slice(0, 1), [0x02]);
  assert.equal(pair.clientPort.written.get(10)!.bytes.slice(0, 1), [0x03]);
});

test('extra settings reach the peer as opaque pairs', () => {
  const extra: [number, number][] = [[0x2b603742, 1], [0xc671706a, 1], [0x14e9cd29, 8], [0x2c7cf000, 1], [0x2b61, 1], [0x2b64, 1], [0x2b65, 16]];
  const pair = new FakeQuicPair({ server: { settings: { extra } } });
  pair.run();
  const s = only(drainEvents(pair.client), 'settings')[0]!.settings;
  assert.equal([...s.extra], extra);
});

test('GET request and response with body, byte at a time', () => {
  const pair = settled();
  const id = pair.client.sendRequest(GET('/index.html'), { endStream: true })!;
  assert.is(id, 0);
  pair.run();
  const req = drainEvents(pair.server);
  assert.equal(kinds(req), ['headers']);
  const h = only(req, 'headers')[0]!;
  assert.equal(pairsOf(h.headers), pairsOf(GET('/index.html')));
  assert.is(h.endStream, true);
  assert.is(h.interim, false);
  pair.server.sendHeaders(id, fields([':status', '200'], ['content-length', '5']));
  pair.server.sendData(id, utf8('hel'));
  pair.server.sendData(id, utf8('lo'), { endStream: true });
  pair.run();
  const res = drainEvents(pair.client);
  assert.is(res[0]!.kind, 'headers');
  assert.is(bodyOf(res, id), 'hello');
  const last = res[res.length - 1]!;
  assert.ok(last.kind === 'data' && last.endStream);
  assert.is(pair.client.activeStreamCount, 0);
  assert.is(pair.server.activeStreamCount, 0);
});

test('the same exchange gives the same events whatever the chunk size', () => {
  const run = (chunk: number): string => {
    const pair = new FakeQuicPair();
    pair.run({ chunk });
    const id = pair.client.sendRequest(fields([':method', 'POST'], [':scheme', 'https'], [':authority', 'a.example'], [':path', '/up']))!;
    pair.client.sendData(id, utf8('abc'));
    pair.client.sendData(id, utf8('defg'), { endStream: true });
    pair.run({ chunk });
    const server = drainEvents(pair.server);
    pair.server.sendHeaders(id, fields([':status', '204']), { endStream: true });
    pair.run({ chunk });
    const client = drainEvents(pair.client);
    return JSON.stringify([bodyOf(server, id), kinds(server.filter((e) => e.kind !== 'data')), kinds(client.filter((e) => e.kind !== 'data'))]);
  };
  const one = run(1);
  assert.is(run(3), one);
  assert.is(run(1000), one);
  assert.ok(one.includes('abcdefg'));
});

test('trailers in both directions', () => {
  const pair = settled();
  const id = pair.client.sendRequest(fields([':method', 'POST'], [':scheme', 'https'], [':authority', 'a'], [':path', '/'], ['te', 'trailers']))!;
  pair.client.sendData(id, utf8('body'));
  pair.client.sendTrailers(id, fields(['x-checksum', 'abc']));
  pair.run();
  const s = drainEvents(pair.server);
  assert.equal(kinds(s).filter((k) => k !== 'data'), ['headers', 'trailers']);
  const tr = only(s, 'trailers')[0]!;
  assert.equal(pairsOf(tr.headers), [['x-checksum', 'abc']]);
  assert.is(tr.endStream, true);
  pair.server.sendHeaders(id, fields([':status', '200']));
  pair.server.sendData(id, utf8('ok'));
  pair.server.sendTrailers(id, fields(['grpc-status', '0']));
  pair.run();
  const c = drainEvents(pair.client);
  assert.equal(pairsOf(only(c, 'trailers')[0]!.headers), [['grpc-status', '0']]);
  assert.is(pair.client.activeStreamCount, 0);
});

test('interim 103 response before the final one', () => {
  const pair = settled();
  const id = pair.client.sendRequest(GET(), { endStream: true })!;
  pair.run();
  drainEvents(pair.server);
  pair.server.sendHeaders(id, fields([':status', '103'], ['link', '</style.css>; rel=preload']));
  pair.server.sendHeaders(id, fields([':status', '200']), { endStream: true });
  pair.run();
  const h = only(drainEvents(pair.client), 'headers');
  assert.equal(h.map((e) => e.interim), [true, false]);
  assert.is(h[1]!.endStream, true);
});

test('HEAD response may announce a content-length without content', () => {
  const pair = settled();
  const id = pair.client.sendRequest(fields([':method', 'HEAD'], [':scheme', 'https'], [':authority', 'a'], [':path', '/']), { endStream: true })!;
  pair.run();
  drainEvents(pair.server);
  pair.server.sendHeaders(id, fields([':status', '200'], ['content-length', '1000']), { endStream: true });
  pair.run();
  const c = drainEvents(pair.client);
  assert.equal(kinds(c), ['headers']);
  assert.is(pair.clientPort.closed, undefined);
});

test('QPACK dynamic table in use: repeated headers cost a few bytes, one byte at a time', () => {
  const pair = settled();
  const common: [string, string][] = [['user-agent', 'quicts-test/1.0 (dynamic table check)'], ['accept-language', 'en-GB,en;q=0.9']];
  const literal = new QpackEncoder({ maxTableCapacity: 0 }).encode(0, [...GET('/r0'), ...fields(...common)]).fieldSection.length;
  const costs: number[] = [];
  for (let i = 0; i < 4; i++) {
    const encoderBefore = pair.clientPort.written.get(6)!.bytes.length;
    const id = pair.client.sendRequest([...GET('/r0'), ...fields(...common)], { endStream: true })!;
    pair.run();
    const h = only(drainEvents(pair.server), 'headers')[0]!;
    assert.equal(pairsOf(h.headers).slice(4), common);
    costs.push(pair.clientPort.written.get(id)!.bytes.length + pair.clientPort.written.get(6)!.bytes.length - encoderBefore);
    pair.server.sendHeaders(id, fields([':status', '200'], ['server', 'quicts']), { endStream: true });
    pair.run();
    drainEvents(pair.client);
  }
  // The first request pays for the inserts; later ones only reference them.
  assert.ok(costs[3]! < costs[0]! && costs[3]! < literal / 2, `costs ${costs}, literal ${literal}`);
  assert.ok(pair.serverPort.written.get(11)!.bytes.length > 1, 'server decoder stream carried acknowledgments');
  assert.ok(pair.serverPort.written.get(7)!.bytes.length > 1, 'server encoder stream carried inserts');
});

test('blocked header section waits for the encoder stream, then DATA and FIN follow in order', () => {
  const pair = settled();
  const id = pair.client.sendRequest(fields([':method', 'POST'], [':scheme', 'https'], [':authority', 'blocked.example'], [':path', '/'], ['user-agent', 'blocking-agent/2']))!;
  pair.client.sendData(id, utf8('payload'), { endStream: true });
  // Hold the client's QPACK encoder stream (6): the request arrives first.
  pair.run({ hold: (op) => op.kind === 'data' && op.streamId === 6 });
  assert.equal(drainEvents(pair.server), [], 'nothing until the inserts arrive');
  pair.run();
  const s = drainEvents(pair.server);
  assert.is(s[0]!.kind, 'headers');
  assert.equal(pairsOf(only(s, 'headers')[0]!.headers).at(-1), ['user-agent', 'blocking-agent/2']);
  assert.is(bodyOf(s, id), 'payload');
  const last = s[s.length - 1]!;
  assert.ok(last.kind === 'data' && last.endStream);
});

test('blocked header section that ends the stream: endStream once unblocked', () => {
  const pair = settled();
  pair.client.sendRequest([...GET(), ...fields(['user-agent', 'ua-for-blocking'])], { endStream: true });
  pair.run({ hold: (op) => op.kind === 'data' && op.streamId === 6 });
  assert.equal(drainEvents(pair.server), []);
  pair.run();
  const h = only(drainEvents(pair.server), 'headers');
  assert.is(h.length, 1);
  assert.is(h[0]!.endStream, true);
});

test('a reset blocked stream is cancelled towards the peer encoder (RFC 9204 §4.4.2)', () => {
  const pair = settled();
  const id = pair.client.sendRequest([...GET(), ...fields(['user-agent', 'ua-cancelled'])])!;
  pair.run({ hold: (op) => op.kind === 'data' && op.streamId === 6 });
  const before = pair.serverPort.written.get(11)!.bytes.length;
  pair.client.resetStream(id);
  pair.run({ hold: (op) => op.kind === 'data' && op.streamId === 6 });
  const events = drainEvents(pair.server);
  assert.equal(kinds(events), ['stop-sending', 'stream-reset']);
  const decoderBytes = pair.serverPort.written.get(11)!.bytes.slice(before);
  assert.ok(decoderBytes.includes(0x40 | id), `Stream Cancellation for ${id} in ${decoderBytes}`);
  pair.run();
  assert.equal(drainEvents(pair.server), []);
  assert.is(pair.serverPort.closed, undefined);
  assert.is(pair.clientPort.closed, undefined);
});

test('stream limit: sendRequest returns null', () => {
  const pair = settled();
  pair.clientPort.bidiLimit = 1;
  assert.is(pair.client.sendRequest(GET(), { endStream: true }), 0);
  assert.is(pair.client.sendRequest(GET(), { endStream: true }), null);
});

test('peer STOP_SENDING resets our sending side with its code', () => {
  const pair = settled();
  const id = pair.client.sendRequest(fields([':method', 'POST'], [':scheme', 'https'], [':authority', 'a'], [':path', '/']))!;
  pair.run();
  drainEvents(pair.server);
  pair.server.sendHeaders(id, fields([':status', '413']), { endStream: true });
  pair.serverPort.stopSending(id, E.H3_NO_ERROR); // the server no longer wants the request body
  pair.run();
  const c = drainEvents(pair.client);
  assert.ok(c.some((e) => e.kind === 'stop-sending' && e.code === E.H3_NO_ERROR));
  assert.ok(pair.clientPort.sentOf('reset').some((op) => op.streamId === id && op.code === E.H3_NO_ERROR));
  assert.throws(() => pair.client.sendData(id, utf8('x')), TypeError);
});

test('peer reset of a request stream is reported', () => {
  const pair = settled();
  const id = pair.client.sendRequest(GET())!;
  pair.run();
  drainEvents(pair.server);
  pair.client.resetStream(id, E.H3_REQUEST_CANCELLED);
  pair.run();
  const s = drainEvents(pair.server);
  // The client stopped reading too: the server answered STOP_SENDING with RESET_STREAM.
  assert.equal(s, [
    { kind: 'stop-sending', streamId: id, code: E.H3_REQUEST_CANCELLED },
    { kind: 'stream-reset', streamId: id, code: E.H3_REQUEST_CANCELLED },
  ]);
  assert.ok(pair.serverPort.sentOf('reset').some((op) => op.streamId === id));
  assert.is(pair.server.activeStreamCount, 0);
});

test('API misuse throws TypeError', () => {
  const pair = settled();
  assert.throws(() => pair.server.sendRequest(GET()), TypeError);
  assert.throws(() => pair.client.sendRequest(fields([':method', 'GET'])), TypeError);
  assert.throws(() => pair.client.sendRequest([...GET(), ...fields(['Upper', 'x'])]), TypeError);
  const id = pair.client.sendRequest(GET())!;
  assert.throws(() => pair.client.sendHeaders(id, GET()), TypeError);
  pair.client.sendData(id, utf8('x'), { endStream: true });
  assert.throws(() => pair.client.sendData(id, utf8('y')), TypeError);
  pair.run();
  assert.throws(() => pair.server.sendData(id, utf8('early')), TypeError, 'DATA before response headers');
  assert.throws(() => pair.server.sendHeaders(4, fields([':status', '200'])), TypeError, 'unknown stream');
  assert.throws(() => pair.server.sendHeaders(id, fields([':status', '101'])), TypeError);
  assert.throws(() => pair.server.sendTrailers(id, fields(['x', 'y'])), TypeError, 'trailers before headers');
  pair.server.sendHeaders(id, fields([':status', '200']));
  assert.throws(() => pair.server.sendTrailers(id, fields([':status', '200'])), TypeError, 'pseudo-header in trailers');
});

test('sections above the peer MAX_FIELD_SECTION_SIZE are refused (RangeError)', () => {
  const pair = settled({ server: { settings: { maxFieldSectionSize: 200 } } });
  assert.throws(() => pair.client.sendRequest([...GET(), ...fields(['x-big', 'v'.repeat(200)])]), RangeError);
});

test('ten concurrent requests with bodies, in mixed chunk sizes, seeded', () => {
  const rng = new SeededRandom(0x5eed);
  for (const chunk of [1, 2, 5, 64]) {
    const pair = settled();
    const ids: number[] = [];
    for (let i = 0; i < 10; i++) {
      const id = pair.client.sendRequest([...fields([':method', 'POST'], [':scheme', 'https'], [':authority', 'mux.example'], [':path', `/item/${i}`]), ...fields(['x-shared', 'same-value-everywhere'])])!;
      ids.push(id);
    }
    const bodies = ids.map(() => 'x'.repeat(1 + rng.int(200)));
    ids.forEach((id, i) => pair.client.sendData(id, utf8(bodies[i]!), { endStream: true }));
    pair.run({ chunk });
    const s = drainEvents(pair.server);
    ids.forEach((id, i) => assert.is(bodyOf(s, id), bodies[i], `request ${i}`));
    for (const id of [...ids].reverse()) {
      pair.server.sendHeaders(id, fields([':status', '200'], ['content-type', 'text/plain']));
      pair.server.sendData(id, utf8(`reply ${id}`), { endStream: true });
    }
    pair.run({ chunk });
    const c = drainEvents(pair.client);
    for (const id of ids) assert.is(bodyOf(c, id), `reply ${id}`);
    assert.is(only(c, 'headers').length, 10);
    assert.is(pair.client.activeStreamCount + pair.server.activeStreamCount, 0);
  }
});

test('the encoder respects the peer blocked-streams limit: never more blocked streams than allowed', () => {
  const pair = settled({ server: { settings: { qpackBlockedStreams: 1 } } });
  for (let i = 0; i < 4; i++) pair.client.sendRequest([...GET(`/${i}`), ...fields(['user-agent', `agent-${i}`])], { endStream: true });
  pair.run({ hold: (op, from) => from === 'client' && op.kind === 'data' && op.streamId === 6 });
  assert.is(pair.serverPort.closed, undefined, 'no QPACK_DECOMPRESSION_FAILED for too many blocked streams');
  const early = only(drainEvents(pair.server), 'headers').length;
  assert.is(early, 3, 'only one request waits for inserts');
  pair.run();
  assert.is(only(drainEvents(pair.server), 'headers').length, 1);
});

test('requests sent before the peer SETTINGS arrive use no dynamic table', () => {
  const pair = new FakeQuicPair();
  const id = pair.client.sendRequest([...GET(), ...fields(['user-agent', 'early-bird'])], { endStream: true })!;
  assert.is(pair.clientPort.written.get(6)!.bytes.length, 1, 'nothing but the stream type on the encoder stream');
  pair.run();
  const h = only(drainEvents(pair.server), 'headers');
  assert.is(h[0]!.streamId, id);
  assert.is(pair.server.peerSettings?.qpackMaxTableCapacity, 4096);
});

// ---- request-stream errors ----------------------------------------------------------------------

test('DATA before HEADERS is H3_FRAME_UNEXPECTED (connection)', () => {
  const l = lone('server');
  l.feed(0, dataFrame('x'));
  expectConnectionError(l, E.H3_FRAME_UNEXPECTED);
});

test('DATA after trailers and HEADERS after trailers are H3_FRAME_UNEXPECTED', () => {
  for (const after of [dataFrame('x'), headersFrame(fields(['x', 'y']))]) {
    const l = lone('server');
    l.feed(0, concat(headersFrame(GET()), dataFrame('a'), headersFrame(fields(['x-t', '1'])), after));
    expectConnectionError(l, E.H3_FRAME_UNEXPECTED);
  }
});

test('frames not allowed on request streams are H3_FRAME_UNEXPECTED', () => {
  for (const frame of [settingsFrame(), encodeH3Frame({ kind: 'goaway', id: 0 }), encodeH3Frame({ kind: 'max-push-id', pushId: 1 }), encodeH3Frame({ kind: 'cancel-push', pushId: 0 }), encodeH3Frame({ kind: 'push-promise', pushId: 0, fieldSection: Uint8Array.of(0, 0) })]) {
    const l = lone('server');
    l.feed(0, concat(headersFrame(GET()), frame));
    expectConnectionError(l, E.H3_FRAME_UNEXPECTED);
  }
});

test('HTTP/2 frame types are H3_FRAME_UNEXPECTED', () => {
  for (const type of [0x02, 0x06, 0x08, 0x09]) {
    const l = lone('server');
    l.feed(0, Uint8Array.of(type, 0));
    expectConnectionError(l, E.H3_FRAME_UNEXPECTED);
  }
});

test('reserved and unknown frames on a request stream are skipped', () => {
  const l = lone('server');
  l.feed(0, concat([0x21, 0x02, 0xaa, 0xbb], headersFrame(GET()), [0x40, 0x5d, 0x00], dataFrame('ok'), [0x3f, 0x01, 0x00]), true);
  const events = drainEvents(l.h3);
  assert.is(events[0]!.kind, 'headers');
  assert.is(bodyOf(events, 0), 'ok');
  const last = events[events.length - 1]!;
  assert.ok(last.kind === 'data' && last.endStream);
});

test('a stream ending inside a frame is H3_FRAME_ERROR', () => {
  const l = lone('server');
  const bytes = concat(headersFrame(GET()), dataFrame('abcdef'));
  l.feed(0, bytes.subarray(0, bytes.length - 2), true);
  expectConnectionError(l, E.H3_FRAME_ERROR);
});

test('a request stream ending before HEADERS is H3_REQUEST_INCOMPLETE (stream)', () => {
  const l = lone('server');
  l.feed(0, Uint8Array.of(0x21, 0x00), true);
  expectStreamError(l, 0, E.H3_REQUEST_INCOMPLETE);
});

test('content-length shorter or longer than the DATA is H3_MESSAGE_ERROR (stream)', () => {
  const head = headersFrame([...GET(), ...fields(['content-length', '4'])]);
  for (const body of [concat(dataFrame('abc')), concat(dataFrame('abc'), dataFrame('de'))]) {
    const l = lone('server');
    l.feed(0, concat(head, body), true);
    expectStreamError(l, 0, E.H3_MESSAGE_ERROR);
    // The connection lives on: another request still works.
    l.feed(4, headersFrame(GET()), true);
    assert.equal(kinds(drainEvents(l.h3)), ['headers']);
  }
});

test('malformed request header sections are H3_MESSAGE_ERROR stream errors', () => {
  const cases: [string, { name: string; value: string }[]][] = [
    ['uppercase name', [...GET(), ...fields(['X-Upper', '1'])]],
    ['connection header', [...GET(), ...fields(['connection', 'keep-alive'])]],
    ['transfer-encoding', [...GET(), ...fields(['transfer-encoding', 'chunked'])]],
    ['te other than trailers', [...GET(), ...fields(['te', 'gzip'])]],
    ['pseudo after regular', [...fields([':method', 'GET'], [':scheme', 'https'], ['accept', '*/*'], [':authority', 'a'], [':path', '/'])]],
    ['missing :path', fields([':method', 'GET'], [':scheme', 'https'], [':authority', 'a'])],
    ['missing :method', fields([':scheme', 'https'], [':authority', 'a'], [':path', '/'])],
    ['missing authority', fields([':method', 'GET'], [':scheme', 'https'], [':path', '/'])],
    ['unknown pseudo', [...GET(), ...fields()].concat(fields([':foo', 'x'])).sort((a) => (a.name === ':foo' ? -1 : 0))],
    ['response pseudo in request', [...fields([':status', '200']), ...GET()]],
    ['duplicate :path', [...GET(), ...fields([':path', '/again'])].sort((a, b) => (a.name.startsWith(':') ? 0 : 1) - (b.name.startsWith(':') ? 0 : 1))],
    [':protocol without the setting', fields([':method', 'CONNECT'], [':protocol', 'websocket'], [':scheme', 'https'], [':authority', 'a'], [':path', '/'])],
    ['CONNECT with :path', fields([':method', 'CONNECT'], [':authority', 'a:443'], [':path', '/'])],
    ['CONNECT without :authority', fields([':method', 'CONNECT'])],
    ['bad content-length', [...GET(), ...fields(['content-length', '12a'])]],
    ['value with newline', [...GET(), ...fields(['x-h', 'a\nb'])]],
  ];
  for (const [what, list] of cases) {
    const l = lone('server');
    l.feed(0, headersFrame(list), true);
    try {
      expectStreamError(l, 0, E.H3_MESSAGE_ERROR);
    } catch (e) {
      throw new Error(`${what}: ${(e as Error).message}`);
    }
  }
});

test('malformed responses are H3_MESSAGE_ERROR stream errors at the client', () => {
  for (const list of [fields(['content-type', 'text/plain']), fields([':status', '101']), fields([':status', '2000']), fields([':status', '200'], [':method', 'GET'])]) {
    const pair = settled();
    const id = pair.client.sendRequest(GET(), { endStream: true })!;
    pair.run();
    pair.serverPort.writeStream(id, headersFrame(list), true);
    pair.run();
    const errors = only(drainEvents(pair.client), 'stream-error');
    assert.is(errors.length, 1);
    assert.is(errors[0]!.code, E.H3_MESSAGE_ERROR);
  }
});

test('a HEADERS frame above the buffering limit is H3_EXCESSIVE_LOAD (stream)', () => {
  const l = lone('server', { settings: { maxFieldSectionSize: 100 } });
  l.feed(0, concat([0x01, 0x44, 0x00])); // HEADERS of 1024 bytes announced
  expectStreamError(l, 0, E.H3_EXCESSIVE_LOAD);
});

test('a decoded section above our MAX_FIELD_SECTION_SIZE is H3_EXCESSIVE_LOAD (stream)', () => {
  const l = lone('server', { settings: { maxFieldSectionSize: 300 } });
  l.feed(0, headersFrame([...GET(), ...fields(['x-a', 'a'.repeat(100)], ['x-b', 'b'.repeat(100)])]), true);
  expectStreamError(l, 0, E.H3_EXCESSIVE_LOAD);
});

// ---- control and unidirectional streams ------------------------------------------------------

test('first control frame other than SETTINGS is H3_MISSING_SETTINGS', () => {
  for (const first of [encodeH3Frame({ kind: 'goaway', id: 0 }), Uint8Array.of(0x21, 0x00), dataFrame('x')]) {
    const l = lone('server', {}, false);
    l.feed(2, concat([0x00], first));
    expectConnectionError(l, E.H3_MISSING_SETTINGS);
  }
});

test('a second SETTINGS frame is H3_FRAME_UNEXPECTED', () => {
  const l = lone('server');
  l.feed(l.ctl, settingsFrame());
  expectConnectionError(l, E.H3_FRAME_UNEXPECTED);
});

test('DATA, HEADERS and PUSH_PROMISE on the control stream are H3_FRAME_UNEXPECTED', () => {
  for (const f of [dataFrame('x'), headersFrame(GET()), encodeH3Frame({ kind: 'push-promise', pushId: 0, fieldSection: Uint8Array.of(0, 0) })]) {
    const l = lone('client');
    l.feed(l.ctl, f);
    expectConnectionError(l, E.H3_FRAME_UNEXPECTED);
  }
});

test('reserved frames on the control stream are skipped', () => {
  const l = lone('server');
  l.feed(l.ctl, Uint8Array.of(0x21, 0x03, 1, 2, 3));
  assert.is(l.port.closed, undefined);
  assert.equal(drainEvents(l.h3), []);
});

test('MAX_PUSH_ID from a server is H3_FRAME_UNEXPECTED', () => {
  const l = lone('client');
  l.feed(l.ctl, encodeH3Frame({ kind: 'max-push-id', pushId: 3 }));
  expectConnectionError(l, E.H3_FRAME_UNEXPECTED);
});

test('a second control, encoder or decoder stream is H3_STREAM_CREATION_ERROR', () => {
  for (const type of [0x00, 0x02, 0x03]) {
    const l = lone('server');
    l.feed(6, Uint8Array.of(type));
    if (type !== 0x00) l.feed(10, Uint8Array.of(type));
    else l.feed(10, concat([0x00], settingsFrame()));
    expectConnectionError(l, E.H3_STREAM_CREATION_ERROR);
  }
});

test('closing or resetting a critical stream is H3_CLOSED_CRITICAL_STREAM', () => {
  let l = lone('server');
  l.feed(l.ctl, new Uint8Array(0), true);
  expectConnectionError(l, E.H3_CLOSED_CRITICAL_STREAM);
  l = lone('server');
  l.h3.handleStreamReset(l.ctl, E.H3_NO_ERROR);
  expectConnectionError(l, E.H3_CLOSED_CRITICAL_STREAM);
  l = lone('server');
  l.feed(6, Uint8Array.of(0x02), true);
  expectConnectionError(l, E.H3_CLOSED_CRITICAL_STREAM);
  l = lone('server');
  l.feed(10, Uint8Array.of(0x03));
  l.h3.handleStreamReset(10, 0);
  expectConnectionError(l, E.H3_CLOSED_CRITICAL_STREAM);
  l = lone('client');
  l.h3.handleStopSending(2, E.H3_NO_ERROR); // our own control stream
  expectConnectionError(l, E.H3_CLOSED_CRITICAL_STREAM);
});

test('unknown and reserved unidirectional stream types are stopped with H3_STREAM_CREATION_ERROR', () => {
  const l = lone('server');
  l.feed(6, Uint8Array.of(0x21, 0xde, 0xad));
  l.feed(10, Uint8Array.of(0x40, 0x54, 1, 2, 3), true);
  assert.is(l.port.closed, undefined);
  const stops = l.port.sentOf('stop');
  assert.equal(stops.map((s) => [s.streamId, s.code]), [[6, E.H3_STREAM_CREATION_ERROR], [10, E.H3_STREAM_CREATION_ERROR]]);
  assert.equal(drainEvents(l.h3), []);
});

test('a unidirectional stream may end before its type', () => {
  const l = lone('server');
  l.feed(6, Uint8Array.of(0x40), true);
  l.h3.handleStreamReset(10, 0);
  assert.is(l.port.closed, undefined);
});

test('server-initiated bidirectional streams are H3_STREAM_CREATION_ERROR at a client', () => {
  const l = lone('client');
  l.feed(1, headersFrame(GET()));
  expectConnectionError(l, E.H3_STREAM_CREATION_ERROR);
});

test('SETTINGS errors: duplicate, HTTP/2 identifiers, invalid boolean values', () => {
  const bad: H3SettingEntry[][] = [
    [{ id: 0x6, value: 1 }, { id: 0x6, value: 2 }],
    [{ id: 0x2, value: 0 }],
    [{ id: 0x5, value: 16384 }],
    [{ id: H3SettingId.H3_DATAGRAM, value: 2 }],
    [{ id: H3SettingId.ENABLE_CONNECT_PROTOCOL, value: 7 }],
  ];
  for (const entries of bad) {
    const l = lone('server', {}, false);
    l.feed(2, concat([0x00], settingsFrame(entries)));
    expectConnectionError(l, E.H3_SETTINGS_ERROR);
  }
});

test('an oversized SETTINGS frame is H3_EXCESSIVE_LOAD', () => {
  const l = lone('server', { maxSettingsFrame: 64 }, false);
  l.feed(2, Uint8Array.of(0x00, 0x04, 0x40, 0x80));
  expectConnectionError(l, E.H3_EXCESSIVE_LOAD);
});

test('QPACK stream errors close the connection with the QPACK codes', () => {
  let l = lone('server');
  l.feed(6, Uint8Array.of(0x02, 0x3f, 0xff, 0xff, 0xff, 0x7f)); // Set Dynamic Table Capacity far above 4096
  expectConnectionError(l, QpackErrorCode.QPACK_ENCODER_STREAM_ERROR);
  l = lone('server');
  l.feed(10, Uint8Array.of(0x03, 0x00)); // Insert Count Increment of 0
  expectConnectionError(l, QpackErrorCode.QPACK_DECODER_STREAM_ERROR);
  l = lone('server');
  l.feed(0, encodeH3Frame({ kind: 'headers', fieldSection: Uint8Array.of(0x00, 0x00, 0xff) })); // truncated field line
  expectConnectionError(l, QpackErrorCode.QPACK_DECOMPRESSION_FAILED);
});

// ---- push ------------------------------------------------------------------------------------

test('a client that sent no MAX_PUSH_ID refuses PUSH_PROMISE with H3_ID_ERROR', () => {
  const pair = settled();
  const id = pair.client.sendRequest(GET(), { endStream: true })!;
  pair.run();
  const promise = encodeH3Frame({ kind: 'push-promise', pushId: 0, fieldSection: new QpackEncoder({ maxTableCapacity: 0 }).encode(id, GET('/pushed')).fieldSection });
  pair.serverPort.writeStream(id, promise, false);
  pair.run();
  expectConnectionError({ port: pair.clientPort, h3: pair.client }, E.H3_ID_ERROR);
});

test('a push stream without permission is H3_ID_ERROR', () => {
  const l = lone('client');
  l.feed(3 + 4, Uint8Array.of(0x01, 0x00));
  expectConnectionError(l, E.H3_ID_ERROR);
});

test('push allowed by MAX_PUSH_ID: promise, pushed response, limits', () => {
  const pair = new FakeQuicPair({ client: { maxPushId: 5 } });
  pair.run();
  assert.ok(drainEvents(pair.server).some((e) => e.kind === 'max-push-id' && e.pushId === 5));
  drainEvents(pair.client);
  const id = pair.client.sendRequest(GET(), { endStream: true })!;
  pair.run();
  const enc = new QpackEncoder({ maxTableCapacity: 0 });
  pair.serverPort.writeStream(id, encodeH3Frame({ kind: 'push-promise', pushId: 3, fieldSection: enc.encode(id, GET('/style.css')).fieldSection }), false);
  // A push stream: type 0x01, push ID 3, then a response.
  pair.serverPort.writeStream(15, concat([0x01, 0x03], headersFrame(fields([':status', '200'])), dataFrame('body{}')), true);
  pair.run();
  const events = drainEvents(pair.client);
  const promise = only(events, 'push-promise')[0]!;
  assert.is(promise.pushId, 3);
  assert.equal(pairsOf(promise.headers)[3], [':path', '/style.css']);
  const pushed = only(events, 'headers')[0]!;
  assert.is(pushed.pushId, 3);
  assert.is(pushed.streamId, 15);
  assert.is(bodyOf(events, 15), 'body{}');
  // A second push stream for push ID 3, and push ID 6 above the limit, are H3_ID_ERROR.
  const again = lone('client', { maxPushId: 5 });
  again.feed(7, Uint8Array.of(0x01, 0x03));
  again.feed(11, Uint8Array.of(0x01, 0x03));
  expectConnectionError(again, E.H3_ID_ERROR);
  const above = lone('client', { maxPushId: 5 });
  above.feed(7, Uint8Array.of(0x01, 0x06));
  expectConnectionError(above, E.H3_ID_ERROR);
});

test('CANCEL_PUSH: allowed IDs are reported, others are H3_ID_ERROR', () => {
  const ok = lone('client', { maxPushId: 2 });
  ok.feed(ok.ctl, encodeH3Frame({ kind: 'cancel-push', pushId: 2 }));
  assert.ok(drainEvents(ok.h3).some((e) => e.kind === 'push-cancelled' && e.pushId === 2));
  const bad = lone('client', { maxPushId: 2 });
  bad.feed(bad.ctl, encodeH3Frame({ kind: 'cancel-push', pushId: 3 }));
  expectConnectionError(bad, E.H3_ID_ERROR);
  const server = lone('server');
  server.feed(server.ctl, encodeH3Frame({ kind: 'cancel-push', pushId: 0 }));
  expectConnectionError(server, E.H3_ID_ERROR);
});

test('a server receiving a push stream or PUSH_PROMISE fails the connection', () => {
  const l = lone('server');
  l.feed(6, Uint8Array.of(0x01, 0x00));
  expectConnectionError(l, E.H3_STREAM_CREATION_ERROR);
  const p = lone('server');
  p.feed(0, concat(headersFrame(GET()), encodeH3Frame({ kind: 'push-promise', pushId: 0, fieldSection: Uint8Array.of(0, 0) })));
  expectConnectionError(p, E.H3_FRAME_UNEXPECTED);
});

test('MAX_PUSH_ID may not decrease (H3_ID_ERROR)', () => {
  const l = lone('server');
  l.feed(l.ctl, concat(encodeH3Frame({ kind: 'max-push-id', pushId: 8 }), encodeH3Frame({ kind: 'max-push-id', pushId: 8 })));
  assert.is(l.port.closed, undefined);
  l.feed(l.ctl, encodeH3Frame({ kind: 'max-push-id', pushId: 7 }));
  expectConnectionError(l, E.H3_ID_ERROR);
});

test.run();
