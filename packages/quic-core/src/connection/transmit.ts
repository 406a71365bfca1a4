/**
 * The send path of a connection: one datagram per call, holding up to one packet per packet
 * number space (coalesced, RFC 9000 §12.2), filled in priority order (ACK, HANDSHAKE_DONE, CRYPTO,
 * control frames, DATAGRAM, STREAM), padded where RFC 9000 §14.1 requires, then protected in place.
 * Limits applied: anti-amplification (RFC 9000 §8.1), congestion window and pacing (RFC 9002 §7),
 * with PTO probes exempt from the window (RFC 9002 §6.2.4) and ACK-only packets never held back.
 * @module
 */
import { Writer } from '../codec/writer.ts';
import { writeLongHeader, writeShortHeader, patchLongHeaderLength } from '../packet/header.ts';
import { packetNumberLength } from '../packet/packet-number.ts';
import { protectPacket } from '../packet/protection.ts';
import type { PacketProtectionKeys } from '../crypto/packet-keys.ts';
import { encodeFrame, frameSize } from '../frame/encode.ts';
import { encodeCryptoFrameHeader, cryptoDataCapacity, encodeDatagramFrameHeader, datagramFrameHeaderSize, encodeStreamFrameHeader } from '../frame/headers.ts';
import { FrameType } from '../frame/types.ts';
import { PacketNumberSpace } from '../recovery/constants.ts';
import type { Connection, Transmit } from './connection.ts';
import type { PacketSpace } from './packet-space.ts';
import type { SentFrame } from './sent-frames.ts';
import { buildClose } from './close.ts';
import { logPacketSent } from './qlog-events.ts';
import { requeueForProbe } from './sent-fate.ts';
import { MAX_CID_FRAME_SIZE } from './cids.ts';

const TAG = 16;
/** Below this much room a packet is not started (header + tag + a few frame bytes). */
const MIN_PACKET_ROOM = 48;
const MIN_INITIAL_DATAGRAM = 1200;
/** A packet needs this many bytes of packet number plus payload for the header-protection sample. */
const MIN_SAMPLE_PAYLOAD = 4;

interface BuiltPacket {
  readonly space: PacketSpace;
  readonly keys: PacketProtectionKeys;
  readonly long: boolean;
  readonly type: 'initial' | 'handshake' | '0rtt' | 'short';
  readonly start: number;
  readonly pnOffset: number;
  readonly pnLength: 1 | 2 | 3 | 4;
  readonly pn: number;
  payloadEnd: number;
  readonly frames: SentFrame[];
  readonly ackEliciting: boolean;
  readonly ackLargest: number;
}

