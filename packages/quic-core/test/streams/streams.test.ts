import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { TransportError, TransportErrorCode } from '../../src/errors.ts';
import { QuicStreamError, QuicStreamErrorCode, StreamsManager } from '../../src/streams/index.ts';
import type { StreamEvent } from '../../src/streams/index.ts';
import { concat, config, events, flush, pair } from './harness.ts';

const data = (n: number, v = 1): Uint8Array => new Uint8Array(n).fill(v);

function throwsCode(fn: () => void, code: number, frameType?: number): void {
  assert.throws(fn, (e: unknown) =>
    e instanceof TransportError && e.code === code && (frameType === undefined || e.frameType === frameType));
}

function opened(m: StreamsManager, dir: 'bidi' | 'uni'): number {
  const r = m.open(dir);
  if (r.kind !== 'opened') throw new Error('expected a stream');
  return r.streamId;
}

function readAll(m: StreamsManager, id: number): { bytes: number[]; fin: boolean } {
  const bytes: number[] = [];
  for (;;) {
    const r = m.read(id);
    if (r.kind !== 'data') return { bytes, fin: false };
    bytes.push(...r.data);
    if (r.fin) return { bytes, fin: true };
  }
}

// ---------------------------------------------------------------- opening

test('stream IDs: client bidi 0,4,8 and uni 2,6; server bidi 1,5 and uni 3,7', () => {
  const { client, server } = pair();
  assert.equal([opened(client, 'bidi'), opened(client, 'bidi'), opened(client, 'bidi')], [0, 4, 8]);
  assert.equal([opened(client, 'uni'), opened(client, 'uni')], [2, 6]);
  assert.equal([opened(server, 'bidi'), opened(server, 'bidi')], [1, 5]);
  assert.equal([opened(server, 'uni'), opened(server, 'uni')], [3, 7]);
});

test('open beyond the peer MAX_STREAMS is blocked, sends STREAMS_BLOCKED, and resumes on MAX_STREAMS', () => {
  const { client } = pair({}, { maxStreamsUni: 2 });
  opened(client, 'uni');
  opened(client, 'uni');
  assert.equal(client.open('uni'), { kind: 'blocked' });
  assert.equal(client.pollControlFrame(0, 0), { type: 'streamsBlocked', bidi: false, limit: 2 });
  assert.equal(client.open('uni'), { kind: 'blocked' });
  assert.is(client.pollControlFrame(0, 0), null, 'STREAMS_BLOCKED once per limit');
  client.onFrame({ type: 'maxStreams', bidi: false, maximum: 2 });
  assert.equal(events(client), [], 'a MAX_STREAMS that does not increase is ignored');
  client.onFrame({ type: 'maxStreams', bidi: false, maximum: 3 });
  assert.equal(events(client), [{ type: 'available', dir: 'uni' }]);
  assert.equal(client.open('uni'), { kind: 'opened', streamId: 10 });
});

test('without the peer transport parameters nothing can be opened', () => {
  const m = new StreamsManager(config('client'));
  assert.equal(m.open('bidi'), { kind: 'blocked' });
});

test('a lost STREAMS_BLOCKED is sent again while still blocked', () => {
  const { client } = pair({}, { maxStreamsBidi: 0 });
  client.open('bidi');
  const f = client.pollControlFrame(0, 0)!;
  client.onFrameLost(f);
  assert.equal(client.pollControlFrame(0, 0), f);
});

// ---------------------------------------------------------------- accepting

test('a frame on a higher-numbered peer stream opens the lower ones too (RFC 9000 §3.2)', () => {
  const { server } = pair();
  server.onFrame({ type: 'stream', streamId: 8, offset: 0, data: data(3), fin: false });
  const evs = events(server);
  assert.equal(evs.filter((e) => e.type === 'opened'), [
    { type: 'opened', streamId: 0 }, { type: 'opened', streamId: 4 }, { type: 'opened', streamId: 8 },
  ]);
  assert.ok(evs.some((e) => e.type === 'readable' && e.streamId === 8));
  assert.equal(server.acceptLimits('bidi').opened, 3);
  assert.is(server.recvStream(4)!.state.kind, 'recv');
});

