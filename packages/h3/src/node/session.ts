/**
 * One HTTP/3 connection on the node runtime: an {@link H3QuicAdapter} fed by the UDP driver's
 * events, whose H3 events become per-stream promises and WHATWG body streams. Both roles share
 * it; the client and server modules add requests and the request handler on top.
 *
 * Every command on the H3 connection goes through `command()`, which pulls the events it may
 * have caused and wakes the driver so that the bytes leave.
 * @module
 */
import type { Address, CloseReason, Connection, ConnectionEvent } from '@quicts/quic-core';
import type { H3Connection } from '../connection.ts';
import { H3ErrorCode } from '../errors.ts';
import type { H3HeadersReceived } from '../events.ts';
import { H3QuicAdapter, type H3AdapterEvent, type H3QuicAdapterOptions } from '../quic-adapter.ts';
import type { QpackField } from '../qpack/types.ts';
import { headersOf, IncomingBody } from './body.ts';
import { H3RequestError } from './errors.ts';

const EMPTY = new Uint8Array(0);

/** What a session needs from the driver that carries it. */
export interface SessionCarrier {
  /** The connection has work to do (bytes to send, a close). */
  wake(): void;
  /** Lines for SSLKEYLOGFILE (opt-in). */
  keylog?(lines: string[]): void;
}

/** One request stream's state on the node side. */
export class MessageState {
  readonly body: IncomingBody;
  /** Resolves with the trailer section (empty when there was none) once the body ended. */
  readonly trailers: Promise<Headers>;
  /** Client: the final response header section. */
  onHeaders: ((e: H3HeadersReceived) => void) | undefined;
  /** Why the stream failed, once it did. */
  failure: H3RequestError | undefined;
  /** Our sending side is finished (ended, reset or stopped). */
  sendDone = false;
  /** The peer stopped our sending side (STOP_SENDING); receiving goes on. */
  sendFailure: H3RequestError | undefined;
  /** Called once when the stream fails (reset, stream error, connection closed). */
  onFail: ((e: H3RequestError) => void) | undefined;
  #resolveTrailers!: (h: Headers) => void;
  #rejectTrailers!: (e: Error) => void;
  readonly #drainWaiters: (() => void)[] = [];

  constructor(readonly id: number, session: H3Session) {
    this.body = new IncomingBody({
      pause: () => session.adapter.pauseReading(id),
      resume: () => session.adapter.resumeReading(id),
      cancel: () => session.cancelReading(this),
    });
    this.trailers = new Promise((resolve, reject) => {
      this.#resolveTrailers = resolve;
      this.#rejectTrailers = reject;
    });
    this.trailers.catch(() => {});
  }

  get receiveDone(): boolean {
    return this.body.done;
  }

  endBody(trailers?: Headers): void {
    this.body.end();
    this.#resolveTrailers(trailers ?? new Headers());
  }

  fail(e: H3RequestError): void {
    if (this.failure !== undefined) return;
    this.failure = e;
    this.sendDone = true;
    this.body.fail(e);
    this.#rejectTrailers(e);
    this.drained();
    this.onFail?.(e);
  }

