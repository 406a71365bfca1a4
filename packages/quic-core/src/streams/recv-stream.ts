/**
 * The receiving part of a stream (RFC 9000 §3.2) as a discriminated union of states, with its
 * reassembler and stream-level receive window, and the control information the connection must
 * send for it (MAX_STREAM_DATA, STOP_SENDING) kept as flags it polls and re-arms on loss.
 *
 *   recv --STREAM+FIN--> sizeKnown --all data--> dataRecvd --app read all--> dataRead
 *   recv | sizeKnown --RESET_STREAM--> resetRecvd --app read reset--> resetRead
 *
 * A RESET_STREAM in Data Recvd is ignored: all data is there and the application may read it
 * (§3.2 makes that transition optional).
 * @module
 */
import { FrameType } from '../frame/types.ts';
import type { MaxStreamDataFrame, StopSendingFrame } from '../frame/types.ts';
import { RecvWindow } from '../flow/credit.ts';
import { streamSubject } from '../flow/subject.ts';
import type { StreamDataSubject } from '../flow/subject.ts';
import { Reassembler } from './reassembler.ts';

export type RecvState =
  | { kind: 'recv' }
  | { kind: 'sizeKnown'; finalSize: number }
  | { kind: 'dataRecvd'; finalSize: number }
  | { kind: 'dataRead'; finalSize: number }
  | { kind: 'resetRecvd'; errorCode: number; finalSize: number }
  | { kind: 'resetRead'; errorCode: number; finalSize: number };

export type RecvStateKind = RecvState['kind'];

/** What a read returns. */
export type RecvReadResult =
  /** Bytes in order (a view; may be empty only with `fin`); `fin` when they end the stream. */
  | { kind: 'data'; data: Uint8Array; fin: boolean }
  /** Nothing to read now. */
  | { kind: 'blocked' }
  /** The peer reset the stream with `errorCode`; reported once. */
  | { kind: 'reset'; errorCode: number }
  /** The stream ended earlier (fully read, reset read, or reading was stopped). */
  | { kind: 'closed' };

const EMPTY = new Uint8Array(0);

export class RecvStream {
  readonly id: number;
  readonly window: RecvWindow<StreamDataSubject>;
  #state: RecvState = { kind: 'recv' };
  readonly #asm: Reassembler;
  /** Set when the application stopped reading (STOP_SENDING). */
  #stop: { errorCode: number; pending: boolean } | undefined;

  /** `initialWindow`: our initial MAX_STREAM_DATA; `maxWindow`: auto-tuning bound (and buffer bound). */
  constructor(id: number, initialWindow: number, maxWindow = initialWindow) {
    this.id = id;
    this.window = new RecvWindow(streamSubject(id), initialWindow, { maxWindow });
    this.#asm = new Reassembler(Math.max(initialWindow, maxWindow));
  }

  get state(): RecvState {
    return this.#state;
  }

  /** Highest offset the peer used (flow-control consumption; the final size after a reset). */
  get highestOffset(): number {
    return this.window.received;
  }

  /** Bytes read by the application or discarded: the flow-control credit to return. */
  get consumedOffset(): number {
    return this.#asm.readOffset;
  }

  get bufferedBytes(): number {
    return this.#asm.bufferedBytes;
  }

  /** True when a read would return something other than 'blocked'. */
  get isReadable(): boolean {
    switch (this.#state.kind) {
      case 'recv': case 'sizeKnown': case 'dataRecvd':
        return this.#stop === undefined && (this.#asm.hasReadable || this.#asm.isFinished);
      case 'resetRecvd':
        return true;
      default:
        return false;
    }
  }

  /** Final state reached: nothing more will happen on this part. */
  get isTerminal(): boolean {
    return this.#state.kind === 'dataRead' || this.#state.kind === 'resetRead';
  }

  /** The application stopped reading with this code. */
  get stopCode(): number | undefined {
    return this.#stop?.errorCode;
  }

  /**
   * A STREAM frame: flow control (FLOW_CONTROL_ERROR), final size (FINAL_SIZE_ERROR), then
   * reassembly. Frames after the end or a reset are still checked, then dropped.
   */
  onStreamFrame(offset: number, data: Uint8Array, fin: boolean): void {
    const end = offset + data.length;
    this.window.receiveTo(end, FrameType.STREAM);
    this.#asm.insert(offset, data, fin, FrameType.STREAM);
    this.#advance();
  }