test('MAX_STREAM_DATA and STOP_SENDING open a peer bidirectional stream', () => {
  const { server } = pair();
  server.onFrame({ type: 'maxStreamData', streamId: 0, maximum: 5000 });
  server.onFrame({ type: 'stopSending', streamId: 4, errorCode: 1 });
  assert.ok(server.has(0) && server.has(4));
});

test('STREAM_LIMIT_ERROR: a peer stream beyond our limit', () => {
  const { server } = pair({}, { maxStreamsBidi: 2, maxStreamsUni: 1 });
  server.onFrame({ type: 'stream', streamId: 4, offset: 0, data: data(1), fin: false });
  throwsCode(() => server.onFrame({ type: 'stream', streamId: 8, offset: 0, data: data(1), fin: false }),
    TransportErrorCode.STREAM_LIMIT_ERROR, 0x08);
  server.onFrame({ type: 'resetStream', streamId: 2, errorCode: 0, finalSize: 0 });
  throwsCode(() => server.onFrame({ type: 'resetStream', streamId: 6, errorCode: 0, finalSize: 0 }),
    TransportErrorCode.STREAM_LIMIT_ERROR, 0x04);
});

test('STREAM_STATE_ERROR: receiving-part frames on our send-only stream (§19.4, §19.8, §19.13)', () => {
  const { client } = pair();
  const id = opened(client, 'uni');
  throwsCode(() => client.onFrame({ type: 'stream', streamId: id, offset: 0, data: data(1), fin: false }),
    TransportErrorCode.STREAM_STATE_ERROR, 0x08);
  throwsCode(() => client.onFrame({ type: 'resetStream', streamId: id, errorCode: 0, finalSize: 0 }),
    TransportErrorCode.STREAM_STATE_ERROR, 0x04);
  throwsCode(() => client.onFrame({ type: 'streamDataBlocked', streamId: id, limit: 0 }),
    TransportErrorCode.STREAM_STATE_ERROR, 0x15);
  client.onFrame({ type: 'maxStreamData', streamId: id, maximum: 10 }); // fine on a send-only stream
  client.onFrame({ type: 'stopSending', streamId: id, errorCode: 3 });
});

test('STREAM_STATE_ERROR: sending-part frames on the peer receive-only stream (§19.5, §19.10)', () => {
  const { server } = pair();
  throwsCode(() => server.onFrame({ type: 'maxStreamData', streamId: 2, maximum: 10 }),
    TransportErrorCode.STREAM_STATE_ERROR, 0x11);
  throwsCode(() => server.onFrame({ type: 'stopSending', streamId: 2, errorCode: 0 }),
    TransportErrorCode.STREAM_STATE_ERROR, 0x05);
});

test('STREAM_STATE_ERROR: frames on a locally-initiated stream not yet opened', () => {
  const { client } = pair();
  opened(client, 'bidi');
  throwsCode(() => client.onFrame({ type: 'stream', streamId: 4, offset: 0, data: data(1), fin: false }),
    TransportErrorCode.STREAM_STATE_ERROR);
  throwsCode(() => client.onFrame({ type: 'maxStreamData', streamId: 8, maximum: 1 }),
    TransportErrorCode.STREAM_STATE_ERROR);
  throwsCode(() => client.onFrame({ type: 'stopSending', streamId: 6, errorCode: 1 }),
    TransportErrorCode.STREAM_STATE_ERROR);
});

test('late frames for a stream that is gone are ignored', () => {
  const { client, server } = pair();
  const id = opened(client, 'uni');
  client.write(id, data(10));
  client.finish(id);
  flush(client, server);
  assert.equal(readAll(server, id), { bytes: [...data(10)], fin: true });
  assert.is(server.has(id), false);
  assert.is(client.has(id), false);
  server.onFrame({ type: 'stream', streamId: id, offset: 0, data: data(10), fin: true });
  server.onFrame({ type: 'resetStream', streamId: id, errorCode: 0, finalSize: 10 });
  client.onFrame({ type: 'maxStreamData', streamId: id, maximum: 1 << 20 });
  client.onFrame({ type: 'stopSending', streamId: id, errorCode: 0 });
  assert.is(server.has(id), false);
});

// ---------------------------------------------------------------- data, events, flow control

