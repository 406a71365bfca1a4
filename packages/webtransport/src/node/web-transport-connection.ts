/**
 * `WebTransportConnection`: one QUIC connection carrying WebTransport, in either role, as the
 * seed's user-facing API has it: `WebTransportConnection.connect(url, config)` (client) or
 * `WebTransportConnection.accept(server)` (server), `createSession(...)`, `getAllSessions()`,
 * `diagnostics()`, `close({ errorCode, reason })`, `gracefulShutdown()` (GOAWAY, DRAIN to each
 * session, wait for them to end, then close) and `await using`.
 * @module
 */
import type { Address } from '@quicts/quic-core';
import { H3ErrorCode } from '@quicts/h3';
import { WebTransportConnectionError, WebTransportTimeoutError } from '../errors.ts';
import { dialWebTransport, deadline } from './client.ts';
import { clientConfig, clientOptionsOf, type ClientConfig, type ServerConfig } from './config.ts';
import { SessionRejectedError, type WtNodeConnection } from './connection.ts';
import { connectionState, diagnose, type ConnectionDiagnostics, type WebTransportConnectionState } from './diagnostics.ts';
import type { WebTransportServer } from './server.ts';
import type { WebTransportSession } from './session.ts';

/** What `createSession` asks for. */
export interface CreateSessionOptions {
  /** The path (and query) of the session (default '/'). */
  readonly path?: string;
  /** `:authority` (default: the host and port the connection was made to). */
  readonly authority?: string;
  /** Extra request header fields. */
  readonly headers?: readonly { name: string; value: string }[] | Readonly<Record<string, string>>;
  /** WT-Available-Protocols to offer (draft-15+), in order of preference. */
  readonly wtAvailableProtocols?: readonly string[];
  /** Origin header (default: the config's `origin`). */
  readonly origin?: string;
}

export interface CloseConnectionOptions {
  /** HTTP/3 error code for CONNECTION_CLOSE (default H3_NO_ERROR, 0x100). */
  readonly errorCode?: number;
  readonly reason?: string;
  /** Give up waiting for the close to complete after this many ms (default 2000). */
  readonly timeout?: number;
}

export interface GracefulShutdownOptions {
  /** How long sessions may take to end after DRAIN before they are closed (ms, default 5000). */
  readonly timeout?: number;
  /** Close code of the sessions still open at the end (default 0). */
  readonly sessionCloseCode?: number;
  readonly reason?: string;
}

const instances = new WeakMap<WtNodeConnection, WebTransportConnection>();

function bounded(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([p.then(() => undefined, () => undefined), new Promise<void>((r) => {
    timer = setTimeout(r, ms);
  })]).finally(() => clearTimeout(timer));
}

export class WebTransportConnection {
  /** The configuration in effect (defaults filled in). */
  readonly config: ClientConfig | ServerConfig;
  readonly isClient: boolean;
  /** Resolves when the QUIC connection is over. */
  readonly closed: Promise<void>;
  readonly #conn: WtNodeConnection;
  readonly #authority: string;

  private constructor(conn: WtNodeConnection, config: ClientConfig | ServerConfig, authority: string) {
    this.#conn = conn;
    this.config = config;
    this.isClient = conn.adapter.role === 'client';
    this.#authority = authority;
    this.closed = conn.closed.then(() => undefined);
    instances.set(conn, this);
  }

  /**
   * Client: connects to `url`'s host and port and resolves once the handshake is done and the
   * server's SETTINGS arrived (the dialect is known), within `config.connectTimeout`. The URL's
   * path is the default path of `createSession`.
   */
  static async connect(url: string | URL, config: Partial<ClientConfig> = {}): Promise<WebTransportConnection> {
    const full = clientConfig(config);
    const { conn, url: u } = await dialWebTransport(url, clientOptionsOf(full));
    const c = new WebTransportConnection(conn, full, u.host);
    c.#defaultPath = `${u.pathname}${u.search}`;
    return c;
  }

  /**
   * Server: resolves with the next connection to `server` whose handshake completes, or the
   * `WebTransportConnection` of a connection it already has (`from`).
   */
  static async accept(server: WebTransportServer, options: { timeout?: number; from?: WtNodeConnection } = {}): Promise<WebTransportConnection> {
    const conn = options.from ?? (await server.nextConnection(options.timeout ?? server.config.connectTimeout));
    return instances.get(conn) ?? new WebTransportConnection(conn, server.config, '');
  }

  #defaultPath = '/';

  /** The endpoint's handle of the QUIC connection. */
  get handle(): number {
    return this.#conn.handle;
  }

