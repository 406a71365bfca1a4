/**
 * Drives a {@link WtConnection} from a quic-core `Connection`: the bridge between the QUIC
 * engine's events and stream buffers and the WebTransport layer's `QuicStreamsPort`. Sans-IO: it
 * keeps no time and does no I/O.
 *
 * Calling contract: after every input to the QUIC connection, pass each of its events to
 * `handleEvent`, then drain `pollEvent()`. Commands go to `wt` (present from the
 * `transport-ready` event on) or to `close`. The WebTransport connection is created when the
 * handshake completes, since its HTTP/3 control and QPACK streams need the peer's stream limits.
 *
 * Writes the QUIC send buffers cannot take yet are held here per stream and handed on when the
 * transport reports the stream writable; `bufferedAmount(streamId)` and the `send-drained` event
 * give a writer backpressure. `pauseReading` leaves a stream's bytes in the QUIC receive buffer,
 * so the peer's flow-control credit is not renewed while a reader is slow.
 * @module
 */
import type { CloseReason, Connection, ConnectionEvent } from '@quicts/quic-core';
import { H3ErrorCode, type QuicStreamsPort } from '@quicts/h3';
import { WtConnection, type WtConnectionOptions } from './protocol/connection.ts';
import type { WtEvent } from './protocol/events.ts';

/** What the adapter needs of a QUIC connection (quic-core's `Connection` fits). */
export type WtQuicTransport = Pick<
  Connection,
  | 'side' | 'openStream' | 'writeStream' | 'readStream' | 'resetStream' | 'stopSending' | 'sendDatagram' | 'close'
  | 'peerMaxDatagramFrameSize' | 'config'
>;

export interface WtQuicAdapterOptions extends Omit<WtConnectionOptions, 'role' | 'port'> {
  readonly quic: WtQuicTransport;
}

/** The adapter's own events, mixed in order with the WebTransport connection's. */
export type WtTransportEvent =
  /** The handshake completed and the WebTransport connection exists (`wt`). */
  | { readonly kind: 'transport-ready'; readonly alpn: string | undefined }
  /** Every byte held for the stream was handed to the QUIC connection. */
  | { readonly kind: 'send-drained'; readonly streamId: number }
  /** The peer raised its stream limit: an open that returned null may be retried. */
  | { readonly kind: 'streams-available'; readonly dir: 'bidi' | 'uni' }
  /** The QUIC connection is closing or closed; nothing more will flow. */
  | { readonly kind: 'transport-closed'; readonly reason: CloseReason };

export type WtAdapterEvent = WtEvent | WtTransportEvent;

/** Largest piece read from a QUIC stream at once. */
const READ_CHUNK = 64 * 1024;

interface Pending {
  readonly chunks: Uint8Array[];
  bytes: number;
  fin: boolean;
}

export class WtQuicAdapter {
  readonly quic: WtQuicTransport;
  readonly role: 'client' | 'server';
  /** The WebTransport connection, once the handshake completed. */
  wt: WtConnection | undefined;
  /** How the QUIC connection ended, once it did. */
  closeReason: CloseReason | undefined;
  private readonly options: Omit<WtConnectionOptions, 'role' | 'port'>;
  private readonly port: QuicStreamsPort;
  private readonly pending = new Map<number, Pending>();
  private readonly early = new Set<number>();
  private readonly paused = new Set<number>();
  private readonly waiting = new Set<number>();
  private readonly events: WtAdapterEvent[] = [];
  private eventHead = 0;

  constructor(options: WtQuicAdapterOptions) {
    const { quic, ...wtOptions } = options;
    this.quic = quic;
    this.role = quic.side;
    this.options = wtOptions;
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

  get isClosed(): boolean {
    return this.closeReason !== undefined;
  }

  /** Whether QUIC DATAGRAM frames may flow both ways (RFC 9221 §3). */
  get datagramsNegotiated(): boolean {
    return this.quic.config.transport.maxDatagramFrameSize > 0 && this.quic.peerMaxDatagramFrameSize > 0;
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
        if (this.wt === undefined) this.early.add(e.streamId);
        else if (this.paused.has(e.streamId)) this.waiting.add(e.streamId);
        else this.readAll(e.streamId);
        return;
      case 'streamWritable':
        this.flush(e.streamId);
        return;
      case 'streamStopped':
        // The transport already answered with RESET_STREAM (RFC 9000 §3.5).
        this.pending.delete(e.streamId);
        this.wt?.handleStopSending(e.streamId, e.errorCode);
        return;
      case 'streamsAvailable':
        this.push({ kind: 'streams-available', dir: e.dir });
        return;
      case 'streamClosed':
        this.pending.delete(e.streamId);
        this.paused.delete(e.streamId);
        this.waiting.delete(e.streamId);
        return;
      case 'datagram':
        this.wt?.handleDatagram(e.data);
        return;
      case 'closing':
      case 'closed':
        if (this.closeReason === undefined) {
          this.closeReason = e.reason;
          this.pending.clear();
          this.push({ kind: 'transport-closed', reason: e.reason });
        }
        return;
      default:
        return;
    }
  }