test('a bidirectional exchange: data both ways, events, both sides forget the stream', () => {
  const { client, server } = pair();
  const id = opened(client, 'bidi');
  assert.is(client.write(id, data(5000, 2)), 5000);
  client.finish(id);
  flush(client, server);
  const sev = events(server);
  assert.equal(sev.slice(0, 2), [{ type: 'opened', streamId: id }, { type: 'readable', streamId: id }]);
  assert.equal(readAll(server, id), { bytes: [...data(5000, 2)], fin: true });
  server.write(id, data(100, 3));
  server.finish(id);
  flush(server, client);
  const cev = events(client);
  assert.ok(cev.some((e) => e.type === 'sendComplete' && e.streamId === id));
  assert.equal(readAll(client, id), { bytes: [...data(100, 3)], fin: true });
  flush(client, server);
  assert.is(client.has(id), false);
  assert.is(server.has(id), false);
  assert.ok(events(server).some((e) => e.type === 'sendComplete'));
  assert.equal(events(client).filter((e) => e.type === 'closed'), [{ type: 'closed', streamId: id }]);
});

test('readable is not repeated until a read comes back blocked', () => {
  const { server } = pair();
  server.onFrame({ type: 'stream', streamId: 0, offset: 0, data: data(10), fin: false });
  server.onFrame({ type: 'stream', streamId: 0, offset: 10, data: data(10), fin: false });
  assert.is(events(server).filter((e) => e.type === 'readable').length, 1);
  server.read(0, 5);
  server.onFrame({ type: 'stream', streamId: 0, offset: 20, data: data(10), fin: false });
  assert.equal(events(server), []);
  readAll(server, 0);
  server.onFrame({ type: 'stream', streamId: 0, offset: 30, data: data(10), fin: false });
  assert.equal(events(server), [{ type: 'readable', streamId: 0 }]);
});

test('connection FLOW_CONTROL_ERROR: streams together exceed MAX_DATA', () => {
  const { server } = pair({}, { connectionWindow: 1000, streamWindowBidiRemote: 800 });
  server.onFrame({ type: 'stream', streamId: 0, offset: 0, data: data(600), fin: false });
  server.onFrame({ type: 'stream', streamId: 4, offset: 0, data: data(400), fin: false });
  throwsCode(() => server.onFrame({ type: 'stream', streamId: 8, offset: 0, data: data(1), fin: false }),
    TransportErrorCode.FLOW_CONTROL_ERROR, 0x08);
});

test('stream FLOW_CONTROL_ERROR: one stream beyond its MAX_STREAM_DATA', () => {
  const { server } = pair({}, { streamWindowBidiRemote: 100 });
  throwsCode(() => server.onFrame({ type: 'stream', streamId: 0, offset: 50, data: data(51), fin: false }),
    TransportErrorCode.FLOW_CONTROL_ERROR, 0x08);
});

test('a RESET_STREAM final size counts toward connection flow control and its credit comes back', () => {
  const { server } = pair({}, { connectionWindow: 1000 });
  server.onFrame({ type: 'stream', streamId: 0, offset: 0, data: data(100), fin: false });
  server.onFrame({ type: 'resetStream', streamId: 0, errorCode: 7, finalSize: 600 });
  assert.is(server.connRecv.received, 600);
  assert.is(server.connRecv.retired, 600);
  assert.is(server.receiveBufferedBytes, 0);
  assert.equal(server.pollControlFrame(0, 0), { type: 'maxData', maximum: 1600 });
  assert.equal(server.read(0), { kind: 'reset', errorCode: 7 });
  throwsCode(() => server.onFrame({ type: 'resetStream', streamId: 4, errorCode: 0, finalSize: 1001 }),
    TransportErrorCode.FLOW_CONTROL_ERROR, 0x04);
});

test('sender side: connection credit runs out -> DATA_BLOCKED; MAX_DATA resumes', () => {
  const { client } = pair({}, { connectionWindow: 1000 });
  const a = opened(client, 'bidi');
  const b = opened(client, 'bidi');
  client.write(a, data(800));
  client.write(b, data(800));
  let sent = 0;
  for (let c = client.pollStreamChunk(1200); c !== null; c = client.pollStreamChunk(1200)) sent += c.newBytes;
  assert.is(sent, 1000);
  assert.equal(client.pollControlFrame(0, 0), { type: 'dataBlocked', limit: 1000 });
  assert.is(client.wantsToSend, false);
  client.onFrame({ type: 'maxData', maximum: 1600 });
  assert.is(client.wantsToSend, true);
  for (let c = client.pollStreamChunk(1200); c !== null; c = client.pollStreamChunk(1200)) sent += c.newBytes;
  assert.is(sent, 1600);
});

