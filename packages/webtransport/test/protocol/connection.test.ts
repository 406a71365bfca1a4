import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { H3ErrorCode } from '@quicts/h3';
import {
  WebTransportErrorCode as WT, webTransportCodeToHttp3, type WtDialect, type WtLocalSettings,
} from '@quicts/webtransport';
import { only, type PairSide, streamText, text, utf8, WtPair } from './wt-pair.ts';

const DIALECTS: WtDialect[] = ['draft02', 'draft07', 'draft13', 'draft15'];
const NO_CREDIT = { initialMaxData: 0, initialMaxStreamsUni: 0, initialMaxStreamsBidi: 0 };

function pairFor(dialect: WtDialect, client: Partial<WtLocalSettings> = {}, server: Partial<WtLocalSettings> = {}, more: { client?: PairSide; server?: PairSide } = {}): WtPair {
  const pair = new WtPair({
    client: { ...more.client, settings: { dialects: [dialect], ...client } },
    server: { ...more.server, settings: { dialects: [dialect], ...server } },
  });
  pair.run();
  const c = only(pair.take('client'), 'settings');
  const s = only(pair.take('server'), 'settings');
  assert.is(c[0]?.dialect, dialect);
  assert.is(s[0]?.dialect, dialect);
  return pair;
}

/** An accepted session on a fresh pair. */
function opened(dialect: WtDialect, client: Partial<WtLocalSettings> = {}, server: Partial<WtLocalSettings> = {}): { pair: WtPair; sid: number } {
  const pair = pairFor(dialect, client, server);
  const sid = pair.client.createSession({ authority: 'example.com', path: '/echo', origin: 'http://127.0.0.1' })!;
  pair.run();
  const req = only(pair.take('server'), 'session-request');
  assert.is(req.length, 1);
  pair.server.acceptSession(sid);
  pair.run();
  assert.equal(only(pair.take('client'), 'session-ready').map((e) => e.sessionId), [sid]);
  return { pair, sid };
}

