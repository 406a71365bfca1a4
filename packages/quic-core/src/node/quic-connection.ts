/**
 * The public face of one QUIC connection: streams as WHATWG ReadableStream/WritableStream pairs,
 * incoming streams and datagrams as async iterables, a `closed` promise and `close()`. It turns
 * the connection's events into stream wake-ups and keeps no protocol state of its own.
 * @module
 */
import type { Address, Connection } from '../connection/connection.ts';
import type { CloseReason, ConnectionEvent } from '../connection/events.ts';
import type { QlogTrace } from '../qlog/trace.ts';
import { AsyncQueue } from './async-queue.ts';
import { StreamChannel, type StreamHost } from './quic-stream.ts';

/** A bidirectional stream. */
export interface QuicBidirectionalStream {
  readonly id: number;
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
}

/** A unidirectional stream we send on. */
export interface QuicSendStream {
  readonly id: number;
  readonly writable: WritableStream<Uint8Array>;
}

/** A unidirectional stream the peer sends on. */
export interface QuicReceiveStream {
  readonly id: number;
  readonly readable: ReadableStream<Uint8Array>;
}

/** How a connection ended. */
export interface QuicCloseInfo {
  /** Transport or application error code (0 for a clean close). */
  readonly code: number;
  readonly reason: string;
  /** True when the code is an application code. */
  readonly application: boolean;
  /** 'local', 'remote', 'idle' (idle timeout) or 'reset' (stateless reset). */
  readonly initiator: CloseReason['initiator'];
  /** Version Negotiation ended the attempt: the offered version to try next (see `connect`'s `version`). */
  readonly retryVersion?: number;
}

/** What a connection needs from the driver that carries it. */
export interface ConnectionCarrier {
  now(): number;
  wake(): void;
  /** Lines for SSLKEYLOGFILE (opt-in). */
  keylog?(lines: string[]): void;
}

const isUni = (id: number) => (id & 0x2) !== 0;

export class QuicConnection {
  /** The sans-IO connection underneath, for diagnostics and advanced use. */
  readonly connection: Connection;
  readonly remoteAddress: Address;
  readonly localAddress: Address;
  /** Resolves when the handshake completes (rejects if the connection closes first). */
  readonly ready: Promise<void>;
  /** Resolves when the connection is over. */
  readonly closed: Promise<QuicCloseInfo>;
  readonly incomingBidirectionalStreams = new AsyncQueue<QuicBidirectionalStream>();
  readonly incomingUnidirectionalStreams = new AsyncQueue<QuicReceiveStream>();
  readonly datagrams = new AsyncQueue<Uint8Array>();
  /** The negotiated ALPN protocol, once connected. */
  alpn: string | undefined;
  /** Once connected: the handshake resumed a session (no certificate was exchanged). */
  resumed = false;
  /** Once connected: the server accepted 0-RTT. */
  earlyDataAccepted = false;
  readonly #carrier: ConnectionCarrier;
  readonly #streams = new Map<number, StreamChannel>();
  readonly #streamHost: StreamHost;
  readonly #openWaiters: { bidi: (() => void)[]; uni: (() => void)[] } = { bidi: [], uni: [] };
  readonly #qlog: QlogTrace | undefined;
  #resolveReady!: () => void;
  #rejectReady!: (e: Error) => void;
  #resolveClosed!: (info: QuicCloseInfo) => void;
  #closeInfo: QuicCloseInfo | undefined;
  /** The reason of whoever closed first (the later 'closed' event may carry the peer's reply). */
  #closingReason: CloseReason | undefined;
  #onClosed: (() => void) | undefined;

  constructor(
    connection: Connection, carrier: ConnectionCarrier, addresses: { local: Address; remote: Address },
    options: { qlog?: QlogTrace; onClosed?: () => void } = {},
  ) {
    this.connection = connection;
    this.#carrier = carrier;
    this.localAddress = addresses.local;
    this.remoteAddress = addresses.remote;
    this.#qlog = options.qlog;
    this.#onClosed = options.onClosed;
    this.#streamHost = { conn: connection, wake: () => carrier.wake() };
    this.ready = new Promise((resolve, reject) => {
      this.#resolveReady = resolve;
      this.#rejectReady = reject;
    });
    this.ready.catch(() => {});
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
  }

  get isClosed(): boolean {
    return this.#closeInfo !== undefined;
  }

  /** Largest datagram payload that can be sent now (0: the peer does not accept datagrams). */
  get maxDatagramSize(): number {
    return this.connection.maxDatagramPayload;
  }

  /** Opens a bidirectional stream, waiting while the peer's stream limit is reached. */
  async openBidirectionalStream(): Promise<QuicBidirectionalStream> {
    const ch = await this.#open('bidi');
    return { id: ch.id, readable: ch.readable!, writable: ch.writable! };
  }

  /** Opens a unidirectional stream, waiting while the peer's stream limit is reached. */
  async openUnidirectionalStream(): Promise<QuicSendStream> {
    const ch = await this.#open('uni');
    return { id: ch.id, writable: ch.writable! };
  }