export function buildTransmit(conn: Connection, now: number): Transmit | null {
  if (conn.state.kind === 'closing') return buildClose(conn);
  const probeSize = conn.mtu.probeSize;
  if (probeSize > 0 && conn.handshakeConfirmed && conn.oneRtt) return buildMtuProbe(conn, probeSize, now);
  const maxSize = conn.maxDatagramSize();
  let limit = maxSize;
  if (!conn.addressValidated) {
    // RFC 9000 §8.1: at most three times the bytes received before the address is validated.
    const allowance = 3 * conn.bytesReceived - conn.bytesSent;
    if (allowance < MIN_INITIAL_DATAGRAM) {
      conn.recovery.loss.setAmplificationBlocked(true, now);
      return null;
    }
    conn.recovery.loss.setAmplificationBlocked(false, now);
    limit = Math.min(limit, allowance);
  }
  const probing = conn.spaces[0].probes > 0 || conn.spaces[1].probes > 0 || conn.spaces[2].probes > 0;
  let allowData = probing || conn.recovery.canSend(maxSize);
  if (allowData && !probing) {
    const at = conn.recovery.nextSendTime(now, maxSize);
    if (at > now) {
      allowData = false;
      conn.pacingDeadline = at;
    }
  }

  const buf = new Uint8Array(limit);
  const w = Writer.into(buf);
  const packets: BuiltPacket[] = [];
  for (const space of conn.spaces) {
    if (limit - w.pos < MIN_PACKET_ROOM) break;
    const p = buildPacket(conn, space, w, limit, now, allowData || space.probes > 0 || finishesAfterEarlyData(conn, space));
    if (p) packets.push(p);
  }
  if (packets.length === 0) return null;

  // RFC 9000 §14.1: datagrams with a client Initial, or a server's ack-eliciting Initial, are
  // padded to 1200 bytes (inside the last packet, so that the padding is protected).
  const last = packets[packets.length - 1]!;
  let end = last.payloadEnd + TAG;
  const needsPadding = packets.some((p) => p.type === 'initial' && (conn.side === 'client' || p.ackEliciting));
  if (needsPadding && end < MIN_INITIAL_DATAGRAM) {
    const target = Math.min(limit, MIN_INITIAL_DATAGRAM);
    last.payloadEnd += target - end;
    end = target;
  }

  let handshakeSent = false;
  const reprobe: PacketSpace[] = [];
  for (const p of packets) {
    if (p.long) patchLongHeaderLength(buf, p.pnOffset - 2, 2, p.payloadEnd - p.pnOffset + TAG);
    protectPacket(p.keys, buf, p.start, p.pnOffset, p.pnLength, p.pn, p.payloadEnd);
    const size = p.payloadEnd + TAG - p.start;
    const padded = p === last && needsPadding;
    conn.recovery.onPacketSent(p.space.id, {
      pn: p.pn, timeSent: now, size, ackEliciting: p.ackEliciting, inFlight: p.ackEliciting || padded,
      largestAcked: p.ackLargest, frames: p.frames,
    });
    if (p.ackLargest >= 0) p.space.acks.onAckSent();
    if (p.ackEliciting && p.space.probes > 0) {
      p.space.probes--;
      // RFC 9002 §6.2.4: the second probe carries the same data again rather than only a PING.
      if (p.space.probes > 0) reprobe.push(p.space);
    }
    if (p.type === 'short') conn.oneRtt?.onPacketSent(p.pn);
    if (p.type === 'handshake') handshakeSent = true;
    conn.stats.packetsSent++;
    if (conn.qlog) logPacketSent(conn.qlog, conn, now, p.type, p.pn, size, p.frames, probing ? 'pto_probe' : undefined);
  }
  for (const space of reprobe) if (!space.discarded) requeueForProbe(conn, space);
  conn.bytesSent += end;
  conn.stats.bytesSent += end;
  if (packets.some((p) => p.ackEliciting)) {
    // RFC 9000 §10.1: restart the idle timer on the first ack-eliciting packet after a receive.
    if (!conn.ackElicitingSinceReceive) conn.resetIdleTimer(now);
    conn.ackElicitingSinceReceive = true;
  }
  // RFC 9001 §4.9.1: a client discards Initial keys when it first sends a Handshake packet.
  if (handshakeSent && conn.side === 'client') conn.discardSpace(PacketNumberSpace.Initial, now);
  // RFC 9001 §6: update keys before the confidentiality limit comes near.
  const k = conn.oneRtt;
  if (k && conn.handshakeConfirmed && k.packetsSinceUpdate >= conn.config.transport.keyUpdateInterval && k.canInitiate) conn.initiateKeyUpdate();
  return { data: buf.subarray(0, end), remote: conn.path.remote };
}

/**
 * A client that sent 0-RTT may have filled its congestion window with 0-RTT packets, which the
 * server acknowledges only once it has read the client's Finished: the client's last handshake
 * flight (small and bounded) is therefore not held back by the window, or neither side would move.
 */
function finishesAfterEarlyData(conn: Connection, space: PacketSpace): boolean {
  return conn.side === 'client' && space.id === PacketNumberSpace.Handshake && conn.earlyData !== 'none';
}

function keysFor(conn: Connection, space: PacketSpace): { keys: PacketProtectionKeys; type: BuiltPacket['type'] } | null {
  if (space.discarded) return null;
  if (space.id === PacketNumberSpace.Initial) return space.writeKeys ? { keys: space.writeKeys, type: 'initial' } : null;
  if (space.id === PacketNumberSpace.Handshake) return space.writeKeys ? { keys: space.writeKeys, type: 'handshake' } : null;
  if (conn.oneRtt) return { keys: conn.oneRtt.writeKeys, type: 'short' };
  if (conn.side === 'client' && conn.zeroRtt) return { keys: conn.zeroRtt, type: '0rtt' };
  // Server, after its Finished: 1-RTT packets that only acknowledge 0-RTT (RFC 9001 §5.6).
  if (conn.halfRttWrite && space.acks.hasNewPackets) return { keys: conn.halfRttWrite, type: 'short' };
  return null;
}

function hasWork(conn: Connection, space: PacketSpace, now: number, allowData: boolean): boolean {
  if (space.acks.ackDue(now) || space.probes > 0) return true;
  if (!allowData) return false;
  if (space.hasCryptoToSend) return true;
  if (space.id !== PacketNumberSpace.ApplicationData) return false;
  const p = conn.pending;
  return p.handshakeDone || p.ping || p.pathResponses.length > 0 || p.newTokens.length > 0 || conn.cids.hasPendingFrames || conn.datagramsOut.length > 0 || conn.streams.wantsToSend;
}

