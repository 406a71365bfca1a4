/**
 * WebTransport streams as WHATWG streams: the receiving side is a `ReadableStream` that pauses
 * reading of its QUIC stream while its queue is full (so the peer's credit is not renewed), the
 * sending side a `WritableStream` whose writes wait for session credit and for the transport to
 * take the bytes. Reader helpers (`read`, `readExactly`, `readLine`, `readUntil`) sit on top.
 * @module
 */
import { WebTransportError } from '../errors.ts';

/** Most received bytes queued in a stream before reading its QUIC stream pauses. */
const RECEIVE_HIGH_WATER = 256 * 1024;

/** What a stream needs from its connection and session. */
export interface StreamHooks {
  pause(): void;
  resume(): void;
  /** Stops the peer's sending (STOP_SENDING with the application code). */
  stopSending(code: number): void;
  /** Writes what the session credit allows; returns the count taken. Throws when the side is gone. */
  write(data: Uint8Array, fin: boolean): number;
  reset(code: number): void;
  /** Resolves when bytes held for the stream went to the transport. */
  drained(): Promise<void> | undefined;
  /** Resolves when session credit may have grown. */
  creditWait(): Promise<void>;
}

function codeOf(reason: unknown): number {
  if (reason instanceof WebTransportError && reason.streamErrorCode !== null) return reason.streamErrorCode;
  if (typeof reason === 'number' && Number.isInteger(reason) && reason >= 0 && reason <= 0xffffffff) return reason;
  return 0;
}

/** The receiving half of a stream. */
export class ReceiveHalf {
  readonly readable: ReadableStream<Uint8Array>;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #done = false;
  readonly #hooks: StreamHooks;
  bytesReceived = 0;

