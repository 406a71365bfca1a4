/**
 * A WebTransport session on the node runtime, in either role: incoming streams as WHATWG
 * `ReadableStream`s (async iterable), `createBidirectionalStream` / `createUnidirectionalStream`,
 * datagrams as a readable/writable pair with the W3C queues (high-water marks, max ages, drop
 * counts), `close({ closeCode, reason })` (CLOSE_WEBTRANSPORT_SESSION then FIN, the QUIC connection
 * stays), `drain()`, and `closed` / `draining` promises.
 * @module
 */
import { WebTransportError } from '../errors.ts';
import type { WtDialect } from '../protocol/dialect.ts';
import type { WtSessionRequest } from '../protocol/events.ts';
import type { WtNodeConnection } from './connection.ts';
import { ReceiveHalf, SendHalf, type StreamHooks, type WebTransportBidirectionalStream } from './streams.ts';

/** How a session ended (W3C `WebTransportCloseInfo`). */
export interface WebTransportCloseInfo {
  readonly closeCode: number;
  readonly reason: string;
}

/** Close options: W3C names (`closeCode`) or the native ones (`code`). */
export interface WebTransportCloseOptions {
  readonly closeCode?: number;
  readonly code?: number;
  readonly reason?: string;
}

/** Counters of a session. */
export interface WebTransportSessionStats {
  readonly bytesSent: number;
  readonly bytesReceived: number;
  readonly datagramsSent: number;
  readonly datagramsReceived: number;
  /** Incoming datagrams dropped, oldest first, because the reader fell behind (the high-water mark). */
  readonly datagramsDroppedIncoming: number;
  /** Incoming datagrams discarded unread because they grew older than `incomingMaxAge`. */
  readonly datagramsExpiredIncoming: number;
  /** Outgoing datagrams discarded unsent because they waited longer than `outgoingMaxAge`. */
  readonly datagramsExpiredOutgoing: number;
  /**
   * Datagrams sent in QUIC packets later declared lost (RFC 9221 §5.2). Counted per QUIC
   * connection: with several sessions on one connection, this is the total of all of them.
   */
  readonly datagramsLostOutgoing: number;
  readonly streamsOpenedLocal: number;
  readonly streamsOpenedRemote: number;
  readonly rttMs: number;
}

/**
 * The datagram side of a session (W3C `WebTransportDatagramDuplexStream`, §5). Incoming datagrams
 * wait in a queue until read; beyond `incomingHighWaterMark` the oldest are dropped, and those
 * older than `incomingMaxAge` are discarded. Writes wait in a queue until the transport takes
 * them; a write resolves at once while fewer than `outgoingHighWaterMark` wait (so the writable's
 * `desiredSize` / `ready` exert backpressure beyond it), and datagrams that waited longer than
 * `outgoingMaxAge` are dropped unsent. Ages are in milliseconds; a max age of null (or 0) means none.
 *
 * `incomingMaxBufferedDatagrams` / `outgoingMaxBufferedDatagrams` are the names the current W3C
 * draft gives the two high-water marks: aliases of the same values, their setters converting as
 * the draft's `unsigned long` attributes do (truncated, modulo 2^32, then at least 1).
 */
export interface WebTransportDatagramDuplex {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  /** Largest payload that fits one QUIC packet now. */
  readonly maxDatagramSize: number;
  incomingHighWaterMark: number;
  outgoingHighWaterMark: number;
  incomingMaxAge: number | null;
  outgoingMaxAge: number | null;
  incomingMaxBufferedDatagrams: number;
  outgoingMaxBufferedDatagrams: number;
}

/** Incoming datagrams held for a slow reader by default; beyond, the oldest are dropped. */
export const DATAGRAM_QUEUE = 256;
/** Outgoing datagrams queued by default before writes wait (the transport's own queue is in front). */
export const DATAGRAM_OUTGOING_QUEUE = 64;

/**
 * Validates a high-water mark as the W3C setters do: RangeError when negative or NaN; values
 * below 1 become 1. Infinity is allowed (no bound).
 */
export function datagramHighWaterMark(value: number): number {
  const v = Number(value);
  if (Number.isNaN(v) || v < 0) throw new RangeError(`a datagram high-water mark must be a number >= 0, not ${String(value)}`);
  return v < 1 ? 1 : v;
}

/** Validates a max age as the W3C setters do: RangeError when negative or NaN; 0 and null mean none. */
export function datagramMaxAge(value: number | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  const v = Number(value);
  if (Number.isNaN(v) || v < 0) throw new RangeError(`a datagram max age must be a number >= 0, not ${String(value)}`);
  return v === 0 ? null : v;
}