function buildPacket(conn: Connection, space: PacketSpace, w: Writer, limit: number, now: number, allowData: boolean): BuiltPacket | null {
  const k = keysFor(conn, space);
  if (!k) return null;
  // Before the server has its 1-RTT read keys, its 1-RTT packets carry acknowledgements only.
  if (k.type === 'short' && !conn.oneRtt) allowData = false;
  if (!hasWork(conn, space, now, allowData)) return null;
  const pn = space.nextPn;
  const pnLength = packetNumberLength(pn, conn.recovery.loss.largestAcked(space.id));
  const start = w.pos;
  let pnOffset: number;
  if (k.type === 'short') {
    pnOffset = writeShortHeader(w, { dcid: conn.peerCid, keyPhase: conn.oneRtt?.writePhase ?? 0 }, pn, pnLength);
  } else {
    const token = k.type === 'initial' && conn.side === 'client' ? conn.token : undefined;
    pnOffset = writeLongHeader(w, {
      type: k.type, version: conn.version, dcid: conn.peerCid, scid: conn.localCid, ...(token ? { token } : {}),
    }, pn, pnLength, 0, 2);
  }
  const payloadStart = w.pos;
  const end = limit - TAG;
  const frames: SentFrame[] = [];
  let ackEliciting = false;
  let ackLargest = -1;

  // ACK: due, or riding along with anything else we send (RFC 9000 §13.2.1); never in 0-RTT (§12.4).
  if (k.type !== '0rtt' && (space.acks.ackDue(now) || space.acks.hasNewPackets)) {
    const exponent = space.id === PacketNumberSpace.ApplicationData ? conn.config.transport.ackDelayExponent : 3;
    const ack = space.acks.buildAck(now, exponent);
    if (ack && frameSize(ack) <= end - w.pos) {
      encodeFrame(w, ack);
      ackLargest = ack.largest;
      frames.push({ kind: 'ack', largest: ack.largest });
    }
  }

  if (allowData) {
    if (space.id === PacketNumberSpace.ApplicationData && conn.pending.handshakeDone && end - w.pos >= 1) {
      w.u8(FrameType.HANDSHAKE_DONE);
      conn.pending.handshakeDone = false;
      frames.push({ kind: 'handshakeDone' });
      ackEliciting = true;
    }
    // CRYPTO
    while (space.hasCryptoToSend) {
      const offset = space.cryptoSend.peekOffset();
      if (offset === undefined) break;
      const capacity = cryptoDataCapacity(end - w.pos, offset);
      if (capacity <= 0) break;
      const chunk = space.cryptoSend.nextChunk(capacity);
      if (!chunk) break;
      encodeCryptoFrameHeader(w, chunk.offset, chunk.length);
      for (const piece of chunk.data) w.bytes(piece);
      frames.push({ kind: 'crypto', offset: chunk.offset, length: chunk.length });
      ackEliciting = true;
    }
    if (space.id === PacketNumberSpace.ApplicationData && k.type !== '0rtt' && writeAppControl(conn, w, end, frames, now)) ackEliciting = true;
    if (space.id === PacketNumberSpace.ApplicationData) {
      if (writeDatagrams(conn, w, end, frames, k.type === '0rtt')) ackEliciting = true;
      // STREAM data, in the streams' round-robin order.
      for (;;) {
        const room = end - w.pos;
        if (room < 8) break;
        const chunk = conn.streams.pollStreamChunk(room, true);
        if (!chunk) break;
        conn.audit?.onStreamFrameSent(chunk.streamId, chunk.offset, chunk.length);
        encodeStreamFrameHeader(w, chunk.streamId, chunk.offset, chunk.length, chunk.fin, true);
        for (const piece of chunk.data) w.bytes(piece);
        frames.push({ kind: 'stream', streamId: chunk.streamId, offset: chunk.offset, length: chunk.length, fin: chunk.fin });
        ackEliciting = true;
      }
    }
  }
  if (!ackEliciting && (space.probes > 0 || (space.id === PacketNumberSpace.ApplicationData && conn.pending.ping))) {
    w.u8(FrameType.PING);
    frames.push({ kind: 'ping' });
    ackEliciting = true;
    if (space.id === PacketNumberSpace.ApplicationData) conn.pending.ping = false;
  }
  if (frames.length === 0) {
    w.pos = start; // nothing fitted after all
    return null;
  }
  // RFC 9001 §5.4.2: enough bytes after the packet number start for the sample.
  while (w.pos - pnOffset < MIN_SAMPLE_PAYLOAD) w.u8(0);
  const built: BuiltPacket = {
    space, keys: k.keys, long: k.type !== 'short', type: k.type, start, pnOffset, pnLength, pn, payloadEnd: w.pos,
    frames, ackEliciting, ackLargest,
  };
  void payloadStart;
  space.nextPn++;
  w.pos += TAG; // room for the tag; the next packet starts after it
  return built;
}