  constructor(hooks: StreamHooks) {
    this.#hooks = hooks;
    this.readable = new ReadableStream<Uint8Array>({
      start: (c) => {
        this.#controller = c;
      },
      pull: () => hooks.resume(),
      cancel: (reason) => {
        if (this.#done) return;
        this.#done = true;
        hooks.stopSending(codeOf(reason));
      },
    }, { highWaterMark: RECEIVE_HIGH_WATER, size: (chunk) => chunk.byteLength });
  }

  get done(): boolean {
    return this.#done;
  }

  push(data: Uint8Array, fin: boolean): void {
    if (this.#done) return;
    if (data.length > 0) {
      this.bytesReceived += data.length;
      // The bytes may be a view into the transport's buffer: the reader gets its own copy.
      this.#controller.enqueue(data.slice());
    }
    if (fin) {
      this.#done = true;
      this.#controller.close();
    } else if ((this.#controller.desiredSize ?? 0) <= 0) {
      this.#hooks.pause();
    }
  }

  fail(error: Error): void {
    if (this.#done) return;
    this.#done = true;
    this.#controller.error(error);
  }
}

/** The sending half of a stream. */
export class SendHalf {
  readonly writable: WritableStream<Uint8Array>;
  #failure: Error | undefined;
  #controller!: WritableStreamDefaultController;
  #done = false;
  bytesSent = 0;

  constructor(hooks: StreamHooks) {
    const failed = (): void => {
      if (this.#failure !== undefined) throw this.#failure;
    };
    this.writable = new WritableStream<Uint8Array>({
      start: (c) => {
        this.#controller = c;
      },
      write: async (chunk) => {
        if (!(chunk instanceof Uint8Array)) throw new TypeError('WebTransport streams carry Uint8Array chunks');
        let data = chunk;
        for (;;) {
          failed();
          let n: number;
          try {
            n = hooks.write(data, false);
          } catch (e) {
            throw this.#failure ?? new WebTransportError('the stream can no longer send', { source: 'stream', cause: e });
          }
          this.bytesSent += n;
          const drained = hooks.drained();
          if (drained !== undefined) await drained;
          if (n === data.length) return;
          data = data.subarray(n);
          await hooks.creditWait();
        }
      },
      close: () => {
        failed();
        this.#done = true;
        try {
          hooks.write(new Uint8Array(0), true);
        } catch (e) {
          throw this.#failure ?? new WebTransportError('the stream can no longer send', { source: 'stream', cause: e });
        }
      },
      abort: (reason) => {
        if (this.#done) return;
        this.#done = true;
        hooks.reset(codeOf(reason));
      },
    }, { highWaterMark: 1 });
  }

  get done(): boolean {
    return this.#done;
  }

  /** The peer stopped the stream, or the session ended: pending and later writes fail. */
  fail(error: Error): void {
    if (this.#done) return;
    this.#done = true;
    this.#failure = error;
    this.#controller.error(error);
  }
}

/**
 * A reader with the byte helpers of the native API over any `ReadableStream<Uint8Array>`:
 * `read(n)` gives up to n bytes (null at the end), `readExactly(n)` exactly n or throws,
 * `readUntil(sep)` through the separator, `readLine()` a line without its LF.
 */
export class StreamReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  #buffer = new Uint8Array(0);
  #ended = false;

  constructor(readable: ReadableStream<Uint8Array>) {
    this.#reader = readable.getReader();
  }

  async #fill(): Promise<boolean> {
    if (this.#ended) return false;
    const { value, done } = await this.#reader.read();
    if (done) {
      this.#ended = true;
      return false;
    }
    const merged = new Uint8Array(this.#buffer.length + value.length);
    merged.set(this.#buffer);
    merged.set(value, this.#buffer.length);
    this.#buffer = merged;
    return true;
  }

  #take(n: number): Uint8Array {
    const out = this.#buffer.slice(0, n);
    this.#buffer = this.#buffer.subarray(n);
    return out;
  }

  /** Up to `max` bytes (default: what is there), or null at the end of the stream. */
  async read(max = Infinity): Promise<Uint8Array | null> {
    if (this.#buffer.length === 0 && !(await this.#fill())) return null;
    return this.#take(Math.min(max, this.#buffer.length));
  }

  /** Exactly `n` bytes; RangeError when the stream ends first. */
  async readExactly(n: number): Promise<Uint8Array> {
    while (this.#buffer.length < n) if (!(await this.#fill())) throw new RangeError(`the stream ended after ${this.#buffer.length} of ${n} bytes`);
    return this.#take(n);
  }

  /** Bytes through the first `separator` (included); at the end of the stream, what is left (null if nothing). */
  async readUntil(separator: Uint8Array | number, limit = 1024 * 1024): Promise<Uint8Array | null> {
    const sep = typeof separator === 'number' ? Uint8Array.of(separator) : separator;
    if (sep.length === 0) throw new RangeError('empty separator');
    for (let from = 0; ;) {
      const at = indexOf(this.#buffer, sep, from);
      if (at >= 0) return this.#take(at + sep.length);
      if (this.#buffer.length > limit) throw new RangeError(`no separator within ${limit} bytes`);
      from = Math.max(0, this.#buffer.length - sep.length + 1);
      if (!(await this.#fill())) return this.#buffer.length > 0 ? this.#take(this.#buffer.length) : null;
    }
  }

  /** A line decoded as UTF-8 without its LF (or CRLF), or null at the end. */
  async readLine(limit?: number): Promise<string | null> {
    const bytes = await this.readUntil(0x0a, limit);
    if (bytes === null) return null;
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === 0x0a) end--;
    if (end > 0 && bytes[end - 1] === 0x0d) end--;
    return new TextDecoder().decode(bytes.subarray(0, end));
  }

  releaseLock(): void {
    this.#reader.releaseLock();
  }
}

function indexOf(hay: Uint8Array, needle: Uint8Array, from: number): number {
  outer: for (let i = from; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** A bidirectional stream: both halves, as the W3C API has them. */
export interface WebTransportBidirectionalStream {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
}