for (const dialect of DIALECTS) {
  test(`${dialect}: session request carries the dialect's headers; accept with a protocol`, () => {
    const pair = pairFor(dialect);
    const sid = pair.client.createSession({ authority: 'example.com:4433', path: '/echo?x=1', origin: 'http://localhost', protocols: ['moq-01', 'chat'] })!;
    assert.is(sid, 0);
    pair.run();
    const req = only(pair.take('server'), 'session-request')[0]!;
    assert.is(req.sessionId, sid);
    assert.equal([req.request.authority, req.request.path, req.request.origin], ['example.com:4433', '/echo?x=1', 'http://localhost']);
    assert.equal(req.request.protocols, ['moq-01', 'chat']);
    const protocol = req.request.headers.find((f) => f.name === ':protocol')?.value;
    assert.is(protocol, dialect === 'draft15' ? 'webtransport-h3' : 'webtransport');
    assert.is(req.request.headers.some((f) => f.name === 'sec-webtransport-http3-draft02'), dialect === 'draft02');
    assert.throws(() => pair.server.acceptSession(sid, { protocol: 'other' }), TypeError);
    pair.server.acceptSession(sid, { protocol: 'chat' });
    pair.run();
    const ready = only(pair.take('client'), 'session-ready')[0]!;
    assert.equal([ready.sessionId, ready.status, ready.protocol], [sid, 200, 'chat']);
    assert.is(ready.headers.some((f) => f.name === 'sec-webtransport-http3-draft' && f.value === 'draft02'), dialect === 'draft02');
    assert.equal(pair.client.sessionInfo(sid)?.state, 'open');
    assert.equal(pair.server.sessionInfo(sid)?.protocol, 'chat');
  });

  test(`${dialect}: reject with a status`, () => {
    const pair = pairFor(dialect);
    const sid = pair.client.createSession({ authority: 'a', path: '/nope' })!;
    pair.run();
    pair.take('server');
    pair.server.rejectSession(sid, 403);
    pair.run();
    const rej = only(pair.take('client'), 'session-rejected')[0]!;
    assert.equal([rej.sessionId, rej.status], [sid, 403]);
    assert.is(pair.client.sessionCount, 0);
    assert.is(pair.server.sessionCount, 0);
    assert.throws(() => pair.server.rejectSession(sid, 403), TypeError);
  });

  test(`${dialect}: bidirectional and unidirectional streams both ways, one byte at a time`, () => {
    const { pair, sid } = opened(dialect);
    // Client bidi: echoed by the server.
    const cb = pair.client.openStream(sid, 'bidi')!;
    assert.is(pair.client.writeStream(cb, utf8('hello'), true), 5);
    pair.run();
    let ev = pair.take('server');
    assert.equal(only(ev, 'stream-opened')[0], { kind: 'stream-opened', sessionId: sid, streamId: cb, bidi: true });
    assert.equal(streamText(ev, cb), { data: 'hello', fin: true });
    pair.server.writeStream(cb, utf8('hello'), true);
    // Server uni and server bidi.
    const su = pair.server.openStream(sid, 'uni')!;
    pair.server.writeStream(su, utf8('uni from server'), true);
    const sb = pair.server.openStream(sid, 'bidi')!;
    pair.server.writeStream(sb, utf8('hello from server bidi'), true);
    pair.run();
    ev = pair.take('client');
    assert.equal(streamText(ev, cb), { data: 'hello', fin: true });
    assert.equal(only(ev, 'stream-opened').map((e) => [e.streamId, e.bidi]), [[su, false], [sb, true]]);
    assert.equal(streamText(ev, su), { data: 'uni from server', fin: true });
    assert.equal(streamText(ev, sb), { data: 'hello from server bidi', fin: true });
    pair.client.writeStream(sb, utf8('back'), true);
    // Client uni.
    const cu = pair.client.openStream(sid, 'uni')!;
    pair.client.writeStream(cu, utf8('uni from client'));
    pair.client.writeStream(cu, new Uint8Array(0), true);
    pair.run();
    ev = pair.take('server');
    assert.equal(streamText(ev, sb), { data: 'back', fin: true });
    assert.equal(streamText(ev, cu), { data: 'uni from client', fin: true });
    assert.is(pair.client.streamCount, 0, 'every stream finished both ways');
    assert.is(pair.server.streamCount, 0);
    assert.is(pair.client.h3.extensionStreamCount, 0);
    assert.is(pair.server.h3.extensionStreamCount, 0);
    const stats = pair.server.sessionInfo(sid)!.stats;
    assert.equal([stats.streamsOpenedLocal, stats.streamsOpenedRemote, stats.bytesReceived], [2, 2, 5 + 4 + 15]);
  });

  test(`${dialect}: datagrams both ways carry the quarter stream ID`, () => {
    const { pair, sid } = opened(dialect);
    assert.ok(pair.client.sendDatagram(sid, utf8('ping')));
    pair.run();
    const d = only(pair.take('server'), 'datagram')[0]!;
    assert.equal([d.sessionId, text(d.payload)], [sid, 'ping']);
    assert.equal([...pair.clientPort.sentOf('datagram').at(-1)!.payload], [sid / 4, ...utf8('ping')]);
    assert.ok(pair.server.sendDatagram(sid, d.payload));
    pair.run();
    assert.equal(only(pair.take('client'), 'datagram').map((e) => text(e.payload)), ['ping']);
    assert.is(pair.client.sendDatagram(1234, utf8('x')), false, 'no such session');
  });

  test(`${dialect}: close with code and reason from either side; streams get WT_SESSION_GONE`, () => {
    for (const closer of ['client', 'server'] as const) {
      const { pair, sid } = opened(dialect);
      const other = closer === 'client' ? 'server' : 'client';
      const st = pair.client.openStream(sid, 'bidi')!;
      pair.client.writeStream(st, utf8('x'));
      pair.run();
      pair.take('server');
      pair[closer].closeSession(sid, closer === 'client' ? 7 : 42, closer === 'client' ? 'bye' : 'server-close');
      pair.run();
      const local = only(pair.take(closer), 'session-closed')[0]!;
      const remote = only(pair.take(other), 'session-closed')[0]!;
      const code = closer === 'client' ? 7 : 42;
      assert.equal([local.code, local.remote, local.error], [code, false, undefined]);
      assert.equal([remote.code, remote.reason, remote.remote, remote.error], [code, closer === 'client' ? 'bye' : 'server-close', true, undefined]);
      // Both sides reset and stopped the stream with WT_SESSION_GONE, and both FINed the CONNECT stream.
      for (const port of [pair.clientPort, pair.serverPort]) {
        assert.ok(port.sentOf('reset').some((op) => op.streamId === st && op.code === WT.WT_SESSION_GONE));
        assert.ok(port.written.get(sid)?.fin, 'CONNECT stream ended');
      }
      assert.equal([pair.client.sessionCount, pair.server.sessionCount, pair.client.streamCount, pair.server.streamCount], [0, 0, 0, 0]);
      // A stream for the closed session is refused with WT_SESSION_GONE.
      const late = pair.client.h3.openExtensionStream('uni', Uint8Array.of(0x40, 0x54, sid))!;
      pair.client.h3.writeExtensionStream(late, utf8('late'), false);
      pair.run();
      assert.ok(pair.serverPort.sentOf('stop').some((op) => op.streamId === late && op.code === WT.WT_SESSION_GONE));
    }
  });

  test(`${dialect}: drain`, () => {
    const { pair, sid } = opened(dialect);
    pair.server.drainSession(sid);
    pair.server.drainSession(sid);
    pair.run();
    assert.equal(only(pair.take('client'), 'session-draining').map((e) => e.sessionId), [sid]);
    // The session goes on after a drain.
    const st = pair.client.openStream(sid, 'uni')!;
    pair.client.writeStream(st, utf8('still here'), true);
    pair.run();
    assert.equal(streamText(pair.take('server'), st).data, 'still here');
  });

  test(`${dialect}: streams and datagrams before their session are buffered, then delivered`, () => {
    const pair = pairFor(dialect);
    const sid = pair.client.createSession({ authority: 'a', path: '/' })!;
    const st = pair.client.openStream(sid, 'bidi')!;
    pair.client.writeStream(st, utf8('early'), true);
    pair.client.sendDatagram(sid, utf8('early datagram'));
    // The stream and the datagram overtake the CONNECT request.
    pair.run({ hold: (op, from) => from === 'client' && op.kind === 'data' && op.streamId === sid });
    assert.equal(pair.take('server'), []);
    pair.run();
    assert.equal(only(pair.take('server'), 'session-request').length, 1);
    pair.server.acceptSession(sid);
    const ev = pair.take('server');
    assert.equal(ev.map((e) => e.kind).filter((k) => k !== 'stream-data'), ['stream-opened', 'datagram']);
    assert.equal(streamText(ev, st), { data: 'early', fin: true });
  });
}

