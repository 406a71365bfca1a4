/**
 * One QUIC connection carrying WebTransport on the node runtime: a {@link WtQuicAdapter} fed by
 * the UDP driver's events, whose events are routed to the sessions and their streams. Every
 * command goes through `command()`, which handles the events it caused and wakes the driver so
 * that the bytes leave.
 * @module
 */
import type { Address, CloseReason, Connection, ConnectionEvent } from '@quicts/quic-core';
import { H3ErrorCode, type H3Event } from '@quicts/h3';
import { WebTransportError } from '../errors.ts';
import type { WtConnection } from '../protocol/connection.ts';
import type { WtSessionReadyEvent, WtSessionRejectedEvent, WtSessionRequest } from '../protocol/events.ts';
import { WtQuicAdapter, type WtAdapterEvent, type WtQuicAdapterOptions } from '../quic-adapter.ts';
import { WebTransportSession, type StreamEntry } from './session.ts';

/** What a connection needs from the driver that carries it. */
export interface ConnectionCarrier {
  wake(): void;
  /** The endpoint's handle of the QUIC connection. */
  readonly handle: number;
  /** The local address of the socket. */
  readonly local: Address;
}

type SessionAnswer = WtSessionReadyEvent | WtSessionRejectedEvent | { kind: 'gone'; error: number | undefined };

export class WtNodeConnection {
  readonly adapter: WtQuicAdapter;
  readonly remoteAddress: Address;
  /** Resolves when the handshake completed and the WebTransport connection exists. */
  readonly ready: Promise<void>;
  /** Resolves once the peer's SETTINGS arrived (the dialect is known). */
  readonly settings: Promise<void>;
  /** Resolves when the QUIC connection is over. */
  readonly closed: Promise<CloseReason>;
  readonly sessions = new Map<number, WebTransportSession>();
  readonly streams = new Map<number, StreamEntry>();
  /** Server: a session request; answer with `accept` / `reject`. */
  onSessionRequest: ((sessionId: number, request: WtSessionRequest) => void) | undefined;
  /** Wall-clock time (ms since the epoch) the handshake completed, and the connection ended. */
  connectedAt: number | undefined;
  closedAt: number | undefined;
  /** close() was called (or the peer started closing). */
  closing = false;
  readonly #quic: Connection;
  readonly #carrier: ConnectionCarrier;
  readonly #answers = new Map<number, (a: SessionAnswer) => void>();
  #openWaiters: (() => void)[] = [];
  #resolveReady!: () => void;
  #rejectReady!: (e: Error) => void;
  #resolveSettings!: () => void;
  #rejectSettings!: (e: Error) => void;
  #resolveClosed!: (r: CloseReason) => void;
  #pumping = false;

  constructor(quic: Connection, carrier: ConnectionCarrier, remote: Address, options: Omit<WtQuicAdapterOptions, 'quic'> = {}) {
    this.#quic = quic;
    this.#carrier = carrier;
    this.remoteAddress = remote;
    this.adapter = new WtQuicAdapter({ ...options, quic });
    this.ready = new Promise((resolve, reject) => {
      this.#resolveReady = resolve;
      this.#rejectReady = reject;
    });
    this.ready.catch(() => {});
    this.settings = new Promise((resolve, reject) => {
      this.#resolveSettings = resolve;
      this.#rejectSettings = reject;
    });
    this.settings.catch(() => {});
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
  }

  get wt(): WtConnection {
    const wt = this.adapter.wt;
    if (wt === undefined) throw new TypeError('the WebTransport connection is not ready');
    return wt;
  }

  get isClosed(): boolean {
    return this.adapter.isClosed;
  }

  /** The QUIC connection underneath (for diagnostics). */
  get quic(): Connection {
    return this.#quic;
  }

  /** The endpoint's handle of the QUIC connection. */
  get handle(): number {
    return this.#carrier.handle;
  }

  get localAddress(): Address {
    return this.#carrier.local;
  }

  get rttMs(): number {
    return this.#quic.rtt.smoothed;
  }

  /** DATAGRAM frames of this QUIC connection (all its sessions) sent in packets declared lost. */
  get datagramsLost(): number {
    return this.#quic.stats.datagramsLost;
  }

