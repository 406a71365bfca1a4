/**
 * The connection IDs this endpoint issued to its peer (RFC 9000 §5.1.1, §19.15, §19.16): their
 * sequence numbers and stateless reset tokens, how many to issue under the peer's
 * active_connection_id_limit, RETIRE_CONNECTION_ID from the peer, NEW_CONNECTION_ID frames to send
 * (and to send again when lost), and routing events for the endpoint's connection-ID table.
 *
 * Sans-IO: the connection feeds frames in and pulls frames and events out.
 * @module
 */
import { bytesEqual } from '../codec/hex.ts';
import { TransportError, TransportErrorCode } from '../errors.ts';
import { FrameType, type NewConnectionIdFrame } from '../frame/types.ts';
import type { ConnectionIdGenerator } from './generator.ts';
import { copyIdAndToken } from './id-and-token.ts';

/** One connection ID we issued. */
export interface LocalConnectionId {
  readonly sequence: number;
  readonly cid: Uint8Array;
  /**
   * Its stateless reset token (RFC 9000 §10.3). A server sends sequence 0's token in the
   * stateless_reset_token transport parameter; a client's sequence 0 token is never sent.
   * Undefined for a zero-length connection ID, which cannot have one (§10.3.2).
   */
  readonly resetToken: Uint8Array | undefined;
}

/** What the endpoint's routing table must learn: a connection ID became routable, or stopped being. */
export type LocalCidEvent =
  | { readonly kind: 'added'; readonly sequence: number; readonly cid: Uint8Array; readonly resetToken: Uint8Array | undefined }
  | { readonly kind: 'retired'; readonly sequence: number; readonly cid: Uint8Array };

export interface LocalConnectionIdsOptions {
  readonly generator: ConnectionIdGenerator;
  /** The stateless reset token of a connection ID we issue (derived from a static key, §10.3.2). */
  readonly resetToken: (cid: Uint8Array) => Uint8Array;
  /**
   * Sequence number 0: the connection ID in the Source Connection ID of our first long-header
   * packet (§5.1.1). Its length must match the generator's.
   */
  readonly initialCid: Uint8Array;
  /** At most this many active connection IDs, whatever the peer allows (default 8). */
  readonly maxActive?: number;
  /**
   * False when a generated ID is already in use elsewhere on the endpoint; the manager then draws
   * another one (at most 16 attempts per ID).
   */
  readonly isUnused?: (cid: Uint8Array) => boolean;
}

const DEFAULT_MAX_ACTIVE = 8;
const GENERATE_ATTEMPTS = 16;

export class LocalConnectionIds {
  readonly #generator: ConnectionIdGenerator;
  readonly #resetToken: (cid: Uint8Array) => Uint8Array;
  readonly #maxActive: number;
  readonly #isUnused: (cid: Uint8Array) => boolean;
  /** Issued and not yet retired by the peer, by sequence number. */
  readonly #active = new Map<number, LocalConnectionId>();
  /** Sequence numbers whose NEW_CONNECTION_ID frame is waiting to be sent, in order. */
  readonly #pending: number[] = [];
  readonly #events: LocalCidEvent[] = [];
  #nextSequence = 0;
  /** The largest sequence number whose NEW_CONNECTION_ID frame went out (0: the handshake ID). */
  #largestSent = 0;
  #retirePriorTo = 0;
  #peerLimit: number | undefined;

