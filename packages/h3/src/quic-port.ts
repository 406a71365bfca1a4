/**
 * The narrow interface HTTP/3 needs from a QUIC connection, in both directions, and stream-ID
 * arithmetic (RFC 9000 §2.1). The H3 layer never sees packets: it writes stream bytes, resets
 * and datagrams through a `QuicStreamsPort`, and is told about arriving stream bytes, resets,
 * STOP_SENDING and datagrams through the `QuicStreamsInputs` methods. A real QUIC connection
 * implements the port with a small adapter; tests implement it with a fake.
 * @module
 */

/** What H3 asks of the transport. Every method is a command; none calls back into H3. */
export interface QuicStreamsPort {
  /** Opens a locally initiated bidirectional stream; `null` when the peer's stream limit is reached. */
  openBidiStream(): number | null;
  /** Opens a locally initiated unidirectional stream; `null` when the peer's stream limit is reached. */
  openUniStream(): number | null;
  /**
   * Queues `data` on the stream's send side, then its end when `fin`. The transport buffers what
   * flow control does not let it send yet.
   */
  writeStream(streamId: number, data: Uint8Array, fin: boolean): void;
  /** Abandons the send side with RESET_STREAM(code). */
  resetStream(streamId: number, code: number): void;
  /** Asks the peer to stop sending with STOP_SENDING(code). */
  stopSending(streamId: number, code: number): void;
  /** Sends one QUIC DATAGRAM frame (RFC 9221) carrying `payload`. */
  sendDatagram(payload: Uint8Array): void;
  /** Closes the connection with CONNECTION_CLOSE of the application type (RFC 9000 §19.19). */
  closeConnection(code: number, reason: string): void;
}

/** What the transport tells H3 (the H3 connection implements these). */
export interface QuicStreamsInputs {
  /** Bytes that arrived in order on a stream; `fin` when the stream ended cleanly after them. */
  handleStreamData(streamId: number, data: Uint8Array, fin: boolean): void;
  /** The peer reset its send side of the stream (RESET_STREAM). */
  handleStreamReset(streamId: number, code: number): void;
  /** The peer asked us to stop sending on the stream (STOP_SENDING). */
  handleStopSending(streamId: number, code: number): void;
  /** A QUIC DATAGRAM frame arrived. */
  handleDatagram(payload: Uint8Array): void;
}

/** Stream IDs are at most 2^62-1 (RFC 9000 §2.1); arithmetic keeps them exact above 2^31. */
export function isClientInitiatedStream(id: number): boolean {
  return id % 2 === 0;
}

export function isServerInitiatedStream(id: number): boolean {
  return id % 2 === 1;
}

export function isBidiStreamId(id: number): boolean {
  return id % 4 < 2;
}

export function isUniStreamId(id: number): boolean {
  return id % 4 >= 2;
}

/** Client-initiated bidirectional: the streams HTTP/3 requests use (RFC 9114 §6.1). */
export function isRequestStreamId(id: number): boolean {
  return id % 4 === 0;
}

/** Whether `id` was opened by `role`. */
export function isLocalStream(id: number, role: 'client' | 'server'): boolean {
  return (id % 2 === 0) === (role === 'client');
}