function writeAppControl(conn: Connection, w: Writer, end: number, frames: SentFrame[], now: number): boolean {
  let wrote = false;
  const p = conn.pending;
  while (p.pathResponses.length > 0 && end - w.pos >= 9) {
    const data = p.pathResponses.shift()!;
    encodeFrame(w, { type: 'pathResponse', data });
    frames.push({ kind: 'pathResponse' });
    wrote = true;
  }
  while (p.newTokens.length > 0) {
    const f = { type: 'newToken' as const, token: p.newTokens[0]! };
    if (frameSize(f) > end - w.pos) break;
    p.newTokens.shift();
    encodeFrame(w, f);
    frames.push({ kind: 'newToken', token: f.token });
    wrote = true;
  }
  while (end - w.pos >= MAX_CID_FRAME_SIZE) {
    const f = conn.cids.pollFrame();
    if (!f) break;
    encodeFrame(w, f);
    frames.push(f.type === 'newConnectionId' ? { kind: 'newConnectionId', sequence: f.sequence } : { kind: 'retireConnectionId', sequence: f.sequence });
    wrote = true;
  }
  for (;;) {
    const f = conn.streams.pollControlFrame(now, conn.recovery.rtt.smoothed, end - w.pos);
    if (!f) break;
    encodeFrame(w, f);
    frames.push({ kind: 'control', frame: f });
    wrote = true;
  }
  return wrote;
}

/** `keep`: record the payloads (0-RTT packets, resent if 0-RTT is rejected). */
function writeDatagrams(conn: Connection, w: Writer, end: number, frames: SentFrame[], keep: boolean): boolean {
  let wrote = false;
  const queue = conn.datagramsOut;
  while (queue.length > 0) {
    const d = queue[0]!;
    const need = datagramFrameHeaderSize(d.length, true) + d.length;
    if (need > end - w.pos) {
      // Too large even for an empty packet: it can never be sent (RFC 9221 §5: dropping is allowed).
      if (frames.length === 0 && need > conn.maxDatagramSize() - 64) {
        queue.shift();
        conn.stats.datagramsDropped++;
        continue;
      }
      break;
    }
    queue.shift();
    encodeDatagramFrameHeader(w, d.length, true);
    w.bytes(d);
    frames.push(keep ? { kind: 'datagram', data: d } : { kind: 'datagram' });
    wrote = true;
  }
  return wrote;
}

/**
 * A PMTU probe (RFC 9000 §14.4): one 1-RTT packet of exactly `size` bytes, PING then PADDING.
 * It is kept out of the congestion window (its loss is no congestion signal).
 */
function buildMtuProbe(conn: Connection, size: number, now: number): Transmit {
  const keys = conn.oneRtt!;
  const space = conn.spaces[PacketNumberSpace.ApplicationData];
  const buf = new Uint8Array(size);
  const w = Writer.into(buf);
  const pn = space.nextPn++;
  const pnLength = packetNumberLength(pn, conn.recovery.loss.largestAcked(space.id));
  const pnOffset = writeShortHeader(w, { dcid: conn.peerCid, keyPhase: keys.writePhase }, pn, pnLength);
  w.u8(FrameType.PING); // the zero bytes that follow are PADDING frames
  protectPacket(keys.writeKeys, buf, 0, pnOffset, pnLength, pn, size - TAG);
  conn.recovery.onPacketSent(space.id, {
    pn, timeSent: now, size, ackEliciting: true, inFlight: false, largestAcked: -1, frames: [{ kind: 'mtuProbe', size }],
  });
  keys.onPacketSent(pn);
  conn.mtu.onProbeSent();
  if (conn.qlog) logPacketSent(conn.qlog, conn, now, 'short', pn, size, [{ kind: 'mtuProbe', size }], 'pmtu_probe');
  conn.stats.packetsSent++;
  conn.bytesSent += size;
  conn.stats.bytesSent += size;
  return { data: buf, remote: conn.path.remote };
}