test('buffering limits: streams beyond the limit get WT_BUFFERED_STREAM_REJECTED, datagrams are dropped', () => {
  const pair = new WtPair({ server: { maxBufferedStreams: 2, maxBufferedDatagrams: 1, maxBufferedStreamBytes: 8 } });
  pair.run();
  pair.take('client');
  pair.take('server');
  const sid = pair.client.createSession({ authority: 'a', path: '/' })!;
  const streams = [0, 1, 2].map(() => pair.client.openStream(sid, 'uni')!);
  for (const st of streams) pair.client.writeStream(st, utf8('abc'), true);
  const big = pair.client.openStream(sid, 'bidi')!;
  pair.client.sendDatagram(sid, utf8('one'));
  pair.client.sendDatagram(sid, utf8('two'));
  pair.run({ hold: (op, from) => from === 'client' && op.kind === 'data' && op.streamId === sid });
  const rejected = pair.serverPort.sentOf('stop').filter((op) => op.code === WT.WT_BUFFERED_STREAM_REJECTED).map((op) => op.streamId);
  assert.equal(rejected, [streams[2], big], 'the third stream, and the fourth');
  pair.run();
  pair.take('server');
  pair.server.acceptSession(sid);
  const ev = pair.take('server');
  assert.equal(only(ev, 'stream-opened').map((e) => e.streamId), streams.slice(0, 2));
  assert.equal(only(ev, 'datagram').map((e) => text(e.payload)), ['one']);
  // A buffered stream that grows beyond its byte budget is rejected too.
  const pair2 = new WtPair({ server: { maxBufferedStreamBytes: 8 } });
  pair2.run();
  const sid2 = pair2.client.createSession({ authority: 'a', path: '/' })!;
  const s2 = pair2.client.openStream(sid2, 'uni')!;
  pair2.client.writeStream(s2, utf8('0123456789'));
  pair2.run({ hold: (op, from) => from === 'client' && op.kind === 'data' && op.streamId === sid2 });
  assert.ok(pair2.serverPort.sentOf('stop').some((op) => op.streamId === s2 && op.code === WT.WT_BUFFERED_STREAM_REJECTED));
});