test('sender side: DATA_BLOCKED is armed by a write that finds no connection credit', () => {
  const { client } = pair({}, { connectionWindow: 0 });
  const id = opened(client, 'bidi');
  client.write(id, data(10));
  assert.is(client.wantsToSend, true);
  assert.equal(client.pollControlFrame(0, 0), { type: 'dataBlocked', limit: 0 });
  assert.is(client.wantsToSend, false);
});

test('sender side: STREAM_DATA_BLOCKED for a stream out of credit, even before its first frame', () => {
  const { client } = pair({}, { streamWindowBidiRemote: 0 });
  const id = opened(client, 'bidi');
  client.write(id, data(10));
  assert.equal(client.pollControlFrame(0, 0), { type: 'streamDataBlocked', streamId: id, limit: 0 });
  assert.is(client.pollStreamChunk(1200), null);
  client.onFrame({ type: 'maxStreamData', streamId: id, maximum: 4 });
  assert.is(client.pollStreamChunk(1200)!.length, 4);
});

test('chunks fit the space given, header included', () => {
  const { client } = pair();
  const id = opened(client, 'bidi');
  client.write(id, data(5000));
  const c = client.pollStreamChunk(100)!;
  assert.is(c.offset, 0);
  assert.is(1 + 1 + 2 + c.length, 100, 'type, id, 2-byte length, data');
  const d = client.pollStreamChunk(100, false)!;
  assert.is(1 + 1 + 2 + d.length, 100, 'type, id, 2-byte offset, data without length');
  assert.is(client.pollStreamChunk(2), null, 'not even a header fits');
});

test('round-robin: streams with data take turns', () => {
  const { client } = pair();
  const ids = [opened(client, 'bidi'), opened(client, 'bidi'), opened(client, 'uni')];
  for (const id of ids) client.write(id, data(1000));
  const order: number[] = [];
  for (let i = 0; i < 9; i++) order.push(client.pollStreamChunk(200)!.streamId);
  assert.equal(order, [...ids, ...ids, ...ids]);
});

test('retransmissions go before new data', () => {
  const { client } = pair();
  const a = opened(client, 'bidi');
  const b = opened(client, 'bidi');
  client.write(a, data(1000));
  client.write(b, data(1000));
  const first = client.pollStreamChunk(300)!;
  client.pollStreamChunk(300);
  client.onStreamDataLost(first.streamId, first.offset, first.length, first.fin);
  const next = client.pollStreamChunk(1200)!;
  assert.equal([next.streamId, next.offset, next.newBytes], [first.streamId, first.offset, 0]);
});

test('a lone FIN goes out even with no connection credit left', () => {
  const { client } = pair({}, { connectionWindow: 10 });
  const id = opened(client, 'uni');
  client.write(id, data(10));
  assert.is(client.pollStreamChunk(1200)!.length, 10);
  client.finish(id);
  const fin = client.pollStreamChunk(1200)!;
  assert.equal([fin.offset, fin.length, fin.fin], [10, 0, true]);
});

test('STOP_SENDING from the peer: stopped event, RESET_STREAM with its code, writes fail', () => {
  const { client, server } = pair();
  const id = opened(client, 'bidi');
  client.write(id, data(100));
  flush(client, server);
  events(client);
  server.stopSending(id, 42);
  flush(server, client);
  assert.ok(events(client).some((e) => e.type === 'stopped' && e.errorCode === 42));
  assert.throws(() => client.write(id, data(1)), (e: unknown) =>
    e instanceof QuicStreamError && e.code === QuicStreamErrorCode.STOPPED && e.applicationErrorCode === 42);
  const f = client.pollControlFrame(0, 0);
  assert.equal(f, { type: 'resetStream', streamId: id, errorCode: 42, finalSize: 100 });
});

