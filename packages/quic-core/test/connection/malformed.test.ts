import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { Pair, delay } from '@quicts/testkit';
import { Connection, TransportErrorCode, type Frame, type TransportConfig } from '@quicts/quic-core';
import { ServerSlot, clientPath, config } from './harness.ts';
import { framesPayload, longPacket, shortPacket } from './craft.ts';

const serverPath = { local: clientPath.remote, remote: clientPath.local };
const E = TransportErrorCode;

function established(transport: Partial<TransportConfig> = {}) {
  const client = Connection.connect({ config: config(transport), path: clientPath, now: 0 });
  const slot = new ServerSlot(config(transport));
  const pair = new Pair<Connection, ServerSlot>({ a: client, b: slot, seed: 1, link: [delay(5)] });
  pair.run({ until: () => client.handshakeConfirmed && !!slot.conn?.handshakeConfirmed, maxTime: 10_000 });
  pair.advance(200);
  return { client, server: slot.conn!, pair };
}

/** Feeds a datagram to the server and drives every engine output; none of it may throw. */
function feed(server: Connection, datagram: Uint8Array, now: number): Uint8Array[] {
  server.receive(datagram, serverPath, now);
  server.handleTimeout(now);
  const out: Uint8Array[] = [];
  for (let t = server.pollTransmit(now); t; t = server.pollTransmit(now)) out.push(t.data);
  server.nextTimeout();
  while (server.pollEvent()) { /* drain */ }
  return out;
}

function closeCode(conn: Connection): number | undefined {
  const s = conn.state;
  return s.kind === 'closing' || s.kind === 'draining' || s.kind === 'drained' ? s.reason.code : undefined;
}

function expectClose(frames: Frame[] | Uint8Array, code: number, transport: Partial<TransportConfig> = {}, label = '') {
  const { client, server, pair } = established(transport);
  const payload = frames instanceof Uint8Array ? frames : framesPayload(...frames);
  const out = feed(server, shortPacket(client, payload), pair.now);
  assert.is(closeCode(server), code, `${label} closes with 0x${code.toString(16)}, got ${closeCode(server)?.toString(16)}`);
  assert.is(server.state.kind, 'closing');
  const s = server.state;
  assert.ok(s.kind === 'closing' && !s.reason.application && s.reason.initiator === 'local');
  // The peer learns the code from the CONNECTION_CLOSE.
  assert.ok(out.length > 0, 'CONNECTION_CLOSE sent');
  for (const d of out) client.receive(d, clientPath, pair.now + 5);
  assert.is(closeCode(client), code);
  assert.is(client.state.kind, 'draining');
  return { client, server };
}

// ---------------------------------------------------------------- undecryptable input is dropped

test('random datagrams are dropped; the connection carries on', () => {
  const { server, pair } = established();
  fc.assert(fc.property(fc.uint8Array({ minLength: 0, maxLength: 1500 }), (bytes) => {
    feed(server, bytes, pair.now);
    return server.state.kind === 'established';
  }), { numRuns: 300, seed: 42 });
  assert.ok(server.stats.packetsDropped > 0);
});

test('every truncation of a real packet is dropped', () => {
  const { client, server, pair } = established();
  const pkt = shortPacket(client, framesPayload({ type: 'ping' }, { type: 'padding', length: 40 } as Frame));
  for (let n = 0; n < pkt.length; n++) feed(server, pkt.subarray(0, n), pair.now);
  assert.is(server.state.kind, 'established');
  const initial = Connection.connect({ config: config(), path: clientPath, now: 0 }).pollTransmit(0)!.data;
  const fresh = established();
  for (let n = 0; n < initial.length; n += 7) feed(fresh.server, initial.subarray(0, n), fresh.pair.now);
  assert.is(fresh.server.state.kind, 'established');
});

test('bit flips anywhere in a real packet are dropped', () => {
  const { client, server, pair } = established();
  const pkt = shortPacket(client, framesPayload({ type: 'ping' }));
  for (let bit = 8; bit < pkt.length * 8; bit += 3) {
    const copy = pkt.slice();
    copy[bit >> 3]! ^= 0x80 >> (bit & 7);
    feed(server, copy, pair.now);
  }
  assert.is(server.state.kind, 'established');
});

// ---------------------------------------------------------------- authenticated garbage closes with the right code

test('valid headers with garbage payloads close with a transport code, never INTERNAL_ERROR, and nothing throws', () => {
  const allowed = new Set<number>([
    E.FRAME_ENCODING_ERROR, E.PROTOCOL_VIOLATION, E.STREAM_STATE_ERROR, E.STREAM_LIMIT_ERROR, E.FLOW_CONTROL_ERROR,
    E.FINAL_SIZE_ERROR, E.CRYPTO_BUFFER_EXCEEDED, E.TRANSPORT_PARAMETER_ERROR, E.CONNECTION_ID_LIMIT_ERROR, E.KEY_UPDATE_ERROR,
    E.CRYPTO_ERROR + 10,
  ]);
  let closed = 0;
  fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), (payload) => {
    const { client, server, pair } = established();
    feed(server, shortPacket(client, payload), pair.now);
    const code = closeCode(server);
    if (code === undefined) return server.state.kind === 'established';
    closed++;
    return allowed.has(code) || (code >= 0x100 && code <= 0x1ff);
  }), { numRuns: 150, seed: 7 });
  assert.ok(closed > 50, `${closed} closed`);
});

