/**
 * Session-level flow control (draft-ietf-webtrans-http3 §5): the credit a peer gives us for
 * stream data and for opening streams, and the credit we give it, replenished as data is
 * delivered and streams close. Limits are cumulative, as in QUIC (RFC 9000 §4.1, §4.6), and
 * only rise; the values travel in WT_MAX_DATA / WT_MAX_STREAMS capsules, and WT_DATA_BLOCKED /
 * WT_STREAMS_BLOCKED tell the peer that its credit stopped us.
 * @module
 */
import { WebTransportErrorCode } from '../errors.ts';
import { WtProtocolError } from './protocol-error.ts';

const flowError = (reason: string): WtProtocolError => new WtProtocolError(WebTransportErrorCode.WT_FLOW_CONTROL_ERROR, reason, 'session');

/** Credit the peer gave us: bytes or streams. */
export class WtSendCredit {
  used = 0;
  /** The limit at which we last announced being blocked (each limit is announced once). */
  private blockedAt = -1;

  constructor(
    public max: number,
    private readonly what: string,
  ) {}

  get available(): number {
    return Math.max(0, this.max - this.used);
  }

  /** Takes up to `n`; returns how much was granted. */
  take(n: number): number {
    const granted = Math.min(n, this.available);
    this.used += granted;
    return granted;
  }

  /**
   * The limit rose (a WT_MAX_* capsule). A value that does not increase it is WT_FLOW_CONTROL_ERROR
   * (draft -16 §5.6.2, §5.6.4). Returns whether we had been blocked and can now go on.
   */
  raise(max: number): boolean {
    if (max <= this.max) throw flowError(`${this.what} limit ${max} does not increase ${this.max}`);
    const wasBlocked = this.available === 0;
    this.max = max;
    return wasBlocked;
  }

  /** The limit to put in a *_BLOCKED capsule, or undefined when this limit was announced already. */
  blocked(): number | undefined {
    if (this.blockedAt === this.max) return undefined;
    this.blockedAt = this.max;
    return this.max;
  }
}

/**
 * Credit we give the peer: received amounts are checked against what we announced, and the limit
 * moves forward by `window` once half of it has been used up by released (delivered or closed) units.
 */
export class WtRecvCredit {
  received = 0;
  released = 0;

  constructor(
    public max: number,
    private readonly window: number,
    private readonly what: string,
  ) {}

  /** The peer used `n` more; beyond our limit is WT_FLOW_CONTROL_ERROR (§5.6.2, §5.6.4). */
  receive(n: number): void {
    this.received += n;
    if (this.received > this.max) throw flowError(`${this.what}: ${this.received} above the limit ${this.max}`);
  }

  /** `n` units were released; returns the new limit to announce, or undefined when not needed yet. */
  release(n: number): number | undefined {
    this.released += n;
    if (this.window <= 0) return undefined;
    const target = this.released + this.window;
    if (target - this.max < Math.max(1, Math.ceil(this.window / 2))) return undefined;
    this.max = target;
    return target;
  }
}
