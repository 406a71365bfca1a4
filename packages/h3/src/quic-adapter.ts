/**
 * Drives a protocol connection over the `QuicStreamsPort` (an {@link H3Connection}, or one built
 * on it such as a WebTransport connection) from a quic-core `Connection`: the bridge between the
 * QUIC engine's events and stream buffers and the protocol's narrow port. Sans-IO like both
 * sides: it keeps no time and does no I/O.
 *
 * {@link QuicStreamsAdapter} is the bridge for any such protocol: the caller passes a factory that
 * creates the protocol connection over the port, and says which object closes it.
 * {@link H3QuicAdapter} is the bridge for plain HTTP/3.
 *
 * Calling contract: after every input to the QUIC connection, pass each of its events (from
 * `Connection.pollEvent()`) to `handleEvent`, then drain `pollEvent()` here. Commands go to the
 * protocol connection (present from the `transport-ready` event on) or to `close`. The protocol
 * connection is created when the handshake completes, since its control and QPACK streams need
 * the peer's stream limits (or earlier, for 0-RTT, with `startEarly`).
 *
 * Writes the QUIC send buffers cannot take yet are held here per stream (not copied) and passed
 * on when the transport reports the stream writable; `bufferedAmount(streamId)` and the
 * `send-drained` event let a caller apply backpressure. `pauseReading` leaves a stream's bytes in
 * the QUIC receive buffer, so the peer's flow-control credit is not renewed while a reader is slow.
 * @module
 */
import type { CloseReason, Connection, ConnectionEvent } from '@quicts/quic-core';
import { H3Connection, type H3ConnectionOptions } from './connection.ts';
import { H3ErrorCode } from './errors.ts';
import type { H3Event } from './events.ts';
import type { QuicStreamsInputs, QuicStreamsPort } from './quic-port.ts';

/** What the adapter needs of a QUIC connection (quic-core's `Connection` fits). */
export type QuicStreamsTransport = Pick<
  Connection,
  | 'side' | 'openStream' | 'writeStream' | 'readStream' | 'resetStream' | 'stopSending' | 'sendDatagram' | 'close'
  | 'peerMaxDatagramFrameSize' | 'config' | 'canSendEarlyData'
>;

/** What the adapter calls on the protocol connection it drives: the transport's inputs, and its events. */
export interface QuicStreamsDriven<E> extends QuicStreamsInputs {
  /** The next event, or null. */
  pollEvent(): E | null;
}

/** What ends the protocol connection: for HTTP/3 the connection itself, for a protocol on HTTP/3 its H3Connection. */
export interface QuicStreamsClosable {
  readonly isClosed: boolean;
  /** Closes the connection with an application error code. */
  close(code: number, reason: string): void;
}

/** The events of a driven protocol connection. */
export type QuicStreamsEventOf<C extends QuicStreamsDriven<unknown>> = NonNullable<ReturnType<C['pollEvent']>>;

/** What a protocol connection is created with. */
export interface QuicStreamsStart {
  readonly role: 'client' | 'server';
  readonly port: QuicStreamsPort;
  /** The QUIC connection, for its transport parameters (the peer's are known once the handshake completed). */
  readonly quic: QuicStreamsTransport;
}

/** How the adapter makes and drives one kind of protocol connection. */
export interface QuicStreamsProtocol<C extends QuicStreamsDriven<unknown>> {
  /** Creates the protocol connection over `start.port`. */
  readonly create: (start: QuicStreamsStart) => C;
  /** The object whose `isClosed` and `close` stand for the protocol connection's. */
  readonly closable: (connection: C) => QuicStreamsClosable;
  /**
   * Sees each event of the protocol connection as it is queued; an event it returns is queued
   * right after (a check the transport's parameters decide, for example).
   */
  readonly inspect?: (event: QuicStreamsEventOf<C>, connection: C, quic: QuicStreamsTransport) => QuicStreamsEventOf<C> | undefined;
}

export interface QuicStreamsAdapterOptions<C extends QuicStreamsDriven<unknown>> extends QuicStreamsProtocol<C> {
  readonly quic: QuicStreamsTransport;
}

/** The adapter's own events, mixed in order with the protocol connection's. */
export type QuicStreamsTransportEvent =
  /** The handshake completed and the protocol connection exists. */
  | { readonly kind: 'transport-ready'; readonly alpn: string | undefined }
  /** Every byte held for the stream was handed to the QUIC connection. */
  | { readonly kind: 'send-drained'; readonly streamId: number }
  /** The peer raised its stream limit: an open that returned null may be retried. */
  | { readonly kind: 'streams-available'; readonly dir: 'bidi' | 'uni' }
  /** Every stream we ended was acknowledged by the peer (or reset): closing now loses nothing. */
  | { readonly kind: 'sends-acknowledged' }
  /** The QUIC connection is closing or closed; nothing more will flow. */
  | { readonly kind: 'transport-closed'; readonly reason: CloseReason };

