/**
 * The HTTP/3 client on the node runtime: `H3Client.connect(origin)` for a connection that
 * carries many requests, and `request(url, init)` for one request on its own connection, closed
 * once the response has been read. Responses carry a status, `Headers`, the body as a WHATWG
 * ReadableStream and a promise of the trailers.
 * @module
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { Endpoint, tlsClientSession, type Address, type CloseReason, type ConnectionConfig } from '@quicts/quic-core';
import { createNodeCryptoProvider, defaultSessionCache, QuicSessionCache } from '@quicts/quic-core/node';
import { H3ErrorCode } from '../errors.ts';
import type { QpackField } from '../qpack/types.ts';
import { fieldLines, headersOf, normaliseBody, pseudo, readAll, type H3BodyInit, type H3HeadersInit } from './body.ts';
import { H3RequestError } from './errors.ts';
import { H3Host } from './host.ts';
import { certificateVerification, H3_ALPN, keylogWriter, transportOf, type H3CommonOptions, type VerifyOptions } from './options.ts';
import type { H3Session, MessageState } from './session.ts';

export interface H3ClientOptions extends H3CommonOptions {
  /** TLS server name (default: the URL's host unless it is an IP literal). */
  readonly serverName?: string;
  /** Certificate verification (default: the runtime's root certificates and the server name). */
  readonly verify?: VerifyOptions;
  /** Local address to bind (default: the wildcard address of the server's family). */
  readonly localAddress?: string;
  /**
   * Where session tickets and NEW_TOKEN tokens are kept between connections (default: the
   * process-wide cache quic-core's `connect` uses too; `false`: nothing is kept or offered).
   */
  readonly sessionCache?: QuicSessionCache | false;
  /**
   * Send requests in 0-RTT when a ticket allows it (RFC 9001 §4.6, RFC 9114 §3.3): `connect`
   * resolves before the handshake completes. Only idempotent requests belong in 0-RTT, since an
   * attacker can replay them (RFC 8446 §8). Default false.
   */
  readonly earlyData?: boolean;
  /**
   * QUIC version of the first Initial (default v1); a version the server does not speak leads to
   * Version Negotiation and one more attempt with a version both speak (RFC 9368 §2.1).
   */
  readonly version?: number;
}

export interface H3RequestInit {
  /** Default GET. */
  readonly method?: string;
  readonly headers?: H3HeadersInit;
  readonly body?: H3BodyInit;
  /** A trailer section sent after the body. */
  readonly trailers?: H3HeadersInit;
}

export interface H3Response {
  readonly status: number;
  readonly ok: boolean;
  readonly headers: Headers;
  /** The content; it ends when the response does. */
  readonly body: ReadableStream<Uint8Array>;
  /** The trailer section (empty `Headers` when none), once the body ended. */
  readonly trailers: Promise<Headers>;
  readonly streamId: number;
  bytes(): Promise<Uint8Array>;
  text(): Promise<string>;
}

/** A client HTTP/3 connection to one origin. */
export class H3Client {
  readonly #session: H3Session;
  readonly #host: H3Host;
  readonly #origin: URL;
  #closeWhenIdle = false;
  #opening = 0;

  private constructor(session: H3Session, host: H3Host, origin: URL) {
    this.#session = session;
    this.#host = host;
    this.#origin = origin;
    session.onSettled = () => this.#checkIdle();
  }

  /**
   * Connects to the origin of `url` (https, default port 443); resolves once HTTP/3 is up, or at
   * once when `earlyData` is set and a ticket allows 0-RTT.
   */
  static async connect(url: string | URL, options: H3ClientOptions = {}): Promise<H3Client> {
    try {
      return await H3Client.#connectOnce(url, options);
    } catch (e) {
      if (!(e instanceof VersionRefused) || e.retryVersion === options.version) throw e;
      return H3Client.#connectOnce(url, { ...options, version: e.retryVersion });
    }
  }