  /** Resolves when the bytes held for this stream were handed to QUIC, or the stream failed. */
  waitDrained(): Promise<void> {
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  drained(): void {
    for (const w of this.#drainWaiters.splice(0)) w();
  }
}

export class H3Session {
  readonly adapter: H3QuicAdapter;
  readonly role: 'client' | 'server';
  readonly remoteAddress: Address;
  /** Resolves when the handshake completed and the H3 connection exists. */
  readonly ready: Promise<void>;
  /** Resolves when the connection is over. */
  readonly closed: Promise<CloseReason>;
  /** Server: a request header section arrived on a new stream. */
  onRequest: ((s: MessageState, e: H3HeadersReceived) => void) | undefined;
  /** Called after events were handled (the owner checks for idleness). */
  onSettled: (() => void) | undefined;
  readonly #carrier: SessionCarrier;
  readonly #quic: Connection;
  readonly #streams = new Map<number, MessageState>();
  readonly #openWaiters: (() => void)[] = [];
  #resolveReady!: () => void;
  #rejectReady!: (e: Error) => void;
  #resolveClosed!: (r: CloseReason) => void;
  #pumping = false;
  #closeRequested = false;
  #closeWhenAcked: string | undefined;
  #closeReason: CloseReason | undefined;

  constructor(quic: Connection, carrier: SessionCarrier, remote: Address, h3: Omit<H3QuicAdapterOptions, 'quic'> = {}) {
    this.#quic = quic;
    this.#carrier = carrier;
    this.remoteAddress = remote;
    this.role = quic.side;
    this.adapter = new H3QuicAdapter({ ...h3, quic });
    this.ready = new Promise((resolve, reject) => {
      this.#resolveReady = resolve;
      this.#rejectReady = reject;
    });
    this.ready.catch(() => {});
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
  }

  /** The H3 connection (after `ready`). */
  get h3(): H3Connection {
    const h3 = this.adapter.h3;
    if (h3 === undefined) throw new TypeError('the HTTP/3 connection is not ready');
    return h3;
  }

  get isClosed(): boolean {
    return this.adapter.isClosed || this.#closeRequested || (this.adapter.h3?.isClosed ?? false);
  }

  /** Request streams with unfinished business. */
  get activeStreams(): number {
    return this.#streams.size;
  }

  /** Once connected: the handshake resumed a TLS session from a ticket. */
  get resumed(): boolean {
    return this.#quic.resumed;
  }

  /** Once connected: the server accepted our 0-RTT data (RFC 9001 §4.6.2). */
  get earlyDataAccepted(): boolean {
    return this.#quic.earlyData === 'accepted';
  }

  /** Client: starts HTTP/3 in 0-RTT when a ticket allows it (resolves `ready`); false otherwise. */
  startEarly(): boolean {
    if (!this.adapter.startEarly()) return false;
    this.pump();
    this.#carrier.wake();
    return true;
  }

  /** @internal An event of the QUIC connection, from the driver. */
  handleEvent(e: ConnectionEvent): void {
    this.adapter.handleEvent(e);
    if (e.type === 'connected' || e.type === 'closing' || e.type === 'closed') this.#flushKeylog();
    this.pump();
    if (e.type === 'closed') this.#resolveClosed(this.#closeReason ?? e.reason);
  }

  /** Runs a command on the H3 connection, then handles what it caused and wakes the driver. */
  command<T>(fn: (h3: H3Connection) => T): T {
    try {
      return fn(this.h3);
    } finally {
      this.pump();
      this.#carrier.wake();
    }
  }

  /** Closes the connection (default H3_NO_ERROR). */
  close(code: number = H3ErrorCode.H3_NO_ERROR, reason = ''): void {
    if (this.#closeRequested) return;
    this.#closeRequested = true;
    this.adapter.close(code, reason);
    this.pump();
    this.#carrier.wake();
  }

  /** Closes with H3_NO_ERROR as soon as every stream we ended was acknowledged. */
  closeWhenAcknowledged(reason = ''): void {
    if (this.isClosed) return;
    if (this.adapter.unacknowledgedStreams === 0) this.close(H3ErrorCode.H3_NO_ERROR, reason);
    else this.#closeWhenAcked = reason;
  }

  /** Resolves when the peer's stream limit may allow another request stream. */
  waitStreamsAvailable(): Promise<void> {
    return new Promise((resolve) => this.#openWaiters.push(resolve));
  }

  /** Tracks a request stream. */
  track(id: number): MessageState {
    const s = new MessageState(id, this);
    this.#streams.set(id, s);
    return s;
  }

  /** Forgets a stream once both directions are finished. */
  maybeForget(s: MessageState): void {
    if ((s.receiveDone || s.failure !== undefined) && s.sendDone) this.#streams.delete(s.id);
  }

  /** The reader of a body gave up: stop the stream's receiving side. */
  cancelReading(s: MessageState): void {
    if (s.failure !== undefined || this.adapter.h3 === undefined || this.isClosed) return;
    // RFC 9114 §4.1.1: a client cancels with H3_REQUEST_CANCELLED; a server that no longer wants
    // the request body after its complete response stops it with H3_NO_ERROR (§4.1).
    const code = this.role === 'client' || !s.sendDone ? H3ErrorCode.H3_REQUEST_CANCELLED : H3ErrorCode.H3_NO_ERROR;
    try {
      this.command((h3) => h3.resetStream(s.id, code));
    } catch {
      // the stream already finished
    }
    s.sendDone = true;
    this.maybeForget(s);
  }

  /**
   * Sends a body (bytes or a stream) and then the trailers or the end of the stream, waiting
   * for the adapter to drain between chunks. Rejects when the stream fails.
   */
  async sendBody(s: MessageState, body: Uint8Array | ReadableStream<Uint8Array> | null, trailers: QpackField[] | undefined): Promise<void> {
    const id = s.id;
    const finish = (): void => {
      if (trailers !== undefined && trailers.length > 0) this.command((h3) => h3.sendTrailers(id, trailers));
      else this.command((h3) => h3.sendData(id, EMPTY, { endStream: true }));
    };
    if (body === null || body instanceof Uint8Array) {
      if (body !== null && body.length > 0) this.command((h3) => h3.sendData(id, body, { endStream: trailers === undefined || trailers.length === 0 }));
      if (body === null || (trailers !== undefined && trailers.length > 0)) finish();
      s.sendDone = true;
      this.maybeForget(s);
      return;
    }
    const reader = body.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        const failed = s.failure ?? s.sendFailure;
        if (failed !== undefined) throw failed;
        if (done) break;
        if (value.length === 0) continue;
        this.command((h3) => h3.sendData(id, value));
        if (this.adapter.bufferedAmount(id) > 0) await s.waitDrained();
      }
      const failed = s.failure ?? s.sendFailure;
      if (failed !== undefined) throw failed;
      finish();
      s.sendDone = true;
      this.maybeForget(s);
    } catch (e) {
      reader.cancel(e).catch(() => {});
      if (s.failure === undefined && s.sendFailure === undefined) {
        try {
          this.command((h3) => h3.resetStream(id, this.role === 'client' ? H3ErrorCode.H3_REQUEST_CANCELLED : H3ErrorCode.H3_INTERNAL_ERROR));
        } catch {
          // already finished
        }
        s.fail(new H3RequestError('ERR_H3_STREAM_RESET', undefined, `stream ${id}: the body source failed`, { cause: e }));
      }
      throw e;
    }
  }

  /** Moves the adapter's events to the streams. */
  pump(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      for (let e = this.adapter.pollEvent(); e !== null; e = this.adapter.pollEvent()) this.#dispatch(e);
    } finally {
      this.#pumping = false;
    }
    this.onSettled?.();
  }

  #dispatch(e: H3AdapterEvent): void {
    switch (e.kind) {
      case 'transport-ready':
        this.#resolveReady();
        return;
      case 'headers': {
        let s = this.#streams.get(e.streamId);
        if (s === undefined) {
          if (this.role !== 'server' || e.pushId !== undefined) return;
          s = this.track(e.streamId);
          if (e.endStream) s.endBody();
          this.onRequest?.(s, e);
          return;
        }
        if (e.interim) return;
        if (e.endStream) s.endBody();
        s.onHeaders?.(e);
        this.maybeForget(s);
        return;
      }
      case 'data': {
        const s = this.#streams.get(e.streamId);
        if (s === undefined) return;
        s.body.push(e.data);
        if (e.endStream) s.endBody();
        this.maybeForget(s);
        return;
      }
      case 'trailers': {
        const s = this.#streams.get(e.streamId);
        if (s === undefined) return;
        s.endBody(headersOf(e.headers));
        this.maybeForget(s);
        return;
      }
      case 'stream-reset':
        this.#failStream(e.streamId, H3RequestError.stream('ERR_H3_STREAM_RESET', e.code, e.streamId));
        return;
      case 'stop-sending':
        this.#failStream(e.streamId, H3RequestError.stream('ERR_H3_STREAM_STOPPED', e.code, e.streamId));
        return;
      case 'stream-error':
        this.#failStream(e.streamId, H3RequestError.stream('ERR_H3_STREAM_ERROR', e.code, e.streamId));
        return;
      case 'request-rejected':
        this.#failStream(e.streamId, new H3RequestError('ERR_H3_REQUEST_REJECTED', H3ErrorCode.H3_REQUEST_REJECTED, `stream ${e.streamId}: rejected by the server's GOAWAY`));
        return;
      case 'send-drained':
        this.#streams.get(e.streamId)?.drained();
        return;
      case 'streams-available':
        for (const w of this.#openWaiters.splice(0)) w();
        return;
      case 'drained':
        // RFC 9114 §5.2: GOAWAY exchanged and nothing left in flight: close once the last
        // responses were acknowledged (a CONNECTION_CLOSE would cut their delivery short).
        this.closeWhenAcknowledged('graceful shutdown');
        return;
      case 'sends-acknowledged':
        if (this.#closeWhenAcked !== undefined) this.close(H3ErrorCode.H3_NO_ERROR, this.#closeWhenAcked);
        return;
      case 'transport-closed': {
        this.#closeReason = e.reason;
        const err = new H3RequestError('ERR_H3_CONNECTION_CLOSED', e.reason.code, `connection closed: ${e.reason.reason || `code 0x${e.reason.code.toString(16)}`}`);
        for (const s of [...this.#streams.values()]) s.fail(err);
        this.#streams.clear();
        for (const w of this.#openWaiters.splice(0)) w();
        this.#rejectReady(new Error(`connection closed before HTTP/3 started: ${e.reason.reason || `code 0x${e.reason.code.toString(16)}`}`));
        return;
      }
      default:
        return;
    }
  }

  #failStream(id: number, err: H3RequestError): void {
    const s = this.#streams.get(id);
    if (s === undefined) return;
    if (err.code === 'ERR_H3_STREAM_STOPPED') {
      // STOP_SENDING ends only our sending side (the H3 layer reset it); receiving goes on.
      s.sendFailure ??= err;
      s.sendDone = true;
      s.drained();
      this.maybeForget(s);
      return;
    }
    s.fail(err);
    this.#streams.delete(id);
  }

  #flushKeylog(): void {
    const lines = this.#quic.keylog;
    if (lines.length > 0 && this.#carrier.keylog) this.#carrier.keylog(lines.splice(0));
  }
}
