/**
 * One WebTransport session, keyed by its CONNECT stream ID (draft-ietf-webtrans-http3 §2.2):
 * its state, its streams, its flow-control credit (draft-13 and later) and its counters. The
 * connection drives it; a session holds no reference to the connection.
 * @module
 */
import type { Capsule } from '@quicts/h3';
import type { WtNegotiated } from './dialect.ts';
import type { WtSessionRequest } from './events.ts';
import { WtRecvCredit, WtSendCredit } from './flow-control.ts';

/**
 * - `requested`: client, CONNECT sent, no final response yet (streams and datagrams may already go out, §4);
 * - `pending`: server, request received; `announced` once the client's SETTINGS allowed handling it (§3.1);
 * - `open`: established (client: 2xx received; server: 2xx sent).
 * A session that ends leaves the connection's table.
 */
export type WtSessionState =
  | { readonly kind: 'requested' }
  | { readonly kind: 'pending'; announced: boolean }
  | { readonly kind: 'open' };

/** Session-level credit, both ways (present when flow control was negotiated). */
export interface WtSessionCredit {
  readonly sendData: WtSendCredit;
  readonly sendBidi: WtSendCredit;
  readonly sendUni: WtSendCredit;
  readonly recvData: WtRecvCredit;
  readonly recvBidi: WtRecvCredit;
  readonly recvUni: WtRecvCredit;
}

export interface WtSessionStats {
  bytesSent: number;
  bytesReceived: number;
  datagramsSent: number;
  datagramsReceived: number;
  streamsOpenedLocal: number;
  streamsOpenedRemote: number;
  /** Times our writes or opens were held back by the peer's session credit. */
  blocked: number;
}

/** A stream of a session, as the WebTransport layer tracks it. */
export interface WtStream {
  readonly id: number;
  readonly sessionId: number;
  readonly bidi: boolean;
  /** Opened by us. */
  readonly local: boolean;
  recv: 'open' | 'done';
  send: 'open' | 'done';
}

const MAX_PENDING_CAPSULES = 64;

export class WtSession {
  state: WtSessionState;
  /** Streams of the session still open in some direction. */
  readonly streams = new Set<number>();
  /** Server: capsules received before the session was accepted (draft -15 §3.2: processed on accept). */
  pendingCapsules: Capsule[] = [];
  /** Our side of the CONNECT stream can still carry capsules. */
  connectSendOpen = true;
  drainSent = false;
  /** The request (server) or what we asked for (client). */
  request: WtSessionRequest | undefined;
  /** Client: the protocols offered in WT-Available-Protocols. */
  offeredProtocols: readonly string[] = [];
  /** WT-Protocol of the accepted session. */
  protocol: string | undefined;
  credit: WtSessionCredit | undefined;
  readonly stats: WtSessionStats = {
    bytesSent: 0, bytesReceived: 0, datagramsSent: 0, datagramsReceived: 0, streamsOpenedLocal: 0, streamsOpenedRemote: 0, blocked: 0,
  };

  constructor(
    readonly id: number,
    state: WtSessionState,
  ) {
    this.state = state;
  }

  /** Sets up session credit from the negotiated initial values (draft -15 §5.5). */
  startFlowControl(n: WtNegotiated): void {
    if (!n.flowControl || this.credit !== undefined) return;
    const s = n.sendInitial;
    const r = n.recvInitial;
    this.credit = {
      sendData: new WtSendCredit(s.maxData, 'session data'),
      sendBidi: new WtSendCredit(s.maxStreamsBidi, 'bidirectional streams'),
      sendUni: new WtSendCredit(s.maxStreamsUni, 'unidirectional streams'),
      recvData: new WtRecvCredit(r.maxData, r.maxData, 'session data'),
      recvBidi: new WtRecvCredit(r.maxStreamsBidi, r.maxStreamsBidi, 'bidirectional streams'),
      recvUni: new WtRecvCredit(r.maxStreamsUni, r.maxStreamsUni, 'unidirectional streams'),
    };
  }

  /** Keeps a capsule that arrived before the session was accepted; false when too many wait. */
  holdCapsule(c: Capsule): boolean {
    if (this.pendingCapsules.length >= MAX_PENDING_CAPSULES) return false;
    this.pendingCapsules.push({ type: c.type, value: c.value.slice() });
    return true;
  }
}