  static async #connectOnce(url: string | URL, options: H3ClientOptions): Promise<H3Client> {
    const origin = new URL(url);
    if (origin.protocol !== 'https:') throw new TypeError(`HTTP/3 needs an https URL, not ${origin.protocol}`);
    const port = Number(origin.port || 443);
    const hostname = origin.hostname.startsWith('[') ? origin.hostname.slice(1, -1) : origin.hostname;
    const address = isIP(hostname) ? hostname : (await lookup(hostname)).address;
    const remote: Address = { address, port };
    const crypto = options.crypto ?? createNodeCryptoProvider();
    const serverName = options.serverName ?? hostname;
    const verify = certificateVerification(options.verify);
    const cache = options.sessionCache === false ? undefined : options.sessionCache ?? defaultSessionCache;
    const cacheKey = QuicSessionCache.key(serverName, port);
    const token = cache?.takeToken(cacheKey);
    const config: ConnectionConfig = {
      crypto,
      transport: transportOf(options),
      ...(cache ? { ticketStore: cache.tickets } : {}),
      earlyData: options.earlyData ?? false,
      ...(options.version !== undefined ? { version: options.version } : {}),
      cryptoSession: tlsClientSession(() => ({
        crypto, now: Date.now(), alpnProtocols: [H3_ALPN], serverName, verify, ticketKey: cacheKey,
        ...(options.cipherSuites ? { cipherSuites: options.cipherSuites } : {}),
        ...(options.keylogFile ? { keyLog: true } : {}),
      })),
    };
    const endpoint = new Endpoint({ crypto });
    const host = new H3Host(endpoint, options.settings ? { settings: options.settings } : {}, keylogWriter(options.keylogFile), options.qlogDir);
    if (cache) host.onNewToken = (t) => cache.putToken(cacheKey, t);
    await host.bind(options.localAddress ?? (isIP(address) === 6 ? '::' : '0.0.0.0'), 0, options.unref ?? false);
    const driver = host.driver;
    let session: H3Session | undefined;
    try {
      const handle = endpoint.connect({ config, remote, local: driver.local, now: driver.now(), ...(token ? { token } : {}) });
      session = host.adopt(handle)!;
      void session.closed.then(() => driver.close());
      driver.wake(handle);
      // With 0-RTT the requests go out at once; the handshake completes underneath.
      if (!session.startEarly()) await session.ready;
    } catch (e) {
      await driver.close();
      const reason = session?.adapter.closeReason;
      if (reason?.retryVersion !== undefined) throw new VersionRefused((e as Error).message, reason.retryVersion);
      throw e;
    }
    return new H3Client(session, host, origin);
  }

  /** The session underneath (the H3 connection, the QUIC adapter). */
  get session(): H3Session {
    return this.#session;
  }

  /** The local UDP address. */
  get localAddress(): Address {
    return this.#host.driver.local;
  }

  get isClosed(): boolean {
    return this.#session.isClosed;
  }

  /** Resolves when the connection is over. */
  get closed(): Promise<CloseReason> {
    return this.#session.closed;
  }

  /** Sends a request to a URL of this origin (or a path); resolves with the response head. */
  async request(input: string | URL, init: H3RequestInit = {}): Promise<H3Response> {
    const url = new URL(input, this.#origin);
    const session = this.#session;
    const method = (init.method ?? 'GET').toUpperCase();
    const body = normaliseBody(init.body);
    const trailers = init.trailers === undefined ? undefined : fieldLines(init.trailers);
    const fields: QpackField[] = [
      { name: ':method', value: method },
      { name: ':scheme', value: 'https' },
      { name: ':authority', value: url.host },
      { name: ':path', value: `${url.pathname}${url.search}` },
      ...fieldLines(init.headers),
    ];
    if (body instanceof Uint8Array && !fields.some((f) => f.name === 'content-length')) fields.push({ name: 'content-length', value: String(body.length) });
    const endStream = body === null && trailers === undefined;
    let id: number | null = null;
    this.#opening++;
    try {
      for (;;) {
        if (session.isClosed) throw new H3RequestError('ERR_H3_CONNECTION_CLOSED', undefined, 'the connection is closed');
        if (!session.h3.acceptsNewRequests) throw new H3RequestError('ERR_H3_GOAWAY', undefined, 'the connection takes no new requests (GOAWAY)');
        id = session.command((h3) => h3.sendRequest(fields, { endStream }));
        if (id !== null) break;
        await session.waitStreamsAvailable();
      }
    } finally {
      this.#opening--;
    }
    const s = session.track(id);
    if (endStream) s.sendDone = true;
    const response = new Promise<H3Response>((resolve, reject) => {
      s.onHeaders = (e) => {
        const status = Number(pseudo(e.headers, ':status'));
        resolve(responseOf(s, status, headersOf(e.headers)));
      };
      s.onFail = reject;
    });
    if (!endStream) {
      session.sendBody(s, body, trailers).catch(() => {
        // A failed body fails the stream (and so the response), except a STOP_SENDING that
        // came with or after the response (RFC 9114 §4.1: the server needs no more of it).
      });
    }
    return response;
  }

  /** Graceful close: GOAWAY, let requests in flight finish, then close (RFC 9114 §5.2). */
  async shutdown(): Promise<CloseReason> {
    const s = this.#session;
    if (!s.isClosed) {
      try {
        s.command((h3) => h3.shutdown());
      } catch {
        // closed meanwhile
      }
    }
    return s.closed;
  }

  /** Closes at once with H3_NO_ERROR (or `code`). */
  close(code: number = H3ErrorCode.H3_NO_ERROR, reason = ''): Promise<CloseReason> {
    this.#session.close(code, reason);
    return this.#session.closed;
  }

  /** @internal Closes the connection once no request is in flight. */
  closeWhenIdle(): void {
    this.#closeWhenIdle = true;
    this.#checkIdle();
  }

  #checkIdle(): void {
    if (!this.#closeWhenIdle || this.#opening > 0 || this.#session.isClosed || this.#session.activeStreams > 0) return;
    this.#session.closeWhenAcknowledged();
  }
}

function responseOf(s: MessageState, status: number, headers: Headers): H3Response {
  const body = s.body.readable;
  return {
    status, ok: status >= 200 && status < 300, headers, body, trailers: s.trailers, streamId: s.id,
    bytes: () => readAll(body),
    text: async () => new TextDecoder().decode(await readAll(body)),
  };
}

/** One request on a connection of its own, closed once the response has been read or cancelled. */
export async function request(url: string | URL, init: H3RequestInit & H3ClientOptions = {}): Promise<H3Response> {
  const client = await H3Client.connect(url, init);
  try {
    const response = await client.request(url, init);
    client.closeWhenIdle();
    return response;
  } catch (e) {
    void client.close();
    throw e;
  }
}

/** Version Negotiation ended the attempt; the server offered `retryVersion`. */
class VersionRefused extends Error {
  constructor(message: string, readonly retryVersion: number) {
    super(message);
  }
}
