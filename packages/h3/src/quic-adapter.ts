/**
 * Drives an {@link H3Connection} from a quic-core `Connection`: the bridge between the QUIC
 * engine's events and stream buffers and the H3 layer's narrow `QuicStreamsPort`. Sans-IO like
 * both sides: it keeps no time and does no I/O.
 *
 * Calling contract: after every input to the QUIC connection, pass each of its events (from
 * `Connection.pollEvent()`) to `handleEvent`, then drain `pollEvent()` here. Commands go to `h3`
 * (present from the `transport-ready` event on) or to `close`. The H3 connection is created when
 * the handshake completes, since its control and QPACK streams need the peer's stream limits.
 *
 * Writes the QUIC send buffers cannot take yet are held here per stream and passed on when the
 * transport reports the stream writable; `bufferedAmount(streamId)` and the `send-drained` event
 * let a caller apply backpressure.
 * @module
 */
import type { CloseReason, Connection, ConnectionEvent } from '@quicts/quic-core';
import { H3Connection, type H3ConnectionOptions } from './connection.ts';
import { H3ErrorCode } from './errors.ts';
import type { H3Event } from './events.ts';
import type { QuicStreamsPort } from './quic-port.ts';

/** What the adapter needs of a QUIC connection (quic-core's `Connection` fits). */
export type H3QuicTransport = Pick<
  Connection,
  | 'side' | 'openStream' | 'writeStream' | 'readStream' | 'resetStream' | 'stopSending' | 'sendDatagram' | 'close'
  | 'peerMaxDatagramFrameSize' | 'config' | 'canSendEarlyData'
>;

export interface H3QuicAdapterOptions extends Omit<H3ConnectionOptions, 'role' | 'port'> {
  readonly quic: H3QuicTransport;
}

/** The adapter's own events, mixed in order with the H3 connection's. */
export type H3TransportEvent =
  /** The handshake completed and the H3 connection exists (`h3`). */
  | { readonly kind: 'transport-ready'; readonly alpn: string | undefined }
  /** Every byte held for the stream was handed to the QUIC connection. */
  | { readonly kind: 'send-drained'; readonly streamId: number }
  /** The peer raised its stream limit: an open that returned null may be retried. */
  | { readonly kind: 'streams-available'; readonly dir: 'bidi' | 'uni' }
  /** Every stream we ended was acknowledged by the peer (or reset): closing now loses nothing. */
  | { readonly kind: 'sends-acknowledged' }
  /** The QUIC connection is closing or closed; nothing more will flow. */
  | { readonly kind: 'transport-closed'; readonly reason: CloseReason };

export type H3AdapterEvent = H3Event | H3TransportEvent;

/** Largest piece read from a QUIC stream at once. */
const READ_CHUNK = 64 * 1024;

interface Pending {
  readonly chunks: Uint8Array[];
  bytes: number;
  fin: boolean;
}

export class H3QuicAdapter {
  readonly quic: H3QuicTransport;
  readonly role: 'client' | 'server';
  /** The H3 connection, once the handshake completed. */
  h3: H3Connection | undefined;
  /** How the QUIC connection ended, once it did. */
  closeReason: CloseReason | undefined;
  private readonly options: Omit<H3ConnectionOptions, 'role' | 'port'>;
  private readonly port: QuicStreamsPort;
  private readonly pending = new Map<number, Pending>();
  /** Streams that became readable before the H3 connection existed (0-RTT). */
  private readonly early = new Set<number>();
  /** Streams whose reading the application paused, and those of them with data waiting. */
  private readonly paused = new Set<number>();
  private readonly waiting = new Set<number>();
  /** Streams whose end we wrote and the peer has not acknowledged yet. */
  private readonly unacked = new Set<number>();
  private readonly events: H3AdapterEvent[] = [];
  private eventHead = 0;

  constructor(options: H3QuicAdapterOptions) {
    const { quic, ...h3Options } = options;
    this.quic = quic;
    this.role = quic.side;
    this.options = h3Options;
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

  /** Whether the QUIC connection is closing or closed. */
  get isClosed(): boolean {
    return this.closeReason !== undefined;
  }

  /** Whether QUIC DATAGRAM frames may flow both ways (RFC 9221 §3). */
  get datagramsNegotiated(): boolean {
    return this.quic.config.transport.maxDatagramFrameSize > 0 && this.quic.peerMaxDatagramFrameSize > 0;
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
        if (this.h3 === undefined) this.early.add(e.streamId);
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
        this.h3?.handleStopSending(e.streamId, e.errorCode);
        break;
      case 'streamsAvailable':
        this.drainH3();
        this.push({ kind: 'streams-available', dir: e.dir });
        return;
      case 'streamSendComplete':
        this.acknowledged(e.streamId);
        this.drainH3();
        return;
      case 'streamClosed':
        this.acknowledged(e.streamId);
        this.pending.delete(e.streamId);
        this.paused.delete(e.streamId);
        this.waiting.delete(e.streamId);
        return;
      case 'datagram':
        this.h3?.handleDatagram(e.data);
        break;
      case 'closing':
      case 'closed':
        if (this.closeReason === undefined) {
          this.closeReason = e.reason;
          this.pending.clear();
          this.drainH3();
          this.push({ kind: 'transport-closed', reason: e.reason });
        }
        return;
      case 'streamOpened':
      case 'handshakeConfirmed':
      case 'keyUpdate':
        return;
    }
    this.drainH3();
  }