test('resetStream and stopSending by the application reach the peer; lost ones are resent', () => {
  const { client, server } = pair();
  const id = opened(client, 'bidi');
  client.write(id, data(50));
  flush(client, server);
  client.resetStream(id, 5);
  client.stopSending(id, 6);
  let lostOnce = 2;
  flush(client, server, { lose: () => lostOnce-- > 0 });
  flush(client, server);
  assert.equal(server.recvStream(id)!.state, { kind: 'resetRecvd', errorCode: 5, finalSize: 50 });
  assert.ok(events(server).some((e) => e.type === 'stopped' && e.errorCode === 6));
});

test('MAX_STREAMS credit comes back as peer streams finish', () => {
  const { client, server } = pair({}, { maxStreamsUni: 2 });
  for (let round = 0; round < 5; round++) {
    for (let i = 0; i < 2; i++) {
      const r = client.open('uni');
      assert.is(r.kind, 'opened', `round ${round}`);
      const id = (r as { streamId: number }).streamId;
      client.write(id, data(10));
      client.finish(id);
    }
    flush(client, server);
    for (const e of events(server)) if (e.type === 'readable') readAll(server, e.streamId);
    flush(server, client);
    events(client);
  }
  assert.equal(server.acceptLimits('uni'), { opened: 10, limit: 12 });
  assert.is(server.streamCount, 0);
});

test('per-stream and total send buffers are bounded; writable after acknowledgement', () => {
  const { client, server } = pair({ sendBufferPerStream: 1000, sendBufferTotal: 1500 });
  const a = opened(client, 'bidi');
  const b = opened(client, 'bidi');
  assert.is(client.write(a, data(2000)), 1000);
  assert.is(client.write(b, data(2000)), 500);
  assert.is(client.sendBufferedBytes, 1500);
  flush(client, server);
  const evs = events(client).filter((e) => e.type === 'writable').map((e) => (e as { streamId: number }).streamId);
  assert.equal(evs.sort(), [a, b].sort());
  assert.is(client.sendBufferedBytes, 0);
});

test('application misuse: unknown streams and wrong directions are QuicStreamErrors', () => {
  const { client, server } = pair();
  const uni = opened(client, 'uni');
  const isCode = (code: string) => (e: unknown) => e instanceof QuicStreamError && e.code === code;
  assert.throws(() => client.write(400, data(1)), isCode(QuicStreamErrorCode.UNKNOWN));
  assert.throws(() => client.read(uni), isCode(QuicStreamErrorCode.DIRECTION));
  client.write(uni, data(1));
  flush(client, server);
  assert.throws(() => server.write(uni, data(1)), isCode(QuicStreamErrorCode.DIRECTION));
});

test('a flooding peer cannot make us buffer more than the connection window allows', () => {
  const maxConnectionWindow = 64 * 1024;
  const server = new StreamsManager(config('server', {
    connectionWindow: 32 * 1024, maxConnectionWindow, streamWindowBidiRemote: 16 * 1024, maxStreamsBidi: 1000,
  }));
  let offset = 0;
  let threw: unknown;
  try {
    for (let id = 0; id < 4000; id += 4) {
      // Out-of-order data (never readable) on many streams, each within its own stream window.
      server.onFrame({ type: 'stream', streamId: id, offset: 1, data: data(8 * 1024), fin: false });
      offset += 8 * 1024;
      assert.ok(server.receiveBufferedBytes <= maxConnectionWindow);
    }
  } catch (e) {
    threw = e;
  }
  assert.ok(threw instanceof TransportError && threw.code === TransportErrorCode.FLOW_CONTROL_ERROR);
  assert.ok(server.receiveBufferedBytes <= 32 * 1024);
  assert.ok(offset > 0);
});

test('auto-tuning: a fast reader grows stream and connection windows', () => {
  const { client, server } = pair({}, {
    streamWindowBidiRemote: 16 * 1024, maxStreamWindow: 1024 * 1024,
    connectionWindow: 32 * 1024, maxConnectionWindow: 4 * 1024 * 1024,
  });
  const id = opened(client, 'bidi');
  let now = 0;
  for (let i = 0; i < 200; i++) {
    now += 1;
    client.write(id, data(64 * 1024));
    flush(client, server, { now, rtt: 20 });
    readAll(server, id);
    flush(server, client, { now, rtt: 20 });
  }
  assert.ok(server.recvStream(id)!.window.window > 16 * 1024);
  assert.ok(server.connRecv.window >= server.recvStream(id)!.window.window);
});

