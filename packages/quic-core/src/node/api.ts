/**
 * The small public API over the endpoint and the node:dgram driver: `listen(options)` gives a
 * server whose accepted connections arrive by async iteration, `connect(host, port, options)` a
 * client connection. Both hand out {@link QuicConnection}s with WHATWG streams. Wall-clock time
 * (for certificate validity) is read here with Date.now(); the engine runs on performance.now().
 * SSLKEYLOGFILE lines and qlog files are written only when asked for.
 * @module
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { CryptoProvider } from '../crypto/provider.ts';
import type { CipherSuite } from '../crypto/cipher-suite.ts';
import type { Address, Connection } from '../connection/connection.ts';
import type { ConnectionConfig, TransportConfig } from '../connection/config.ts';
import { tlsClientSession, tlsServerSession } from '../connection/tls-session.ts';
import { Endpoint, type ConnectionHandle, type EndpointEvent, type EndpointServerConfig } from '../endpoint/endpoint.ts';
import { createNodeCryptoProvider } from './crypto-provider.ts';
import { startConnectionQlog } from './qlog-writer.ts';
import { UdpDriver } from './udp-driver.ts';
import { AsyncQueue } from './async-queue.ts';
import { QuicConnection, type ConnectionCarrier } from './quic-connection.ts';
import { certificateKey, certificateVerification, keylogWriter, type CertificateOptions, type VerifyOptions } from './tls-options.ts';
import { serverTicketConfig, type ServerTicketOptions } from './server-tickets.ts';
import { QuicSessionCache, defaultSessionCache } from './session-cache.ts';

/** Options both roles share. */
export interface CommonOptions {
  /** ALPN protocols in preference order (QUIC requires one; RFC 9001 §8.1). */
  readonly alpn: readonly string[];
  /** Transport settings (defaults: DEFAULT_TRANSPORT_CONFIG; DATAGRAM frames up to 65535 bytes are accepted). */
  readonly transport?: Partial<TransportConfig>;
  /** TLS cipher suites in preference order (default all three). */
  readonly cipherSuites?: readonly CipherSuite[];
  /** Append TLS secrets in NSS key log format to this file (opt-in, for debugging). */
  readonly keylogFile?: string;
  /** Write one qlog (JSON-SEQ) file per connection into this directory (opt-in). */
  readonly qlogDir?: string;
  /** Crypto provider (default: node:crypto). */
  readonly crypto?: CryptoProvider;
  /** Do not keep the process alive for the socket (default false). */
  readonly unref?: boolean;
}

export interface ListenOptions extends CommonOptions, ServerTicketOptions {
  /** Address to bind (default '0.0.0.0'; '::' for IPv6 and dual stack). */
  readonly host?: string;
  /** Port (default 0: any free port; read `server.address`). */
  readonly port?: number;
  readonly tls: CertificateOptions;
  /** Most connections at once (default 10 000). */
  readonly maxConnections?: number;
  /** Validate client addresses with Retry first (default false). */
  readonly retry?: boolean;
  /** Static key for stateless reset tokens (keep it across restarts so resets stay recognisable). */
  readonly statelessResetKey?: Uint8Array;
  /** Secret for Retry and NEW_TOKEN tokens. */
  readonly tokenSecret?: Uint8Array;
}

export interface ConnectOptions extends CommonOptions {
  /** TLS server name (default: the host, unless it is an IP literal, which is matched against IP SANs). */
  readonly serverName?: string;
  /** Certificate verification (default: the runtime's root certificates and the server name). */
  readonly verify?: VerifyOptions;
  /** Local address to bind (default: the wildcard address of the server's family). */
  readonly localAddress?: string;
  /** A NEW_TOKEN token from an earlier connection to this server (default: one from `sessionCache`). */
  readonly token?: Uint8Array;
  /**
   * Where session tickets and NEW_TOKEN tokens are kept between connections (default: one cache
   * for the process; `false`: nothing is kept or offered).
   */
  readonly sessionCache?: QuicSessionCache | false;
  /**
   * Send 0-RTT when a ticket allows it (RFC 9001 §4.6): the connection is returned before the
   * handshake completes, and what is written goes in 0-RTT packets (default false).
   */
  readonly earlyData?: boolean;
  /**
   * QUIC version of the first Initial (default v1). A version the server does not speak provokes
   * Version Negotiation (RFC 9000 §6); the attempt is then made once more with the most preferred
   * version the server offers and we speak (RFC 9368 §2.1).
   */
  readonly version?: number;
}