test('a session request waits for the client SETTINGS (draft -15 §3.1)', () => {
  const pair = new WtPair();
  // Hold the client's control stream (stream 2) until the request has arrived.
  pair.run({ hold: (op, from) => from === 'client' && op.kind === 'data' && op.streamId === 2 });
  // The client has the server's SETTINGS; the server has none yet.
  assert.ok(pair.client.negotiated !== undefined);
  assert.is(pair.server.negotiated, undefined);
  const sid = pair.client.createSession({ authority: 'a', path: '/' })!;
  pair.run({ hold: (op, from) => from === 'client' && op.kind === 'data' && op.streamId === 2 });
  assert.equal(only(pair.take('server'), 'session-request'), []);
  pair.run();
  const ev = pair.take('server');
  assert.equal(ev.map((e) => e.kind).filter((k) => k !== 'h3'), ['settings', 'session-request']);
  assert.is(only(ev, 'session-request')[0]!.sessionId, sid);
});

test('createSession needs the peer SETTINGS and a common dialect', () => {
  const pair = new WtPair({ client: { settings: { dialects: ['draft15'] } }, server: { settings: { dialects: ['draft02'] } } });
  assert.throws(() => pair.client.createSession({ authority: 'a', path: '/' }), TypeError);
  pair.run();
  assert.is(only(pair.take('client'), 'settings')[0]!.dialect, undefined);
  assert.throws(() => pair.client.createSession({ authority: 'a', path: '/' }), TypeError);
});

test('a WebTransport request without WebTransport SETTINGS is reset with H3_MESSAGE_ERROR', () => {
  const pair = new WtPair({ client: { settings: { dialects: ['draft15'] } }, server: { settings: { dialects: ['draft02'] } } });
  pair.run();
  // The client's H3 layer may still send a CONNECT the dialect does not allow.
  const id = pair.client.h3.sendRequest([
    { name: ':method', value: 'CONNECT' }, { name: ':protocol', value: 'webtransport' }, { name: ':scheme', value: 'https' },
    { name: ':authority', value: 'a' }, { name: ':path', value: '/' },
  ])!;
  pair.run();
  assert.ok(pair.serverPort.sentOf('reset').some((op) => op.streamId === id && op.code === H3ErrorCode.H3_MESSAGE_ERROR));
  assert.equal(only(pair.take('server'), 'session-request'), []);
});

test('stream resets and STOP_SENDING carry application codes across the mapping', () => {
  const { pair, sid } = opened('draft15');
  const st = pair.client.openStream(sid, 'bidi')!;
  pair.client.writeStream(st, utf8('x'));
  pair.client.resetStream(st, 0xdeadbeef);
  pair.client.stopSending(st, 0x12345678);
  pair.run();
  const ev = pair.take('server');
  const reset = only(ev, 'stream-reset')[0]!;
  assert.equal([reset.streamId, reset.code, reset.h3Code], [st, 0xdeadbeef, webTransportCodeToHttp3(0xdeadbeef)]);
  const stop = only(ev, 'stop-sending')[0]!;
  assert.equal([stop.code, stop.h3Code], [0x12345678, webTransportCodeToHttp3(0x12345678)]);
  // STOP_SENDING is answered with a reset carrying the same code.
  assert.ok(pair.serverPort.sentOf('reset').some((op) => op.streamId === st && op.code === webTransportCodeToHttp3(0x12345678)));
  assert.is(pair.server.streamCount, 0);
  assert.is(pair.client.streamCount, 0);
  // draft-02 had 8-bit stream codes only.
  const d02 = opened('draft02');
  const s2 = d02.pair.client.openStream(d02.sid, 'uni')!;
  assert.throws(() => d02.pair.client.resetStream(s2, 256), RangeError);
  d02.pair.client.resetStream(s2, 255);
});

test('a reset with a code outside the application range is reported without a code', () => {
  const { pair, sid } = opened('draft07');
  const st = pair.server.openStream(sid, 'uni')!;
  pair.server.writeStream(st, utf8('x'));
  pair.run();
  pair.take('client');
  pair.server.h3.resetExtensionStream(st, H3ErrorCode.H3_REQUEST_CANCELLED);
  pair.run();
  const r = only(pair.take('client'), 'stream-reset')[0]!;
  assert.equal([r.code, r.h3Code], [undefined, H3ErrorCode.H3_REQUEST_CANCELLED]);
});

