/**
 * The WebTransport server on the node runtime: `createWebTransportServer({ cert, key, port })`
 * listens on UDP (ALPN h3, QUIC DATAGRAM on), answers session requests by path (`route`) after an
 * optional request hook that may accept, pick a WT-Protocol, or refuse with a status, and hands
 * each accepted {@link WebTransportSession} to its route's handler. Requests that match no route
 * get 404; plain HTTP/3 requests get 404 too.
 * @module
 */
import {
  Endpoint, tlsServerSession, type Address, type ConnectionConfig, type ConnectionHandle, type CryptoProvider,
  type EndpointEvent, type TransportConfig,
} from '@quicts/quic-core';
import {
  certificateKey, createNodeCryptoProvider, keylogWriter, startConnectionQlog, UdpDriver, type CertificateOptions,
} from '@quicts/quic-core/node';
import type { WtLocalSettings } from '../protocol/dialect.ts';
import type { WtSessionRequest } from '../protocol/events.ts';
import { WebTransportTimeoutError } from '../errors.ts';
import { serverConfigOf, type ServerConfig } from './config.ts';
import { WtNodeConnection } from './connection.ts';
import { Router } from './routes.ts';
import type { WebTransportSession } from './session.ts';

/** The ALPN token of HTTP/3, which WebTransport rides on. */
export const WT_ALPN = 'h3';

/** A session request as the request hook and the handlers see it. */
export interface WebTransportRequest extends WtSessionRequest {
  /** `https://authority/path`. */
  readonly url: string;
  /** The path without its query. */
  readonly pathname: string;
  readonly query: URLSearchParams;
  /** Named segments of the matched route (empty without one). */
  readonly params: Readonly<Record<string, string>>;
  readonly remoteAddress: Address;
}

/** What the request hook decides: accept (optionally with a WT-Protocol) or refuse with a status. */
export type WebTransportRequestDecision =
  | { readonly accept: true; readonly protocol?: string }
  | { readonly accept: false; readonly status?: number };

export type WebTransportRequestHook = (request: WebTransportRequest) =>
  WebTransportRequestDecision | undefined | Promise<WebTransportRequestDecision | undefined>;

export type WebTransportSessionHandler = (session: WebTransportSession, request: WebTransportRequest) => void | Promise<void>;

export interface WebTransportServerOptions extends CertificateOptions {
  /** Address to bind (default '0.0.0.0'; '::' for IPv6 and dual stack). */
  readonly host?: string;
  /** Port (default 0: any free port; read `server.address`). */
  readonly port?: number;
  /**
   * QUIC transport settings. Defaults: DATAGRAM frames up to 65535 bytes, 256 bidirectional and
   * 256 unidirectional streams from the client at once, 60 s idle timeout.
   */
  readonly transport?: Partial<TransportConfig>;
  /** WebTransport settings (dialects, sessions per connection, session credit). */
  readonly settings?: Partial<WtLocalSettings>;
  /** Decides on each request before routing applies (undefined: the route decides). */
  readonly onRequest?: WebTransportRequestHook;
  /** Handler of sessions whose path matches no route (default: such requests get 404). */
  readonly fallback?: WebTransportSessionHandler;
  /** Handler failures (thrown errors, rejected promises). */
  readonly onError?: (error: unknown, request: WebTransportRequest) => void;
  /** Append TLS secrets in NSS key log format to this file (opt-in, for debugging). */
  readonly keylogFile?: string;
  /** Write a qlog trace per connection into this directory (opt-in). */
  readonly qlogDir?: string;
  /** Crypto provider (default: node:crypto). */
  readonly crypto?: CryptoProvider;
  /** Most connections at once (default 10 000). */
  readonly maxConnections?: number;
  /** Do not keep the process alive for the socket (default false). */
  readonly unref?: boolean;
}

/** Transport defaults of the server: enough concurrent streams for busy sessions. */
export const WT_SERVER_TRANSPORT_DEFAULTS: Partial<TransportConfig> = Object.freeze({
  maxDatagramFrameSize: 65535,
  initialMaxStreamsBidi: 256,
  initialMaxStreamsUni: 256,
  maxIdleTimeout: 60_000,
});

export class WebTransportServer {
  readonly #endpoint: Endpoint;
  readonly #options: WebTransportServerOptions;
  readonly #router = new Router<WebTransportSessionHandler>();
  readonly #connections = new Map<ConnectionHandle, WtNodeConnection>();
  readonly #keylog: ((lines: string[]) => void) | undefined;
  readonly #connectionWaiters = new Set<(c: WtNodeConnection) => void>();
  #driver!: UdpDriver;
  #closing: Promise<void> | undefined;
  /** The configuration in effect, with the defaults filled in. */
  readonly config: ServerConfig;

  /** @internal */
  constructor(endpoint: Endpoint, options: WebTransportServerOptions) {
    this.#endpoint = endpoint;
    this.#options = options;
    this.config = serverConfigOf(options, WT_SERVER_TRANSPORT_DEFAULTS);
    this.#keylog = keylogWriter(options.keylogFile);
  }

