import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type Capsule, encodeCapsule, encodeH3Datagram, encodeH3Frame, type H3ConnectionOptions, H3ErrorCode } from '@quicts/h3';
import { drainEvents, FakeQuicPair, fields, GET, text, utf8 } from './fake-quic.ts';
import { bodyOf, concat, E, expectConnectionError, expectStreamError, headersFrame, kinds, lone, only } from './h3-helpers.ts';

type H3Extension = NonNullable<H3ConnectionOptions['extension']>;

type Call =
  | { readonly hook: 'stream'; readonly id: number; readonly type: number; readonly arg: number }
  | { readonly hook: 'data'; readonly id: number; readonly data: string; readonly fin: boolean }
  | { readonly hook: 'reset' | 'stop'; readonly id: number; readonly code: number }
  | { readonly hook: 'capsule'; readonly id: number; readonly capsule: Capsule }
  | { readonly hook: 'datagram'; readonly id: number; readonly payload: string };

/** An extension that records what the connection hands it (copying views, which live only for the call). */
class Recorder implements H3Extension {
  readonly uniStreamTypes = [0x54];
  readonly bidiSignals = [0x41];
  readonly connectProtocols = ['webtransport'];
  readonly capsuleTypes = [0x2843, 0x78ae];
  readonly settings = [{ id: 0x2b603742, value: 1 }];
  calls: Call[] = [];
  onStream(id: number, type: number, arg: number): void {
    this.calls.push({ hook: 'stream', id, type, arg });
  }
  onStreamData(id: number, data: Uint8Array, fin: boolean): void {
    this.calls.push({ hook: 'data', id, data: text(data), fin });
  }
  onStreamReset(id: number, code: number): void {
    this.calls.push({ hook: 'reset', id, code });
  }
  onStopSending(id: number, code: number): void {
    this.calls.push({ hook: 'stop', id, code });
  }
  onCapsule(id: number, capsule: Capsule): void {
    this.calls.push({ hook: 'capsule', id, capsule: { type: capsule.type, value: capsule.value.slice() } });
  }
  onDatagram(id: number, payload: Uint8Array): void {
    this.calls.push({ hook: 'datagram', id, payload: text(payload) });
  }
  take(): Call[] {
    const out = this.calls;
    this.calls = [];
    return out;
  }
  /** Stream data per stream, joined, and whether it ended. */
  dataOf(calls: Call[], id: number): { data: string; fin: boolean } {
    let data = '';
    let fin = false;
    for (const c of calls) {
      if (c.hook === 'data' && c.id === id) {
        data += c.data;
        fin ||= c.fin;
      }
    }
    return { data, fin };
  }
}

const CONNECT = (protocol = 'webtransport', path = '/wt'): { name: string; value: string }[] =>
  fields([':method', 'CONNECT'], [':protocol', protocol], [':scheme', 'https'], [':authority', 'example.com'], [':path', path]);

function wtPair(): { pair: FakeQuicPair; c: Recorder; s: Recorder } {
  const c = new Recorder();
  const s = new Recorder();
  const pair = new FakeQuicPair({
    client: { extension: c, settings: { h3Datagram: true } },
    server: { extension: s, settings: { h3Datagram: true, enableConnectProtocol: true } },
  });
  pair.run();
  drainEvents(pair.client);
  drainEvents(pair.server);
  return { pair, c, s };
}

/** A session: CONNECT from the client, 200 from the server. */
function session(): { pair: FakeQuicPair; c: Recorder; s: Recorder; id: number } {
  const { pair, c, s } = wtPair();
  const id = pair.client.sendRequest(CONNECT())!;
  pair.run();
  assert.equal(kinds(drainEvents(pair.server)), ['headers']);
  pair.server.sendHeaders(id, fields([':status', '200']));
  pair.run();
  assert.equal(kinds(drainEvents(pair.client)), ['headers']);
  return { pair, c, s, id };
}

test('the extension settings are sent with the connection settings', () => {
  const { pair } = wtPair();
  assert.is(pair.server.peerSettings?.extra.get(0x2b603742), 1);
  assert.is(pair.client.peerSettings?.extra.get(0x2b603742), 1);
  assert.is(pair.server.peerSettings?.h3Datagram, true);
});