test('Chromium sends a GREASE capsule after the 200: skipped', () => {
  const { pair, sid } = opened('draft02');
  pair.client.h3.sendData(sid, Uint8Array.of(0x40, 0x29 + 0x1f, 2, 0xaa, 0xbb));
  pair.run();
  assert.equal(pair.take('server').filter((e) => e.kind !== 'h3'), []);
  assert.is(pair.server.sessionInfo(sid)?.state, 'open');
});

test('a Chromium-shaped client (its exact SETTINGS and CONNECT) gets draft-02, a 200 and an echo', async () => {
  const { H3Connection } = await import('@quicts/h3');
  const { FakeQuicEndpoint } = await import('../../../h3/test/fake-quic.ts');
  const { deliver } = await import('./wt-pair.ts');
  const cPort = new FakeQuicEndpoint('client');
  const sPort = new FakeQuicEndpoint('server');
  const chrome = new H3Connection({
    role: 'client', port: cPort,
    settings: { qpackMaxTableCapacity: 65536, maxFieldSectionSize: 16384, qpackBlockedStreams: 100, h3Datagram: true, extra: [[0xffd277, 1], [0x2b603742, 1]] },
  });
  const { WtConnection } = await import('@quicts/webtransport');
  const server = new WtConnection({ role: 'server', port: sPort });
  const pump = (): void => {
    for (let i = 0; i < 50; i++) {
      const a = cPort.outbox.splice(0);
      const b = sPort.outbox.splice(0);
      if (a.length === 0 && b.length === 0) return;
      for (const op of a) deliver(op, server, sPort, 1);
      for (const op of b) {
        if (op.kind === 'data') chrome.handleStreamData(op.streamId, op.data, op.fin);
      }
    }
  };
  pump();
  assert.is(server.negotiated?.dialect, 'draft02');
  const id = chrome.sendRequest([
    { name: ':method', value: 'CONNECT' }, { name: ':protocol', value: 'webtransport' }, { name: ':scheme', value: 'https' },
    { name: ':authority', value: '127.0.0.1:4433' }, { name: ':path', value: '/echo' },
    { name: 'sec-webtransport-http3-draft02', value: '1' }, { name: 'origin', value: 'http://127.0.0.1:8080' },
  ])!;
  pump();
  const events = [];
  for (let e = server.pollEvent(); e; e = server.pollEvent()) events.push(e);
  const req = events.find((e) => e.kind === 'session-request');
  assert.ok(req !== undefined && req.kind === 'session-request' && req.request.origin === 'http://127.0.0.1:8080');
  server.acceptSession(id);
  pump();
  const res = [];
  for (let e = chrome.pollEvent(); e; e = chrome.pollEvent()) res.push(e);
  const h = res.find((e) => e.kind === 'headers');
  assert.ok(h !== undefined && h.kind === 'headers' && h.headers[0]!.value === '200');
  // Chromium's bidi stream: 0x41, session 0, then the payload; FIN.
  cPort.writeStream(4, Uint8Array.of(0x40, 0x41, 0x00, ...utf8('echo me')), true);
  pump();
  const ev2 = [];
  for (let e = server.pollEvent(); e; e = server.pollEvent()) ev2.push(e);
  assert.equal(streamText(ev2, 4), { data: 'echo me', fin: true });
  server.writeStream(4, utf8('echo me'), true);
  assert.equal(text(Uint8Array.from(sPort.written.get(4)!.bytes)), 'echo me');
  assert.ok(sPort.written.get(4)!.fin);
});

// ---- several sessions, flow control -----------------------------------------------------------