/** `incomingMaxBufferedDatagrams` and its sibling: WebIDL `unsigned long`, then at least 1. */
export function datagramMaxBuffered(value: number): number {
  const v = Number(value);
  if (!Number.isFinite(v)) return 1;
  const n = ((Math.trunc(v) % 2 ** 32) + 2 ** 32) % 2 ** 32;
  return n < 1 ? 1 : n;
}

/** The unsigned-long view of a high-water mark (what the `*MaxBufferedDatagrams` getters return). */
function asUnsignedLong(v: number): number {
  return Math.min(Math.floor(v), 0xffffffff);
}

/** A first-in first-out queue with O(1) removal at the head. */
class Fifo<T> {
  #items: T[] = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  get first(): T | undefined {
    return this.#items[this.#head];
  }

  push(item: T): void {
    this.#items.push(item);
  }

  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head++];
    if (this.#head > 64 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  clear(): T[] {
    const rest = this.#items.slice(this.#head);
    this.#items = [];
    this.#head = 0;
    return rest;
  }
}

/** What the datagram side needs of its session and runtime. */
export interface DatagramIo {
  /** Whether the transport can take a datagram now (false: its own queue is full). */
  canSend(): boolean;
  /** Hands one datagram to the transport. */
  send(payload: Uint8Array): void;
  maxDatagramSize(): number;
  /** Milliseconds on a monotonic clock. */
  now(): number;
  /** Runs `fn` a little later (to retry a send the transport could not take); returns a cancel. */
  later(fn: () => void): () => void;
}

interface Outgoing {
  readonly bytes: Uint8Array;
  readonly at: number;
  readonly done: () => void;
}

function bytesOfChunk(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk.slice();
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk.slice(0));
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer.slice(chunk.byteOffset, chunk.byteOffset + chunk.byteLength));
  throw new TypeError('a datagram is a BufferSource');
}

/**
 * @internal The queues of {@link WebTransportDatagramDuplex}, following the W3C algorithms
 * (receiveDatagrams, pullDatagrams, writeDatagrams, sendDatagrams).
 */
export class DatagramDuplex implements WebTransportDatagramDuplex {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  /** Counts of what the queues dropped. */
  readonly stats = { droppedIncoming: 0, expiredIncoming: 0, expiredOutgoing: 0 };
  readonly #io: DatagramIo;
  readonly #incoming = new Fifo<{ readonly bytes: Uint8Array; readonly at: number }>();
  readonly #outgoing = new Fifo<Outgoing>();
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #pulling: (() => void) | undefined;
  #readableDone = false;
  #cancelRetry: (() => void) | undefined;
  #ended: Error | undefined;
  #incomingHwm = DATAGRAM_QUEUE;
  #outgoingHwm = DATAGRAM_OUTGOING_QUEUE;
  #incomingMaxAge: number | null = null;
  #outgoingMaxAge: number | null = null;

