/**
 * The connection IDs the peer issued to us (RFC 9000 §5.1, §19.15): NEW_CONNECTION_ID handling
 * (repeats, conflicts, active_connection_id_limit, Retire Prior To), the Destination Connection ID
 * in use and switching it, RETIRE_CONNECTION_ID frames to send, and the stateless reset tokens to
 * check incoming datagrams against (§10.3.1).
 * @module
 */
import { bytesEqual } from '../codec/hex.ts';
import { TransportError, TransportErrorCode } from '../errors.ts';
import { FrameType, type NewConnectionIdFrame, type RetireConnectionIdFrame } from '../frame/types.ts';
import { isStatelessReset } from '../endpoint/stateless-reset.ts';
import { copyIdAndToken } from './id-and-token.ts';

/** One connection ID the peer gave us. */
export interface PeerConnectionId {
  readonly sequence: number;
  readonly cid: Uint8Array;
  /** Undefined for sequence 0 until (and unless) the server's stateless_reset_token is known. */
  readonly resetToken: Uint8Array | undefined;
}

export interface PeerConnectionIdsOptions {
  /** Sequence 0: the Source Connection ID of the peer's first long-header packet (§5.1.1). */
  readonly initialCid: Uint8Array;
  /** Our active_connection_id_limit transport parameter (at least 2, §18.2). */
  readonly activeLimit: number;
  /**
   * How many RETIRE_CONNECTION_ID frames may wait unacknowledged before the peer's requests count
   * as abuse (CONNECTION_ID_LIMIT_ERROR, §5.1.2). Default: the larger of 2 x activeLimit and 16.
   */
  readonly maxUnackedRetirements?: number;
}

interface Entry {
  readonly sequence: number;
  readonly cid: Uint8Array;
  resetToken: Uint8Array | undefined;
  /** We sent packets to it: only then is its reset token checked (§10.3.1). */
  used: boolean;
}

const NEW_CID = FrameType.NEW_CONNECTION_ID;

export class PeerConnectionIds {
  readonly #activeLimit: number;
  readonly #maxUnacked: number;
  readonly #zeroLength: boolean;
  /** Active: received and not retired by us, by sequence number. */
  readonly #active = new Map<number, Entry>();
  /** Retired by us and still remembered, to recognise repeated NEW_CONNECTION_ID frames. */
  readonly #retired = new Map<number, { cid: Uint8Array; resetToken: Uint8Array | undefined }>();
  /** Sequence numbers whose RETIRE_CONNECTION_ID frame waits to be sent, in order. */
  readonly #toSend: number[] = [];
  /** Sequence numbers whose RETIRE_CONNECTION_ID frame is queued or in flight. */
  readonly #unacked = new Set<number>();
  #current: number;
  #largestRetirePriorTo = 0;

  constructor(options: PeerConnectionIdsOptions) {
    if (!Number.isSafeInteger(options.activeLimit) || options.activeLimit < 2) {
      throw new RangeError(`active_connection_id_limit must be >= 2, got ${options.activeLimit}`);
    }
    this.#activeLimit = options.activeLimit;
    this.#maxUnacked = options.maxUnackedRetirements ?? Math.max(2 * options.activeLimit, 16);
    this.#zeroLength = options.initialCid.length === 0;
    this.#active.set(0, { sequence: 0, cid: options.initialCid.slice(), resetToken: undefined, used: true });
    this.#current = 0;
  }

  /** True when the peer uses zero-length connection IDs. */
  get zeroLength(): boolean {
    return this.#zeroLength;
  }

  /** The largest Retire Prior To received so far. */
  get retirePriorTo(): number {
    return this.#largestRetirePriorTo;
  }

