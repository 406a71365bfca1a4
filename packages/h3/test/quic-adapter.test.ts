import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  H3Connection, H3ErrorCode, type H3AdapterEvent, type H3Event, type H3QuicTransport, H3QuicAdapter, encodeH3Frame, H3SettingId,
  QuicStreamsAdapter, type QuicStreamsStart,
} from '@quicts/h3';
import { delay, loss } from '@quicts/testkit';
import { H3Sim } from './quic-sim.ts';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const fields = (...pairs: [string, string][]) => pairs.map(([name, value]) => ({ name, value }));
const request = (method: string, path: string) => fields([':method', method], [':scheme', 'https'], [':authority', 'localhost'], [':path', path]);

function pattern(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

function bodyOf(events: H3AdapterEvent[], streamId: number): Uint8Array {
  const parts = events.filter((e): e is Extract<H3AdapterEvent, { kind: 'data' }> => e.kind === 'data' && e.streamId === streamId).map((e) => e.data);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const ended = (events: H3AdapterEvent[], streamId: number): boolean =>
  events.some((e) => (e.kind === 'data' || e.kind === 'headers' || e.kind === 'trailers') && e.streamId === streamId && e.endStream);

test('handshake, then SETTINGS both ways over real QUIC and TLS', () => {
  const sim = new H3Sim();
  sim.settle();
  assert.ok(sim.clientEvents.some((e) => e.kind === 'transport-ready' && e.alpn === 'h3'));
  assert.ok(sim.serverEvents.some((e) => e.kind === 'transport-ready'));
  assert.is(sim.clientAdapter.h3!.peerSettings!.qpackMaxTableCapacity, 4096);
  assert.is(sim.server.h3!.role, 'server');
});

test('POST with a 300 KB body and a 1 MB response body, both directions intact', () => {
  const sim = new H3Sim({ serverTransport: { sendBufferPerStream: 64 * 1024 } });
  sim.settle();
  const up = pattern(300_000, 1);
  const down = pattern(1_000_000, 2);
  sim.onServerEvent = (e, adapter) => {
    if (e.kind === 'data' && e.endStream) {
      const h3 = adapter.h3!;
      h3.sendHeaders(e.streamId, fields([':status', '200'], ['content-length', String(down.length)]));
      h3.sendData(e.streamId, down, { endStream: true });
    }
  };
  const c = sim.clientAdapter.h3!;
  const id = c.sendRequest(request('POST', '/upload'))!;
  c.sendData(id, up.subarray(0, 100_000));
  c.sendData(id, up.subarray(100_000), { endStream: true });
  sim.runUntil(() => ended(sim.clientEvents, id));
  assert.equal(bodyOf(sim.serverEvents, id), up);
  const response = sim.clientEvents.find((e) => e.kind === 'headers' && e.streamId === id);
  assert.ok(response && response.kind === 'headers' && response.headers.some((f) => f.name === ':status' && f.value === '200'));
  assert.equal(bodyOf(sim.clientEvents, id), down);
  // The response exceeded the QUIC send buffer: it was held and drained by the adapter.
  assert.ok(sim.serverEvents.some((e) => e.kind === 'send-drained' && e.streamId === id));
  assert.is(sim.server.bufferedAmount(id), 0);
  sim.runUntil(() => c.activeStreamCount === 0 && sim.server.h3!.activeStreamCount === 0);
});

test('requests and responses survive 5% loss each way', () => {
  const sim = new H3Sim({ link: [delay(10), loss(0.05)], seed: 11 });
  sim.settle();
  sim.onServerEvent = (e, adapter) => {
    if (e.kind === 'headers' && e.endStream) {
      adapter.h3!.sendHeaders(e.streamId, fields([':status', '200']));
      adapter.h3!.sendData(e.streamId, pattern(50_000, e.streamId + 1), { endStream: true });
    }
  };
  const c = sim.clientAdapter.h3!;
  const ids = Array.from({ length: 10 }, (_, i) => c.sendRequest(request('GET', `/f${i}`), { endStream: true })!);
  sim.runUntil(() => ids.every((id) => ended(sim.clientEvents, id)), 120_000);
  for (const id of ids) assert.equal(bodyOf(sim.clientEvents, id), pattern(50_000, id + 1));
});

test('a client reset reaches the server as stream-reset; the server STOP_SENDING answer resets our side', () => {
  const sim = new H3Sim();
  sim.settle();
  const c = sim.clientAdapter.h3!;
  const id = c.sendRequest(request('POST', '/slow'))!;
  c.sendData(id, utf8('partial'));
  sim.runUntil(() => sim.serverEvents.some((e) => e.kind === 'data' && e.streamId === id));
  c.resetStream(id, H3ErrorCode.H3_REQUEST_CANCELLED);
  sim.runUntil(() => sim.serverEvents.some((e) => e.kind === 'stream-reset' && e.streamId === id));
  const reset = sim.serverEvents.find((e) => e.kind === 'stream-reset')!;
  assert.is(reset.kind === 'stream-reset' && reset.code, H3ErrorCode.H3_REQUEST_CANCELLED);

  // The server abandons a second request: the client sees its response side reset.
  const id2 = c.sendRequest(request('POST', '/reject'))!;
  c.sendData(id2, utf8('body'));
  sim.runUntil(() => sim.serverEvents.some((e) => e.kind === 'headers' && e.streamId === id2));
  sim.server.h3!.resetStream(id2, H3ErrorCode.H3_REQUEST_REJECTED);
  sim.runUntil(() => sim.clientEvents.some((e) => (e.kind === 'stream-reset' || e.kind === 'stop-sending') && e.streamId === id2));
  const seen = sim.clientEvents.filter((e) => (e.kind === 'stream-reset' || e.kind === 'stop-sending') && e.streamId === id2);
  assert.ok(seen.every((e) => 'code' in e && e.code === H3ErrorCode.H3_REQUEST_REJECTED));
});

test('HTTP/3 datagrams flow when QUIC DATAGRAM was negotiated', () => {
  const sim = new H3Sim({
    clientTransport: { maxDatagramFrameSize: 65535 }, serverTransport: { maxDatagramFrameSize: 65535 },
    client: { settings: { h3Datagram: true } }, server: { settings: { h3Datagram: true, enableConnectProtocol: true } },
  });
  sim.settle();
  assert.ok(sim.clientAdapter.datagramsNegotiated);
  assert.is(sim.clientAdapter.h3!.localSettings.h3Datagram, true);
  assert.is(sim.clientAdapter.h3!.peerSettings!.h3Datagram, true);
  const c = sim.clientAdapter.h3!;
  const id = c.sendRequest(request('POST', '/dg'))!;
  sim.runUntil(() => sim.serverEvents.some((e) => e.kind === 'headers' && e.streamId === id));
  c.sendDatagram(id, utf8('ping'));
  sim.runUntil(() => sim.serverEvents.some((e) => e.kind === 'datagram'));
  const dg = sim.serverEvents.find((e) => e.kind === 'datagram')!;
  assert.ok(dg.kind === 'datagram' && dg.streamId === id && new TextDecoder().decode(dg.payload) === 'ping');
  sim.server.h3!.sendHeaders(id, fields([':status', '200']));
  sim.server.h3!.sendDatagram(id, utf8('pong'));
  sim.runUntil(() => sim.clientEvents.some((e) => e.kind === 'datagram'));
});

test('H3_DATAGRAM is not announced without QUIC DATAGRAM', () => {
  const sim = new H3Sim({
    clientTransport: { maxDatagramFrameSize: 65535 }, client: { settings: { h3Datagram: true } }, server: { settings: { h3Datagram: true } },
  });
  sim.settle();
  assert.not.ok(sim.clientAdapter.datagramsNegotiated);
  assert.is(sim.clientAdapter.h3!.localSettings.h3Datagram, false);
  assert.is(sim.server.h3!.localSettings.h3Datagram, false);
  assert.is(sim.clientAdapter.isClosed, false);
});

test('closing from the client reaches the server with the H3 code, and the other way', () => {
  for (const closer of ['client', 'server'] as const) {
    const sim = new H3Sim();
    sim.settle();
    const [local, remote, remoteEvents] = closer === 'client'
      ? [sim.clientAdapter, sim.server, sim.serverEvents] as const
      : [sim.server, sim.clientAdapter, sim.clientEvents] as const;
    local.close(H3ErrorCode.H3_NO_ERROR, 'bye');
    sim.runUntil(() => remote.isClosed);
    const ev = remoteEvents.find((e) => e.kind === 'transport-closed');
    assert.ok(ev && ev.kind === 'transport-closed');
    assert.is(ev.reason.code, H3ErrorCode.H3_NO_ERROR);
    assert.is(ev.reason.application, true);
    assert.is(ev.reason.initiator, 'remote');
    assert.is(remote.closeReason?.reason, 'bye');
  }
});

test('an H3 connection error closes the QUIC connection with its code', () => {
  const sim = new H3Sim();
  sim.settle();
  // A second control stream from the server is H3_STREAM_CREATION_ERROR at the client.
  const quic = sim.slot.conn!;
  const id = quic.openStream('uni')!;
  quic.writeStream(id, Uint8Array.of(0x00, ...encodeH3Frame({ kind: 'settings', entries: [] })));
  sim.runUntil(() => sim.server.isClosed);
  const ev = sim.serverEvents.find((e) => e.kind === 'transport-closed');
  assert.ok(ev && ev.kind === 'transport-closed' && ev.reason.code === H3ErrorCode.H3_STREAM_CREATION_ERROR);
  assert.ok(sim.clientEvents.some((e) => e.kind === 'connection-error' && e.code === H3ErrorCode.H3_STREAM_CREATION_ERROR));
});

test('GOAWAY: graceful shutdown lets the request in flight finish, then drained', () => {
  const sim = new H3Sim();
  sim.settle();
  const c = sim.clientAdapter.h3!;
  const id = c.sendRequest(request('GET', '/a'), { endStream: true })!;
  sim.runUntil(() => sim.serverEvents.some((e) => e.kind === 'headers' && e.streamId === id));
  const s = sim.server.h3!;
  s.shutdown();
  sim.runUntil(() => sim.clientEvents.some((e) => e.kind === 'goaway'));
  assert.is(c.acceptsNewRequests, false);
  s.sendHeaders(id, fields([':status', '200']));
  s.sendData(id, utf8('done'), { endStream: true });
  sim.runUntil(() => sim.serverEvents.some((e) => e.kind === 'drained') && ended(sim.clientEvents, id));
  sim.server.close();
  sim.runUntil(() => sim.clientAdapter.isClosed);
});

test('paused reading holds the peer back by flow control; resuming delivers the rest', () => {
  const sim = new H3Sim();
  sim.settle();
  const down = pattern(1_000_000, 9);
  sim.onServerEvent = (e, adapter) => {
    if (e.kind === 'headers' && e.endStream) {
      adapter.h3!.sendHeaders(e.streamId, fields([':status', '200']));
      adapter.h3!.sendData(e.streamId, down, { endStream: true });
    }
  };
  const c = sim.clientAdapter.h3!;
  const id = c.sendRequest(request('GET', '/big'), { endStream: true })!;
  sim.clientAdapter.pauseReading(id);
  sim.runUntil(() => sim.serverEvents.some((e) => e.kind === 'headers'));
  for (let i = 0; i < 20; i++) {
    sim.pair.advance(100);
    sim.pump();
  }
  assert.not.ok(sim.clientEvents.some((e) => e.kind === 'headers' && e.streamId === id), 'nothing read while paused');
  // The server cannot send more than the client's stream window (256 KiB by default).
  assert.ok(sim.server.unacknowledgedStreams > 0, "the response is not through");
  sim.clientAdapter.resumeReading(id);
  sim.runUntil(() => ended(sim.clientEvents, id));
  assert.equal(bodyOf(sim.clientEvents, id), down);
  sim.runUntil(() => sim.server.unacknowledgedStreams === 0);
  assert.ok(sim.serverEvents.some((e) => e.kind === 'sends-acknowledged'));
});

/** A scripted transport: the peer's stream bytes are served from `inbox`. */
function fakeTransport(peerDatagrams: number, localDatagrams: number) {
  const inbox = new Map<number, Uint8Array[]>();
  const next = { bidi: 0, uni: 2 };
  let closed: { code: number; reason: string } | undefined;
  const quic: H3QuicTransport = {
    side: 'client',
    canSendEarlyData: false,
    config: { transport: { maxDatagramFrameSize: localDatagrams } } as H3QuicTransport['config'],
    peerMaxDatagramFrameSize: peerDatagrams,
    openStream: (dir) => {
      const id = next[dir];
      next[dir] += 4;
      return id;
    },
    writeStream: (_id, data) => data.length,
    readStream: (id) => {
      const q = inbox.get(id) ?? [];
      const data = q.shift();
      return data === undefined ? { kind: 'blocked' } : { kind: 'data', data, fin: false };
    },
    resetStream: () => {},
    stopSending: () => {},
    sendDatagram: () => true,
    close: (code, reason) => {
      closed = { code: code ?? 0, reason: reason ?? '' };
    },
  };
  return { quic, inbox, closed: () => closed };
}

test('H3_DATAGRAM=1 from a peer without QUIC DATAGRAM: H3_SETTINGS_ERROR (RFC 9297 §2.1.1)', () => {
  const t = fakeTransport(0, 65535);
  const a = new H3QuicAdapter({ quic: t.quic });
  a.handleEvent({ type: 'connected', alpn: 'h3', resumed: false, earlyDataAccepted: false });
  t.inbox.set(3, [Uint8Array.of(0x00, ...encodeH3Frame({ kind: 'settings', entries: [{ id: H3SettingId.H3_DATAGRAM, value: 1 }] }))]);
  a.handleEvent({ type: 'streamReadable', streamId: 3 });
  const events: H3AdapterEvent[] = [];
  for (let e = a.pollEvent(); e !== null; e = a.pollEvent()) events.push(e);
  assert.is(t.closed()?.code, H3ErrorCode.H3_SETTINGS_ERROR);
  assert.ok(events.some((e) => e.kind === 'connection-error' && e.code === H3ErrorCode.H3_SETTINGS_ERROR));
});

test('stream data that arrives before the handshake completes is read once H3 starts', () => {
  const t = fakeTransport(0, 0);
  const a = new H3QuicAdapter({ quic: t.quic });
  t.inbox.set(3, [Uint8Array.of(0x00, ...encodeH3Frame({ kind: 'settings', entries: [] }))]);
  a.handleEvent({ type: 'streamReadable', streamId: 3 });
  assert.is(a.h3, undefined);
  a.handleEvent({ type: 'connected', alpn: 'h3', resumed: false, earlyDataAccepted: false });
  const events: H3AdapterEvent[] = [];
  for (let e = a.pollEvent(); e !== null; e = a.pollEvent()) events.push(e);
  assert.equal(events.map((e) => e.kind), ['transport-ready', 'settings']);
});

test('a write the transport refuses (stream already reset) leaves nothing to wait for', () => {
  const t = fakeTransport(0, 0);
  let refuse = false;
  const quic: H3QuicTransport = {
    ...t.quic,
    writeStream: (id, data, fin) => {
      if (refuse) throw new RangeError(`stream ${id} was reset`);
      return t.quic.writeStream(id, data, fin);
    },
  };
  const a = new H3QuicAdapter({ quic });
  a.handleEvent({ type: 'connected', alpn: 'h3', resumed: false, earlyDataAccepted: false });
  const id = a.h3!.sendRequest(request('GET', '/'), { endStream: true })!;
  assert.is(a.unacknowledgedStreams, 1);
  a.handleEvent({ type: 'streamSendComplete', streamId: id });
  assert.is(a.unacknowledgedStreams, 0);
  refuse = true;
  a.h3!.sendRequest(request('GET', '/2'), { endStream: true });
  assert.is(a.unacknowledgedStreams, 0);
  const kinds: string[] = [];
  for (let e = a.pollEvent(); e !== null; e = a.pollEvent()) kinds.push(e.kind);
  assert.ok(kinds.includes('sends-acknowledged'));
});

test('the generic adapter: any protocol over the port, made by the factory, closed through what it names', () => {
  const t = fakeTransport(0, 0);
  /** A protocol that wraps an H3 connection and tags its events. */
  class Tagged {
    readonly h3: H3Connection;
    constructor(readonly start: QuicStreamsStart) {
      this.h3 = new H3Connection({ role: start.role, port: start.port });
    }
    handleStreamData(id: number, data: Uint8Array, fin: boolean): void {
      this.h3.handleStreamData(id, data, fin);
    }
    handleStreamReset(id: number, code: number): void {
      this.h3.handleStreamReset(id, code);
    }
    handleStopSending(id: number, code: number): void {
      this.h3.handleStopSending(id, code);
    }
    handleDatagram(payload: Uint8Array): void {
      this.h3.handleDatagram(payload);
    }
    pollEvent(): { tag: 'tagged'; kind: H3Event['kind'] } | null {
      const e = this.h3.pollEvent();
      return e === null ? null : { tag: 'tagged', kind: e.kind };
    }
  }
  const created: QuicStreamsStart[] = [];
  const a = new QuicStreamsAdapter<Tagged>({
    quic: t.quic,
    create: (start) => {
      created.push(start);
      return new Tagged(start);
    },
    closable: (c) => c.h3,
    inspect: (e) => (e.kind === 'settings' ? { tag: 'tagged', kind: 'goaway' } : undefined),
  });
  assert.is(a.connection, undefined);
  t.inbox.set(3, [Uint8Array.of(0x00, ...encodeH3Frame({ kind: 'settings', entries: [] }))]);
  a.handleEvent({ type: 'streamReadable', streamId: 3 });
  a.handleEvent({ type: 'connected', alpn: 'x', resumed: false, earlyDataAccepted: false });
  assert.is(created.length, 1);
  assert.is(created[0]!.role, 'client');
  assert.is(created[0]!.quic, t.quic);
  const events: string[] = [];
  for (let e = a.pollEvent(); e !== null; e = a.pollEvent()) events.push('tag' in e ? `${e.tag}:${e.kind}` : e.kind);
  // The event `inspect` returned follows the one it saw.
  assert.equal(events, ['transport-ready', 'tagged:settings', 'tagged:goaway']);
  a.close(H3ErrorCode.H3_INTERNAL_ERROR, 'done');
  assert.ok(a.connection!.h3.isClosed);
  assert.equal(t.closed(), { code: H3ErrorCode.H3_INTERNAL_ERROR, reason: 'done' });
});

test.run();