test('several sessions per connection where the dialect allows it', () => {
  for (const [dialect, settings, want] of [
    ['draft02', {}, 3], ['draft07', { maxSessions: 2 }, 2], ['draft13', {}, 3], ['draft15', {}, 3], ['draft15', NO_CREDIT, 1], ['draft13', { ...NO_CREDIT, maxSessions: 1 }, 1],
  ] as const) {
    const pair = pairFor(dialect, settings, settings);
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) {
      const id = pair.client.createSession({ authority: 'a', path: `/s${i}` });
      if (id !== null) ids.push(id);
    }
    assert.is(ids.length, want, `${dialect} ${JSON.stringify(settings)}`);
    pair.run();
    const reqs = only(pair.take('server'), 'session-request');
    for (const r of reqs) pair.server.acceptSession(r.sessionId);
    pair.run();
    assert.is(only(pair.take('client'), 'session-ready').length, want);
    // Datagrams and streams reach the right session.
    for (const id of ids) pair.client.sendDatagram(id, utf8(`d${id}`));
    pair.run();
    assert.equal(only(pair.take('server'), 'datagram').map((e) => [e.sessionId, text(e.payload)]), ids.map((id) => [id, `d${id}`]));
  }
});

test('the server enforces its session limit: 429, or H3_REQUEST_REJECTED without flow control', () => {
  const connect = [
    { name: ':method', value: 'CONNECT' }, { name: ':protocol', value: 'webtransport-h3' }, { name: ':scheme', value: 'https' },
    { name: ':authority', value: 'a' }, { name: ':path', value: '/' },
  ];
  const noFc = pairFor('draft15', NO_CREDIT, NO_CREDIT);
  noFc.client.createSession({ authority: 'a', path: '/' });
  const extra = noFc.client.h3.sendRequest(connect)!;
  noFc.run();
  assert.is(only(noFc.take('server'), 'session-request').length, 1);
  assert.ok(noFc.serverPort.sentOf('reset').some((op) => op.streamId === extra && op.code === H3ErrorCode.H3_REQUEST_REJECTED));
  const limited = pairFor('draft15', {}, { maxSessions: 1 });
  limited.client.createSession({ authority: 'a', path: '/' });
  const second = limited.client.h3.sendRequest(connect)!;
  limited.run();
  assert.is(only(limited.take('server'), 'session-request').length, 1);
  // That request did not go through the client's WebTransport layer: its answer is an HTTP/3 event.
  const answers = limited.take('client').flatMap((e) => (e.kind === 'h3' && e.event.kind === 'headers' ? [[e.event.streamId, e.event.headers[0]!.value]] : []));
  assert.equal(answers, [[second, '429']]);
});

