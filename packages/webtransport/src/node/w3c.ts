/**
 * The W3C `WebTransport` interface (https://w3c.github.io/webtransport/) for Node, Bun and
 * Deno, so browser code runs unchanged: `new WebTransport(url, { serverCertificateHashes })`,
 * `ready`, `closed`, `draining`, `datagrams`, `createBidirectionalStream()`,
 * `createUnidirectionalStream()`, `incomingBidirectionalStreams`, `incomingUnidirectionalStreams`,
 * `close({ closeCode, reason })`, `getStats()`, `protocol`. It behaves as Chromium does on the
 * browser scenarios: `closed` resolves with the peer's (or our) close code and reason, and
 * rejects with a WebTransportError when the connection is lost.
 * @module
 */
import { WebTransportError } from '../errors.ts';
import { connectWebTransport, type WebTransportClientOptions } from './client.ts';
import {
  DATAGRAM_OUTGOING_QUEUE, DATAGRAM_QUEUE, datagramHighWaterMark, datagramMaxAge, datagramMaxBuffered,
  type WebTransportCloseInfo, type WebTransportDatagramDuplex, type WebTransportSession,
} from './session.ts';
import type { WebTransportBidirectionalStream } from './streams.ts';

/** A certificate hash (W3C `WebTransportHash`). */
export interface WebTransportHash {
  readonly algorithm: string;
  readonly value: ArrayBuffer | ArrayBufferView;
}

/** Constructor options (W3C `WebTransportOptions`), plus the native client's under `quicts`. */
export interface WebTransportOptions {
  readonly allowPooling?: boolean;
  readonly requireUnreliable?: boolean;
  readonly serverCertificateHashes?: readonly WebTransportHash[];
  readonly congestionControl?: 'default' | 'throughput' | 'low-latency';
  readonly protocols?: readonly string[];
  /** Options of the native client (timeouts, dialects, transport settings, ...). */
  readonly quicts?: WebTransportClientOptions;
}