  /**
   * A RESET_STREAM frame (RFC 9000 §19.4): the final size counts toward flow control and must agree
   * with what is known (§4.5); in Recv or Size Known the stream moves to Reset Recvd and its
   * buffered data is dropped. Returns true when the state changed.
   */
  onResetStream(errorCode: number, finalSize: number): boolean {
    this.window.receiveTo(finalSize, FrameType.RESET_STREAM);
    this.#asm.setFinalSize(finalSize, FrameType.RESET_STREAM);
    const k = this.#state.kind;
    if (k !== 'recv' && k !== 'sizeKnown') return false;
    this.#asm.discard();
    this.#state = { kind: 'resetRecvd', errorCode, finalSize };
    if (this.#stop !== undefined) this.#state = { kind: 'resetRead', errorCode, finalSize };
    return true;
  }

  /** Reads up to `maxBytes` in order; see {@link RecvReadResult}. */
  read(maxBytes = Infinity): RecvReadResult {
    const s = this.#state;
    switch (s.kind) {
      case 'recv': case 'sizeKnown': case 'dataRecvd': {
        if (this.#stop !== undefined) return { kind: 'closed' };
        const data = this.#asm.read(maxBytes);
        if (data === null && !this.#asm.isFinished) return { kind: 'blocked' };
        this.window.retireTo(this.#asm.readOffset);
        const fin = this.#asm.isFinished;
        if (fin) this.#state = { kind: 'dataRead', finalSize: this.#asm.finalSize! };
        return { kind: 'data', data: data ?? EMPTY, fin };
      }
      case 'resetRecvd':
        this.#state = { kind: 'resetRead', errorCode: s.errorCode, finalSize: s.finalSize };
        return { kind: 'reset', errorCode: s.errorCode };
      default:
        return { kind: 'closed' };
    }
  }

  /**
   * The application stops reading (RFC 9000 §3.5): buffered and later data is dropped, and in
   * Recv or Size Known a STOP_SENDING frame is sent. Returns false if reading had already ended.
   */
  stopSending(errorCode: number): boolean {
    const k = this.#state.kind;
    if (this.#stop !== undefined || k === 'dataRead' || k === 'resetRead') return false;
    this.#asm.discard();
    if (k === 'resetRecvd') {
      const s = this.#state as { errorCode: number; finalSize: number };
      this.#state = { kind: 'resetRead', errorCode: s.errorCode, finalSize: s.finalSize };
      return true;
    }
    this.#stop = { errorCode, pending: k === 'recv' || k === 'sizeKnown' };
    this.window.cancelPending();
    this.#advance();
    return true;
  }

  /** The STOP_SENDING frame to send, without taking it. */
  peekStopSendingFrame(): StopSendingFrame | null {
    if (this.#stop === undefined || !this.#stop.pending || !this.#wantsSignals()) return null;
    return { type: 'stopSending', streamId: this.id, errorCode: this.#stop.errorCode };
  }

  takeStopSendingFrame(): StopSendingFrame | null {
    const f = this.peekStopSendingFrame();
    if (this.#stop !== undefined) this.#stop.pending = false;
    return f;
  }

  /** A STOP_SENDING frame was lost: resend while the peer may still send (§3.5). */
  onStopSendingLost(): void {
    if (this.#stop !== undefined && this.#wantsSignals()) this.#stop.pending = true;
  }

  /** The MAX_STREAM_DATA frame to send, without taking it (only in Recv, §3.2). */
  peekMaxStreamDataFrame(now: number, rtt: number): MaxStreamDataFrame | null {
    return this.#wantsCredit() ? this.window.peekUpdateFrame(now, rtt) : null;
  }

  takeMaxStreamDataFrame(now: number, rtt: number): MaxStreamDataFrame | null {
    return this.#wantsCredit() ? this.window.takeUpdateFrame(now, rtt) : null;
  }

  onMaxStreamDataLost(limit: number): void {
    if (this.#wantsCredit()) this.window.onUpdateLost(limit);
  }

  /** True when a control frame (STOP_SENDING, MAX_STREAM_DATA) waits to be sent. */
  get hasControlPending(): boolean {
    return (this.#stop?.pending === true && this.#wantsSignals()) || (this.#wantsCredit() && this.window.updatePending);
  }

  /** Recv or Size Known: the peer may still send, so STOP_SENDING is meaningful. */
  #wantsSignals(): boolean {
    return this.#state.kind === 'recv' || this.#state.kind === 'sizeKnown';
  }

  /** Only in Recv does the peer need more credit (once the final size is known it does not). */
  #wantsCredit(): boolean {
    return this.#state.kind === 'recv' && this.#stop === undefined;
  }

  #advance(): void {
    if (this.#state.kind === 'recv' && this.#asm.finalSize !== undefined) {
      this.#state = { kind: 'sizeKnown', finalSize: this.#asm.finalSize };
    }
    if (this.#state.kind === 'sizeKnown' && this.#asm.isComplete) {
      this.#state = { kind: 'dataRecvd', finalSize: this.#state.finalSize };
    }
    // A stopped stream that has everything needs no reading: it ends here.
    if (this.#state.kind === 'dataRecvd' && this.#stop !== undefined) {
      this.#state = { kind: 'dataRead', finalSize: this.#state.finalSize };
    }
  }
}