  get state(): WebTransportConnectionState {
    return connectionState(this.#conn);
  }

  get isConnected(): boolean {
    return this.state === 'connected';
  }

  get isClosing(): boolean {
    return this.state === 'closing';
  }

  get isClosed(): boolean {
    return this.state === 'closed';
  }

  /** The local socket address(es). */
  get localAddresses(): readonly Address[] {
    return [this.#conn.localAddress];
  }

  get remoteAddress(): Address {
    return this.#conn.remoteAddress;
  }

  /** The negotiated WebTransport dialect (undefined until the peer's SETTINGS arrived). */
  get dialect(): string | undefined {
    return this.#conn.adapter.wt?.negotiated?.dialect;
  }

  /** The underlying connection of the node runtime. */
  get connection(): WtNodeConnection {
    return this.#conn;
  }

  /** Live sessions of the connection (either side's). */
  getAllSessions(): WebTransportSession[] {
    return [...this.#conn.sessions.values()].filter((s) => !s.isClosed);
  }

  diagnostics(): ConnectionDiagnostics {
    return diagnose(this.#conn);
  }

  /**
   * Client: opens a session (extended CONNECT) and resolves once the server accepted it, within
   * `config.connectTimeout`. Rejects with WebTransportConnectionError ('session-refused' with the
   * status, 'closed', 'wrong-role') or WebTransportTimeoutError.
   */
  async createSession(options: CreateSessionOptions = {}): Promise<WebTransportSession> {
    if (!this.isClient) throw new WebTransportConnectionError('a server connection cannot create sessions', { kind: 'wrong-role', code: H3ErrorCode.H3_INTERNAL_ERROR });
    this.#assertOpen();
    const h = options.headers;
    const headers = h === undefined ? undefined : Array.isArray(h) ? h as readonly { name: string; value: string }[]
      : Object.entries(h as Record<string, string>).map(([name, value]) => ({ name: name.toLowerCase(), value }));
    const origin = options.origin ?? (this.config as ClientConfig).origin;
    try {
      return await deadline(this.#conn.request({
        authority: options.authority ?? this.#authority,
        path: options.path ?? this.#defaultPath,
        ...(origin !== undefined ? { origin } : {}),
        ...(options.wtAvailableProtocols !== undefined ? { protocols: options.wtAvailableProtocols } : {}),
        ...(headers !== undefined ? { headers } : {}),
      }), this.config.connectTimeout);
    } catch (e) {
      if (e instanceof WebTransportTimeoutError) throw e;
      if (e instanceof SessionRejectedError) {
        throw new WebTransportConnectionError(e.message, {
          kind: e.status !== 0 || !this.#conn.isClosed ? 'session-refused' : 'closed',
          code: e.h3Code ?? H3ErrorCode.H3_REQUEST_REJECTED, status: e.status, cause: e,
        });
      }
      throw e;
    }
  }

  /**
   * Closes the QUIC connection at once (CONNECTION_CLOSE with `errorCode`, default H3_NO_ERROR);
   * resolves when it is over or after `timeout` ms.
   */
  async close(options: CloseConnectionOptions = {}): Promise<void> {
    if (!this.#conn.isClosed) {
      const code = options.errorCode ?? H3ErrorCode.H3_NO_ERROR;
      if (!Number.isInteger(code) || code < 0) throw new RangeError(`not an error code: ${code}`);
      this.#conn.close(code, options.reason ?? '');
    }
    await bounded(this.#conn.closed, options.timeout ?? 2000);
  }

  /**
   * Winds the connection down: GOAWAY (no new sessions), DRAIN_WEBTRANSPORT_SESSION to every
   * session, waits up to `timeout` ms for the sessions to end, closes those left, then closes
   * the connection with H3_NO_ERROR.
   */
  async gracefulShutdown(options: GracefulShutdownOptions = {}): Promise<void> {
    if (this.#conn.isClosed) return;
    const sessions = this.getAllSessions();
    if (this.#conn.adapter.wt !== undefined) {
      this.#conn.command((wt) => {
        try {
          wt.h3.sendGoaway();
        } catch {
          // GOAWAY already sent, or the control stream is gone
        }
        for (const s of sessions) {
          try {
            wt.drainSession(s.id);
          } catch {
            // the session ended meanwhile
          }
        }
      });
    }
    await bounded(Promise.all(sessions.map((s) => s.closed.catch(() => undefined))), options.timeout ?? 5000);
    const left = this.getAllSessions();
    for (const s of left) {
      try {
        s.close({ closeCode: options.sessionCloseCode ?? 0, reason: options.reason ?? 'shutdown' });
      } catch {
        // gone meanwhile
      }
    }
    // let the close capsules reach the peer before CONNECTION_CLOSE
    await bounded(Promise.all(left.map((s) => s.closed.catch(() => undefined))), 250);
    await this.close({ reason: options.reason ?? 'shutdown' });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #assertOpen(): void {
    const state = this.state;
    if (state === 'closing' || state === 'closed') {
      throw new WebTransportConnectionError(`the connection is ${state}`, { kind: 'closed', code: H3ErrorCode.H3_NO_ERROR });
    }
  }
}