function bytesOf(v: ArrayBuffer | ArrayBufferView): Uint8Array {
  return v instanceof ArrayBuffer ? new Uint8Array(v.slice(0)) : new Uint8Array(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
}

/** A readable that follows another once it exists (the session's, after `ready`). */
function deferredReadable<T>(source: Promise<ReadableStream<T>>): ReadableStream<T> {
  source.catch(() => {}); // a failed connect surfaces through the reads
  let reader: ReadableStreamDefaultReader<T> | undefined;
  return new ReadableStream<T>({
    async pull(controller) {
      reader ??= (await source).getReader();
      const { value, done } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    async cancel(reason) {
      await (reader ?? (await source.catch(() => undefined))?.getReader())?.cancel(reason);
    },
  }, { highWaterMark: 0 });
}

function deferredWritable<T>(source: Promise<WritableStream<T>>): WritableStream<T> {
  source.catch(() => {}); // a failed connect surfaces through the writes
  let writer: WritableStreamDefaultWriter<T> | undefined;
  const get = async (): Promise<WritableStreamDefaultWriter<T>> => (writer ??= (await source).getWriter());
  return new WritableStream<T>({
    async write(chunk) {
      await (await get()).write(chunk);
    },
    async close() {
      await (await get()).close();
    },
    async abort(reason) {
      await (await get().catch(() => undefined))?.abort(reason);
    },
  });
}

export class WebTransport {
  readonly ready: Promise<void>;
  readonly closed: Promise<WebTransportCloseInfo>;
  readonly draining: Promise<void>;
  /**
   * The datagram duplex (W3C §5): `incomingHighWaterMark` / `outgoingHighWaterMark` and
   * `incomingMaxAge` / `outgoingMaxAge` as the W3C setters validate them (RangeError for negative
   * or NaN), with `incomingMaxBufferedDatagrams` / `outgoingMaxBufferedDatagrams` as aliases of the
   * two marks (the current W3C draft's names). Set before `ready`, they apply once the session exists.
   */
  readonly datagrams: WebTransportDatagramDuplex;
  readonly incomingBidirectionalStreams: ReadableStream<WebTransportBidirectionalStream>;
  readonly incomingUnidirectionalStreams: ReadableStream<ReadableStream<Uint8Array>>;
  readonly reliability = 'supports-unreliable';
  readonly congestionControl: 'default' | 'throughput' | 'low-latency';
  #session: WebTransportSession | undefined;
  readonly #sessionP: Promise<WebTransportSession>;
  #closeRequested: { closeCode: number; reason: string } | undefined;
  /** Datagram settings made before the session exists (W3C defaults: max ages null). */
  readonly #datagramSettings = {
    incomingHighWaterMark: DATAGRAM_QUEUE, outgoingHighWaterMark: DATAGRAM_OUTGOING_QUEUE,
    incomingMaxAge: null as number | null, outgoingMaxAge: null as number | null,
  };

  constructor(url: string | URL, options: WebTransportOptions = {}) {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:') throw new SyntaxError(`WebTransport needs an https URL: ${String(url)}`);
    if (parsed.hash !== '') throw new SyntaxError('a WebTransport URL has no fragment');
    this.congestionControl = options.congestionControl ?? 'default';
    const hashes = (options.serverCertificateHashes ?? []).filter((h) => h.algorithm.toLowerCase() === 'sha-256').map((h) => bytesOf(h.value));
    if (options.serverCertificateHashes !== undefined && options.serverCertificateHashes.length > 0 && hashes.length === 0) {
      throw new TypeError('serverCertificateHashes needs a sha-256 hash');
    }
    const native: WebTransportClientOptions = {
      ...(hashes.length > 0 ? { verify: { serverCertificateHashes: hashes } } : {}),
      ...(options.protocols !== undefined ? { protocols: options.protocols } : {}),
      ...options.quicts,
    };
    this.#sessionP = connectWebTransport(parsed, native).then((s) => {
      this.#session = s;
      Object.assign(s.datagrams, this.#datagramSettings);
      const pending = this.#closeRequested;
      if (pending !== undefined) s.close(pending);
      return s;
    });
    this.#sessionP.catch(() => {});
    this.ready = this.#sessionP.then(
      () => undefined,
      (e: unknown) => {
        throw new WebTransportError(`Opening handshake failed. (${e instanceof Error ? e.message : String(e)})`, { source: 'session', cause: e });
      },
    );
    this.ready.catch(() => {});
    this.closed = this.#sessionP.then(
      (s) => s.closed.catch((e: unknown) => {
        throw e instanceof WebTransportError ? e : new WebTransportError('Connection lost.', { source: 'session', cause: e });
      }),
      (e: unknown) => {
        throw new WebTransportError(`Opening handshake failed. (${e instanceof Error ? e.message : String(e)})`, { source: 'session', cause: e });
      },
    );
    this.closed.catch(() => {});
    this.draining = this.#sessionP.then((s) => s.draining);
    this.draining.catch(() => {});
    this.incomingBidirectionalStreams = deferredReadable(this.#sessionP.then((s) => s.incomingBidirectionalStreams));
    this.incomingUnidirectionalStreams = deferredReadable(this.#sessionP.then((s) => s.incomingUnidirectionalStreams));
    const self = this;
    const settings = this.#datagramSettings;
    /** The session's duplex once it exists, else the settings kept for it. */
    const target = (): Pick<WebTransportDatagramDuplex, keyof typeof settings> => self.#session?.datagrams ?? settings;
    this.datagrams = {
      readable: deferredReadable(this.#sessionP.then((s) => s.datagrams.readable)),
      writable: deferredWritable(this.#sessionP.then((s) => s.datagrams.writable)),
      get maxDatagramSize(): number {
        return self.#session?.datagrams.maxDatagramSize ?? 1024;
      },
      get incomingHighWaterMark(): number {
        return target().incomingHighWaterMark;
      },
      set incomingHighWaterMark(v: number) {
        target().incomingHighWaterMark = datagramHighWaterMark(v);
      },
      get outgoingHighWaterMark(): number {
        return target().outgoingHighWaterMark;
      },
      set outgoingHighWaterMark(v: number) {
        target().outgoingHighWaterMark = datagramHighWaterMark(v);
      },
      get incomingMaxBufferedDatagrams(): number {
        return Math.min(Math.floor(target().incomingHighWaterMark), 0xffffffff);
      },
      set incomingMaxBufferedDatagrams(v: number) {
        target().incomingHighWaterMark = datagramMaxBuffered(v);
      },
      get outgoingMaxBufferedDatagrams(): number {
        return Math.min(Math.floor(target().outgoingHighWaterMark), 0xffffffff);
      },
      set outgoingMaxBufferedDatagrams(v: number) {
        target().outgoingHighWaterMark = datagramMaxBuffered(v);
      },
      get incomingMaxAge(): number | null {
        return target().incomingMaxAge;
      },
      set incomingMaxAge(v: number | null) {
        target().incomingMaxAge = datagramMaxAge(v);
      },
      get outgoingMaxAge(): number | null {
        return target().outgoingMaxAge;
      },
      set outgoingMaxAge(v: number | null) {
        target().outgoingMaxAge = datagramMaxAge(v);
      },
    };
  }

  /** The WT-Protocol the server picked ('' when none). */
  get protocol(): string {
    return this.#session?.protocol ?? '';
  }

  async createBidirectionalStream(): Promise<WebTransportBidirectionalStream> {
    const s = await this.#usable();
    return s.createBidirectionalStream();
  }

  async createUnidirectionalStream(): Promise<WritableStream<Uint8Array>> {
    const s = await this.#usable();
    return s.createUnidirectionalStream();
  }

  /** Ends the session (CLOSE_WEBTRANSPORT_SESSION with the code and reason). */
  close(info: { closeCode?: number; reason?: string } = {}): void {
    const closeInfo = { closeCode: info.closeCode ?? 0, reason: info.reason ?? '' };
    if (this.#session !== undefined) this.#session.close(closeInfo);
    else this.#closeRequested ??= closeInfo;
  }

  /** Statistics (a subset of W3C `WebTransportConnectionStats`). */
  async getStats(): Promise<Record<string, unknown>> {
    const s = await this.#usable();
    const st = s.getStats();
    return {
      bytesSent: st.bytesSent, bytesReceived: st.bytesReceived, smoothedRtt: st.rttMs,
      datagrams: {
        sent: st.datagramsSent, received: st.datagramsReceived,
        droppedIncoming: st.datagramsDroppedIncoming, expiredIncoming: st.datagramsExpiredIncoming, expiredOutgoing: st.datagramsExpiredOutgoing,
        // The QUIC connection's count: with several sessions on one connection, the total of all.
        lostOutgoing: st.datagramsLostOutgoing,
      },
    };
  }

  async #usable(): Promise<WebTransportSession> {
    let s: WebTransportSession;
    try {
      s = await this.#sessionP;
    } catch (e) {
      throw new WebTransportError('the session failed to open', { source: 'session', cause: e });
    }
    if (s.isClosed) throw new WebTransportError('the session is closed', { source: 'session' });
    return s;
  }
}
