/**
 * The sending part of a stream (RFC 9000 §3.1) as a discriminated union of states, with its send
 * buffer and stream-level credit, and the control information the connection must send for it
 * (RESET_STREAM, STREAM_DATA_BLOCKED) kept as flags it polls and re-arms on loss.
 *
 *   ready --STREAM--> send --STREAM+FIN--> dataSent --all acked--> dataRecvd
 *   ready | send | dataSent --RESET_STREAM--> resetSent --acked--> resetRecvd
 * @module
 */
import type { ResetStreamFrame, StreamDataBlockedFrame } from '../frame/types.ts';
import { SendCredit } from '../flow/credit.ts';
import { streamSubject } from '../flow/subject.ts';
import type { StreamDataSubject } from '../flow/subject.ts';
import { QuicStreamError, QuicStreamErrorCode } from './errors.ts';
import { SendBuffer } from './send-buffer.ts';
import type { SendChunk } from './send-buffer.ts';

export type SendState =
  | { kind: 'ready' }
  | { kind: 'send' }
  | { kind: 'dataSent' }
  | { kind: 'dataRecvd' }
  | { kind: 'resetSent'; errorCode: number; finalSize: number }
  | { kind: 'resetRecvd'; errorCode: number; finalSize: number };

export type SendStateKind = SendState['kind'];

export class SendStream {
  readonly id: number;
  readonly credit: SendCredit<StreamDataSubject>;
  #state: SendState = { kind: 'ready' };
  #buffer: SendBuffer;
  #resetPending = false;
  /** The code of the peer's STOP_SENDING, once received. */
  #stopCode: number | undefined;

  /** `initialCredit`: the peer's initial MAX_STREAM_DATA; `maxBuffered`: the send buffer bound. */
  constructor(id: number, initialCredit: number, maxBuffered: number) {
    this.id = id;
    this.credit = new SendCredit(streamSubject(id), initialCredit);
    this.#buffer = new SendBuffer(maxBuffered);
  }

  get state(): SendState {
    return this.#state;
  }

  /** The peer's STOP_SENDING code, if it sent one. */
  get stopCode(): number | undefined {
    return this.#stopCode;
  }

  /** Bytes held until acknowledged. */
  get bufferedBytes(): number {
    return this.#buffer.bufferedBytes;
  }

  /** Room for more writes in this stream's buffer. */
  get room(): number {
    return this.#isSending() && !this.#buffer.finished ? this.#buffer.room : 0;
  }

  /** Final state reached: nothing more will happen on this part. */
  get isTerminal(): boolean {
    return this.#state.kind === 'dataRecvd' || this.#state.kind === 'resetRecvd';
  }

  /** Unsent bytes waiting for credit or a packet. */
  get unsentBytes(): number {
    return this.#isSending() ? this.#buffer.unsentBytes : 0;
  }

  /** Lost data or a lost FIN waits to be sent again. */
  get hasRetransmit(): boolean {
    return this.#isSending() && this.#buffer.hasRetransmit;
  }

  /** Only a FIN, which needs no credit, waits to be sent. */
  get hasFinOnly(): boolean {
    return this.#isSending() && this.#buffer.hasFinOnly;
  }

  /** The offset the next chunk would start at given `newLimit` bytes of credit, or undefined. */
  peekOffset(newLimit = Infinity): number | undefined {
    return this.#isSending() ? this.#buffer.peekOffset(newLimit) : undefined;
  }

  /**
   * Appends as much of `data` as the buffer takes (at most `maxBytes`), returning how many bytes
   * were taken. Throws {@link QuicStreamError} after finish or reset.
   */
  write(data: Uint8Array, maxBytes = Infinity): number {
    this.#assertWritable();
    return this.#buffer.write(maxBytes < data.length ? data.subarray(0, Math.max(0, maxBytes)) : data);
  }