  /** Queues an unreliable datagram (RFC 9221); false when too large or the queue is full. */
  sendDatagram(data: Uint8Array): boolean {
    if (this.#closeInfo) return false;
    const ok = this.connection.sendDatagram(data.slice());
    if (ok) this.#carrier.wake();
    return ok;
  }

  /** Starts a key update (RFC 9001 §6); false when one is not allowed yet. */
  initiateKeyUpdate(): boolean {
    const ok = this.connection.initiateKeyUpdate();
    if (ok) this.#carrier.wake();
    return ok;
  }

  /** Closes with an application error code (default 0) and reason; resolves when closed. */
  close(options: { code?: number; reason?: string } = {}): Promise<QuicCloseInfo> {
    if (!this.#closeInfo) {
      this.connection.close(options.code ?? 0, options.reason ?? '', true, this.#carrier.now());
      this.#carrier.wake();
    }
    return this.closed;
  }

  async #open(dir: 'bidi' | 'uni'): Promise<StreamChannel> {
    for (;;) {
      if (this.#closeInfo) throw new Error(`connection closed: ${this.#closeInfo.reason || this.#closeInfo.code}`);
      const id = this.connection.openStream(dir);
      if (id !== null) {
        const ch = new StreamChannel(this.#streamHost, id, { read: dir === 'bidi', write: true });
        this.#streams.set(id, ch);
        return ch;
      }
      await new Promise<void>((resolve) => this.#openWaiters[dir].push(resolve));
    }
  }

  /** The peer's stream, created on first sight. */
  #peerStream(id: number): StreamChannel {
    let ch = this.#streams.get(id);
    if (!ch) {
      ch = new StreamChannel(this.#streamHost, id, { read: true, write: !isUni(id) });
      this.#streams.set(id, ch);
      if (isUni(id)) this.incomingUnidirectionalStreams.push({ id, readable: ch.readable! });
      else this.incomingBidirectionalStreams.push({ id, readable: ch.readable!, writable: ch.writable! });
    }
    return ch;
  }

  /** @internal Called by the driver for each of this connection's events. */
  handleEvent(e: ConnectionEvent): void {
    switch (e.type) {
      case 'connected':
        this.alpn = e.alpn;
        this.resumed = e.resumed;
        this.earlyDataAccepted = e.earlyDataAccepted;
        this.#flushKeylog();
        this.#resolveReady();
        break;
      case 'handshakeConfirmed':
        break;
      case 'streamOpened':
        this.#peerStream(e.streamId);
        break;
      case 'streamReadable': {
        const ch = this.#streams.get(e.streamId) ?? (this.#isPeerStream(e.streamId) ? this.#peerStream(e.streamId) : undefined);
        ch?.onReadable();
        break;
      }
      case 'streamWritable':
        this.#streams.get(e.streamId)?.onWritable();
        break;
      case 'streamStopped':
        this.#streams.get(e.streamId)?.onStopped(e.errorCode);
        break;
      case 'streamsAvailable':
        for (const w of this.#openWaiters[e.dir].splice(0)) w();
        break;
      case 'streamClosed':
        this.#streams.delete(e.streamId);
        break;
      case 'datagram':
        this.datagrams.push(e.data);
        break;
      case 'keyUpdate':
        break;
      case 'streamSendComplete':
        break;
      case 'closing':
        this.#closingReason ??= e.reason;
        this.#flushKeylog();
        break;
      case 'closed':
        this.#finish(this.#closingReason ?? e.reason);
        break;
    }
  }

  #isPeerStream(id: number): boolean {
    const serverInitiated = (id & 0x1) !== 0;
    return serverInitiated === (this.connection.side === 'client');
  }

  #flushKeylog(): void {
    const lines = this.connection.keylog;
    if (lines.length && this.#carrier.keylog) this.#carrier.keylog(lines.splice(0));
  }

  #finish(reason: CloseReason): void {
    if (this.#closeInfo) return;
    this.#flushKeylog();
    const info: QuicCloseInfo = {
      code: reason.code, reason: reason.reason, application: reason.application, initiator: reason.initiator,
      ...(reason.retryVersion !== undefined ? { retryVersion: reason.retryVersion } : {}),
    };
    this.#closeInfo = info;
    // The engine logged connection_closed when the close began; the trace ends here.
    this.#qlog?.close();
    for (const ch of this.#streams.values()) ch.onConnectionClosed(reason.reason || `code ${reason.code}`);
    for (const w of [...this.#openWaiters.bidi.splice(0), ...this.#openWaiters.uni.splice(0)]) w();
    this.incomingBidirectionalStreams.end();
    this.incomingUnidirectionalStreams.end();
    this.datagrams.end();
    this.#rejectReady(new Error(`connection closed before the handshake completed: ${reason.reason || `code 0x${reason.code.toString(16)}`}`));
    this.#resolveClosed(info);
    this.#onClosed?.();
  }
}