  constructor(options: LocalConnectionIdsOptions) {
    this.#generator = options.generator;
    this.#resetToken = options.resetToken;
    this.#maxActive = options.maxActive ?? DEFAULT_MAX_ACTIVE;
    if (!Number.isInteger(this.#maxActive) || this.#maxActive < 1) throw new RangeError('maxActive must be a positive integer');
    this.#isUnused = options.isUnused ?? (() => true);
    if (options.initialCid.length !== this.#generator.length) {
      throw new RangeError(`initial connection ID has ${options.initialCid.length} bytes, the generator makes ${this.#generator.length}`);
    }
    this.#add(options.initialCid.slice());
  }

  /** True when we use zero-length connection IDs and so can issue no others (§5.1.1). */
  get zeroLength(): boolean {
    return this.#generator.length === 0;
  }

  /** The next sequence number to be issued (one past the largest ever issued). */
  get nextSequence(): number {
    return this.#nextSequence;
  }

  /** The Retire Prior To value our NEW_CONNECTION_ID frames carry (§5.1.2). */
  get retirePriorTo(): number {
    return this.#retirePriorTo;
  }

  /** The peer's active_connection_id_limit, once known. */
  get peerLimit(): number | undefined {
    return this.#peerLimit;
  }

  /** The connection ID with this sequence number, while active. */
  get(sequence: number): LocalConnectionId | undefined {
    return this.#active.get(sequence);
  }

  /** Every active connection ID, by ascending sequence number. */
  active(): LocalConnectionId[] {
    return [...this.#active.values()].sort((a, b) => a.sequence - b.sequence);
  }

  /** The sequence number of an active connection ID, or undefined. */
  sequenceOf(cid: Uint8Array): number | undefined {
    for (const entry of this.#active.values()) if (bytesEqual(entry.cid, cid)) return entry.sequence;
    return undefined;
  }

  /**
   * Records the peer's active_connection_id_limit transport parameter (at least 2, §18.2; the
   * transport-parameter validation rejects smaller values). Issuing starts with `replenish()`.
   */
  setPeerLimit(limit: number): void {
    if (!Number.isSafeInteger(limit) || limit < 2) throw new RangeError(`active_connection_id_limit must be >= 2, got ${limit}`);
    this.#peerLimit = limit;
  }

  /**
   * Issues new connection IDs until the peer holds as many as its limit (and our `maxActive`)
   * allow, not counting those we asked it to retire (§5.1.1). Returns how many were issued; each
   * gets a queued NEW_CONNECTION_ID frame and an 'added' event. Issues nothing before the peer's
   * limit is known or when we use zero-length connection IDs.
   */
  replenish(): number {
    if (this.#peerLimit === undefined || this.zeroLength) return 0;
    const target = Math.min(this.#peerLimit, this.#maxActive);
    let issued = 0;
    while (this.#countNotRetiring() < target) {
      const cid = this.#fresh();
      if (cid === undefined) break;
      const entry = this.#add(cid);
      this.#pending.push(entry.sequence);
      issued++;
    }
    return issued;
  }

  /**
   * Asks the peer to retire every connection ID below `priorTo` (§5.1.2) and issues replacements.
   * Returns false, doing nothing, when `priorTo` does not raise the current value, lies beyond the
   * next sequence number, or an earlier request is still outstanding (§5.1.2: endpoints SHOULD NOT
   * raise Retire Prior To before the previous one is honoured), or before the peer's limit is known.
   */
  requestRetirement(priorTo: number): boolean {
    if (this.#peerLimit === undefined || this.zeroLength) return false;
    if (!Number.isSafeInteger(priorTo) || priorTo <= this.#retirePriorTo || priorTo > this.#nextSequence) return false;
    if (this.retirementOutstanding()) return false;
    this.#retirePriorTo = priorTo;
    this.replenish();
    return true;
  }

  /** True while some connection ID below Retire Prior To has not been retired by the peer. */
  retirementOutstanding(): boolean {
    for (const sequence of this.#active.keys()) if (sequence < this.#retirePriorTo) return true;
    return false;
  }

  /**
   * Handles a RETIRE_CONNECTION_ID frame (§19.16) that arrived in a packet sent to `packetDcid`.
   * Retiring an already retired sequence number is a harmless repeat. A replacement is issued
   * (§5.1.1: an endpoint SHOULD supply a new connection ID when the peer retires one).
   * Throws TransportError(PROTOCOL_VIOLATION) for a sequence number never sent, for the
   * connection ID the packet was sent to, and when we use zero-length connection IDs.
   */
  onRetireConnectionId(sequence: number, packetDcid: Uint8Array): void {
    if (this.zeroLength) {
      // RFC 9000 §19.16: an endpoint that provides a zero-length connection ID MUST treat this as an error.
      throw new TransportError(TransportErrorCode.PROTOCOL_VIOLATION, 'RETIRE_CONNECTION_ID with zero-length connection IDs', FrameType.RETIRE_CONNECTION_ID);
    }
    if (sequence > this.#largestSent) {
      // RFC 9000 §19.16: a sequence number greater than any previously sent.
      throw new TransportError(TransportErrorCode.PROTOCOL_VIOLATION, `RETIRE_CONNECTION_ID for unissued sequence ${sequence}`, FrameType.RETIRE_CONNECTION_ID);
    }
    const entry = this.#active.get(sequence);
    if (entry === undefined) return; // already retired
    if (bytesEqual(entry.cid, packetDcid)) {
      // RFC 9000 §19.16: it MUST NOT refer to the Destination Connection ID of its own packet.
      throw new TransportError(TransportErrorCode.PROTOCOL_VIOLATION, `RETIRE_CONNECTION_ID ${sequence} sent on that connection ID`, FrameType.RETIRE_CONNECTION_ID);
    }
    this.#active.delete(sequence);
    const queued = this.#pending.indexOf(sequence);
    if (queued >= 0) this.#pending.splice(queued, 1);
    this.#events.push({ kind: 'retired', sequence, cid: entry.cid });
    this.replenish();
  }

  /** True when NEW_CONNECTION_ID frames are waiting to be sent. */
  get hasPendingFrames(): boolean {
    return this.#pending.length > 0;
  }

  /** The next NEW_CONNECTION_ID frame to send, or null. */
  pollNewConnectionIdFrame(): NewConnectionIdFrame | null {
    for (;;) {
      const sequence = this.#pending.shift();
      if (sequence === undefined) return null;
      const entry = this.#active.get(sequence);
      if (entry !== undefined) {
        this.#largestSent = Math.max(this.#largestSent, sequence);
        return this.#frameFor(entry);
      }
    }
  }

  /** A NEW_CONNECTION_ID frame was declared lost: queue it again unless its ID is gone. */
  onNewConnectionIdLost(sequence: number): void {
    if (this.#active.has(sequence) && !this.#pending.includes(sequence)) this.#pending.push(sequence);
  }

  /** The next routing event, or null. */
  pollEvent(): LocalCidEvent | null {
    return this.#events.shift() ?? null;
  }

  /**
   * Forgets every active connection ID (the connection is gone), emitting a 'retired' event for
   * each so the endpoint stops routing them.
   */
  forgetAll(): void {
    for (const entry of this.active()) this.#events.push({ kind: 'retired', sequence: entry.sequence, cid: entry.cid });
    this.#active.clear();
    this.#pending.length = 0;
  }

  #frameFor(entry: LocalConnectionId): NewConnectionIdFrame {
    return {
      type: 'newConnectionId',
      sequence: entry.sequence,
      // RFC 9000 §19.15: Retire Prior To never exceeds the frame's own sequence number.
      retirePriorTo: Math.min(this.#retirePriorTo, entry.sequence),
      connectionId: entry.cid,
      // Frames exist only for non-zero-length IDs, which always have a token.
      statelessResetToken: entry.resetToken!,
    };
  }

  #countNotRetiring(): number {
    let n = 0;
    for (const sequence of this.#active.keys()) if (sequence >= this.#retirePriorTo) n++;
    return n;
  }

  #fresh(): Uint8Array | undefined {
    for (let i = 0; i < GENERATE_ATTEMPTS; i++) {
      const cid = this.#generator.generate();
      if (this.sequenceOf(cid) === undefined && this.#isUnused(cid)) return cid;
    }
    return undefined;
  }

  #add(cid: Uint8Array): LocalConnectionId {
    // RFC 9000 §5.1.1: each newly issued connection ID's sequence number increases by 1.
    let resetToken: Uint8Array | undefined;
    if (cid.length > 0) [cid, resetToken] = copyIdAndToken(cid, this.#resetToken(cid));
    const entry: LocalConnectionId = { sequence: this.#nextSequence++, cid, resetToken };
    this.#active.set(entry.sequence, entry);
    this.#events.push({ kind: 'added', sequence: entry.sequence, cid: entry.cid, resetToken: entry.resetToken });
    return entry;
  }
}