/** Largest piece read from a QUIC stream at once. */
const READ_CHUNK = 64 * 1024;

interface Pending {
  readonly chunks: Uint8Array[];
  bytes: number;
  fin: boolean;
}

/** Whether QUIC DATAGRAM frames may flow both ways (RFC 9221 §3). */
function datagramsNegotiated(quic: QuicStreamsTransport): boolean {
  return quic.config.transport.maxDatagramFrameSize > 0 && quic.peerMaxDatagramFrameSize > 0;
}

/** Drives a protocol connection `C`, which the factory creates over the port, from a QUIC connection. */
export class QuicStreamsAdapter<C extends QuicStreamsDriven<unknown>> {
  readonly quic: QuicStreamsTransport;
  readonly role: 'client' | 'server';
  /** How the QUIC connection ended, once it did. */
  closeReason: CloseReason | undefined;
  private current: C | undefined;
  private readonly protocol: QuicStreamsProtocol<C>;
  private readonly port: QuicStreamsPort;
  private readonly pending = new Map<number, Pending>();
  /** Streams that became readable before the protocol connection existed (0-RTT). */
  private readonly early = new Set<number>();
  /** Streams whose reading the application paused, and those of them with data waiting. */
  private readonly paused = new Set<number>();
  private readonly waiting = new Set<number>();
  /** Streams whose end we wrote and the peer has not acknowledged yet. */
  private readonly unacked = new Set<number>();
  private readonly events: (QuicStreamsEventOf<C> | QuicStreamsTransportEvent)[] = [];
  private eventHead = 0;

  constructor(options: QuicStreamsAdapterOptions<C>) {
    const { quic, ...protocol } = options;
    this.quic = quic;
    this.role = quic.side;
    this.protocol = protocol;
    this.port = {
      openBidiStream: () => this.open('bidi'),
      openUniStream: () => this.open('uni'),
      writeStream: (id, data, fin) => this.write(id, data, fin),
      resetStream: (id, code) => this.reset(id, code),
      stopSending: (id, code) => this.stop(id, code),
      sendDatagram: (payload) => {
        // Datagrams are unreliable: one that does not fit or finds the queue full is dropped.
        if (!this.isClosed) this.quic.sendDatagram(payload);
      },
      closeConnection: (code, reason) => {
        if (!this.isClosed) this.quic.close(code, reason, true);
      },
    };
  }

  /** The protocol connection, once the handshake completed (or `startEarly` started it). */
  get connection(): C | undefined {
    return this.current;
  }

  /** Whether the QUIC connection is closing or closed. */
  get isClosed(): boolean {
    return this.closeReason !== undefined;
  }

  /** Whether QUIC DATAGRAM frames may flow both ways (RFC 9221 §3). */
  get datagramsNegotiated(): boolean {
    return datagramsNegotiated(this.quic);
  }

  /**
   * Streams whose end we wrote that the peer has not acknowledged in full: closing the
   * connection before this is 0 may lose their last bytes (CONNECTION_CLOSE ends delivery).
   */
  get unacknowledgedStreams(): number {
    return this.unacked.size;
  }

  /** Bytes written to a stream that the QUIC connection has not taken yet. */
  bufferedAmount(streamId: number): number {
    return this.pending.get(streamId)?.bytes ?? 0;
  }

  /** Feeds one event of the QUIC connection. */
  handleEvent(e: ConnectionEvent): void {
    switch (e.type) {
      case 'connected':
        this.start(e.alpn);
        return;
      case 'streamReadable':
        if (this.current === undefined) this.early.add(e.streamId);
        else if (this.paused.has(e.streamId)) this.waiting.add(e.streamId);
        else this.readAll(e.streamId);
        break;
      case 'streamWritable':
        this.flush(e.streamId);
        break;
      case 'streamStopped':
        // The transport already answered with RESET_STREAM (RFC 9000 §3.5).
        this.pending.delete(e.streamId);
        this.acknowledged(e.streamId);
        this.current?.handleStopSending(e.streamId, e.errorCode);
        break;
      case 'streamsAvailable':
        this.push({ kind: 'streams-available', dir: e.dir });
        return;
      case 'streamSendComplete':
        this.acknowledged(e.streamId);
        break;
      case 'streamClosed':
        this.acknowledged(e.streamId);
        this.pending.delete(e.streamId);
        this.paused.delete(e.streamId);
        this.waiting.delete(e.streamId);
        return;
      case 'datagram':
        this.current?.handleDatagram(e.data);
        break;
      case 'closing':
      case 'closed':
        if (this.closeReason === undefined) {
          this.closeReason = e.reason;
          this.pending.clear();
          this.push({ kind: 'transport-closed', reason: e.reason });
        }
        return;
      case 'streamOpened':
      case 'handshakeConfirmed':
      case 'keyUpdate':
        return;
    }
    this.drain();
  }

