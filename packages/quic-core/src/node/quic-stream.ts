/**
 * WHATWG stream views of one QUIC stream: a ReadableStream that pulls from the connection's
 * receive buffer (so reading is what returns flow-control credit) and a WritableStream that
 * queues into its send buffer, waiting for 'streamWritable' when the buffer is full. Cancel
 * sends STOP_SENDING, abort sends RESET_STREAM (RFC 9000 §3).
 * @module
 */
import type { Connection } from '../connection/connection.ts';

/** Why a stream read or write failed. */
export class QuicStreamError extends Error {
  override readonly name = 'QuicStreamError';
  constructor(
    /** 'ERR_QUIC_STREAM_RESET' (the peer reset it), 'ERR_QUIC_STREAM_STOPPED' (the peer sent STOP_SENDING) or 'ERR_QUIC_CONNECTION_CLOSED'. */
    readonly code: 'ERR_QUIC_STREAM_RESET' | 'ERR_QUIC_STREAM_STOPPED' | 'ERR_QUIC_CONNECTION_CLOSED',
    /** The application error code of the reset or STOP_SENDING. */
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** What a stream needs from its connection's owner. */
export interface StreamHost {
  readonly conn: Connection;
  /** The connection has work to send after a command. */
  wake(): void;
}

/** Reads the application error code out of an abort/cancel reason (a number, or `{ errorCode }`). */
function codeOf(reason: unknown): number {
  if (typeof reason === 'number' && Number.isInteger(reason) && reason >= 0) return reason;
  if (reason && typeof reason === 'object' && 'errorCode' in reason) {
    const c = (reason as { errorCode: unknown }).errorCode;
    if (typeof c === 'number' && Number.isInteger(c) && c >= 0) return c;
  }
  return 0;
}

/** The largest chunk handed to the reader at once. */
const READ_CHUNK = 64 * 1024;

/** One QUIC stream's state in the API: the waiters of its two directions. */
export class StreamChannel {
  readonly id: number;
  readonly #host: StreamHost;
  #readWaiter: (() => void) | undefined;
  #writeWaiter: (() => void) | undefined;
  #failure: QuicStreamError | undefined;
  #stopped: QuicStreamError | undefined;
  readonly readable: ReadableStream<Uint8Array> | undefined;
  readonly writable: WritableStream<Uint8Array> | undefined;

  constructor(host: StreamHost, id: number, directions: { read: boolean; write: boolean }) {
    this.#host = host;
    this.id = id;
    this.readable = directions.read ? this.#makeReadable() : undefined;
    this.writable = directions.write ? this.#makeWritable() : undefined;
  }

  /** Data, FIN or a reset arrived. */
  onReadable(): void {
    const w = this.#readWaiter;
    this.#readWaiter = undefined;
    w?.();
  }

  /** The send buffer has room again. */
  onWritable(): void {
    const w = this.#writeWaiter;
    this.#writeWaiter = undefined;
    w?.();
  }

  /** The peer sent STOP_SENDING: writes fail from now on. */
  onStopped(errorCode: number): void {
    this.#stopped = new QuicStreamError('ERR_QUIC_STREAM_STOPPED', errorCode, `stream ${this.id} stopped by the peer with code ${errorCode}`);
    this.onWritable();
  }

  /** The connection ended: pending reads and writes fail. */
  onConnectionClosed(reason: string): void {
    this.#failure ??= new QuicStreamError('ERR_QUIC_CONNECTION_CLOSED', 0, `connection closed: ${reason}`);
    this.onReadable();
    this.onWritable();
  }

  #makeReadable(): ReadableStream<Uint8Array> {
    const host = this.#host;
    const id = this.id;
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        for (;;) {
          let r;
          try {
            r = host.conn.readStream(id, READ_CHUNK);
          } catch {
            r = { kind: 'closed' as const };
          }
          switch (r.kind) {
            case 'data':
              // Reading freed receive window: MAX_STREAM_DATA / MAX_DATA may be due.
              host.wake();
              if (r.data.length > 0) controller.enqueue(r.data.slice());
              if (r.fin) controller.close();
              return;
            case 'reset':
              controller.error(new QuicStreamError('ERR_QUIC_STREAM_RESET', r.errorCode, `stream ${id} reset by the peer with code ${r.errorCode}`));
              return;
            case 'closed':
              if (this.#failure) controller.error(this.#failure);
              else controller.close();
              return;
            case 'blocked':
              if (this.#failure) {
                controller.error(this.#failure);
                return;
              }
              await new Promise<void>((resolve) => {
                this.#readWaiter = resolve;
              });
          }
        }
      },
      cancel: (reason) => {
        try {
          host.conn.stopSending(id, codeOf(reason));
          host.wake();
        } catch {
          // the stream or connection is already gone
        }
      },
    }, { highWaterMark: 0 });
  }

  #makeWritable(): WritableStream<Uint8Array> {
    const host = this.#host;
    const id = this.id;
    return new WritableStream<Uint8Array>({
      write: async (chunk) => {
        const data = chunk.slice();
        let offset = 0;
        while (offset < data.length) {
          const failure = this.#stopped ?? this.#failure;
          if (failure) throw failure;
          offset += host.conn.writeStream(id, offset === 0 ? data : data.subarray(offset));
          host.wake();
          if (offset < data.length) {
            await new Promise<void>((resolve) => {
              this.#writeWaiter = resolve;
            });
          }
        }
      },
      close: () => {
        const failure = this.#stopped ?? this.#failure;
        if (failure) throw failure;
        host.conn.finishStream(id);
        host.wake();
      },
      abort: (reason) => {
        try {
          host.conn.resetStream(id, codeOf(reason));
          host.wake();
        } catch {
          // the stream or connection is already gone
        }
      },
    }, { highWaterMark: 1 });
  }
}
