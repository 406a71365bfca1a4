/**
 * Events a {@link StreamsManager} queues for the connection to pass on to the application.
 * @module
 */

export type StreamEvent =
  /** The peer opened a stream (one event per stream, in order, including implicitly opened ones). */
  | { type: 'opened'; streamId: number }
  /** Data, the end of the stream, or a reset can be read. Not repeated until a read returns 'blocked'. */
  | { type: 'readable'; streamId: number }
  /** A write that was cut short can now take more bytes. */
  | { type: 'writable'; streamId: number }
  /** The peer sent STOP_SENDING; the sending part was reset with `errorCode`. */
  | { type: 'stopped'; streamId: number; errorCode: number }
  /** Every byte and the FIN of the sending part were acknowledged. */
  | { type: 'sendComplete'; streamId: number }
  /** The peer raised its stream limit after `open` returned 'blocked'. */
  | { type: 'available'; dir: 'bidi' | 'uni' }
  /** Both parts reached a final state and the stream was forgotten. */
  | { type: 'closed'; streamId: number };

export type StreamEventType = StreamEvent['type'];
