/**
 * Closing a connection (RFC 9000 §10.2): the CONNECTION_CLOSE datagram sent on entering the
 * closing state and again, at an exponentially falling rate, in answer to packets that keep
 * arriving (§10.2.1); before the handshake is confirmed an application close travels as a
 * transport APPLICATION_ERROR in Initial and Handshake packets (§10.2.3).
 * @module
 */
import { Writer } from '../codec/writer.ts';
import { writeLongHeader, writeShortHeader, patchLongHeaderLength } from '../packet/header.ts';
import { protectPacket } from '../packet/protection.ts';
import type { PacketProtectionKeys } from '../crypto/packet-keys.ts';
import { encodeFrame, frameSize } from '../frame/encode.ts';
import type { ConnectionCloseFrame } from '../frame/types.ts';
import { TransportErrorCode } from '../errors.ts';
import { PacketNumberSpace } from '../recovery/constants.ts';
import type { Connection, Transmit } from './connection.ts';
import type { CloseReason } from './events.ts';
import { logPacketSent } from './qlog-events.ts';
import type { SentFrame } from './sent-frames.ts';

const CLOSE_FRAMES: readonly SentFrame[] = [{ kind: 'connectionClose' }];

const TAG = 16;
const MIN_INITIAL_DATAGRAM = 1200;
const MIN_SAMPLE_PAYLOAD = 4;
/** Longest reason phrase we send, in bytes. */
const MAX_REASON_BYTES = 256;

/** The CONNECTION_CLOSE frame for a close reason. */
export function closeFrameFor(reason: CloseReason): ConnectionCloseFrame {
  const text = new TextEncoder().encode(reason.reason);
  return {
    type: 'connectionClose',
    application: reason.application,
    errorCode: reason.code,
    frameType: reason.frameType,
    reason: text.length > MAX_REASON_BYTES ? text.subarray(0, MAX_REASON_BYTES) : text,
  } as ConnectionCloseFrame;
}

/**
 * When to answer packets received in the closing state (RFC 9000 §10.2.1: "an endpoint SHOULD
 * limit the rate"): after the 1st, 2nd, 4th, 8th, ... datagram.
 */
export class CloseResponder {
  #received = 0;
  #next = 1;

  /** A datagram arrived while closing; true when it should be answered with CONNECTION_CLOSE. */
  onDatagram(): boolean {
    if (++this.#received < this.#next) return false;
    this.#next *= 2;
    return true;
  }
}

interface ClosePacket {
  readonly keys: PacketProtectionKeys;
  readonly type: 'initial' | 'handshake' | 'short';
  readonly long: boolean;
  readonly start: number;
  readonly pnOffset: number;
  readonly pn: number;
  payloadEnd: number;
}

/** CONNECTION_CLOSE in every space the peer may be reading (RFC 9000 §10.2.3). */
export function buildClose(conn: Connection): Transmit | null {
  if (conn.state.kind !== 'closing' || !conn.pending.closeFrame) return null;
  conn.pending.closeFrame = false;
  const frame = conn.state.frame;
  const limit = conn.maxDatagramSize();
  const buf = new Uint8Array(Math.max(limit, MIN_INITIAL_DATAGRAM));
  const w = Writer.into(buf, 0);
  const packets: ClosePacket[] = [];
  let hasInitial = false;
  for (const space of conn.spaces) {
    // We cannot know which keys the peer has: every space with write keys gets a copy
    // (RFC 9000 §10.2.3), 1-RTT only once our handshake completed.
    const k = closeKeys(conn, space.id);
    if (!k) continue;
    let f: ConnectionCloseFrame = frame;
    if (k.type !== 'short' && frame.application) {
      f = { type: 'connectionClose', application: false, errorCode: TransportErrorCode.APPLICATION_ERROR, frameType: 0, reason: new Uint8Array(0) } as ConnectionCloseFrame;
    }
    const pn = space.nextPn++;
    const pnLength = 4;
    const start = w.pos;
    const pnOffset = k.type === 'short'
      ? writeShortHeader(w, { dcid: conn.peerCid, keyPhase: conn.oneRtt!.writePhase }, pn, pnLength)
      : writeLongHeader(w, { type: k.type, version: conn.version, dcid: conn.peerCid, scid: conn.localCid, ...(k.type === 'initial' && conn.side === 'client' ? { token: conn.token } : {}) }, pn, pnLength, 0, 2);
    if (frameSize(f) > buf.length - w.pos - TAG) {
      f = { ...f, reason: new Uint8Array(0) } as ConnectionCloseFrame;
    }
    encodeFrame(w, f);
    while (w.pos - pnOffset < MIN_SAMPLE_PAYLOAD) w.u8(0);
    packets.push({ keys: k.keys, type: k.type, long: k.type !== 'short', start, pnOffset, pn, payloadEnd: w.pos });
    if (k.type === 'initial') hasInitial = true;
    w.pos += TAG;
  }
  if (packets.length === 0) return null;
  const last = packets[packets.length - 1]!;
  let end = last.payloadEnd + TAG;
  if (conn.side === 'client' && hasInitial && end < MIN_INITIAL_DATAGRAM) {
    last.payloadEnd += MIN_INITIAL_DATAGRAM - end;
    end = MIN_INITIAL_DATAGRAM;
  }
  // RFC 9000 §8.1: the amplification limit holds in the closing state too.
  if (!conn.addressValidated && conn.bytesSent + end > 3 * conn.bytesReceived) return null;
  for (const p of packets) {
    if (p.long) patchLongHeaderLength(buf, p.pnOffset - 2, 2, p.payloadEnd - p.pnOffset + TAG);
    protectPacket(p.keys, buf, p.start, p.pnOffset, 4, p.pn, p.payloadEnd);
    conn.stats.packetsSent++;
    if (conn.qlog) logPacketSent(conn.qlog, conn, conn.lastNow, p.type, p.pn, p.payloadEnd + TAG - p.start, CLOSE_FRAMES);
  }
  conn.bytesSent += end;
  conn.stats.bytesSent += end;
  return { data: buf.subarray(0, end), remote: conn.path.remote };
}

function closeKeys(conn: Connection, id: PacketNumberSpace): { keys: PacketProtectionKeys; type: 'initial' | 'handshake' | 'short' } | null {
  const space = conn.spaces[id];
  if (space.discarded) return null;
  if (id === PacketNumberSpace.Initial) return space.writeKeys ? { keys: space.writeKeys, type: 'initial' } : null;
  if (id === PacketNumberSpace.Handshake) return space.writeKeys ? { keys: space.writeKeys, type: 'handshake' } : null;
  return conn.oneRtt && conn.handshakeComplete ? { keys: conn.oneRtt.writeKeys, type: 'short' } : null;
}
