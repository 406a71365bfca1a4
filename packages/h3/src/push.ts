/**
 * Push ID bookkeeping (RFC 9114 §4.6). A client allows pushes only up to the push ID it sent in
 * MAX_PUSH_ID; with none sent, every push is refused. A push ID beyond the limit, or a second
 * push stream for the same ID, is a connection error of type H3_ID_ERROR.
 * @module
 */
import { H3Error, H3ErrorCode } from './errors.ts';

export class PushState {
  /** Client: the MAX_PUSH_ID we sent. */
  maxPushIdSent: number | undefined;
  /** Server: the MAX_PUSH_ID the client sent. */
  maxPushIdReceived: number | undefined;
  /** Client: push IDs whose push stream arrived. */
  private readonly streams = new Set<number>();
  /** Client: the largest push ID seen (promise, stream or cancel), -1 before any. */
  highestSeen = -1;

  /** Client: records a MAX_PUSH_ID we send (it may not decrease: RangeError). */
  send(pushId: number): void {
    if (!Number.isSafeInteger(pushId) || pushId < 0) throw new RangeError(`invalid push ID ${pushId}`);
    if (this.maxPushIdSent !== undefined && pushId < this.maxPushIdSent) throw new RangeError('MAX_PUSH_ID cannot decrease');
    this.maxPushIdSent = pushId;
  }

  /** Server: a MAX_PUSH_ID arrived (RFC 9114 §7.2.7: it cannot decrease). */
  receiveMax(pushId: number): void {
    if (this.maxPushIdReceived !== undefined && pushId < this.maxPushIdReceived) {
      throw new H3Error(H3ErrorCode.H3_ID_ERROR, `MAX_PUSH_ID ${pushId} below the previous ${this.maxPushIdReceived}`);
    }
    this.maxPushIdReceived = pushId;
  }

  /** Client: a push ID used by the server in PUSH_PROMISE, a push stream or CANCEL_PUSH. */
  checkAllowed(pushId: number, where: string): void {
    if (this.maxPushIdSent === undefined || pushId > this.maxPushIdSent) {
      throw new H3Error(H3ErrorCode.H3_ID_ERROR, `push ID ${pushId} in ${where} beyond MAX_PUSH_ID ${this.maxPushIdSent ?? '(none sent)'}`);
    }
    if (pushId > this.highestSeen) this.highestSeen = pushId;
  }

  /** Client: a push stream for `pushId` opened (RFC 9114 §4.6: at most one per push ID). */
  openStream(pushId: number): void {
    this.checkAllowed(pushId, 'a push stream');
    if (this.streams.has(pushId)) throw new H3Error(H3ErrorCode.H3_ID_ERROR, `second push stream for push ID ${pushId}`);
    this.streams.add(pushId);
  }

  /** Server: a CANCEL_PUSH from the client must name a push ID it allowed (RFC 9114 §7.2.3). */
  checkCancelFromClient(pushId: number): void {
    if (this.maxPushIdReceived === undefined || pushId > this.maxPushIdReceived) {
      throw new H3Error(H3ErrorCode.H3_ID_ERROR, `CANCEL_PUSH for push ID ${pushId} beyond MAX_PUSH_ID ${this.maxPushIdReceived ?? '(none received)'}`);
    }
  }
}