test('extension settings go after the caller extra settings', () => {
  const ext = new Recorder();
  const pair = new FakeQuicPair({ client: { extension: ext, settings: { extra: [[0x1234, 5]] } } });
  pair.run();
  assert.equal([...pair.server.peerSettings!.extra], [[0x1234, 5], [0x2b603742, 1]]);
});

test('client bidirectional extension stream, both ways, one byte at a time', () => {
  const { pair, c, s, id } = session();
  const sid = pair.client.openExtensionStream('bidi', Uint8Array.of(0x40, 0x41, id))!;
  assert.is(sid, 4);
  pair.client.writeExtensionStream(sid, utf8('ping'), true);
  pair.run();
  const calls = s.take();
  assert.equal(calls[0], { hook: 'stream', id: sid, type: 0x41, arg: id });
  assert.equal(s.dataOf(calls, sid), { data: 'ping', fin: true });
  assert.equal(drainEvents(pair.server), [], 'no HTTP/3 event for an extension stream');
  pair.server.writeExtensionStream(sid, utf8('pong'), false);
  pair.server.writeExtensionStream(sid, new Uint8Array(0), true);
  pair.run();
  assert.equal(c.dataOf(c.take(), sid), { data: 'pong', fin: true });
  assert.equal(drainEvents(pair.client), []);
  assert.is(pair.client.extensionStreamCount, 0, 'both directions done: forgotten');
  assert.is(pair.server.extensionStreamCount, 0);
});

test('a two-byte session ID and a preface split anywhere', () => {
  for (const chunk of [1, 2, 3, 100]) {
    const ext = new Recorder();
    const l = lone('server', { extension: ext, settings: { enableConnectProtocol: true } });
    // 0x41 is itself a two-byte varint (0x40 0x41); session 400 = 0x41 0x90.
    const bytes = concat([0x40, 0x41, 0x41, 0x90], utf8('body'));
    for (let i = 0; i < bytes.length; i += chunk) {
      const end = Math.min(bytes.length, i + chunk);
      l.h3.handleStreamData(0, bytes.slice(i, end), end === bytes.length);
    }
    const calls = ext.take();
    assert.equal(calls[0], { hook: 'stream', id: 0, type: 0x41, arg: 400 });
    assert.equal(ext.dataOf(calls, 0), { data: 'body', fin: true });
  }
});

test('unidirectional extension streams both ways; other unknown types are still stopped', () => {
  const { pair, c, s, id } = session();
  const up = pair.client.openExtensionStream('uni', Uint8Array.of(0x40, 0x54, id))!;
  pair.client.writeExtensionStream(up, utf8('uni data'), true);
  const down = pair.server.openExtensionStream('uni', Uint8Array.of(0x40, 0x54, id))!;
  pair.server.writeExtensionStream(down, utf8('back'), true);
  pair.run();
  const sc = s.take();
  assert.equal(sc[0], { hook: 'stream', id: up, type: 0x54, arg: id });
  assert.equal(s.dataOf(sc, up), { data: 'uni data', fin: true });
  const cc = c.take();
  assert.equal(cc[0], { hook: 'stream', id: down, type: 0x54, arg: id });
  assert.equal(c.dataOf(cc, down), { data: 'back', fin: true });
  assert.is(pair.client.extensionStreamCount, 0);
  assert.is(pair.server.extensionStreamCount, 0);
  // A type nobody claims: STOP_SENDING with H3_STREAM_CREATION_ERROR as before.
  pair.serverPort.writeStream(99, Uint8Array.of(0x40, 0x55, 1), false);
  pair.client.handleStreamData(99, Uint8Array.of(0x40, 0x55, 1), false);
  assert.ok(pair.clientPort.sentOf('stop').some((op) => op.streamId === 99 && op.code === E.H3_STREAM_CREATION_ERROR));
});

test('server-initiated bidirectional stream with the signal reaches the client extension', () => {
  const { pair, c, id } = session();
  const sid = pair.server.openExtensionStream('bidi', Uint8Array.of(0x40, 0x41, id))!;
  assert.is(sid, 1);
  pair.server.writeExtensionStream(sid, utf8('hello from server bidi'), true);
  pair.run();
  const calls = c.take();
  assert.equal(calls[0], { hook: 'stream', id: 1, type: 0x41, arg: id });
  assert.equal(c.dataOf(calls, 1), { data: 'hello from server bidi', fin: true });
  assert.is(pair.clientPort.closed, undefined);
});

