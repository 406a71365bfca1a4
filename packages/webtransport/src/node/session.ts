/**
 * A WebTransport session on the node runtime, in either role: incoming streams as WHATWG
 * `ReadableStream`s (async iterable), `createBidirectionalStream` / `createUnidirectionalStream`,
 * datagrams as a readable/writable pair, `close({ closeCode, reason })` (CLOSE_WEBTRANSPORT_SESSION
 * then FIN, the QUIC connection stays), `drain()`, and `closed` / `draining` promises.
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
  readonly streamsOpenedLocal: number;
  readonly streamsOpenedRemote: number;
  readonly rttMs: number;
}

/** The datagram side of a session. */
export interface WebTransportDatagramDuplex {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  /** Largest payload that fits one QUIC packet now. */
  readonly maxDatagramSize: number;
}

/** Incoming datagrams held for a slow reader; beyond this, new ones are dropped. */
const DATAGRAM_QUEUE = 256;

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
  readonly conn: WtNodeConnection;
  #bidiController!: ReadableStreamDefaultController<WebTransportBidirectionalStream>;
  #uniController!: ReadableStreamDefaultController<ReadableStream<Uint8Array>>;
  #datagramController!: ReadableStreamDefaultController<Uint8Array>;
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
    const readable = new ReadableStream<Uint8Array>({ start: (c) => { this.#datagramController = c; } }, { highWaterMark: DATAGRAM_QUEUE });
    const writable = new WritableStream<Uint8Array>({
      write: (chunk) => {
        if (this.#ended !== undefined) throw this.#ended;
        this.sendDatagram(chunk);
      },
    });
    const session = this;
    this.datagrams = {
      readable, writable,
      get maxDatagramSize(): number {
        return session.conn.maxDatagramPayload(session.id);
      },
    };
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
    if ((this.#datagramController.desiredSize ?? 0) > 0) this.#datagramController.enqueue(payload.slice());
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
    for (const c of [this.#bidiController, this.#uniController, this.#datagramController] as ReadableStreamDefaultController<unknown>[]) {
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