  /** Ends the stream after the data written so far. */
  finish(): void {
    if (this.#buffer.finished && this.#isSending()) return;
    this.#assertWritable();
    this.#buffer.finish();
  }

  /**
   * Abandons the stream with `errorCode` (RFC 9000 §3.1 "Send RESET_STREAM"). The final size is
   * the credit used so far (§4.5). Returns false when the stream is already past the point where
   * a reset applies (all data acknowledged, or already reset).
   */
  reset(errorCode: number): boolean {
    if (!this.#isSending()) return false;
    const finalSize = this.#buffer.sentOffset;
    this.#buffer.clear();
    this.#state = { kind: 'resetSent', errorCode, finalSize };
    this.#resetPending = true;
    return true;
  }

  /**
   * The peer sent STOP_SENDING: reset with its code (RFC 9000 §3.5: an endpoint "MUST send a
   * RESET_STREAM frame if the stream is in the Ready or Send state" and "SHOULD copy the error
   * code"). Returns true when this reset the stream.
   */
  onStopSending(errorCode: number): boolean {
    if (this.#stopCode === undefined) this.#stopCode = errorCode;
    return this.reset(errorCode);
  }

  /** The peer raised its MAX_STREAM_DATA; true when the credit went up. */
  onMaxStreamData(maximum: number): boolean {
    return this.credit.raise(maximum);
  }

  /**
   * The next chunk of at most `maxBytes` bytes, using at most `connectionCredit` new bytes of
   * connection credit (the stream's own credit also applies); null when nothing can go. New bytes
   * are charged to the stream credit here; the caller charges the connection credit.
   */
  nextChunk(maxBytes: number, connectionCredit = Infinity): SendChunk | null {
    if (!this.#isSending()) return null;
    const chunk = this.#buffer.nextChunk(maxBytes, Math.min(this.credit.available, connectionCredit));
    if (this.#buffer.unsentBytes > 0 && this.credit.available - (chunk?.newBytes ?? 0) <= 0) this.credit.markBlocked();
    if (chunk === null) return null;
    this.credit.consume(chunk.newBytes);
    if (this.#state.kind === 'ready') this.#state = { kind: 'send' };
    if (chunk.fin) this.#state = { kind: 'dataSent' };
    return chunk;
  }

  /** A STREAM frame's data was acknowledged. */
  onAcked(offset: number, length: number, fin: boolean): void {
    if (!this.#isSending()) return;
    this.#buffer.onAcked(offset, length, fin);
    if (this.#state.kind === 'dataSent' && this.#buffer.allAcked) this.#state = { kind: 'dataRecvd' };
  }

  /** A STREAM frame's data was lost; it is sent again unless the stream was reset. */
  onLost(offset: number, length: number, fin: boolean): void {
    if (this.#isSending()) this.#buffer.onLost(offset, length, fin);
  }

  /** The RESET_STREAM frame to send, without taking it. */
  peekResetFrame(): ResetStreamFrame | null {
    const s = this.#state;
    if (!this.#resetPending || s.kind !== 'resetSent') return null;
    return { type: 'resetStream', streamId: this.id, errorCode: s.errorCode, finalSize: s.finalSize };
  }

  /** Takes the pending RESET_STREAM frame: the caller is sending it now. */
  takeResetFrame(): ResetStreamFrame | null {
    const f = this.peekResetFrame();
    this.#resetPending = false;
    return f;
  }

  /** The RESET_STREAM was acknowledged: Reset Sent -> Reset Recvd. */
  onResetAcked(): void {
    const s = this.#state;
    if (s.kind === 'resetSent') this.#state = { kind: 'resetRecvd', errorCode: s.errorCode, finalSize: s.finalSize };
  }

  /** The RESET_STREAM was lost: send it again. */
  onResetLost(): void {
    if (this.#state.kind === 'resetSent') this.#resetPending = true;
  }

  /** The STREAM_DATA_BLOCKED frame to send, if any (only while data waits for credit). */
  peekBlockedFrame(): StreamDataBlockedFrame | null {
    return this.#isOpen() ? this.credit.peekBlockedFrame() : null;
  }

  /** Takes the pending STREAM_DATA_BLOCKED frame (sending it moves Ready to Send, §3.1). */
  takeBlockedFrame(): StreamDataBlockedFrame | null {
    const f = this.#isOpen() ? this.credit.takeBlockedFrame() : null;
    if (f !== null && this.#state.kind === 'ready') this.#state = { kind: 'send' };
    return f;
  }

  onBlockedLost(limit: number): void {
    if (this.#isOpen()) this.credit.onBlockedLost(limit);
  }

  /** True when a control frame (RESET_STREAM, STREAM_DATA_BLOCKED) waits to be sent. */
  get hasControlPending(): boolean {
    return (this.#resetPending && this.#state.kind === 'resetSent') || (this.#isOpen() && this.credit.blockedPending);
  }

  /** Ready, Send or Data Sent: data may still flow. */
  #isSending(): boolean {
    const k = this.#state.kind;
    return k === 'ready' || k === 'send' || k === 'dataSent';
  }

  /** Ready or Send: the application may still write. */
  #isOpen(): boolean {
    return this.#state.kind === 'ready' || this.#state.kind === 'send';
  }

  #assertWritable(): void {
    const s = this.#state;
    if (s.kind === 'resetSent' || s.kind === 'resetRecvd') {
      if (this.#stopCode !== undefined) {
        throw new QuicStreamError(QuicStreamErrorCode.STOPPED, this.id, 'stopped by the peer', this.#stopCode);
      }
      throw new QuicStreamError(QuicStreamErrorCode.RESET, this.id, 'stream was reset', s.errorCode);
    }
    if (this.#buffer.finished || !this.#isOpen()) {
      throw new QuicStreamError(QuicStreamErrorCode.FINISHED, this.id, 'stream already finished');
    }
  }
}