test('a server-initiated bidirectional stream without a claimed signal is H3_STREAM_CREATION_ERROR', () => {
  const l = lone('client', { extension: new Recorder() });
  l.feed(1, headersFrame(GET()));
  expectConnectionError(l, E.H3_STREAM_CREATION_ERROR);
});

test('with an extension installed, ordinary requests still work one byte at a time', () => {
  const { pair } = wtPair();
  const id = pair.client.sendRequest(fields([':method', 'POST'], [':scheme', 'https'], [':authority', 'a'], [':path', '/p']))!;
  pair.client.sendData(id, utf8('abc'), { endStream: true });
  pair.run();
  const ev = drainEvents(pair.server);
  assert.equal([...new Set(kinds(ev))], ['headers', 'data']);
  assert.is(bodyOf(ev, id), 'abc');
  pair.server.sendHeaders(id, fields([':status', '200']), { endStream: true });
  pair.run();
  assert.equal(kinds(drainEvents(pair.client)), ['headers']);
});

test('a request stream that ends inside its first frame type is judged by the request rules', () => {
  const l = lone('server', { extension: new Recorder() });
  l.feed(0, new Uint8Array(0), true);
  expectStreamError(l, 0, E.H3_REQUEST_INCOMPLETE);
  const l2 = lone('server', { extension: new Recorder() });
  l2.feed(0, Uint8Array.of(0x40), true); // half a two-byte varint
  expectConnectionError(l2, E.H3_FRAME_ERROR);
});

test('the signal as a frame type later in a request stream is H3_FRAME_ERROR', () => {
  const l = lone('server', { extension: new Recorder(), settings: { enableConnectProtocol: true } });
  l.feed(0, concat(headersFrame(GET()), [0x40, 0x41, 0x00]));
  expectConnectionError(l, E.H3_FRAME_ERROR);
});

test('capsules on the CONNECT stream go to the extension (server from the request, client after 2xx)', () => {
  const { pair, c, s } = wtPair();
  const id = pair.client.sendRequest(CONNECT())!;
  // Optimistic capsules before the response: a GREASE one, a DRAIN, then an unknown type.
  pair.client.sendData(id, concat(encodeCapsule(0x29, utf8('grease')), encodeCapsule(0x78ae, new Uint8Array(0)), encodeCapsule(0x1234, utf8('x'))));
  pair.run();
  assert.equal(kinds(drainEvents(pair.server)), ['headers'], 'the content is not reported as data');
  assert.equal(s.take(), [{ hook: 'capsule', id, capsule: { type: 0x78ae, value: new Uint8Array(0) } }]);
  pair.server.sendHeaders(id, fields([':status', '200']));
  pair.server.sendData(id, encodeCapsule(0x2843, concat([0, 0, 0, 42], utf8('bye'))), { endStream: true });
  pair.run();
  const ev = drainEvents(pair.client);
  assert.equal(kinds(ev), ['headers', 'data']);
  assert.ok(ev[1]!.kind === 'data' && ev[1]!.endStream && ev[1]!.data.length === 0, 'the end of the stream is an empty data event');
  const calls = c.take();
  assert.is(calls.length, 1);
  const cap = calls[0]!;
  assert.ok(cap.hook === 'capsule' && cap.capsule.type === 0x2843 && text(cap.capsule.value.subarray(4)) === 'bye');
});

test('after a non-2xx response the content is an ordinary body', () => {
  const { pair, c } = wtPair();
  const id = pair.client.sendRequest(CONNECT())!;
  pair.run();
  drainEvents(pair.server);
  pair.server.sendHeaders(id, fields([':status', '404']));
  pair.server.sendData(id, utf8('not found'), { endStream: true });
  pair.run();
  const ev = drainEvents(pair.client);
  assert.is(bodyOf(ev, id), 'not found');
  assert.equal(c.take(), []);
});