// ---------------------------------------------------------------- whole-exchange property

test('property: any writes, chunk sizes and loss deliver every stream exactly, never beyond advertised limits', () => {
  fc.assert(fc.property(
    fc.array(fc.record({ uni: fc.boolean(), size: fc.nat(20_000) }), { minLength: 1, maxLength: 8 }),
    fc.integer({ min: 0, max: 40 }),
    fc.integer({ min: 30, max: 1400 }),
    fc.integer({ min: 1, max: 1 << 30 }),
    (streams, lossPercent, space, seed) => {
      let rng = seed;
      const lose = (): boolean => {
        rng = (rng * 1103515245 + 12345) % 2147483648;
        return rng % 100 < lossPercent;
      };
      const { client, server } = pair({ sendBufferPerStream: 4096, sendBufferTotal: 10_000 }, {
        maxStreamsBidi: 3, maxStreamsUni: 2, streamWindowBidiRemote: 3000, streamWindowUni: 2000,
        connectionWindow: 6000, maxStreamWindow: 8000, maxConnectionWindow: 16_000,
      });
      const want = new Map<number, Uint8Array>();
      const got = new Map<number, number[]>();
      const progress = new Map<number, number>();
      const pendingOpen = streams.map((s, i) => ({ ...s, bytes: data(s.size, i + 1) }));
      let now = 0;
      for (let round = 0; round < 3000 && (pendingOpen.length > 0 || got.size < streams.length || client.streamCount > 0); round++) {
        now += 5;
        while (pendingOpen.length > 0) {
          const r = client.open(pendingOpen[0]!.uni ? 'uni' : 'bidi');
          if (r.kind === 'blocked') break;
          const s = pendingOpen.shift()!;
          want.set(r.streamId, s.bytes);
          progress.set(r.streamId, 0);
        }
        for (const [id, at] of progress) {
          const bytes = want.get(id)!;
          const n = client.write(id, bytes.subarray(at));
          progress.set(id, at + n);
          if (at + n === bytes.length) {
            client.finish(id);
            progress.delete(id);
          }
        }
        flush(client, server, {
          now, rtt: 10, space, lose,
          onStream: (c) => {
            // Never beyond what the receiver advertised, per stream and per connection.
            const recv = server.recvStream(c.streamId);
            if (recv !== undefined) assert.ok(c.offset + c.length <= recv.window.limit);
          },
        });
        assert.ok(server.connRecv.received <= server.connRecv.limit);
        for (let e = server.pollEvent(); e !== null; e = server.pollEvent()) {
          if (e.type !== 'readable') continue;
          const r = readAll(server, e.streamId);
          got.set(e.streamId, [...(got.get(e.streamId) ?? []), ...r.bytes]);
          if (r.fin && server.has(e.streamId)) server.finish(e.streamId);
        }
        // Streams whose data did not end with a readable event still need reading.
        for (const id of server.streamIds()) {
          if (server.recvStream(id) === undefined) continue;
          const r = readAll(server, id);
          if (r.bytes.length > 0 || r.fin) got.set(id, [...(got.get(id) ?? []), ...r.bytes]);
          if (r.fin && server.sendStream(id) !== undefined) server.finish(id);
        }
        flush(server, client, { now, rtt: 10, lose });
        const cev: StreamEvent[] = events(client);
        for (const e of cev) if (e.type === 'readable') readAll(client, e.streamId);
        for (const id of client.streamIds()) if (client.recvStream(id) !== undefined) readAll(client, id);
      }
      assert.is(got.size, streams.length, 'every stream arrived');
      for (const [id, bytes] of want) assert.equal(got.get(id), [...bytes], `stream ${id}`);
      assert.is(client.streamCount, 0, 'client forgot every stream');
      assert.is(server.streamCount, 0, 'server forgot every stream');
      assert.is(server.receiveBufferedBytes, 0);
      assert.is(client.sendBufferedBytes, 0);
    },
  ), { numRuns: 60 });
});

test('concat helper sanity', () => {
  assert.equal([...concat([data(2, 1), data(1, 2)])], [1, 1, 2]);
});

test.run();