  /** The next event, or null. */
  pollEvent(): QuicStreamsEventOf<C> | QuicStreamsTransportEvent | null {
    this.drain();
    if (this.eventHead >= this.events.length) {
      if (this.eventHead > 0) {
        this.events.length = 0;
        this.eventHead = 0;
      }
      return null;
    }
    return this.events[this.eventHead++]!;
  }

  /**
   * Stops reading a stream: what arrives stays in the QUIC receive buffer, so the peer's
   * flow-control credit is not renewed (backpressure for a slow consumer). Only for streams whose
   * bytes the application consumes (HTTP/3 request and push streams, WebTransport streams);
   * control and QPACK streams are always read.
   */
  pauseReading(streamId: number): void {
    this.paused.add(streamId);
  }

  /** Reads a paused stream again, at once if data is waiting. */
  resumeReading(streamId: number): void {
    if (!this.paused.delete(streamId)) return;
    if (this.waiting.delete(streamId) && this.current !== undefined && !this.isClosed) {
      this.readAll(streamId);
      this.drain();
    }
  }

  /**
   * Closes the connection with an application error code (default H3_NO_ERROR): through the
   * protocol connection when it exists, directly otherwise.
   */
  close(code: number = H3ErrorCode.H3_NO_ERROR, reason = ''): void {
    if (this.current !== undefined) this.protocol.closable(this.current).close(code, reason);
    else if (!this.isClosed) this.quic.close(code, reason, true);
  }

  /**
   * Client with 0-RTT under way: starts the protocol connection before the handshake completes,
   * so its control stream and requests go in 0-RTT packets (RFC 9114 §3.3). The server's SETTINGS
   * are not known yet: the defaults of RFC 9114 §7.2.4.2 apply until they arrive. False when
   * 0-RTT cannot be used.
   */
  startEarly(): boolean {
    if (this.role !== 'client' || this.current !== undefined || !this.quic.canSendEarlyData) return false;
    this.start(undefined);
    return true;
  }

  // ---- the protocol connection's start --------------------------------------------------------

  private start(alpn: string | undefined): void {
    if (this.current !== undefined || this.isClosed) return;
    this.current = this.protocol.create({ role: this.role, port: this.port, quic: this.quic });
    this.events.push({ kind: 'transport-ready', alpn });
    const early = [...this.early];
    this.early.clear();
    for (const id of early) this.readAll(id);
    this.drain();
  }

  // ---- input ----------------------------------------------------------------------------------

  private readAll(id: number): void {
    const conn = this.current!;
    const closable = this.protocol.closable(conn);
    for (;;) {
      if (closable.isClosed) return;
      if (this.paused.has(id)) {
        this.waiting.add(id);
        return;
      }
      let r: ReturnType<QuicStreamsTransport['readStream']>;
      try {
        r = this.quic.readStream(id, READ_CHUNK);
      } catch {
        return; // the stream is gone or has no receiving part
      }
      switch (r.kind) {
        case 'data':
          conn.handleStreamData(id, r.data, r.fin);
          if (r.fin) return;
          break;
        case 'reset':
          conn.handleStreamReset(id, r.errorCode);
          return;
        case 'blocked':
        case 'closed':
          return;
      }
    }
  }

  /** Moves the protocol connection's events to the queue, each through `inspect`. */
  private drain(): void {
    const conn = this.current;
    if (conn === undefined) return;
    const inspect = this.protocol.inspect;
    for (;;) {
      const e = conn.pollEvent() as QuicStreamsEventOf<C> | null;
      if (e === null) return;
      this.events.push(e);
      const extra = inspect?.(e, conn, this.quic);
      if (extra !== undefined) this.events.push(extra);
    }
  }

  private acknowledged(id: number): void {
    if (this.unacked.delete(id) && this.unacked.size === 0) this.push({ kind: 'sends-acknowledged' });
  }

  /** Queues an event of ours, after what the protocol connection reported before it. */
  private push(e: QuicStreamsTransportEvent): void {
    this.drain();
    this.events.push(e);
  }

  // ---- the port -------------------------------------------------------------------------------

  private open(dir: 'bidi' | 'uni'): number | null {
    if (this.isClosed) return null;
    try {
      return this.quic.openStream(dir);
    } catch {
      return null;
    }
  }