test('other :protocol values are not claimed', () => {
  const { pair, s } = wtPair();
  const id = pair.client.sendRequest(CONNECT('connect-udp'))!;
  pair.client.sendData(id, encodeCapsule(0x78ae, new Uint8Array(0)));
  pair.run();
  assert.equal([...new Set(kinds(drainEvents(pair.server)))], ['headers', 'data']);
  assert.equal(s.take(), []);
});

test('a CONNECT stream ending inside a capsule is H3_MESSAGE_ERROR (stream)', () => {
  const l = lone('server', { extension: new Recorder(), settings: { enableConnectProtocol: true } });
  const capsule = encodeCapsule(0x2843, Uint8Array.of(0, 0, 0, 1));
  l.feed(0, concat(headersFrame(CONNECT()), encodeH3Frame({ kind: 'data', data: capsule.subarray(0, 3) })), true);
  const errors = only(drainEvents(l.h3), 'stream-error');
  assert.equal(errors.map((e) => [e.streamId, e.code]), [[0, E.H3_MESSAGE_ERROR]]);
  assert.ok(l.port.sentOf('reset').some((op) => op.streamId === 0 && op.code === E.H3_MESSAGE_ERROR));
  assert.is(l.port.closed, undefined);
});

test('datagrams of claimed CONNECT streams, and (server) of streams not seen yet, go to the extension', () => {
  const { pair, c, s, id } = session();
  pair.client.sendDatagram(id, utf8('up'));
  pair.server.sendDatagram(id, utf8('down'));
  pair.run();
  assert.equal(s.take(), [{ hook: 'datagram', id, payload: 'up' }]);
  assert.equal(c.take(), [{ hook: 'datagram', id, payload: 'down' }]);
  assert.equal(drainEvents(pair.server), []);
  // A datagram for a session whose CONNECT has not arrived yet.
  pair.server.handleDatagram(encodeH3Datagram(40, utf8('early')));
  assert.equal(s.take(), [{ hook: 'datagram', id: 40, payload: 'early' }]);
  // A datagram for an ordinary request stays an HTTP/3 event.
  const get = pair.client.sendRequest(GET())!;
  pair.run();
  drainEvents(pair.server);
  pair.server.handleDatagram(encodeH3Datagram(get, utf8('plain')));
  assert.equal(kinds(drainEvents(pair.server)), ['datagram']);
});

test('resets and STOP_SENDING on extension streams reach the extension; local reset and stop', () => {
  const { pair, c, s, id } = session();
  const sid = pair.client.openExtensionStream('bidi', Uint8Array.of(0x40, 0x41, id))!;
  pair.client.writeExtensionStream(sid, utf8('x'), false);
  pair.run();
  s.take();
  const code = 0x52e4a40fa8db + 7;
  assert.ok(pair.client.resetExtensionStream(sid, code));
  assert.not.ok(pair.client.resetExtensionStream(sid, code), 'only once');
  assert.ok(pair.client.stopExtensionStream(sid, code + 1));
  pair.run();
  assert.equal(s.take(), [{ hook: 'reset', id: sid, code }, { hook: 'stop', id: sid, code: code + 1 }]);
  pair.server.resetExtensionStream(sid, code + 1);
  pair.run();
  assert.equal(c.take(), [], 'a reset after our STOP_SENDING is not reported');
  assert.is(pair.client.extensionStreamCount, 0);
  assert.is(pair.server.extensionStreamCount, 0);
  assert.throws(() => pair.client.writeExtensionStream(sid, utf8('late'), false), TypeError);
});

test('a peer reset while the first bytes are still being read closes our side', () => {
  const l = lone('server', { extension: new Recorder() });
  l.feed(0, Uint8Array.of(0x40));
  l.h3.handleStreamReset(0, H3ErrorCode.H3_REQUEST_CANCELLED);
  assert.ok(l.port.sentOf('reset').some((op) => op.streamId === 0));
  assert.is(l.port.closed, undefined);
});

test('extension stream commands need an extension', () => {
  const pair = new FakeQuicPair();
  pair.run();
  assert.throws(() => pair.client.openExtensionStream('bidi', Uint8Array.of(0x41, 0)), TypeError);
  assert.not.ok(pair.client.resetExtensionStream(0, 1));
  assert.not.ok(pair.client.stopExtensionStream(0, 1));
  assert.equal(only(drainEvents(pair.client), 'connection-error'), []);
});

test.run();