for (const dialect of ['draft13', 'draft15'] as const) {
  test(`${dialect}: session data credit: writes stop at WT_MAX_DATA, WT_DATA_BLOCKED, then MAX_DATA lets them go on`, () => {
    const { pair, sid } = opened(dialect, {}, { initialMaxData: 10 });
    assert.is(pair.client.sendCredit(sid), 10);
    const st = pair.client.openStream(sid, 'uni')!;
    assert.is(pair.client.writeStream(st, utf8('0123456789abcdefghijklmno'), true), 10, 'only the credit');
    assert.is(pair.client.writeStream(st, utf8('abcdefghijklmno'), true), 0);
    pair.run();
    // The server released the 10 bytes on delivery: a new limit of 20 came back.
    assert.equal(streamText(pair.take('server'), st).data, '0123456789');
    assert.equal(only(pair.take('client'), 'session-writable').map((e) => e.sessionId), [sid]);
    assert.is(pair.client.sendCredit(sid), 10);
    assert.ok(pair.clientPort.sentOf('data').some((op) => op.streamId === sid && op.data[0] === 0x99 && op.data[3] === 0x41), 'WT_DATA_BLOCKED sent');
    let rest = utf8('abcdefghijklmno');
    while (rest.length > 0) {
      const n = pair.client.writeStream(st, rest, true);
      rest = rest.subarray(n);
      pair.run();
    }
    const ev = pair.take('server');
    assert.equal(streamText(ev, st), { data: 'abcdefghijklmno', fin: true });
    assert.ok(pair.client.sessionInfo(sid)!.stats.blocked >= 2);
  });

  test(`${dialect}: stream credit: WT_STREAMS_BLOCKED at the limit, WT_MAX_STREAMS as streams close`, () => {
    const { pair, sid } = opened(dialect, {}, { initialMaxStreamsBidi: 2 });
    const a = pair.client.openStream(sid, 'bidi')!;
    const b = pair.client.openStream(sid, 'bidi')!;
    assert.is(pair.client.openStream(sid, 'bidi'), null);
    assert.ok(pair.client.openStream(sid, 'uni') !== null, 'unidirectional credit is separate');
    for (const st of [a, b]) pair.client.writeStream(st, utf8('q'), true);
    pair.run();
    pair.take('server');
    assert.equal(pair.take('client').filter((e) => e.kind === 'session-writable'), []);
    // The server finishes both streams: they close, and the credit comes back.
    for (const st of [a, b]) pair.server.writeStream(st, utf8('r'), true);
    pair.run();
    assert.equal(only(pair.take('client'), 'session-writable').map((e) => e.sessionId), [sid]);
    assert.ok(pair.client.openStream(sid, 'bidi') !== null);
  });

  test(`${dialect}: a peer exceeding the session credit gets WT_FLOW_CONTROL_ERROR`, () => {
    const { pair, sid } = opened(dialect, {}, { initialMaxData: 4, initialMaxStreamsUni: 1 });
    // Past our own accounting, straight through HTTP/3.
    const st = pair.client.h3.openExtensionStream('uni', Uint8Array.of(0x40, 0x54, sid))!;
    pair.client.h3.writeExtensionStream(st, utf8('too much data'), true);
    // In one piece: delivered byte by byte, each byte would earn more credit on the way.
    pair.run({ chunk: 1000 });
    const closed = only(pair.take('server'), 'session-closed')[0]!;
    assert.equal([closed.sessionId, closed.error, closed.remote], [sid, WT.WT_FLOW_CONTROL_ERROR, false]);
    assert.ok(pair.serverPort.sentOf('reset').some((op) => op.streamId === sid && op.code === WT.WT_FLOW_CONTROL_ERROR));
    const c = only(pair.take('client'), 'session-closed')[0]!;
    assert.equal([c.remote, c.error], [true, WT.WT_FLOW_CONTROL_ERROR]);
    // Too many streams.
    const two = opened(dialect, {}, { initialMaxStreamsUni: 1 });
    for (let i = 0; i < 2; i++) two.pair.client.h3.openExtensionStream('uni', Uint8Array.of(0x40, 0x54, two.sid));
    two.pair.run();
    assert.is(only(two.pair.take('server'), 'session-closed')[0]?.error, WT.WT_FLOW_CONTROL_ERROR);
  });

  test(`${dialect}: ours never exceeds the peer's credit (1 MB in small windows)`, () => {
    const { pair, sid } = opened(dialect, {}, { initialMaxData: 1000, initialMaxStreamsUni: 1 });
    const total = 1 << 20;
    let sent = 0;
    let got = 0;
    let streams = 0;
    while (sent < total) {
      const st = pair.client.openStream(sid, 'uni');
      if (st === null) {
        pair.run({ chunk: 4096 });
        got += pair.take('server').reduce((n, e) => n + (e.kind === 'stream-data' ? e.data.length : 0), 0);
        continue;
      }
      streams++;
      let chunk = new Uint8Array(Math.min(50000, total - sent));
      while (chunk.length > 0) {
        const n = pair.client.writeStream(st, chunk, true);
        sent += n;
        chunk = chunk.subarray(n);
        pair.run({ chunk: 4096 });
        got += pair.take('server').reduce((m, e) => m + (e.kind === 'stream-data' ? e.data.length : 0), 0);
      }
    }
    pair.run({ chunk: 4096 });
    got += pair.take('server').reduce((n, e) => n + (e.kind === 'stream-data' ? e.data.length : 0), 0);
    assert.is(got, total);
    assert.ok(streams > 1);
    assert.is(pair.server.sessionInfo(sid)?.state, 'open', 'no flow-control error');
  });
}

test('flow-control capsules are ignored when flow control is off', () => {
  const { pair, sid } = opened('draft07');
  pair.client.h3.sendData(sid, Uint8Array.of(0x99, 0x0b, 0x4d, 0x3d, 1, 0)); // WT_MAX_DATA 0
  pair.run();
  assert.is(pair.server.sessionInfo(sid)?.state, 'open');
});

test('a malformed close message resets the CONNECT stream with H3_MESSAGE_ERROR', () => {
  const { pair, sid } = opened('draft15');
  pair.client.h3.sendData(sid, Uint8Array.of(0x68, 0x43, 5, 0, 0, 0, 1, 0xff));
  pair.run();
  assert.equal(only(pair.take('server'), 'session-closed').map((e) => e.error), [H3ErrorCode.H3_MESSAGE_ERROR]);
  assert.ok(pair.serverPort.sentOf('reset').some((op) => op.streamId === sid && op.code === H3ErrorCode.H3_MESSAGE_ERROR));
});