  /** The next event, or null. */
  pollEvent(): H3AdapterEvent | null {
    this.drainH3();
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
   * Stops reading a request stream: what arrives stays in the QUIC receive buffer, so the peer's
   * flow-control credit is not renewed (backpressure for a slow consumer). Only for request and
   * push streams; control and QPACK streams are always read.
   */
  pauseReading(streamId: number): void {
    this.paused.add(streamId);
  }

  /** Reads a paused stream again, at once if data is waiting. */
  resumeReading(streamId: number): void {
    if (!this.paused.delete(streamId)) return;
    if (this.waiting.delete(streamId) && this.h3 !== undefined && !this.isClosed) {
      this.readAll(streamId);
      this.drainH3();
    }
  }

  /**
   * Closes the connection with an application error code (default H3_NO_ERROR): through the H3
   * connection when it exists, directly otherwise.
   */
  close(code: number = H3ErrorCode.H3_NO_ERROR, reason = ''): void {
    if (this.h3 !== undefined) this.h3.close(code, reason);
    else if (!this.isClosed) this.quic.close(code, reason, true);
  }

  /**
   * Client with 0-RTT under way: starts the H3 connection before the handshake completes, so its
   * control stream and requests go in 0-RTT packets (RFC 9114 §3.3). The server's SETTINGS are
   * not known yet: the defaults of RFC 9114 §7.2.4.2 apply until they arrive. False when 0-RTT
   * cannot be used.
   */
  startEarly(): boolean {
    if (this.role !== 'client' || this.h3 !== undefined || !this.quic.canSendEarlyData) return false;
    this.start(undefined);
    return true;
  }

  // ---- the H3 connection's start --------------------------------------------------------------

  private start(alpn: string | undefined): void {
    if (this.h3 !== undefined || this.isClosed) return;
    const wanted = this.options.settings?.h3Datagram ?? false;
    // RFC 9297 §2.1.1: H3_DATAGRAM=1 only over a connection that negotiated QUIC DATAGRAM.
    const settings = { ...this.options.settings, h3Datagram: wanted && this.datagramsNegotiated };
    this.h3 = new H3Connection({ ...this.options, settings, role: this.role, port: this.port });
    this.push({ kind: 'transport-ready', alpn });
    const early = [...this.early];
    this.early.clear();
    for (const id of early) this.readAll(id);
    this.drainH3();
  }

  // ---- input ----------------------------------------------------------------------------------

  private readAll(id: number): void {
    const h3 = this.h3!;
    for (;;) {
      if (h3.isClosed) return;
      let r: ReturnType<H3QuicTransport['readStream']>;
      try {
        r = this.quic.readStream(id, READ_CHUNK);
      } catch {
        return; // the stream is gone or has no receiving part
      }
      switch (r.kind) {
        case 'data':
          h3.handleStreamData(id, r.data, r.fin);
          if (r.fin) return;
          break;
        case 'reset':
          h3.handleStreamReset(id, r.errorCode);
          return;
        case 'blocked':
        case 'closed':
          return;
      }
    }
  }

  /** Moves the H3 connection's events to the queue, checking the peer's SETTINGS on the way. */
  private drainH3(): void {
    const h3 = this.h3;
    if (h3 === undefined) return;
    for (let e = h3.pollEvent(); e !== null; e = h3.pollEvent()) {
      this.events.push(e);
      if (e.kind === 'settings' && e.settings.h3Datagram && !this.datagramsNegotiated && !h3.isClosed) {
        // RFC 9297 §2.1.1: H3_DATAGRAM=1 without the QUIC DATAGRAM extension is a SETTINGS error.
        const reason = 'H3_DATAGRAM without the QUIC DATAGRAM extension';
        h3.close(H3ErrorCode.H3_SETTINGS_ERROR, reason);
        this.events.push({ kind: 'connection-error', code: H3ErrorCode.H3_SETTINGS_ERROR, reason });
      }
    }
  }

  private acknowledged(id: number): void {
    if (this.unacked.delete(id) && this.unacked.size === 0) {
      this.drainH3();
      this.push({ kind: 'sends-acknowledged' });
    }
  }

  private push(e: H3AdapterEvent): void {
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
    this.drainH3();
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
    if (this.isClosed) return;
    try {
      this.quic.stopSending(id, code);
    } catch {
      // no receiving part, or already finished
    }
  }
}
