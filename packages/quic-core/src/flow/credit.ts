/**
 * The one flow-control primitive (RFC 9000 §4), used for connection data, stream data and stream
 * counts alike: {@link SendCredit} is the limit the peer granted us, {@link RecvWindow} the limit
 * we grant the peer. Both are sans-IO values: the connection asks them for the frame to send,
 * tells them when that frame is lost, and feeds them what the peer sends.
 *
 * Lost MAX_* and *_BLOCKED frames are not resent as such: a loss only re-arms the pending flag
 * when the lost value is still the current one, and the next frame carries the current value.
 * @module
 */
import { TransportError } from '../errors.ts';
import {
  blockedFrameFor, subjectLabel, updateFrameFor, violationCodeFor,
} from './subject.ts';
import type { FlowBlockedFrame, FlowSubject, FlowUpdateFrame } from './subject.ts';

/**
 * Updates sent closer together than this many RTTs mean the window limits throughput, so it
 * grows (the sender can use at most one window per round trip).
 */
export const AUTO_TUNE_RTT_FACTOR = 2;

/**
 * Credit the peer granted us: its latest limit and how much of it we used. `markBlocked` arms
 * one *_BLOCKED frame per limit (RFC 9000 §4.1: "a sender SHOULD send ... when it wishes to send
 * data but is unable to do so due to flow control limits").
 */
export class SendCredit<S extends FlowSubject = FlowSubject> {
  readonly subject: S;
  #limit: number;
  #used = 0;
  /** The limit at which a blocked frame was last armed, or -1. */
  #blockedAt = -1;
  #blockedPending = false;

  constructor(subject: S, initialLimit = 0) {
    this.subject = subject;
    this.#limit = initialLimit;
  }

  /** The peer's current limit (an offset for data, a count for streams). */
  get limit(): number {
    return this.#limit;
  }

  /** How much of the limit is used. */
  get used(): number {
    return this.#used;
  }

  /** How much more may be sent now. */
  get available(): number {
    return this.#limit - this.#used;
  }

