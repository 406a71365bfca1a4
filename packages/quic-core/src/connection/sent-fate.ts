/**
 * What happens to the information a packet carried once its fate is known (STYLE lesson 8:
 * retransmit information, not packets): acknowledged frames release their data, lost frames are
 * queued again where they came from, and loss-detection timer expiries (RFC 9002 §6) declare
 * losses or arm probes.
 * @module
 */
import type { Connection } from './connection.ts';
import type { PacketSpace } from './packet-space.ts';
import type { SentFrame } from './sent-frames.ts';
import { logMetrics } from './qlog-events.ts';
import { PacketNumberSpace } from '../recovery/constants.ts';

/** A packet carrying `frames` was acknowledged. */
export function onFramesAcked(conn: Connection, space: PacketSpace, frames: readonly SentFrame[]): void {
  for (const f of frames) {
    switch (f.kind) {
      case 'crypto': space.cryptoSend.onAcked(f.offset, f.length, false); break;
      case 'stream': conn.streams.onStreamDataAcked(f.streamId, f.offset, f.length, f.fin); break;
      case 'control': conn.streams.onFrameAcked(f.frame); break;
      case 'ack': space.acks.onAckAcknowledged(f.largest); break;
      case 'retireConnectionId': conn.cids.peer?.onRetireConnectionIdAcked(f.sequence); break;
      case 'mtuProbe': if (conn.mtu.onProbeAcked(f.size)) conn.recovery.cc.onMtuUpdate(f.size); break;
      default: break;
    }
  }
}

/**
 * A packet carrying `frames` was lost (or must be resent after a Retry): requeue its information.
 * Returns how many DATAGRAM frames it carried, which are gone for good (RFC 9221 §5.2).
 */
export function requeueFrames(conn: Connection, space: PacketSpace, frames: readonly SentFrame[]): number {
  let datagrams = 0;
  for (const f of frames) {
    switch (f.kind) {
      case 'crypto': if (!space.discarded) space.cryptoSend.onLost(f.offset, f.length, false); break;
      case 'stream': conn.streams.onStreamDataLost(f.streamId, f.offset, f.length, f.fin); break;
      case 'control': conn.streams.onFrameLost(f.frame); break;
      case 'handshakeDone': conn.pending.handshakeDone = true; break;
      case 'newToken': conn.pending.newTokens.push(f.token); break; // RFC 9000 §13.3
      case 'retireConnectionId': conn.cids.peer?.onRetireConnectionIdLost(f.sequence); break;
      case 'newConnectionId': conn.cids.local.onNewConnectionIdLost(f.sequence); break;
      case 'mtuProbe': conn.mtu.onProbeLost(f.size); break;
      case 'datagram': datagrams++; break; // RFC 9221 §5.2: never retransmitted
      default: break; // ACK, PING, PATH_RESPONSE: not retransmitted
    }
  }
  return datagrams;
}

/** The loss-detection timer fired (RFC 9002 A.9). */
export function onLossTimeout(conn: Connection, now: number): void {
  const out = conn.recovery.onLossDetectionTimeout(now);
  if (conn.qlog && out.kind !== 'none') logMetrics(conn.qlog, conn, now);
  if (out.kind === 'loss') {
    const space = conn.spaces[out.space];
    for (const p of out.lost) conn.onPacketLost(space, p);
  } else if (out.kind === 'pto') {
    // RFC 9002 §6.2.4: send one or two ack-eliciting probes in the space.
    let space = conn.spaces[out.space];
    if (out.antiDeadlock && conn.side === 'client') {
      space = conn.spaces[1].writeKeys ? conn.spaces[1] : conn.spaces[0];
    }
    space.probes = Math.max(space.probes, out.probes);
    if (!space.discarded) requeueForProbe(conn, space);
    // RFC 9002 §6.2.4: also probe the other spaces with data in flight (coalesced into the same
    // datagram), since the peer may have the keys of only one of them: a server whose Initial
    // (ServerHello) and Handshake flights are both unacknowledged resends both.
    for (const other of conn.spaces) {
      if (other === space || other.discarded) continue;
      const canWrite = other.id === PacketNumberSpace.ApplicationData ? conn.handshakeComplete && conn.oneRtt !== undefined : other.writeKeys !== undefined;
      if (!canWrite) continue;
      if (conn.recovery.loss.sentPackets(other.id).ackElicitingInFlight === 0) continue;
      other.probes = Math.max(other.probes, 1);
      requeueForProbe(conn, other);
    }
  }
}

/** How many of the oldest in-flight packets a PTO requeues for its probes to carry. */
const PROBE_REQUEUE_PACKETS = 2;

/**
 * RFC 9002 §6.2.4: a probe SHOULD carry data rather than only PING, so that it repairs a tail
 * loss even when the acknowledgements of PING-only probes are lost too. All in-flight CRYPTO data
 * is queued again; in the application space, the stream data and control frames of the oldest
 * ack-eliciting packets in flight. If the originals are acknowledged later, the send buffers drop
 * the requeued ranges again.
 */
export function requeueForProbe(conn: Connection, space: PacketSpace): void {
  const sent = conn.recovery.loss.sentPackets(space.id);
  let packets = 0;
  for (let i = sent.start; i < sent.end; i++) {
    const p = sent.at(i);
    if (!p || !p.ackEliciting || !p.inFlight) continue;
    if (space.id !== PacketNumberSpace.ApplicationData) {
      for (const f of p.frames) if (f.kind === 'crypto') space.cryptoSend.onLost(f.offset, f.length, false);
      continue;
    }
    if (packets >= PROBE_REQUEUE_PACKETS) break;
    let carried = false;
    for (const f of p.frames) {
      if (f.kind === 'stream') { conn.streams.onStreamDataLost(f.streamId, f.offset, f.length, f.fin); carried = true; }
      else if (f.kind === 'crypto') { space.cryptoSend.onLost(f.offset, f.length, false); carried = true; }
      else if (f.kind === 'control') { conn.streams.onFrameLost(f.frame); carried = true; }
      else if (f.kind === 'handshakeDone') { conn.pending.handshakeDone = true; carried = true; }
    }
    if (carried) packets++;
  }
}