  /** Largest datagram payload of a session that fits a QUIC packet now. */
  maxDatagramPayload(sessionId: number): number {
    const prefix = sessionId / 4 < 64 ? 1 : sessionId / 4 < 16384 ? 2 : 4;
    return Math.max(0, this.#quic.maxDatagramPayload - prefix);
  }

  /** @internal An event of the QUIC connection, from the driver. */
  handleEvent(e: ConnectionEvent): void {
    this.adapter.handleEvent(e);
    this.pump();
    if (e.type === 'closed') {
      this.closedAt ??= Date.now();
      this.#resolveClosed(e.reason);
    }
  }

  /** Runs a command on the WebTransport connection, handles what it caused and wakes the driver. */
  command<T>(fn: (wt: WtConnection) => T): T {
    try {
      return fn(this.wt);
    } finally {
      this.pump();
      this.#carrier.wake();
    }
  }

  /** Closes the QUIC connection (HTTP/3 code, default H3_NO_ERROR). */
  close(code: number = H3ErrorCode.H3_NO_ERROR, reason = ''): void {
    if (this.isClosed) return;
    this.closing = true;
    this.adapter.close(code, reason);
    this.pump();
    this.#carrier.wake();
  }

  /** Resolves when the peer's stream limit may allow another stream. */
  streamsAvailable(): Promise<void> {
    return new Promise((resolve) => this.#openWaiters.push(resolve));
  }

  /** Server: accepts a requested session; the session object exists before any of its events. */
  accept(sessionId: number, request: WtSessionRequest, protocol: string | undefined): WebTransportSession {
    const session = new WebTransportSession(this, sessionId, request);
    session.protocol = protocol;
    this.sessions.set(sessionId, session);
    this.command((wt) => wt.acceptSession(sessionId, protocol === undefined ? {} : { protocol }));
    return session;
  }

  reject(sessionId: number, status: number): void {
    this.command((wt) => wt.rejectSession(sessionId, status));
  }

  /** Client: asks for a session and waits for the answer. */
  async request(init: Parameters<WtConnection['createSession']>[0]): Promise<WebTransportSession> {
    await this.settings;
    for (;;) {
      const id = this.command((wt) => wt.createSession(init));
      if (id !== null) {
        const request: WtSessionRequest = { authority: init.authority, path: init.path, origin: init.origin, protocols: init.protocols ?? [], headers: [] };
        const session = new WebTransportSession(this, id, request);
        this.sessions.set(id, session);
        const answer = await new Promise<SessionAnswer>((resolve) => this.#answers.set(id, resolve));
        if (answer.kind === 'session-ready') {
          session.protocol = answer.protocol;
          return session;
        }
        this.sessions.delete(id);
        if (answer.kind === 'session-rejected') throw new SessionRejectedError(answer.status);
        throw new SessionRejectedError(0, answer.error);
      }
      if (this.isClosed) throw new SessionRejectedError(0, H3ErrorCode.H3_REQUEST_CANCELLED);
      await this.streamsAvailable();
    }
  }

  /** Moves the adapter's events to the sessions and streams. */
  pump(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      for (let e = this.adapter.pollEvent(); e !== null; e = this.adapter.pollEvent()) this.#dispatch(e);
    } finally {
      this.#pumping = false;
    }
  }

  #dispatch(e: WtAdapterEvent): void {
    switch (e.kind) {
      case 'transport-ready':
        this.connectedAt ??= Date.now();
        this.#resolveReady();
        return;
      case 'settings':
        if (e.dialect === undefined) this.#rejectSettings(new Error('the peer speaks no WebTransport dialect of ours'));
        else this.#resolveSettings();
        return;
      case 'session-request':
        if (this.onSessionRequest === undefined) this.wt.rejectSession(e.sessionId, 404);
        else this.onSessionRequest(e.sessionId, e.request);
        return;
      case 'session-ready':
      case 'session-rejected': {
        const answer = this.#answers.get(e.sessionId);
        this.#answers.delete(e.sessionId);
        answer?.(e);
        return;
      }
      case 'session-draining':
        this.sessions.get(e.sessionId)?.onDraining();
        return;
      case 'session-closed': {
        const answer = this.#answers.get(e.sessionId);
        if (answer !== undefined) {
          this.#answers.delete(e.sessionId);
          answer({ kind: 'gone', error: e.error });
        }
        this.sessions.get(e.sessionId)?.onClosed(e.code, e.reason, e.error);
        return;
      }
      case 'stream-opened':
        this.sessions.get(e.sessionId)?.attach(e.streamId, e.bidi, false);
        return;
      case 'stream-data':
        this.streams.get(e.streamId)?.receive?.push(e.data, e.fin);
        return;
      case 'stream-reset':
        this.streams.get(e.streamId)?.receive?.fail(streamError('reset', e.code, e.h3Code));
        return;
      case 'stop-sending': {
        const s = this.streams.get(e.streamId);
        s?.send?.fail(streamError('stopped', e.code, e.h3Code));
        for (const w of s?.drainWaiters.splice(0) ?? []) w();
        return;
      }
      case 'datagram':
        this.sessions.get(e.sessionId)?.onDatagram(e.payload);
        return;
      case 'session-writable':
        this.sessions.get(e.sessionId)?.writable();
        return;
      case 'send-drained': {
        const s = this.streams.get(e.streamId);
        for (const w of s?.drainWaiters.splice(0) ?? []) w();
        return;
      }
      case 'streams-available':
        for (const w of this.#openWaiters.splice(0)) w();
        return;
      case 'transport-closed': {
        this.closing = true;
        const err = new Error(`connection closed: ${e.reason.reason || `code 0x${e.reason.code.toString(16)}`}`);
        this.#rejectReady(err);
        this.#rejectSettings(err);
        for (const s of [...this.sessions.values()]) s.onClosed(0, 'Connection lost.', e.reason.code);
        for (const [id, answer] of [...this.#answers]) {
          this.#answers.delete(id);
          answer({ kind: 'gone', error: e.reason.code });
        }
        for (const w of this.#openWaiters.splice(0)) w();
        return;
      }
      case 'h3':
        this.#onH3(e.event);
        return;
    }
  }

  /** HTTP/3 requests that are not WebTransport sessions: the server answers 404. */
  #onH3(e: H3Event): void {
    if (e.kind !== 'headers' || this.adapter.role !== 'server' || e.interim) return;
    if (this.sessions.has(e.streamId)) return;
    try {
      this.wt.h3.sendHeaders(e.streamId, [{ name: ':status', value: '404' }, { name: 'content-length', value: '0' }], { endStream: true });
    } catch {
      // the stream went away
    }
  }
}

/** A session request the server refused (status), or that failed (HTTP/3 code). */
export class SessionRejectedError extends Error {
  override readonly name = 'SessionRejectedError';
  constructor(readonly status: number, readonly h3Code?: number) {
    super(status !== 0 ? `the server refused the session with status ${status}` : 'the session request failed');
  }
}


function streamError(what: 'reset' | 'stopped', code: number | undefined, h3Code: number): WebTransportError {
  return new WebTransportError(`stream ${what} by the peer${code === undefined ? ` (HTTP/3 code 0x${h3Code.toString(16)})` : ` (code ${code})`}`, {
    source: 'stream', streamErrorCode: code ?? null, code: h3Code,
  });
}
