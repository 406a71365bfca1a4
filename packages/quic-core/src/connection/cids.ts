/**
 * The connection IDs of one connection (RFC 9000 §5.1): those we issue (NEW_CONNECTION_ID up to
 * the peer's active_connection_id_limit, RETIRE_CONNECTION_ID from the peer, with stateless reset
 * tokens), those the peer issues (the Destination Connection ID in use, Retire Prior To, the
 * tokens a stateless reset is recognised by, §10.3.1), the frames both produce, and the routing
 * events the endpoint pulls to keep its connection-ID table right.
 * @module
 */
import { bytesEqual } from '../codec/hex.ts';
import { LocalConnectionIds } from '../cid/local-cids.ts';
import { PeerConnectionIds } from '../cid/peer-cids.ts';
import type { NewConnectionIdFrame, RetireConnectionIdFrame } from '../frame/types.ts';

/** What an endpoint must learn to route datagrams to this connection. */
export type ConnectionEndpointEvent =
  /** A connection ID of ours became routable; datagrams to it belong to this connection. */
  | { readonly type: 'cidIssued'; readonly cid: Uint8Array; readonly resetToken: Uint8Array }
  /** A connection ID of ours no longer routes to this connection. */
  | { readonly type: 'cidRetired'; readonly cid: Uint8Array };

/** The largest NEW_CONNECTION_ID frame: type, two 8-byte varints, length, 20-byte ID, token. */
export const MAX_CID_FRAME_SIZE = 1 + 8 + 8 + 1 + 20 + 16;

export interface ConnectionIdsOptions {
  /** Sequence 0: the Source Connection ID of our long headers. */
  readonly initialCid: Uint8Array;
  /** Draws a fresh connection ID of the initial ID's length. */
  readonly generate: () => Uint8Array;
  /** The stateless reset token of a connection ID we issue. */
  readonly resetTokenFor: (cid: Uint8Array) => Uint8Array;
  /** Our active_connection_id_limit. */
  readonly activeLimit: number;
  /** Other IDs that route to us without a sequence number (a server's client-chosen Initial DCID). */
  readonly extraCids?: readonly Uint8Array[];
}

export class ConnectionIds {
  readonly local: LocalConnectionIds;
  /** Known once the peer's first long header arrived (the server knows it from the start). */
  peer: PeerConnectionIds | undefined;
  readonly #activeLimit: number;
  readonly #extra: Uint8Array[];
  readonly #events: ConnectionEndpointEvent[] = [];
  #forgotten = false;

  constructor(options: ConnectionIdsOptions) {
    const length = options.initialCid.length;
    const generate = options.generate;
    this.local = new LocalConnectionIds({
      generator: {
        length,
        generate: () => {
          const cid = generate();
          if (cid.length !== length) throw new RangeError(`connectionIdGenerator returned ${cid.length} bytes, the connection uses ${length}`);
          return cid;
        },
      },
      resetToken: options.resetTokenFor,
      initialCid: options.initialCid,
    });
    this.#activeLimit = options.activeLimit;
    this.#extra = (options.extraCids ?? []).map((c) => c.slice());
  }

  /** The peer's connection ID sequence 0 is known (its first long header's SCID). */
  setPeerInitial(cid: Uint8Array): void {
    this.peer = new PeerConnectionIds({ initialCid: cid, activeLimit: this.#activeLimit });
  }

  /** The Destination Connection ID to send to, once the peer's IDs are known. */
  get peerCurrent(): Uint8Array | undefined {
    return this.peer?.current().cid;
  }

  /** True if datagrams to `cid` belong to this connection. */
  isLocal(cid: Uint8Array): boolean {
    if (this.local.sequenceOf(cid) !== undefined) return true;
    for (const c of this.#extra) if (bytesEqual(c, cid)) return true;
    return false;
  }

  /** Every connection ID that routes to us. */
  routable(): Uint8Array[] {
    return [...this.local.active().map((e) => e.cid), ...this.#extra];
  }

  /**
   * The peer's transport parameters arrived: issue IDs up to its limit (§5.1.1), and, for a
   * client, learn the server's stateless_reset_token for sequence 0 (§10.3).
   */
  onPeerParams(activeConnectionIdLimit: number, statelessResetToken: Uint8Array | undefined): void {
    if (statelessResetToken !== undefined) this.peer?.setInitialResetToken(statelessResetToken);
    this.local.setPeerLimit(activeConnectionIdLimit);
    this.local.replenish();
  }

  /** True when NEW_CONNECTION_ID or RETIRE_CONNECTION_ID frames wait to be sent. */
  get hasPendingFrames(): boolean {
    return this.local.hasPendingFrames || this.peer?.hasPendingFrames === true;
  }

  /** The next frame to send (at most {@link MAX_CID_FRAME_SIZE} bytes), or null. */
  pollFrame(): NewConnectionIdFrame | RetireConnectionIdFrame | null {
    return this.peer?.pollRetireConnectionIdFrame() ?? this.local.pollNewConnectionIdFrame();
  }

  /** True when the datagram ends with a stateless reset token of the peer's (§10.3.1). */
  isStatelessReset(datagram: Uint8Array): boolean {
    return this.peer?.isStatelessReset(datagram) === true;
  }

  /** The next routing event for the endpoint, or null. */
  pollEndpointEvent(): ConnectionEndpointEvent | null {
    for (let e = this.local.pollEvent(); e !== null; e = this.local.pollEvent()) {
      if (e.kind === 'added') {
        // Zero-length IDs route nothing and have no token (§10.3.2).
        if (e.resetToken !== undefined && e.cid.length > 0) this.#events.push({ type: 'cidIssued', cid: e.cid, resetToken: e.resetToken });
      } else if (e.cid.length > 0) {
        this.#events.push({ type: 'cidRetired', cid: e.cid });
      }
    }
    return this.#events.shift() ?? null;
  }

  /** The connection is gone: every ID stops routing to it. */
  forgetAll(): void {
    if (this.#forgotten) return;
    this.#forgotten = true;
    this.local.forgetAll();
    for (const cid of this.#extra) if (cid.length > 0) this.#events.push({ type: 'cidRetired', cid });
    this.#extra.length = 0;
  }
}