  constructor(io: DatagramIo) {
    this.#io = io;
    // highWaterMark 0: datagrams stay in our queue (where age and the mark apply) until read.
    this.readable = new ReadableStream<Uint8Array>({
      start: (c) => {
        this.#controller = c;
      },
      pull: () => this.#pull(),
      cancel: () => {
        this.#readableDone = true;
        this.#incoming.clear();
      },
    }, { highWaterMark: 0 });
    this.writable = new WritableStream<Uint8Array>({ write: (chunk) => this.#write(chunk) });
  }

  get maxDatagramSize(): number {
    return this.#io.maxDatagramSize();
  }

  get incomingHighWaterMark(): number {
    return this.#incomingHwm;
  }

  set incomingHighWaterMark(value: number) {
    this.#incomingHwm = datagramHighWaterMark(value);
  }

  get outgoingHighWaterMark(): number {
    return this.#outgoingHwm;
  }

  set outgoingHighWaterMark(value: number) {
    this.#outgoingHwm = datagramHighWaterMark(value);
  }

  get incomingMaxBufferedDatagrams(): number {
    return asUnsignedLong(this.#incomingHwm);
  }

  set incomingMaxBufferedDatagrams(value: number) {
    this.#incomingHwm = datagramMaxBuffered(value);
  }

  get outgoingMaxBufferedDatagrams(): number {
    return asUnsignedLong(this.#outgoingHwm);
  }

  set outgoingMaxBufferedDatagrams(value: number) {
    this.#outgoingHwm = datagramMaxBuffered(value);
  }

  get incomingMaxAge(): number | null {
    return this.#incomingMaxAge;
  }

  set incomingMaxAge(value: number | null) {
    this.#incomingMaxAge = datagramMaxAge(value);
  }

  get outgoingMaxAge(): number | null {
    return this.#outgoingMaxAge;
  }

  set outgoingMaxAge(value: number | null) {
    this.#outgoingMaxAge = datagramMaxAge(value);
  }

  /** Datagrams waiting to be read. */
  get incomingQueued(): number {
    return this.#incoming.length;
  }

  /** Datagrams waiting for the transport. */
  get outgoingQueued(): number {
    return this.#outgoing.length;
  }

  /** A datagram arrived (W3C receiveDatagrams). */
  receive(payload: Uint8Array): void {
    if (this.#ended !== undefined || this.#readableDone) return;
    const now = this.#io.now();
    this.#incoming.push({ bytes: payload.slice(), at: now });
    // The queue is bounded by the mark: the oldest go first.
    const excess = Math.floor(this.#incoming.length - this.#incomingHwm);
    for (let i = 0; i < excess; i++) {
      this.#incoming.shift();
      this.stats.droppedIncoming++;
    }
    this.#expireIncoming(now);
    const resolve = this.#pulling;
    if (resolve !== undefined && this.#incoming.length > 0) {
      this.#pulling = undefined;
      this.#controller.enqueue(this.#incoming.shift()!.bytes);
      resolve();
    }
  }

  /**
   * The session ended: queued writes are dropped (their writes resolve, later ones fail), and the
   * readable closes with what is queued still readable, or errors when `error` says it failed.
   */
  end(reason: Error, failed: boolean): void {
    if (this.#ended !== undefined) return;
    this.#ended = reason;
    this.#cancelRetry?.();
    this.#cancelRetry = undefined;
    for (const o of this.#outgoing.clear()) o.done();
    if (this.#readableDone) return;
    this.#readableDone = true;
    try {
      if (failed) {
        this.#incoming.clear();
        this.#controller.error(reason);
      } else {
        for (const d of this.#incoming.clear()) this.#controller.enqueue(d.bytes);
        this.#controller.close();
      }
    } catch {
      // already closed or errored
    }
    const resolve = this.#pulling;
    this.#pulling = undefined;
    resolve?.();
  }

  /** W3C pullDatagrams; the age is checked here too, so nothing is handed over older than the max age. */
  #pull(): Promise<void> | undefined {
    this.#expireIncoming(this.#io.now());
    const d = this.#incoming.shift();
    if (d === undefined) {
      if (this.#readableDone) return undefined;
      return new Promise((resolve) => {
        this.#pulling = resolve;
      });
    }
    this.#controller.enqueue(d.bytes);
    return undefined;
  }

  #expireIncoming(now: number): void {
    const maxAge = this.#incomingMaxAge ?? Infinity;
    for (let d = this.#incoming.first; d !== undefined && now - d.at > maxAge; d = this.#incoming.first) {
      this.#incoming.shift();
      this.stats.expiredIncoming++;
    }
  }

  /** W3C writeDatagrams: queued; the write resolves at once while the queue is below the mark. */
  #write(chunk: unknown): Promise<void> | undefined {
    const at = this.#io.now();
    const bytes = bytesOfChunk(chunk);
    if (this.#ended !== undefined) throw this.#ended;
    if (bytes.length > this.#io.maxDatagramSize()) return undefined; // too big: dropped, as the W3C steps say
    let done!: () => void;
    const written = new Promise<void>((resolve) => {
      done = resolve;
    });
    this.#outgoing.push({ bytes, at, done });
    if (this.#outgoing.length < this.#outgoingHwm) done();
    this.#flush();
    return written;
  }

  /** W3C sendDatagrams: drops what expired, then hands datagrams over while the transport takes them. */
  #flush(): void {
    if (this.#ended !== undefined) return;
    const now = this.#io.now();
    const maxAge = this.#outgoingMaxAge ?? Infinity;
    for (let o = this.#outgoing.first; o !== undefined && now - o.at > maxAge; o = this.#outgoing.first) {
      this.#outgoing.shift();
      this.stats.expiredOutgoing++;
      o.done();
    }
    for (let o = this.#outgoing.first; o !== undefined; o = this.#outgoing.first) {
      if (o.bytes.length <= this.#io.maxDatagramSize()) {
        if (!this.#io.canSend()) {
          this.#cancelRetry ??= this.#io.later(() => {
            this.#cancelRetry = undefined;
            this.#flush();
          });
          return;
        }
        this.#io.send(o.bytes);
      }
      this.#outgoing.shift();
      o.done();
    }
  }
}

/** One stream of the session, as the connection routes events to it. */
export interface StreamEntry {
  readonly id: number;
  readonly session: WebTransportSession;
  readonly receive: ReceiveHalf | undefined;
  readonly send: SendHalf | undefined;
  drainWaiters: (() => void)[];
}

export class WebTransportSession {
  readonly id: number;
  /** What the client asked for (the path, origin, offered protocols, headers). */
  readonly request: WtSessionRequest;
  /** The WT-Protocol the server picked, if any. */
  protocol: string | undefined;
  readonly closed: Promise<WebTransportCloseInfo>;
  /** Resolves when the peer asks to wind the session down (DRAIN capsule or GOAWAY). */
  readonly draining: Promise<void>;
  readonly incomingBidirectionalStreams: ReadableStream<WebTransportBidirectionalStream>;
  readonly incomingUnidirectionalStreams: ReadableStream<ReadableStream<Uint8Array>>;
  readonly datagrams: WebTransportDatagramDuplex;
  /** @internal */
  readonly datagramQueues: DatagramDuplex;
  /** @internal */
  readonly conn: WtNodeConnection;
  #bidiController!: ReadableStreamDefaultController<WebTransportBidirectionalStream>;
  #uniController!: ReadableStreamDefaultController<ReadableStream<Uint8Array>>;
  #resolveClosed!: (info: WebTransportCloseInfo) => void;
  #rejectClosed!: (e: Error) => void;
  #resolveDraining!: () => void;
  #creditWaiters: (() => void)[] = [];
  #ended: Error | undefined;
  #isClosed = false;
  readonly streams = new Set<StreamEntry>();

  /** @internal */
  constructor(conn: WtNodeConnection, id: number, request: WtSessionRequest) {
    this.conn = conn;
    this.id = id;
    this.request = request;
    this.closed = new Promise((resolve, reject) => {
      this.#resolveClosed = resolve;
      this.#rejectClosed = reject;
    });
    this.closed.catch(() => {});
    this.draining = new Promise((resolve) => {
      this.#resolveDraining = resolve;
    });
    this.incomingBidirectionalStreams = new ReadableStream({ start: (c) => { this.#bidiController = c; } });
    this.incomingUnidirectionalStreams = new ReadableStream({ start: (c) => { this.#uniController = c; } });
    this.datagramQueues = new DatagramDuplex({
      canSend: () => {
        // The QUIC connection queues datagrams up to a limit and refuses more (RFC 9221 §5: unreliable).
        const quic = conn.quic;
        return quic.datagramsOut.length < quic.config.transport.datagramSendQueue;
      },
      send: (payload) => {
        this.sendDatagram(payload);
      },
      maxDatagramSize: () => conn.maxDatagramPayload(id),
      now: () => performance.now(),
      later: (fn) => {
        const timer = setTimeout(fn, 1);
        (timer as { unref?: () => void }).unref?.();
        return () => clearTimeout(timer);
      },
    });
    this.datagrams = this.datagramQueues;
  }

  get isClosed(): boolean {
    return this.#isClosed;
  }

  /** The WebTransport dialect of the connection (draft02, draft07, draft13, draft15). */
  get dialect(): WtDialect | undefined {
    return this.conn.adapter.wt?.negotiated?.dialect;
  }

  /** The request path (with its query). */
  get path(): string {
    return this.request.path;
  }

  /** Sends one datagram; false when it could not go out (too big, session gone). Unreliable. */
  sendDatagram(payload: Uint8Array): boolean {
    if (this.#ended !== undefined) return false;
    return this.conn.command((wt) => wt.sendDatagram(this.id, payload));
  }

  /** Opens a bidirectional stream; waits while the peer's stream credit is used up. */
  async createBidirectionalStream(): Promise<WebTransportBidirectionalStream> {
    const e = await this.#open('bidi');
    return { readable: e.receive!.readable, writable: e.send!.writable };
  }

  /** Opens a unidirectional stream; waits while the peer's stream credit is used up. */
  async createUnidirectionalStream(): Promise<WritableStream<Uint8Array>> {
    const e = await this.#open('uni');
    return e.send!.writable;
  }

  /** Ends the session: CLOSE_WEBTRANSPORT_SESSION with the code and reason, then FIN (§6). */
  close(options: WebTransportCloseOptions = {}): void {
    if (this.#isClosed) return;
    const code = options.closeCode ?? options.code ?? 0;
    const reason = options.reason ?? '';
    this.conn.command((wt) => wt.closeSession(this.id, code, reason));
  }

  /** Asks the peer to wind the session down (DRAIN_WEBTRANSPORT_SESSION). */
  drain(): void {
    if (this.#isClosed) return;
    this.conn.command((wt) => wt.drainSession(this.id));
  }

  getStats(): WebTransportSessionStats {
    const info = this.conn.adapter.wt?.sessionInfo(this.id);
    const s = info?.stats;
    return {
      bytesSent: s?.bytesSent ?? 0, bytesReceived: s?.bytesReceived ?? 0,
      datagramsSent: s?.datagramsSent ?? 0, datagramsReceived: s?.datagramsReceived ?? 0,
      datagramsDroppedIncoming: this.datagramQueues.stats.droppedIncoming,
      datagramsExpiredIncoming: this.datagramQueues.stats.expiredIncoming,
      datagramsExpiredOutgoing: this.datagramQueues.stats.expiredOutgoing,
      // The QUIC layer counts lost DATAGRAM frames, not which session each belonged to.
      datagramsLostOutgoing: this.conn.datagramsLost,
      streamsOpenedLocal: s?.streamsOpenedLocal ?? 0, streamsOpenedRemote: s?.streamsOpenedRemote ?? 0,
      rttMs: this.conn.rttMs,
    };
  }

  async #open(dir: 'bidi' | 'uni'): Promise<StreamEntry> {
    for (;;) {
      if (this.#ended !== undefined) throw this.#ended;
      const id = this.conn.command((wt) => wt.openStream(this.id, dir));
      if (id !== null) return this.attach(id, dir === 'bidi', true);
      await Promise.race([this.creditWait(), this.conn.streamsAvailable()]);
    }
  }

  // ---- called by the connection ---------------------------------------------------------------

  /** @internal A stream of this session (local or the peer's). */
  attach(id: number, bidi: boolean, local: boolean): StreamEntry {
    const conn = this.conn;
    const hooks: StreamHooks = {
      pause: () => conn.adapter.pauseReading(id),
      resume: () => conn.adapter.resumeReading(id),
      stopSending: (code) => conn.command((wt) => wt.stopSending(id, code)),
      write: (data, fin) => conn.command((wt) => wt.writeStream(id, data, fin)),
      reset: (code) => conn.command((wt) => wt.resetStream(id, code)),
      drained: () => (conn.adapter.bufferedAmount(id) > 0 ? new Promise<void>((r) => entry.drainWaiters.push(r)) : undefined),
      creditWait: () => this.creditWait(),
    };
    const entry: StreamEntry = {
      id, session: this,
      receive: bidi || !local ? new ReceiveHalf(hooks) : undefined,
      send: bidi || local ? new SendHalf(hooks) : undefined,
      drainWaiters: [],
    };
    this.streams.add(entry);
    conn.streams.set(id, entry);
    if (!local) {
      if (bidi) this.#bidiController.enqueue({ readable: entry.receive!.readable, writable: entry.send!.writable });
      else this.#uniController.enqueue(entry.receive!.readable);
    }
    return entry;
  }

  /** @internal */
  creditWait(): Promise<void> {
    return new Promise((resolve) => this.#creditWaiters.push(resolve));
  }

  /** @internal Session credit grew. */
  writable(): void {
    for (const w of this.#creditWaiters.splice(0)) w();
  }

  /** @internal */
  onDatagram(payload: Uint8Array): void {
    if (this.#ended !== undefined) return;
    this.datagramQueues.receive(payload);
  }

  /** @internal */
  onDraining(): void {
    this.#resolveDraining();
  }

  /**
   * @internal The session ended: a clean close resolves `closed`; an abnormal end (`error`, the
   * HTTP/3 code) rejects it. Streams still open fail.
   */
  onClosed(code: number, reason: string, error: number | undefined): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    const err = error === undefined
      ? new WebTransportError(`session closed (${code}${reason ? `: ${reason}` : ''})`, { source: 'session' })
      : new WebTransportError(reason || 'Connection lost.', { source: 'session', code: error });
    this.#ended = err;
    for (const e of this.streams) {
      e.receive?.fail(err);
      e.send?.fail(err);
      for (const w of e.drainWaiters.splice(0)) w();
      this.conn.streams.delete(e.id);
    }
    this.streams.clear();
    this.datagramQueues.end(err, error !== undefined);
    for (const c of [this.#bidiController, this.#uniController] as ReadableStreamDefaultController<unknown>[]) {
      try {
        if (error === undefined) c.close();
        else c.error(err);
      } catch {
        // already closed
      }
    }
    this.writable();
    if (error === undefined) this.#resolveClosed({ closeCode: code, reason });
    else this.#rejectClosed(err);
    this.conn.sessions.delete(this.id);
  }
}
