/**
 * An independent check of the flow-control limits we send under (RFC 9000 §4.1), enabled by the
 * `debugInvariants` option for tests. It keeps its own record of the limits the peer granted, from
 * the transport parameters and the MAX_DATA / MAX_STREAM_DATA frames as they are received, and of
 * the highest offset sent on each stream; every STREAM frame built is checked against them, apart
 * from the streams' own credit accounting. A breach throws {@link ConnectionInvariantError}, which
 * the connection lets escape instead of turning it into a close.
 * @module
 */
import { isBidiStream, isLocalStream } from '../streams/stream-id.ts';
import type { TransportParameters } from './transport-params.ts';

/** An internal invariant of the connection does not hold (only with `debugInvariants`). */
export class ConnectionInvariantError extends Error {
  override readonly name = 'ConnectionInvariantError';
}

export class FlowControlAudit {
  #maxData = 0;
  #sentTotal = 0;
  #params: TransportParameters | undefined;
  readonly #streamMax = new Map<number, number>();
  readonly #highest = new Map<number, number>();
  /** STREAM frames checked so far. */
  framesChecked = 0;

  constructor(private readonly side: 'client' | 'server') {}

  /** The peer's transport parameters arrived. */
  onPeerParams(p: TransportParameters): void {
    this.#params = p;
    if (p.initialMaxData > this.#maxData) this.#maxData = p.initialMaxData;
  }

  /** A MAX_DATA frame arrived. */
  onMaxData(maximum: number): void {
    if (maximum > this.#maxData) this.#maxData = maximum;
  }

  /** A MAX_STREAM_DATA frame arrived. */
  onMaxStreamData(streamId: number, maximum: number): void {
    if (maximum > (this.#streamMax.get(streamId) ?? 0)) this.#streamMax.set(streamId, maximum);
  }

  /** A STREAM frame carrying `[offset, offset + length)` of `streamId` is being sent. */
  onStreamFrameSent(streamId: number, offset: number, length: number): void {
    this.framesChecked++;
    const end = offset + length;
    const limit = Math.max(this.#initialLimit(streamId), this.#streamMax.get(streamId) ?? 0);
    if (end > limit) {
      throw new ConnectionInvariantError(`STREAM frame of stream ${streamId} ends at ${end}, beyond the peer's limit ${limit}`);
    }
    const highest = this.#highest.get(streamId) ?? 0;
    if (end > highest) {
      this.#sentTotal += end - highest;
      this.#highest.set(streamId, end);
      if (this.#sentTotal > this.#maxData) {
        throw new ConnectionInvariantError(`${this.#sentTotal} bytes of stream data sent, beyond the peer's MAX_DATA ${this.#maxData}`);
      }
    }
  }

  #initialLimit(id: number): number {
    const p = this.#params;
    if (p === undefined) return 0;
    if (!isBidiStream(id)) return p.initialMaxStreamDataUni;
    // RFC 9000 §18.2: "bidi_remote" covers streams we open, "bidi_local" those the peer opens.
    return isLocalStream(id, this.side) ? p.initialMaxStreamDataBidiRemote : p.initialMaxStreamDataBidiLocal;
  }
}