  /** The Destination Connection ID to put in packets now. */
  current(): PeerConnectionId {
    return view(this.#active.get(this.#current)!);
  }

  /** Every active connection ID, by ascending sequence number. */
  active(): PeerConnectionId[] {
    return [...this.#active.values()].sort((a, b) => a.sequence - b.sequence).map(view);
  }

  /** How many active connection IDs are unused and available for a switch. */
  get spareCount(): number {
    let n = 0;
    for (const entry of this.#active.values()) if (!entry.used) n++;
    return n;
  }

  /**
   * Sets the reset token of sequence 0: the server's stateless_reset_token transport parameter,
   * learned by the client during the handshake (§10.3, §18.2).
   */
  setInitialResetToken(token: Uint8Array): void {
    const entry = this.#active.get(0);
    if (entry !== undefined) entry.resetToken = token.slice();
  }

  /**
   * Handles a NEW_CONNECTION_ID frame. Throws TransportError with PROTOCOL_VIOLATION for conflicts
   * (a sequence number reused for another ID or token, an ID or token reused under another
   * sequence number, any such frame when the peer uses zero-length IDs), FRAME_ENCODING_ERROR when
   * Retire Prior To exceeds the sequence number, and CONNECTION_ID_LIMIT_ERROR when more IDs are
   * active than our limit or too many retirements are outstanding.
   */
  onNewConnectionId(frame: NewConnectionIdFrame): void {
    const { sequence, retirePriorTo, connectionId: cid, statelessResetToken: token } = frame;
    if (this.#zeroLength) {
      // RFC 9000 §19.15: a peer sending to us with zero-length DCIDs must not send this frame.
      throw new TransportError(TransportErrorCode.PROTOCOL_VIOLATION, 'NEW_CONNECTION_ID while using zero-length connection IDs', NEW_CID);
    }
    if (retirePriorTo > sequence) {
      throw new TransportError(TransportErrorCode.FRAME_ENCODING_ERROR, 'Retire Prior To exceeds the sequence number', NEW_CID);
    }

    const known = this.#active.get(sequence) ?? this.#retired.get(sequence);
    if (known !== undefined) {
      // RFC 9000 §19.15: receiving the same frame again is not an error; a changed one is.
      if (bytesEqual(known.cid, cid) && known.resetToken !== undefined && bytesEqual(known.resetToken, token)) return;
      throw new TransportError(TransportErrorCode.PROTOCOL_VIOLATION, `sequence ${sequence} reused for a different connection ID or token`, NEW_CID);
    }
    for (const entry of this.#active.values()) {
      if (bytesEqual(entry.cid, cid)) {
        throw new TransportError(TransportErrorCode.PROTOCOL_VIOLATION, `connection ID repeated under sequence ${sequence}`, NEW_CID);
      }
      if (entry.resetToken !== undefined && bytesEqual(entry.resetToken, token)) {
        // RFC 9000 §10.3.2: one token must not serve several connection IDs.
        throw new TransportError(TransportErrorCode.PROTOCOL_VIOLATION, `stateless reset token repeated under sequence ${sequence}`, NEW_CID);
      }
    }

    if (sequence < this.#largestRetirePriorTo) {
      // RFC 9000 §19.15: an ID already covered by Retire Prior To is retired at once.
      const [c, t] = copyIdAndToken(cid, token);
      this.#retire({ sequence, cid: c, resetToken: t, used: false });
    } else {
      const [c, t] = copyIdAndToken(cid, token);
      this.#active.set(sequence, { sequence, cid: c, resetToken: t, used: false });
    }

    // RFC 9000 §19.15: Retire Prior To values that do not increase the largest one are ignored.
    if (retirePriorTo > this.#largestRetirePriorTo) {
      this.#largestRetirePriorTo = retirePriorTo;
      for (const entry of [...this.#active.values()]) {
        if (entry.sequence < retirePriorTo) this.#retire(entry);
      }
      if (!this.#active.has(this.#current)) this.#switchTo(this.#lowestActive());
      this.#pruneRetired();
    }

    if (this.#active.size > this.#activeLimit) {
      // RFC 9000 §5.1.1: more active IDs than we advertised.
      throw new TransportError(TransportErrorCode.CONNECTION_ID_LIMIT_ERROR, `${this.#active.size} active connection IDs exceed the limit of ${this.#activeLimit}`, NEW_CID);
    }
    if (this.#unacked.size > this.#maxUnacked) {
      // RFC 9000 §5.1.2: too many connection IDs in need of retirement.
      throw new TransportError(TransportErrorCode.CONNECTION_ID_LIMIT_ERROR, `${this.#unacked.size} retirements outstanding`, NEW_CID);
    }
  }

  /**
   * Switches the Destination Connection ID to an unused active one and retires the old one
   * (§5.1.2, e.g. on migration). Returns the new ID, or null (nothing changes) when none is spare.
   */
  rotate(): PeerConnectionId | null {
    let next: Entry | undefined;
    for (const entry of this.#active.values()) {
      if (!entry.used && (next === undefined || entry.sequence < next.sequence)) next = entry;
    }
    if (next === undefined) return null;
    const old = this.#active.get(this.#current)!;
    this.#switchTo(next);
    this.#retire(old);
    return view(next);
  }

  /**
   * The stateless reset tokens to compare incoming datagrams with: those of active connection
   * IDs we have sent packets to (§10.3.1 forbids checking unused or retired ones).
   */
  resetTokens(): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const entry of this.#active.values()) if (entry.used && entry.resetToken !== undefined) out.push(entry.resetToken);
    return out;
  }

  /** True when the datagram ends with one of `resetTokens()` (compared in constant time, §10.3.1). */
  isStatelessReset(datagram: Uint8Array): boolean {
    return isStatelessReset(datagram, this.resetTokens());
  }

  /** True when RETIRE_CONNECTION_ID frames are waiting to be sent. */
  get hasPendingFrames(): boolean {
    return this.#toSend.length > 0;
  }

  /** The next RETIRE_CONNECTION_ID frame to send, or null. */
  pollRetireConnectionIdFrame(): RetireConnectionIdFrame | null {
    const sequence = this.#toSend.shift();
    return sequence === undefined ? null : { type: 'retireConnectionId', sequence };
  }

  /** A RETIRE_CONNECTION_ID frame was declared lost: send it again. */
  onRetireConnectionIdLost(sequence: number): void {
    if (this.#unacked.has(sequence) && !this.#toSend.includes(sequence)) this.#toSend.push(sequence);
  }

  /** A RETIRE_CONNECTION_ID frame was acknowledged. */
  onRetireConnectionIdAcked(sequence: number): void {
    this.#unacked.delete(sequence);
    const queued = this.#toSend.indexOf(sequence);
    if (queued >= 0) this.#toSend.splice(queued, 1);
    this.#pruneRetired();
  }

  #retire(entry: Entry): void {
    this.#active.delete(entry.sequence);
    this.#retired.set(entry.sequence, { cid: entry.cid, resetToken: entry.resetToken });
    if (!this.#unacked.has(entry.sequence)) {
      this.#unacked.add(entry.sequence);
      this.#toSend.push(entry.sequence);
    }
  }

  #switchTo(entry: Entry): void {
    entry.used = true;
    this.#current = entry.sequence;
  }

  #lowestActive(): Entry {
    let lowest: Entry | undefined;
    for (const entry of this.#active.values()) if (lowest === undefined || entry.sequence < lowest.sequence) lowest = entry;
    // A frame that raised Retire Prior To carried an ID at or above it, so one is always left.
    return lowest!;
  }

  /** Forgets retired IDs below Retire Prior To once their retirement is acknowledged. */
  #pruneRetired(): void {
    for (const sequence of this.#retired.keys()) {
      if (sequence < this.#largestRetirePriorTo && !this.#unacked.has(sequence)) this.#retired.delete(sequence);
    }
  }
}

function view(entry: Entry): PeerConnectionId {
  return { sequence: entry.sequence, cid: entry.cid, resetToken: entry.resetToken };
}