const DEFAULT_DATAGRAM_FRAME_SIZE = 65535;

function transportOf(options: CommonOptions): Partial<TransportConfig> {
  return { maxDatagramFrameSize: DEFAULT_DATAGRAM_FRAME_SIZE, ...options.transport };
}

/** One socket, its endpoint, and the API objects of its connections. */
class Host {
  readonly connections = new Map<ConnectionHandle, QuicConnection>();
  onIncoming: ((handle: ConnectionHandle) => void) | undefined;
  /** Client: a NEW_TOKEN token arrived. */
  onNewToken: ((token: Uint8Array) => void) | undefined;
  driver!: UdpDriver;
  readonly #keylog: ((lines: string[]) => void) | undefined;
  readonly #qlogDir: string | undefined;

  constructor(readonly endpoint: Endpoint, options: CommonOptions) {
    this.#keylog = keylogWriter(options.keylogFile);
    this.#qlogDir = options.qlogDir;
  }

  async bind(host: string, port: number, unref: boolean): Promise<void> {
    this.driver = await UdpDriver.bind({ endpoint: this.endpoint, host, port, unref, onEvent: (e) => this.#dispatch(e) });
  }

  carrier(handle: ConnectionHandle): ConnectionCarrier {
    const driver = this.driver;
    return {
      now: () => driver.now(),
      wake: () => driver.wake(handle),
      ...(this.#keylog ? { keylog: this.#keylog } : {}),
    };
  }

  /** Wraps a connection of the endpoint in the API object (with a qlog trace when asked for). */
  adopt(handle: ConnectionHandle, conn: Connection, remote: Address, onClosed?: () => void): QuicConnection {
    const log = this.#qlogDir ? startConnectionQlog(this.#qlogDir, conn, this.driver.local, remote, this.driver.now()) : undefined;
    const qlog = log?.trace;
    const closeFile = log?.close;
    const qc = new QuicConnection(conn, this.carrier(handle), { local: this.driver.local, remote }, {
      ...(qlog ? { qlog } : {}),
      onClosed: () => {
        this.connections.delete(handle);
        void closeFile?.();
        onClosed?.();
      },
    });
    this.connections.set(handle, qc);
    return qc;
  }

  #dispatch(e: EndpointEvent): void {
    if (e.type === 'incoming') this.onIncoming?.(e.handle);
    else {
      if (e.event.type === 'newToken') this.onNewToken?.(e.event.token);
      this.connections.get(e.handle)?.handleEvent(e.event);
    }
  }
}

/** A listening QUIC server: iterate it for connections whose handshake completed. */
export class QuicServer implements AsyncIterable<QuicConnection> {
  readonly #host: Host;
  readonly #accepted = new AsyncQueue<QuicConnection>();
  #closing: Promise<void> | undefined;

  /** @internal */
  constructor(host: Host) {
    this.#host = host;
  }

  /** The bound address. */
  get address(): Address {
    return this.#host.driver.local;
  }

  /** The sans-IO endpoint underneath (statistics, advanced use). */
  get endpoint(): Endpoint {
    return this.#host.endpoint;
  }

  /** Connections alive now (handshaking or established). */
  get connections(): QuicConnection[] {
    return [...this.#host.connections.values()];
  }

  /** @internal */
  accepted(qc: QuicConnection): void {
    this.#accepted.push(qc);
  }

  /** The next accepted connection, or undefined once the server is closed. */
  accept(): Promise<QuicConnection | undefined> {
    return this.#accepted.next();
  }

  [Symbol.asyncIterator](): AsyncIterator<QuicConnection> {
    return this.#accepted[Symbol.asyncIterator]();
  }

  /** Closes every connection (application code, default 0), lets the closes leave, and stops. */
  close(options: { code?: number; reason?: string } = {}): Promise<void> {
    this.#closing ??= (async () => {
      const host = this.#host;
      this.#accepted.end();
      const closed = [...host.connections.values()].map((c) => c.close({ code: options.code ?? 0, reason: options.reason ?? 'server shutdown' }));
      host.driver.runNow();
      await Promise.race([Promise.all(closed), delay(100)]);
      await host.driver.close();
    })();
    return this.#closing;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Starts a QUIC server. */
export async function listen(options: ListenOptions): Promise<QuicServer> {
  const crypto = options.crypto ?? createNodeCryptoProvider();
  const certificate = certificateKey(options.tls);
  const alpn = [...options.alpn];
  const tickets = serverTicketConfig(crypto, options);
  const connection: ConnectionConfig = {
    crypto,
    transport: transportOf(options),
    cryptoSession: tlsServerSession(() => ({
      crypto, now: Date.now(), alpnProtocols: alpn, certificate, ...(tickets ? { tickets } : {}),
      ...(options.cipherSuites ? { cipherSuites: options.cipherSuites } : {}),
      ...(options.keylogFile ? { keyLog: true } : {}),
    })),
  };
  const server: EndpointServerConfig = {
    connection,
    ...(options.maxConnections !== undefined ? { maxConnections: options.maxConnections } : {}),
    ...(options.retry !== undefined ? { retry: options.retry } : {}),
    ...(options.tokenSecret ? { tokenSecret: options.tokenSecret } : {}),
  };
  const endpoint = new Endpoint({ crypto, server, ...(options.statelessResetKey ? { statelessResetKey: options.statelessResetKey } : {}) });
  const host = new Host(endpoint, options);
  await host.bind(options.host ?? '0.0.0.0', options.port ?? 0, options.unref ?? false);
  const quicServer = new QuicServer(host);
  host.onIncoming = (handle) => {
    const conn = endpoint.connection(handle);
    if (!conn) return;
    const qc = host.adopt(handle, conn, conn.path.remote);
    qc.ready.then(() => quicServer.accepted(qc), () => {});
  };
  return quicServer;
}

/** Opens a client connection; resolves once the handshake completes. */
export async function connect(host: string, port: number, options: ConnectOptions): Promise<QuicConnection> {
  try {
    return await connectOnce(host, port, options);
  } catch (e) {
    const retryVersion = e instanceof VersionNegotiationRefusal ? e.retryVersion : undefined;
    if (retryVersion === undefined) throw e;
    return connectOnce(host, port, { ...options, version: retryVersion });
  }
}

/** The server refused the version of the attempt and offered `retryVersion`. */
class VersionNegotiationRefusal extends Error {
  constructor(message: string, readonly retryVersion: number) {
    super(message);
  }
}

async function connectOnce(host: string, port: number, options: ConnectOptions): Promise<QuicConnection> {
  const crypto = options.crypto ?? createNodeCryptoProvider();
  const literal = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const address = isIP(literal) ? literal : (await lookup(literal)).address;
  const remote: Address = { address, port };
  const serverName = options.serverName ?? literal;
  const verify = certificateVerification(options.verify);
  const alpn = [...options.alpn];
  const cache = options.sessionCache === false ? undefined : options.sessionCache ?? defaultSessionCache;
  const cacheKey = QuicSessionCache.key(serverName, port);
  const token = options.token ?? cache?.takeToken(cacheKey);
  const config: ConnectionConfig = {
    crypto,
    transport: transportOf(options),
    ...(cache ? { ticketStore: cache.tickets } : {}),
    earlyData: options.earlyData ?? false,
    ...(options.version !== undefined ? { version: options.version } : {}),
    cryptoSession: tlsClientSession(() => ({
      crypto, now: Date.now(), alpnProtocols: alpn, serverName, verify, ticketKey: cacheKey,
      ...(options.cipherSuites ? { cipherSuites: options.cipherSuites } : {}),
      ...(options.keylogFile ? { keyLog: true } : {}),
    })),
  };
  const endpoint = new Endpoint({ crypto });
  const h = new Host(endpoint, options);
  if (cache) h.onNewToken = (t) => cache.putToken(cacheKey, t);
  const bindHost = options.localAddress ?? (isIP(address) === 6 ? '::' : '0.0.0.0');
  await h.bind(bindHost, 0, options.unref ?? false);
  const driver = h.driver;
  let qc: QuicConnection;
  try {
    const handle = endpoint.connect({ config, remote, local: driver.local, now: driver.now(), ...(token ? { token } : {}) });
    qc = h.adopt(handle, endpoint.connection(handle)!, remote, () => {
      void driver.close();
    });
    driver.wake(handle);
  } catch (e) {
    await driver.close();
    throw e;
  }
  // With 0-RTT under way the application writes at once; `ready` still tells when the handshake is done.
  if (qc.connection.canSendEarlyData) return qc;
  try {
    await qc.ready;
  } catch (e) {
    await driver.close();
    const info = await qc.closed;
    if (info.retryVersion !== undefined && info.retryVersion !== options.version) throw new VersionNegotiationRefusal((e as Error).message, info.retryVersion);
    throw e;
  }
  return qc;
}