test('a stream naming a session ID that is not a client bidirectional stream is H3_ID_ERROR', () => {
  const { pair, sid } = opened('draft15');
  pair.client.h3.openExtensionStream('uni', Uint8Array.of(0x40, 0x54, 2));
  pair.run();
  assert.is(pair.serverPort.closed?.code, H3ErrorCode.H3_ID_ERROR);
  assert.equal(only(pair.take('server'), 'session-closed').map((e) => [e.sessionId, e.error]), [[sid, H3ErrorCode.H3_ID_ERROR]]);
});

test('GOAWAY asks every session to drain; CONNECT stream reset ends the session', () => {
  const { pair, sid } = opened('draft13');
  pair.server.h3.sendGoaway();
  pair.run();
  const ev = pair.take('client');
  assert.equal(only(ev, 'session-draining').map((e) => e.sessionId), [sid]);
  assert.ok(ev.some((e) => e.kind === 'h3' && e.event.kind === 'goaway'));
  assert.is(pair.client.createSession({ authority: 'a', path: '/' }), null, 'no new sessions after GOAWAY');
  pair.client.h3.resetStream(sid, H3ErrorCode.H3_REQUEST_CANCELLED);
  pair.run();
  const closed = only(pair.take('server'), 'session-closed')[0]!;
  assert.equal([closed.remote, closed.error], [true, H3ErrorCode.H3_REQUEST_CANCELLED]);
});

test('a client may cancel a session before the response; ordinary requests pass through', () => {
  const pair = pairFor('draft15');
  const sid = pair.client.createSession({ authority: 'a', path: '/' })!;
  pair.client.closeSession(sid, 1, 'never mind');
  pair.run();
  assert.equal(only(pair.take('client'), 'session-closed').map((e) => [e.sessionId, e.remote]), [[sid, false]]);
  assert.is(pair.server.sessionCount, 0);
  const get = pair.client.h3.sendRequest([
    { name: ':method', value: 'GET' }, { name: ':scheme', value: 'https' }, { name: ':authority', value: 'a' }, { name: ':path', value: '/x' },
  ], { endStream: true })!;
  pair.run();
  const h3 = pair.take('server').filter((e) => e.kind === 'h3').map((e) => (e.kind === 'h3' ? e.event.kind : ''));
  assert.ok(h3.includes('headers'));
  pair.server.h3.sendHeaders(get, [{ name: ':status', value: '204' }], { endStream: true });
  pair.run();
  assert.ok(pair.take('client').some((e) => e.kind === 'h3' && e.event.kind === 'headers'));
});

test('a client that ends the CONNECT stream before the answer: the pending session closes', () => {
  const pair = pairFor('draft02');
  const sid = pair.client.createSession({ authority: 'a', path: '/' })!;
  pair.run();
  pair.take('server');
  pair.client.h3.sendData(sid, new Uint8Array(0), { endStream: true });
  pair.run();
  assert.equal(only(pair.take('server'), 'session-closed').map((e) => [e.sessionId, e.remote]), [[sid, true]]);
  assert.throws(() => pair.server.acceptSession(sid), TypeError);
});

test('the same session gives the same events whatever the chunk size', () => {
  const script = (chunk: number): string => {
    const pair = new WtPair();
    pair.run({ chunk });
    const sid = pair.client.createSession({ authority: 'a', path: '/' })!;
    pair.run({ chunk });
    pair.take('server');
    pair.server.acceptSession(sid);
    const st = pair.client.openStream(sid, 'bidi')!;
    pair.client.writeStream(st, utf8('x'.repeat(300)), true);
    pair.client.sendDatagram(sid, utf8('dg'));
    pair.run({ chunk });
    pair.server.writeStream(st, utf8('y'.repeat(200)), true);
    pair.server.closeSession(sid, 3, 'done');
    pair.run({ chunk });
    const norm = (side: 'client' | 'server'): string =>
      JSON.stringify(pair.take(side).filter((e) => e.kind !== 'stream-data' && e.kind !== 'h3').map((e) => e.kind)) + JSON.stringify(streamText(pair[`${side}Events`].concat(), st));
    return norm('client') + norm('server');
  };
  const one = script(1);
  assert.is(script(7), one);
  assert.is(script(100000), one);
});

test.run();
