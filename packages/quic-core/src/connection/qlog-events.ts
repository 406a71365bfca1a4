/**
 * The connection's qlog events (draft-ietf-quic-qlog-quic-events): packet_sent, packet_received,
 * packet_dropped, metrics_updated, key_updated and connection_closed, written to the optional
 * `qlog` trace of the configuration. Every function is a no-op cost for callers that check
 * `conn.qlog` first; nothing here runs without a trace.
 * @module
 */
import { qlogFrame } from '../qlog/frames.ts';
import type { QlogFrame, QlogKeyType, QlogPacketType } from '../qlog/schema.ts';
import type { QlogTrace } from '../qlog/trace.ts';
import type { Frame } from '../frame/types.ts';
import type { Connection } from './connection.ts';
import type { CloseReason } from './events.ts';
import type { SentFrame } from './sent-frames.ts';

/** Packet types as the connection names them. */
export type ConnPacketType = 'initial' | 'handshake' | '0rtt' | 'short';

const PACKET_TYPE: Record<ConnPacketType, QlogPacketType> = { initial: 'initial', handshake: 'handshake', '0rtt': '0RTT', short: '1RTT' };

/** A sent frame's record in qlog form (the record keeps what loss recovery needs, not the bytes). */
export function sentFrameToQlog(f: SentFrame): QlogFrame {
  switch (f.kind) {
    case 'crypto': return { frame_type: 'crypto', offset: f.offset, length: f.length };
    case 'stream': return { frame_type: 'stream', stream_id: f.streamId, offset: f.offset, length: f.length, fin: f.fin };
    case 'control': return qlogFrame(f.frame);
    case 'ack': return { frame_type: 'ack', largest_acknowledged: f.largest };
    case 'handshakeDone': return { frame_type: 'handshake_done' };
    case 'newConnectionId': return { frame_type: 'new_connection_id', sequence_number: f.sequence };
    case 'retireConnectionId': return { frame_type: 'retire_connection_id', sequence_number: f.sequence };
    case 'newToken': return { frame_type: 'new_token', token: { raw: { length: f.token.length } } };
    case 'ping': return { frame_type: 'ping' };
    case 'datagram': return { frame_type: 'datagram' };
    case 'pathResponse': return { frame_type: 'path_response' };
    case 'mtuProbe': return { frame_type: 'ping' };
    case 'connectionClose': return { frame_type: 'connection_close' };
  }
}

export function logPacketSent(
  q: QlogTrace, conn: Connection, now: number, type: ConnPacketType, pn: number, size: number, frames: readonly SentFrame[],
  trigger?: string,
): void {
  q.packetSent(now, {
    header: {
      packetType: PACKET_TYPE[type], packetNumber: pn, dcid: conn.peerCid,
      ...(type === 'short' ? { keyPhase: conn.oneRtt?.writePhase === 1 } : { scid: conn.localCid, version: conn.version }),
    },
    frames: frames.map(sentFrameToQlog),
    length: size,
    ...(trigger !== undefined ? { trigger } : {}),
  });
}

export function logPacketReceived(
  q: QlogTrace, now: number, type: ConnPacketType, pn: number, dcid: Uint8Array, length: number, frames: readonly Frame[],
): void {
  q.packetReceived(now, { header: { packetType: PACKET_TYPE[type], packetNumber: pn, dcid }, frames, length });
}

/** quic:packet_dropped with one of qlog's triggers. */
export function logPacketDropped(q: QlogTrace, now: number, type: QlogPacketType, length: number, trigger: string): void {
  q.packetDropped(now, { header: { packetType: type }, length, trigger });
}

/** recovery:metrics_updated with the figures that changed since the last one. */
export function logMetrics(q: QlogTrace, conn: Connection, now: number): void {
  const r = conn.recovery;
  const rtt = r.rtt;
  const ssthresh = r.cc.ssthresh;
  q.metricsUpdated(now, {
    minRtt: rtt.min, smoothedRtt: rtt.smoothed, latestRtt: rtt.latest, rttVariance: rtt.rttvar, ptoCount: r.loss.ptoCount,
    congestionWindow: r.cc.window, bytesInFlight: r.loss.bytesInFlight, ...(Number.isFinite(ssthresh) ? { ssthresh } : {}),
  });
}

/** security:key_updated for keys of `level` ('tls' trigger) or a 1-RTT key update. */
export function logKeyUpdated(
  q: QlogTrace, now: number, owner: 'client' | 'server', level: 'handshake' | 'oneRtt' | 'zeroRtt', trigger: 'tls' | 'local_update' | 'remote_update',
  generation?: number,
): void {
  const keyType = `${owner}_${level === 'oneRtt' ? '1rtt' : level === 'zeroRtt' ? '0rtt' : 'handshake'}_secret` as QlogKeyType;
  q.keyUpdated(now, { keyType, trigger, ...(generation !== undefined ? { generation } : {}) });
}

/** quic:connection_closed. */
export function logClosed(q: QlogTrace, now: number, reason: CloseReason): void {
  const trigger = reason.initiator === 'idle' ? 'idle_timeout' : reason.initiator === 'reset' ? 'stateless_reset'
    : reason.application ? 'application' : reason.code === 0 ? 'clean' : 'error';
  q.connectionClosed(now, {
    owner: reason.initiator === 'remote' || reason.initiator === 'reset' ? 'remote' : 'local',
    ...(reason.application ? { applicationCode: reason.code } : { transportCode: reason.code }),
    ...(reason.reason ? { reason: reason.reason } : {}),
    trigger,
  });
}