  /** The next event, or null. */
  pollEvent(): WtAdapterEvent | null {
    const wt = this.wt;
    if (wt !== undefined) for (let e = wt.pollEvent(); e !== null; e = wt.pollEvent()) this.events.push(e);
    if (this.eventHead >= this.events.length) {
      if (this.eventHead > 0) {
        this.events.length = 0;
        this.eventHead = 0;
      }
      return null;
    }
    return this.events[this.eventHead++]!;
  }

  /** Stops reading a stream: its bytes wait in the QUIC receive buffer. */
  pauseReading(streamId: number): void {
    this.paused.add(streamId);
  }

  /** Reads a paused stream again, at once if data is waiting. */
  resumeReading(streamId: number): void {
    if (!this.paused.delete(streamId)) return;
    if (this.waiting.delete(streamId) && this.wt !== undefined && !this.isClosed) this.readAll(streamId);
  }

  /** Closes the connection with an HTTP/3 error code (default H3_NO_ERROR). */
  close(code: number = H3ErrorCode.H3_NO_ERROR, reason = ''): void {
    if (this.wt !== undefined) this.wt.h3.close(code, reason);
    else if (!this.isClosed) this.quic.close(code, reason, true);
  }

  private start(alpn: string | undefined): void {
    if (this.wt !== undefined || this.isClosed) return;
    this.wt = new WtConnection({ ...this.options, role: this.role, port: this.port });
    this.push({ kind: 'transport-ready', alpn });
    const early = [...this.early];
    this.early.clear();
    for (const id of early) this.readAll(id);
  }

  private readAll(id: number): void {
    const wt = this.wt!;
    for (;;) {
      if (wt.h3.isClosed || this.paused.has(id)) {
        if (this.paused.has(id)) this.waiting.add(id);
        return;
      }
      let r: ReturnType<WtQuicTransport['readStream']>;
      try {
        r = this.quic.readStream(id, READ_CHUNK);
      } catch {
        return; // the stream is gone or has no receiving part
      }
      switch (r.kind) {
        case 'data':
          wt.handleStreamData(id, r.data, r.fin);
          if (r.fin) return;
          break;
        case 'reset':
          wt.handleStreamReset(id, r.errorCode);
          return;
        default:
          return;
      }
    }
  }

  private push(e: WtAdapterEvent): void {
    // Keep the order: what the WebTransport connection reported before this comes first.
    const wt = this.wt;
    if (wt !== undefined) for (let x = wt.pollEvent(); x !== null; x = wt.pollEvent()) this.events.push(x);
    this.events.push(e);
  }

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
        p.chunks.push(data.slice());
        p.bytes += data.length;
      }
      p.fin ||= fin;
      return;
    }
    if (data.length === 0 && !fin) return;
    let n: number;
    try {
      n = this.quic.writeStream(id, data, fin);
    } catch {
      return; // reset, stopped or finished already
    }
    if (n < data.length || (fin && n < data.length)) {
      const rest = data.slice(n);
      this.pending.set(id, { chunks: [rest], bytes: rest.length, fin });
    }
  }

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
      // the stream was reset or stopped meanwhile
    }
    this.pending.delete(id);
    this.push({ kind: 'send-drained', streamId: id });
  }

  private reset(id: number, code: number): void {
    this.pending.delete(id);
    if (this.isClosed) return;
    try {
      this.quic.resetStream(id, code);
    } catch {
      // no sending part, or already reset
    }
  }

  private stop(id: number, code: number): void {
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