  /** @internal */
  async bind(): Promise<void> {
    this.#driver = await UdpDriver.bind({
      endpoint: this.#endpoint, host: this.#options.host ?? '0.0.0.0', port: this.#options.port ?? 0,
      unref: this.#options.unref ?? false, onEvent: (e) => this.#dispatch(e),
    });
  }

  /** The bound address. */
  get address(): Address {
    return this.#driver.local;
  }

  /** Live connections. */
  get connections(): WtNodeConnection[] {
    return [...this.#connections.values()];
  }

  /**
   * Resolves with the next connection whose handshake completes (connections that complete while
   * nobody waits are not queued); rejects with WebTransportTimeoutError after `timeoutMs`.
   */
  nextConnection(timeoutMs = 10_000): Promise<WtNodeConnection> {
    return new Promise((resolve, reject) => {
      const waiter = (c: WtNodeConnection): void => {
        clearTimeout(timer);
        resolve(c);
      };
      const timer = setTimeout(() => {
        this.#connectionWaiters.delete(waiter);
        reject(new WebTransportTimeoutError(`no connection within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#connectionWaiters.add(waiter);
    });
  }

  /** Serves sessions whose path matches `pattern` (`/echo`, `/rooms/:room`, `/files/*`). */
  route(pattern: string, handler: WebTransportSessionHandler): this {
    this.#router.add(pattern, handler);
    return this;
  }

  /**
   * Closes every session (code 0, "server shutdown"), then the connections, then the socket;
   * connections left after `timeout` ms (default 2000) are dropped.
   */
  close(options: { timeout?: number } = {}): Promise<void> {
    this.#closing ??= (async () => {
      const conns = this.connections;
      for (const c of conns) {
        for (const s of [...c.sessions.values()]) {
          try {
            s.close({ closeCode: 0, reason: 'server shutdown' });
          } catch {
            // gone meanwhile
          }
        }
        try {
          c.close(0, 'server shutdown');
        } catch {
          // closed meanwhile
        }
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, options.timeout ?? 2000);
      });
      await Promise.race([Promise.all(conns.map((c) => c.closed)), timeout]);
      clearTimeout(timer);
      await this.#driver.close();
    })();
    return this.#closing;
  }

  #dispatch(e: EndpointEvent): void {
    if (e.type === 'incoming') {
      this.#adopt(e.handle);
      return;
    }
    const c = this.#connections.get(e.handle);
    if (c === undefined) return;
    c.handleEvent(e.event);
    if (this.#keylog && (e.event.type === 'connected' || e.event.type === 'closing')) {
      const lines = this.#endpoint.connection(e.handle)?.keylog;
      if (lines !== undefined && lines.length > 0) this.#keylog(lines.splice(0));
    }
  }

  #adopt(handle: ConnectionHandle): void {
    const quic = this.#endpoint.connection(handle);
    if (quic === undefined) return;
    const driver = this.#driver;
    const conn = new WtNodeConnection(quic, { wake: () => driver.wake(handle), handle, local: driver.local }, quic.path.remote,
      this.#options.settings ? { settings: this.#options.settings } : {});
    const dir = this.#options.qlogDir;
    const log = dir !== undefined ? startConnectionQlog(dir, quic, driver.local, quic.path.remote, driver.now()) : undefined;
    this.#connections.set(handle, conn);
    void conn.closed.then(() => {
      this.#connections.delete(handle);
      void log?.close();
    });
    conn.onSessionRequest = (id, request) => {
      void this.#answer(conn, id, request);
    };
    if (this.#closing !== undefined) void conn.ready.then(() => conn.close(0, 'server shutdown'), () => {});
    else {
      void conn.ready.then(() => {
        for (const w of this.#connectionWaiters) {
          this.#connectionWaiters.delete(w);
          w(conn);
          return;
        }
      }, () => {});
    }
  }

  async #answer(conn: WtNodeConnection, id: number, req: WtSessionRequest): Promise<void> {
    const q = req.path.indexOf('?');
    const pathname = q === -1 ? req.path : req.path.slice(0, q);
    const match = this.#router.match(req.path);
    const request: WebTransportRequest = {
      ...req, url: `https://${req.authority}${req.path}`, pathname, query: new URLSearchParams(q === -1 ? '' : req.path.slice(q + 1)),
      params: match?.params ?? {}, remoteAddress: conn.remoteAddress,
    };
    const handler = match?.value ?? this.#options.fallback;
    let session: WebTransportSession;
    try {
      const decision = this.#options.onRequest ? await this.#options.onRequest(request) : undefined;
      if (conn.isClosed) return;
      if (decision !== undefined && !decision.accept) {
        conn.reject(id, decision.status ?? 403);
        return;
      }
      if (handler === undefined) {
        conn.reject(id, 404);
        return;
      }
      session = conn.accept(id, request, decision?.accept ? decision.protocol : undefined);
    } catch (err) {
      this.#options.onError?.(err, request);
      try {
        if (!conn.isClosed) conn.reject(id, 500);
      } catch {
        // the request went away meanwhile
      }
      return;
    }
    try {
      await handler(session, request);
    } catch (err) {
      this.#options.onError?.(err, request);
    }
  }
}

/** Starts a WebTransport server and resolves once it listens. */
export async function createWebTransportServer(options: WebTransportServerOptions): Promise<WebTransportServer> {
  const crypto = options.crypto ?? createNodeCryptoProvider();
  const certificate = certificateKey(options);
  const connection: ConnectionConfig = {
    crypto,
    transport: { ...WT_SERVER_TRANSPORT_DEFAULTS, ...options.transport },
    cryptoSession: tlsServerSession(() => ({
      crypto, now: Date.now(), alpnProtocols: [WT_ALPN], certificate,
      ...(options.keylogFile ? { keyLog: true } : {}),
    })),
  };
  const endpoint = new Endpoint({
    crypto,
    server: { connection, ...(options.maxConnections !== undefined ? { maxConnections: options.maxConnections } : {}) },
  });
  const server = new WebTransportServer(endpoint, options);
  await server.bind();
  return server;
}