test('a packet with reserved bits set is a PROTOCOL_VIOLATION (RFC 9000 §17.3.1)', () => {
  const { client, server, pair } = established();
  feed(server, shortPacket(client, framesPayload({ type: 'ping' }), { firstByteBits: 0x18 }), pair.now);
  assert.is(closeCode(server), E.PROTOCOL_VIOLATION);
});

test('an unknown frame type is a FRAME_ENCODING_ERROR (RFC 9000 §12.4)', () => {
  expectClose(new Uint8Array([0x40, 0x50, 0, 0]), E.FRAME_ENCODING_ERROR);
});

test('a truncated frame is a FRAME_ENCODING_ERROR', () => {
  expectClose(new Uint8Array([0x0e, 0x00, 0x00, 0x40]), E.FRAME_ENCODING_ERROR); // STREAM with OFF and LEN: the length varint is cut short
});

// ---------------------------------------------------------------- frames forbidden where they arrived

test('HANDSHAKE_DONE from a client is a PROTOCOL_VIOLATION (RFC 9000 §19.20)', () => {
  expectClose([{ type: 'handshakeDone' }], E.PROTOCOL_VIOLATION);
});

test('NEW_TOKEN from a client is a PROTOCOL_VIOLATION (RFC 9000 §19.7)', () => {
  expectClose([{ type: 'newToken', token: new Uint8Array([1, 2, 3]) }], E.PROTOCOL_VIOLATION);
});

test('frames not allowed in Initial or Handshake packets are a PROTOCOL_VIOLATION (RFC 9000 §12.4)', () => {
  const forbidden: Frame[] = [
    { type: 'stream', streamId: 0, offset: 0, data: new Uint8Array(3), fin: false },
    { type: 'maxData', maximum: 1 << 20 },
    { type: 'handshakeDone' },
    { type: 'newConnectionId', sequence: 1, retirePriorTo: 0, connectionId: new Uint8Array(8).fill(1), statelessResetToken: new Uint8Array(16).fill(2) },
  ];
  for (const level of ['initial', 'handshake'] as const) {
    for (const f of forbidden) {
      const client = Connection.connect({ config: config(), path: clientPath, now: 0 });
      const slot = new ServerSlot(config());
      slot.receive(client.pollTransmit(0)!.data, serverPath, 1);
      for (let t = slot.pollTransmit(1); t; t = slot.pollTransmit(1)) client.receive(t.data, clientPath, 2);
      assert.ok(client.spaces[1].writeKeys, 'the client has Handshake keys');
      const server = slot.conn!;
      feed(server, longPacket(client, level, framesPayload({ type: 'ping' }, f)), 3);
      assert.is(closeCode(server), E.PROTOCOL_VIOLATION, `${f.type} in ${level}`);
    }
  }
});

test('1-RTT data before the handshake completes is held, not acted on (RFC 9001 §5.7)', () => {
  const client = Connection.connect({ config: config(), path: clientPath, now: 0 });
  const slot = new ServerSlot(config());
  slot.receive(client.pollTransmit(0)!.data, serverPath, 1);
  for (let t = slot.pollTransmit(1); t; t = slot.pollTransmit(1)) client.receive(t.data, clientPath, 2);
  // The client has 1-RTT keys now; the server has not completed its handshake.
  assert.ok(client.oneRtt && !slot.conn!.handshakeComplete);
  feed(slot.conn!, shortPacket(client, framesPayload({ type: 'handshakeDone' })), 3);
  assert.is(slot.conn!.state.kind, 'handshake', 'held: not acted on, not acknowledged');
  // The client's Finished completes the server's handshake; the held packet is read then.
  for (let t = client.pollTransmit(4); t; t = client.pollTransmit(4)) slot.receive(t.data, serverPath, 5);
  assert.ok(slot.conn!.handshakeComplete);
  assert.is(closeCode(slot.conn!), E.PROTOCOL_VIOLATION, 'HANDSHAKE_DONE from a client, read once the handshake completed');
});

// ---------------------------------------------------------------- limits

test('STREAM data beyond the stream\'s flow-control limit is a FLOW_CONTROL_ERROR (RFC 9000 §4.1)', () => {
  expectClose([{ type: 'stream', streamId: 0, offset: 16 * 1024, data: new Uint8Array(1), fin: false }], E.FLOW_CONTROL_ERROR,
    { initialMaxStreamDataBidiRemote: 16 * 1024, initialMaxStreamDataBidiLocal: 16 * 1024 });
});

