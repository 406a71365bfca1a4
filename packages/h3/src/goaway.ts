/**
 * GOAWAY bookkeeping in both directions (RFC 9114 §5.2). A server's GOAWAY carries a
 * client-initiated bidirectional stream ID: requests on that stream and above will not be
 * processed. A client's GOAWAY carries a push ID. Successive GOAWAYs may keep or lower the ID,
 * never raise it.
 * @module
 */
import { H3Error, H3ErrorCode } from './errors.ts';
import { isRequestStreamId } from './quic-port.ts';

export class GoawayState {
  /** The ID of the last GOAWAY we sent. */
  sentId: number | undefined;
  /** The ID of the last GOAWAY we received. */
  receivedId: number | undefined;

  constructor(private readonly role: 'client' | 'server') {}

  /** Checks an ID we are about to send (API misuse is a RangeError), then records it. */
  send(id: number): void {
    if (!Number.isSafeInteger(id) || id < 0) throw new RangeError(`invalid GOAWAY id ${id}`);
    if (this.role === 'server' && !isRequestStreamId(id)) throw new RangeError(`GOAWAY id ${id} is not a client-initiated bidirectional stream`);
    if (this.sentId !== undefined && id > this.sentId) throw new RangeError(`GOAWAY id ${id} above the previous ${this.sentId}`);
    this.sentId = id;
  }

  /** Validates a received GOAWAY id (H3_ID_ERROR) and records it. Returns whether it lowered the limit. */
  receive(id: number): boolean {
    // RFC 9114 §5.2: from a server, only a client-initiated bidirectional stream ID.
    if (this.role === 'client' && !isRequestStreamId(id)) {
      throw new H3Error(H3ErrorCode.H3_ID_ERROR, `GOAWAY with stream ID ${id}, not a client-initiated bidirectional stream`);
    }
    // RFC 9114 §5.2: an ID greater than one received before is an error.
    if (this.receivedId !== undefined && id > this.receivedId) {
      throw new H3Error(H3ErrorCode.H3_ID_ERROR, `GOAWAY ID ${id} above the previous ${this.receivedId}`);
    }
    const lowered = this.receivedId === undefined || id < this.receivedId;
    this.receivedId = id;
    return lowered;
  }

  /** Server: whether a new request on `streamId` falls at or above the GOAWAY we sent. */
  rejectsIncoming(streamId: number): boolean {
    return this.sentId !== undefined && streamId >= this.sentId;
  }

  /** Client: whether our request on `streamId` was not and will not be processed. */
  rejectsOutgoing(streamId: number): boolean {
    return this.receivedId !== undefined && streamId >= this.receivedId;
  }
}