  private write(id: number, data: Uint8Array, fin: boolean): void {
    if (this.isClosed) return;
    const p = this.pending.get(id);
    if (p !== undefined) {
      if (data.length > 0) {
        p.chunks.push(data);
        p.bytes += data.length;
      }
      if (fin) this.unacked.add(id);
      p.fin ||= fin;
      return;
    }
    if (data.length === 0 && !fin) return;
    let n: number;
    try {
      n = this.quic.writeStream(id, data, fin);
    } catch {
      return; // reset, stopped or finished already: nothing more goes out on it
    }
    if (fin) this.unacked.add(id);
    if (n < data.length) {
      const rest = data.subarray(n);
      this.pending.set(id, { chunks: [rest], bytes: rest.length, fin });
    }
  }

  /** Hands held bytes to the QUIC connection as far as its buffers allow. */
  private flush(id: number): void {
    const p = this.pending.get(id);
    if (p === undefined || this.isClosed) return;
    try {
      while (p.chunks.length > 0) {
        const chunk = p.chunks[0]!;
        const last = p.chunks.length === 1;
        const n = this.quic.writeStream(id, chunk, last && p.fin);
        p.bytes -= n;
        if (n < chunk.length) {
          p.chunks[0] = chunk.subarray(n);
          return;
        }
        p.chunks.shift();
      }
    } catch {
      // the stream was reset or stopped meanwhile: its end will never be acknowledged
      this.acknowledged(id);
    }
    this.pending.delete(id);
    this.push({ kind: 'send-drained', streamId: id });
  }

  private reset(id: number, code: number): void {
    this.pending.delete(id);
    this.acknowledged(id);
    if (this.isClosed) return;
    try {
      this.quic.resetStream(id, code);
    } catch {
      // no sending part, or already reset
    }
  }

  private stop(id: number, code: number): void {
    // Nothing more is wanted from the stream: what the peer still sends is read and dropped.
    this.paused.delete(id);
    this.waiting.delete(id);
    if (this.isClosed) return;
    try {
      this.quic.stopSending(id, code);
    } catch {
      // no receiving part, or already finished
    }
  }
}

// ---- plain HTTP/3 ---------------------------------------------------------------------------------

/** What the HTTP/3 adapter needs of a QUIC connection. */
export type H3QuicTransport = QuicStreamsTransport;

export interface H3QuicAdapterOptions extends Omit<H3ConnectionOptions, 'role' | 'port'> {
  readonly quic: H3QuicTransport;
}

/** The adapter's own events, mixed in order with the H3 connection's. */
export type H3TransportEvent = QuicStreamsTransportEvent;

export type H3AdapterEvent = H3Event | H3TransportEvent;

/** The H3 connection, offering H3_DATAGRAM only where QUIC DATAGRAM was negotiated. */
function createH3(start: QuicStreamsStart, options: Omit<H3ConnectionOptions, 'role' | 'port'>): H3Connection {
  const wanted = options.settings?.h3Datagram ?? false;
  // RFC 9297 §2.1.1: H3_DATAGRAM=1 only over a connection that negotiated QUIC DATAGRAM.
  const settings = { ...options.settings, h3Datagram: wanted && datagramsNegotiated(start.quic) };
  return new H3Connection({ ...options, settings, role: start.role, port: start.port });
}

/** Checks the peer's SETTINGS against the transport: the error event to queue, if any. */
function checkPeerSettings(e: H3Event, h3: H3Connection, quic: QuicStreamsTransport): H3Event | undefined {
  if (e.kind !== 'settings' || !e.settings.h3Datagram || datagramsNegotiated(quic) || h3.isClosed) return undefined;
  // RFC 9297 §2.1.1: H3_DATAGRAM=1 without the QUIC DATAGRAM extension is a SETTINGS error.
  const reason = 'H3_DATAGRAM without the QUIC DATAGRAM extension';
  h3.close(H3ErrorCode.H3_SETTINGS_ERROR, reason);
  return { kind: 'connection-error', code: H3ErrorCode.H3_SETTINGS_ERROR, reason };
}

/** Drives an {@link H3Connection} from a quic-core `Connection`. */
export class H3QuicAdapter extends QuicStreamsAdapter<H3Connection> {
  constructor(options: H3QuicAdapterOptions) {
    const { quic, ...h3Options } = options;
    super({ quic, create: (start) => createH3(start, h3Options), closable: (h3) => h3, inspect: checkPeerSettings });
  }

  /** The H3 connection, once the handshake completed (or `startEarly` started it). */
  get h3(): H3Connection | undefined {
    return this.connection;
  }
}