test('STREAM data beyond the connection limit over several streams is a FLOW_CONTROL_ERROR', () => {
  const frames: Frame[] = [];
  for (let i = 0; i < 5; i++) frames.push({ type: 'stream', streamId: 4 * i, offset: 15_000, data: new Uint8Array(10), fin: false });
  expectClose(frames, E.FLOW_CONTROL_ERROR, { initialMaxData: 64 * 1024, initialMaxStreamDataBidiRemote: 16 * 1024 });
});

test('opening more streams than allowed is a STREAM_LIMIT_ERROR (RFC 9000 §4.6)', () => {
  expectClose([{ type: 'stream', streamId: 4 * 10, offset: 0, data: new Uint8Array(1), fin: false }], E.STREAM_LIMIT_ERROR, { initialMaxStreamsBidi: 10 });
  expectClose([{ type: 'resetStream', streamId: 4 * 3 + 2, errorCode: 0, finalSize: 0 }], E.STREAM_LIMIT_ERROR, { initialMaxStreamsUni: 3 });
});

test('CRYPTO data beyond the buffer is CRYPTO_BUFFER_EXCEEDED (RFC 9000 §7.5)', () => {
  expectClose([{ type: 'crypto', offset: 1 << 20, data: new Uint8Array(10) }], E.CRYPTO_BUFFER_EXCEEDED, { maxCryptoBuffer: 4096 });
});

test('STREAM on our own send-only stream is a STREAM_STATE_ERROR (RFC 9000 §19.8)', () => {
  expectClose([{ type: 'stream', streamId: 3, offset: 0, data: new Uint8Array(1), fin: false }], E.STREAM_STATE_ERROR);
});

test('a changed final size is a FINAL_SIZE_ERROR (RFC 9000 §4.5)', () => {
  expectClose([
    { type: 'stream', streamId: 0, offset: 0, data: new Uint8Array(10), fin: true },
    { type: 'stream', streamId: 0, offset: 10, data: new Uint8Array(5), fin: false },
  ], E.FINAL_SIZE_ERROR);
});

test('an ACK of a packet never sent is a PROTOCOL_VIOLATION (RFC 9000 §13.1)', () => {
  expectClose([{ type: 'ack', largest: 1_000_000, ackDelay: 0, ranges: [[1_000_000, 1_000_000]] }], E.PROTOCOL_VIOLATION);
});

test('more connection IDs than our active_connection_id_limit is a CONNECTION_ID_LIMIT_ERROR (RFC 9000 §5.1.1)', () => {
  const frames: Frame[] = [];
  for (let s = 10; s < 16; s++) {
    frames.push({ type: 'newConnectionId', sequence: s, retirePriorTo: 0, connectionId: new Uint8Array(8).fill(s), statelessResetToken: new Uint8Array(16).fill(s) });
  }
  expectClose(frames, E.CONNECTION_ID_LIMIT_ERROR);
});

test('retiring the connection ID a packet was sent to is a PROTOCOL_VIOLATION (RFC 9000 §19.16)', () => {
  const { client, server, pair } = established();
  const seq = client.cids.peer!.current().sequence;
  feed(server, shortPacket(client, framesPayload({ type: 'retireConnectionId', sequence: seq })), pair.now);
  assert.is(closeCode(server), E.PROTOCOL_VIOLATION);
});

test('retiring a connection ID never issued is a PROTOCOL_VIOLATION', () => {
  expectClose([{ type: 'retireConnectionId', sequence: 99 }], E.PROTOCOL_VIOLATION);
});

test('DATAGRAM without having advertised support is a PROTOCOL_VIOLATION (RFC 9221 §3)', () => {
  expectClose([{ type: 'datagram', data: new Uint8Array(10) }], E.PROTOCOL_VIOLATION);
});

test('DATAGRAM larger than max_datagram_frame_size is a PROTOCOL_VIOLATION', () => {
  expectClose([{ type: 'datagram', data: new Uint8Array(200) }], E.PROTOCOL_VIOLATION, { maxDatagramFrameSize: 100 });
});

test('MAX_STREAMS above 2^60 is a FRAME_ENCODING_ERROR (RFC 9000 §19.11)', () => {
  expectClose(new Uint8Array([0x12, 0xd0, 0, 0, 0, 0, 0, 0, 1]), E.FRAME_ENCODING_ERROR);
});

test('after a close, inputs keep being accepted without throwing', () => {
  const { client, server } = expectClose([{ type: 'handshakeDone' }], E.PROTOCOL_VIOLATION);
  for (let i = 0; i < 50; i++) feed(server, shortPacket(client, framesPayload({ type: 'ping' })), 1000 + i);
  server.handleTimeout(1e9);
  assert.ok(server.isClosed);
  assert.is(server.pollTransmit(1e9), null);
});

test.run();