  /**
   * Applies a limit from the peer (a MAX_* frame or a transport parameter). Limits that do not
   * increase are ignored (RFC 9000 §4.1, §19.11). Returns true when the limit went up.
   */
  raise(limit: number): boolean {
    if (!(limit > this.#limit)) return false;
    this.#limit = limit;
    this.#blockedPending = false;
    return true;
  }

  /** Uses `n` of the available credit; using more than is available is a programming error. */
  consume(n: number): void {
    if (!Number.isInteger(n) || n < 0 || n > this.available) {
      throw new RangeError(`cannot use ${n} of ${this.available} available ${subjectLabel(this.subject)} credit`);
    }
    this.#used += n;
  }

  /** Records that the sender had more to send than the credit allows: arms a blocked frame once per limit. */
  markBlocked(): void {
    if (this.#blockedAt === this.#limit) return;
    this.#blockedAt = this.#limit;
    this.#blockedPending = true;
  }

  /** True when a *_BLOCKED frame should be sent. */
  get blockedPending(): boolean {
    return this.#blockedPending;
  }

  /** The *_BLOCKED frame to send, without taking it. */
  peekBlockedFrame(): FlowBlockedFrame<S> | null {
    return this.#blockedPending ? blockedFrameFor(this.subject, this.#limit) : null;
  }

  /** Takes the pending *_BLOCKED frame: the caller is sending it now. */
  takeBlockedFrame(): FlowBlockedFrame<S> | null {
    const f = this.peekBlockedFrame();
    this.#blockedPending = false;
    return f;
  }

  /** A *_BLOCKED frame reporting `limit` was lost: resend only if still blocked at that limit. */
  onBlockedLost(limit: number): void {
    if (limit === this.#limit && this.#blockedAt === limit && this.available <= 0) this.#blockedPending = true;
  }
}

/** Options of a {@link RecvWindow}. */
export interface RecvWindowOptions {
  /** Largest window auto-tuning may reach; defaults to the initial window (no tuning). */
  maxWindow?: number;
}

/**
 * The limit we grant the peer. `received` is the highest offset (or stream count) the peer has
 * used, `retired` what the application has consumed; the next limit is `retired + window`. An
 * update is due once it would grant at least half a window more than the current limit. When
 * updates are due more often than every {@link AUTO_TUNE_RTT_FACTOR} RTTs, the window doubles,
 * up to `maxWindow`.
 */
export class RecvWindow<S extends FlowSubject = FlowSubject> {
  readonly subject: S;
  #limit: number;
  #received = 0;
  #retired = 0;
  #window: number;
  #maxWindow: number;
  #lostPending = false;
  #lastUpdateAt: number | undefined;

  constructor(subject: S, initialWindow: number, options: RecvWindowOptions = {}) {
    if (!Number.isInteger(initialWindow) || initialWindow < 0) throw new RangeError(`invalid window ${initialWindow}`);
    this.subject = subject;
    this.#limit = initialWindow;
    this.#window = initialWindow;
    this.#maxWindow = Math.max(initialWindow, options.maxWindow ?? initialWindow);
  }

  /** The limit advertised to the peer (the initial window until an update is taken). */
  get limit(): number {
    return this.#limit;
  }

  /** Highest offset (or stream count) the peer has used. */
  get received(): number {
    return this.#received;
  }

  /** How much the application has consumed. */
  get retired(): number {
    return this.#retired;
  }

  /** The current window size. */
  get window(): number {
    return this.#window;
  }

  get maxWindow(): number {
    return this.#maxWindow;
  }

  /**
   * The peer used up to `to` (the end offset of a STREAM frame, a final size, a stream count).
   * Beyond the advertised limit is a violation: FLOW_CONTROL_ERROR or STREAM_LIMIT_ERROR.
   */
  receiveTo(to: number, frameType = 0): void {
    if (to > this.#limit) {
      throw new TransportError(
        violationCodeFor(this.subject),
        `${subjectLabel(this.subject)} ${to} exceeds the limit ${this.#limit}`,
        frameType,
      );
    }
    if (to > this.#received) this.#received = to;
  }

  /** The peer used `n` more (connection data, where the caller sums the streams' increases). */
  receive(n: number, frameType = 0): void {
    if (n > 0) this.receiveTo(this.#received + n, frameType);
  }

  /** The application consumed `n` more. */
  retire(n: number): void {
    if (n > 0) this.retireTo(this.#retired + n);
  }

  /** The application has consumed everything below `to`. */
  retireTo(to: number): void {
    if (to > this.#received) throw new RangeError(`cannot retire ${to}, only ${this.#received} received`);
    if (to > this.#retired) this.#retired = to;
  }

  /** Grows the window to at least `size` (bounded by maxWindow), e.g. to keep a connection window above its streams'. */
  growTo(size: number): void {
    const next = Math.min(Math.max(this.#window, Math.floor(size)), this.#maxWindow);
    this.#window = next;
  }

  /** True when the consumed amount calls for a larger limit (half a window). */
  get thresholdReached(): boolean {
    const grant = this.#retired + this.#window - this.#limit;
    return this.#window > 0 && grant > 0 && grant * 2 >= this.#window;
  }

  /** True when a MAX_* frame should be sent (threshold reached, or the last one was lost). */
  get updatePending(): boolean {
    return this.#lostPending || this.thresholdReached;
  }

  /** The limit the next update would carry at `now` with round-trip time `rtt`, or undefined. */
  peekUpdate(now: number, rtt: number): number | undefined {
    if (!this.updatePending) return undefined;
    return Math.max(this.#limit, this.#retired + this.#tunedWindow(now, rtt));
  }

  /** The MAX_* frame the next update would be, without taking it. */
  peekUpdateFrame(now: number, rtt: number): FlowUpdateFrame<S> | null {
    const limit = this.peekUpdate(now, rtt);
    return limit === undefined ? null : updateFrameFor(this.subject, limit);
  }

  /** Takes the pending update (the caller is sending it now): returns its limit and applies auto-tuning. */
  takeUpdate(now: number, rtt: number): number | undefined {
    if (!this.updatePending) return undefined;
    if (this.thresholdReached) {
      this.#window = this.#tunedWindow(now, rtt);
      this.#lastUpdateAt = now;
    }
    this.#limit = Math.max(this.#limit, this.#retired + this.#window);
    this.#lostPending = false;
    return this.#limit;
  }

  /** {@link takeUpdate} as a frame. */
  takeUpdateFrame(now: number, rtt: number): FlowUpdateFrame<S> | null {
    const limit = this.takeUpdate(now, rtt);
    return limit === undefined ? null : updateFrameFor(this.subject, limit);
  }

  /** A MAX_* frame carrying `limit` was lost: send the current limit again unless a newer one went out. */
  onUpdateLost(limit: number): void {
    if (limit === this.#limit) this.#lostPending = true;
  }

  /** Stops any pending resend (e.g. the stream no longer needs credit). */
  cancelPending(): void {
    this.#lostPending = false;
  }

  #tunedWindow(now: number, rtt: number): number {
    if (!this.thresholdReached || this.#lastUpdateAt === undefined || !(rtt > 0)) return this.#window;
    // RFC 9000 §4.2: autotuning based on the RTT and the rate at which the application consumes.
    if (now - this.#lastUpdateAt < rtt * AUTO_TUNE_RTT_FACTOR) return Math.min(this.#window * 2, this.#maxWindow);
    return this.#window;
  }
}
