/**
 * The WebTransport client on the node runtime: `connectWebTransport(url, options)` opens a QUIC
 * connection (ALPN h3, QUIC DATAGRAM on), waits for the server's SETTINGS, sends the extended
 * CONNECT for the URL's path and resolves with the {@link WebTransportSession} once the server
 * answers 2xx, all within a connect timeout. The connection belongs to the session: it is closed
 * shortly after the session ends.
 * @module
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import {
  Endpoint, tlsClientSession, type Address, type ConnectionConfig, type CryptoProvider, type TransportConfig,
} from '@quicts/quic-core';
import { certificateVerification, createNodeCryptoProvider, startConnectionQlog, UdpDriver, type VerifyOptions } from '@quicts/quic-core/node';
import { H3ErrorCode } from '@quicts/h3';
import type { WtLocalSettings } from '../protocol/dialect.ts';
import { WebTransportTimeoutError } from '../errors.ts';
import { WtNodeConnection } from './connection.ts';
import { WT_ALPN } from './server.ts';
import type { WebTransportSession } from './session.ts';

export interface WebTransportClientOptions {
  /** Certificate verification (default: the runtime's root certificates and the host name). */
  readonly verify?: VerifyOptions;
  /** TLS server name (default: the URL's host name). */
  readonly serverName?: string;
  /** Origin header to send (default none). */
  readonly origin?: string;
  /** WT-Available-Protocols to offer (draft -15+), in order of preference. */
  readonly protocols?: readonly string[];
  /** Extra request header fields. */
  readonly headers?: readonly { name: string; value: string }[];
  /** Give up when the session is not up within this many ms (default 10 000). */
  readonly connectTimeout?: number;
  /** WebTransport settings (e.g. `dialects: ['draft02']` to force one). */
  readonly settings?: Partial<WtLocalSettings>;
  /** QUIC transport settings (defaults: DATAGRAM frames up to 65535 bytes). */
  readonly transport?: Partial<TransportConfig>;
  readonly crypto?: CryptoProvider;
  /** Local address to bind (default: the wildcard address of the server's family). */
  readonly localAddress?: string;
  /** Do not keep the process alive for the socket (default false). */
  readonly unref?: boolean;
  /** Write a qlog trace of the connection into this directory (opt-in). */
  readonly qlogDir?: string;
}

export { WebTransportTimeoutError } from '../errors.ts';

/** How long a finished session's connection stays up so that the close capsule is delivered. */
const LINGER_MS = 200;

/** A dialled QUIC connection that speaks WebTransport (the peer's SETTINGS arrived). */
export interface DialledConnection {
  readonly conn: WtNodeConnection;
  readonly url: URL;
}

/**
 * Opens a QUIC connection to the URL's host and port and waits for the handshake and the
 * server's SETTINGS, at most `connectTimeout` ms (measured from `startedAt`).
 */
export async function dialWebTransport(input: string | URL, options: WebTransportClientOptions = {}, startedAt = Date.now()): Promise<DialledConnection> {
  const url = new URL(input);
  if (url.protocol !== 'https:') throw new TypeError(`WebTransport needs an https URL, not ${url.protocol}`);
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = Number(url.port || 443);
  const address = isIP(hostname) ? hostname : (await lookup(hostname)).address;
  const remote: Address = { address, port };
  const crypto = options.crypto ?? createNodeCryptoProvider();
  const verify = certificateVerification(options.verify);
  const serverName = options.serverName ?? hostname;
  const config: ConnectionConfig = {
    crypto,
    transport: { maxDatagramFrameSize: 65535, ...options.transport },
    cryptoSession: tlsClientSession(() => ({ crypto, now: Date.now(), alpnProtocols: [WT_ALPN], serverName, verify })),
  };
  const endpoint = new Endpoint({ crypto });
  let conn: WtNodeConnection | undefined;
  const driver = await UdpDriver.bind({
    endpoint, host: options.localAddress ?? (isIP(address) === 6 ? '::' : '0.0.0.0'), port: 0, unref: options.unref ?? false,
    onEvent: (e) => {
      if (e.type !== 'incoming') conn?.handleEvent(e.event);
    },
  });
  try {
    const handle = endpoint.connect({ config, remote, local: driver.local, now: driver.now() });
    const quic = endpoint.connection(handle)!;
    const c = new WtNodeConnection(quic, { wake: () => driver.wake(handle), handle, local: driver.local }, remote,
      options.settings ? { settings: options.settings } : {});
    conn = c;
    const log = options.qlogDir !== undefined ? startConnectionQlog(options.qlogDir, quic, driver.local, remote, driver.now()) : undefined;
    void c.closed.then(() => {
      void log?.close();
      return driver.close();
    });
    driver.wake(handle);
    await deadline((async () => {
      await c.ready;
      await c.settings;
    })(), startedAt + (options.connectTimeout ?? 10_000) - Date.now());
    return { conn: c, url };
  } catch (e) {
    conn?.close(H3ErrorCode.H3_REQUEST_CANCELLED, 'connect failed');
    driver.runNow();
    await driver.close();
    throw e;
  }
}

/** Rejects with {@link WebTransportTimeoutError} when `p` does not settle within `ms`. */
export function deadline<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = Math.max(0, ms);
  return Promise.race([p, new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new WebTransportTimeoutError(`no WebTransport connection within the connect timeout (${Math.round(limit)} ms left)`)), limit);
  })]).finally(() => clearTimeout(timer));
}

/** Connects to a WebTransport server and opens one session on the URL's path. */
export async function connectWebTransport(input: string | URL, options: WebTransportClientOptions = {}): Promise<WebTransportSession> {
  const startedAt = Date.now();
  const timeoutMs = options.connectTimeout ?? 10_000;
  const { conn: c, url } = await dialWebTransport(input, options, startedAt);
  try {
    const session = await deadline(c.request({
      authority: url.host, path: `${url.pathname}${url.search}`,
      ...(options.origin !== undefined ? { origin: options.origin } : {}),
      ...(options.protocols !== undefined ? { protocols: options.protocols } : {}),
      ...(options.headers !== undefined ? { headers: options.headers } : {}),
    }), startedAt + timeoutMs - Date.now());
    void session.closed.then(() => {}, () => {}).then(() => {
      if (c.isClosed) return;
      const t = setTimeout(() => c.close(H3ErrorCode.H3_NO_ERROR, 'session closed'), LINGER_MS);
      t.unref?.();
    });
    return session;
  } catch (e) {
    c.close(H3ErrorCode.H3_REQUEST_CANCELLED, 'connect failed');
    throw e;
  }
}
