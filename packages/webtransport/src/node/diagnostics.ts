/**
 * `ConnectionDiagnostics`: a snapshot of one WebTransport connection (identity, state, session
 * and stream handles, datagram limits) with the transport's figures (RTT, congestion window,
 * bytes and packets sent, received and lost).
 * @module
 */
import type { WtNodeConnection } from './connection.ts';

/** The life of a connection: handshake, usable, winding down, over. */
export type WebTransportConnectionState = 'connecting' | 'connected' | 'closing' | 'closed';

export interface ConnectionDiagnostics {
  /** Our current QUIC connection ID, hex. */
  readonly connectionId: string;
  readonly state: WebTransportConnectionState;
  readonly isClient: boolean;
  /** When the handshake completed / the connection ended (ms since the epoch; undefined: not yet). */
  readonly connectedAt: number | undefined;
  readonly closedAt: number | undefined;
  /** Largest DATAGRAM payload that fits one packet now (before the session prefix). */
  readonly maxDatagramSize: number;
  /** The peer's max_datagram_frame_size transport parameter (0: no datagrams). */
  readonly remoteMaxDatagramFrameSize: number;
  readonly sessionCount: number;
  readonly streamCount: number;
  /** Session ids (the CONNECT stream ids) of the live sessions. */
  readonly activeSessionHandles: readonly number[];
  /** QUIC stream ids of the live WebTransport streams. */
  readonly activeStreamHandles: readonly number[];
  /** Smoothed, minimum and latest RTT, ms. */
  readonly rtt: number;
  readonly minRtt: number;
  readonly latestRtt: number;
  /** Congestion window, bytes. */
  readonly cwnd: number;
  readonly bytesSent: number;
  readonly bytesReceived: number;
  readonly packetsSent: number;
  readonly packetsReceived: number;
  readonly packetsLost: number;
}

export function connectionState(conn: WtNodeConnection): WebTransportConnectionState {
  if (conn.isClosed) return 'closed';
  const kind = conn.quic.state.kind;
  if (conn.closing || kind === 'closing' || kind === 'draining' || kind === 'drained') return 'closing';
  return conn.connectedAt === undefined ? 'connecting' : 'connected';
}

function hex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

/** Takes a snapshot of a connection. */
export function diagnose(conn: WtNodeConnection): ConnectionDiagnostics {
  const quic = conn.quic;
  const rtt = quic.rtt;
  const st = quic.stats;
  return {
    connectionId: hex(quic.localCid),
    state: connectionState(conn),
    isClient: conn.adapter.role === 'client',
    connectedAt: conn.connectedAt,
    closedAt: conn.closedAt,
    maxDatagramSize: conn.isClosed ? 0 : quic.maxDatagramPayload,
    remoteMaxDatagramFrameSize: quic.peerParams?.maxDatagramFrameSize ?? 0,
    sessionCount: conn.sessions.size,
    streamCount: conn.streams.size,
    activeSessionHandles: [...conn.sessions.keys()].sort((a, b) => a - b),
    activeStreamHandles: [...conn.streams.keys()].sort((a, b) => a - b),
    rtt: rtt.smoothed,
    minRtt: rtt.min,
    latestRtt: rtt.latest,
    cwnd: quic.congestionWindow,
    bytesSent: st.bytesSent,
    bytesReceived: st.bytesReceived,
    packetsSent: st.packetsSent,
    packetsReceived: st.packetsReceived,
    packetsLost: st.packetsLost,
  };
}
