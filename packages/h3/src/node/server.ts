/**
 * The HTTP/3 server on the node runtime: `createH3Server({ cert, key, handler })` listens on UDP,
 * and calls the handler with a Request-like object for every request; the handler returns a
 * Response-like object (a WHATWG `Response` fits) whose body is bytes, a string or a stream.
 * `close()` shuts down gracefully: GOAWAY on every connection, requests in flight finish, then
 * the connections close (RFC 9114 §5.2).
 * @module
 */
import { Endpoint, tlsServerSession, type Address, type ConnectionConfig } from '@quicts/quic-core';
import { createNodeCryptoProvider, serverTicketConfig, type ServerTicketOptions } from '@quicts/quic-core/node';
import { H3ErrorCode } from '../errors.ts';
import type { H3HeadersReceived } from '../events.ts';
import type { QpackField } from '../qpack/types.ts';
import { fieldLines, headersOf, normaliseBody, pseudo, readAll, type H3BodyInit, type H3HeadersInit } from './body.ts';
import { H3Host } from './host.ts';
import { certificateKey, H3_ALPN, keylogWriter, transportOf, type CertificateOptions, type H3CommonOptions } from './options.ts';
import type { H3Session, MessageState } from './session.ts';

/** A request as the handler sees it. */
export interface H3ServerRequest {
  readonly method: string;
  /** `scheme://authority/path`. */
  readonly url: string;
  readonly scheme: string;
  readonly authority: string;
  readonly path: string;
  /** Extended CONNECT (RFC 9220): the `:protocol` pseudo-header. */
  readonly protocol: string | undefined;
  readonly headers: Headers;
  readonly body: ReadableStream<Uint8Array>;
  /** The trailer section (empty when none), once the body ended. */
  readonly trailers: Promise<Headers>;
  readonly remoteAddress: Address;
  readonly streamId: number;
  bytes(): Promise<Uint8Array>;
  text(): Promise<string>;
}

/** What the handler returns: a WHATWG `Response` or a plain object of the same shape. */
export interface H3ServerResponse {
  readonly status?: number;
  readonly headers?: H3HeadersInit;
  readonly body?: H3BodyInit;
  /** A trailer section sent after the body. */
  readonly trailers?: H3HeadersInit;
}

export type H3Handler = (request: H3ServerRequest) => H3ServerResponse | Promise<H3ServerResponse>;

export interface H3ServerOptions extends H3CommonOptions, CertificateOptions, ServerTicketOptions {
  readonly handler: H3Handler;
  /** Address to bind (default '0.0.0.0'; '::' for IPv6 and dual stack). */
  readonly host?: string;
  /** Port (default 0: any free port; read `server.address`). */
  readonly port?: number;
  /** Validate client addresses with Retry first (default false). */
  readonly retry?: boolean;
  /** Most connections at once (default 10 000). */
  readonly maxConnections?: number;
  /** Handler failures (thrown errors, invalid responses); default: ignored. */
  readonly onError?: (error: unknown, request: H3ServerRequest) => void;
}

/** Statuses whose responses carry no content (RFC 9110 §6.4.1). */
const NO_BODY_STATUS = new Set([204, 205, 304]);

export class H3Server {
  readonly #host: H3Host;
  readonly #options: H3ServerOptions;
  #closing: Promise<void> | undefined;

  /** @internal */
  constructor(host: H3Host, options: H3ServerOptions) {
    this.#host = host;
    this.#options = options;
    host.onIncoming = (session) => this.#accept(session);
  }

  /** The bound address. */
  get address(): Address {
    return this.#host.driver.local;
  }

  /** Sessions of the live connections. */
  get sessions(): H3Session[] {
    return [...this.#host.sessions.values()];
  }

  /**
   * Graceful shutdown: GOAWAY on every connection, requests in flight finish, then the
   * connections close; after `timeout` ms (default 5000) those left are closed at once.
   */
  close(options: { timeout?: number } = {}): Promise<void> {
    this.#closing ??= (async () => {
      const sessions = this.sessions;
      for (const s of sessions) this.#shutdown(s);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, options.timeout ?? 5000);
      });
      await Promise.race([Promise.all(sessions.map((s) => s.closed)), timeout]);
      clearTimeout(timer);
      for (const s of this.sessions) s.close(H3ErrorCode.H3_NO_ERROR, 'server shutdown');
      this.#host.driver.runNow();
      await Promise.race([Promise.all(this.sessions.map((s) => s.closed)), new Promise((r) => setTimeout(r, 100))]);
      await this.#host.driver.close();
    })();
    return this.#closing;
  }

  #shutdown(session: H3Session): void {
    if (session.isClosed) return;
    if (session.adapter.h3 === undefined) {
      session.close(H3ErrorCode.H3_NO_ERROR, 'server shutdown');
      return;
    }
    try {
      session.command((h3) => h3.shutdown());
    } catch {
      // closed meanwhile
    }
  }

  #accept(session: H3Session): void {
    if (this.#closing !== undefined) {
      void session.ready.then(() => this.#shutdown(session), () => {});
    }
    session.onRequest = (s, e) => {
      void this.#serve(session, s, e);
    };
  }

  async #serve(session: H3Session, s: MessageState, e: H3HeadersReceived): Promise<void> {
    const method = pseudo(e.headers, ':method') ?? 'GET';
    const scheme = pseudo(e.headers, ':scheme') ?? 'https';
    const authority = pseudo(e.headers, ':authority') ?? '';
    const path = pseudo(e.headers, ':path') ?? '';
    const body = s.body.readable;
    const request: H3ServerRequest = {
      method, scheme, authority, path, url: `${scheme}://${authority}${path}`, protocol: pseudo(e.headers, ':protocol'),
      headers: headersOf(e.headers), body, trailers: s.trailers, remoteAddress: session.remoteAddress, streamId: s.id,
      bytes: () => readAll(body),
      text: async () => new TextDecoder().decode(await readAll(body)),
    };
    let headersSent = false;
    try {
      const response = await this.#options.handler(request);
      if (s.failure !== undefined || s.sendFailure !== undefined) return;
      const status = response.status ?? 200;
      if (!Number.isInteger(status) || status < 200 || status > 599) throw new RangeError(`invalid response status ${status}`);
      const noBody = method === 'HEAD' || NO_BODY_STATUS.has(status);
      const content = noBody ? null : normaliseBody(response.body);
      const trailers = response.trailers === undefined || noBody ? undefined : fieldLines(response.trailers);
      const fields: QpackField[] = [{ name: ':status', value: String(status) }, ...fieldLines(response.headers)];
      if (content instanceof Uint8Array && !fields.some((f) => f.name === 'content-length')) {
        fields.push({ name: 'content-length', value: String(content.length) });
      }
      const endStream = content === null && (trailers === undefined || trailers.length === 0);
      session.command((h3) => h3.sendHeaders(s.id, fields, { endStream }));
      headersSent = true;
      if (endStream) {
        s.sendDone = true;
      } else {
        await session.sendBody(s, content, trailers);
      }
      // RFC 9114 §4.1: a complete response ends the exchange; the rest of the request body
      // is not needed (STOP_SENDING with H3_NO_ERROR).
      if (!s.receiveDone && s.failure === undefined) await s.body.readable.cancel().catch(() => {});
      session.maybeForget(s);
    } catch (err) {
      this.#options.onError?.(err, request);
      if (s.failure !== undefined || s.sendFailure !== undefined || session.isClosed) return;
      try {
        if (!headersSent) {
          session.command((h3) => h3.sendHeaders(s.id, [{ name: ':status', value: '500' }, { name: 'content-length', value: '0' }], { endStream: true }));
          s.sendDone = true;
          if (!s.receiveDone) await s.body.readable.cancel().catch(() => {});
          session.maybeForget(s);
        } else {
          session.cancelReading(s);
        }
      } catch {
        // the stream already went away
      }
    }
  }
}

/** Starts an HTTP/3 server (ALPN h3) and resolves once it listens. */
export async function createH3Server(options: H3ServerOptions): Promise<H3Server> {
  const crypto = options.crypto ?? createNodeCryptoProvider();
  const certificate = certificateKey(options);
  const tickets = serverTicketConfig(crypto, options);
  const connection: ConnectionConfig = {
    crypto,
    transport: transportOf(options),
    cryptoSession: tlsServerSession(() => ({
      crypto, now: Date.now(), alpnProtocols: [H3_ALPN], certificate, ...(tickets ? { tickets } : {}),
      ...(options.cipherSuites ? { cipherSuites: options.cipherSuites } : {}),
      ...(options.keylogFile ? { keyLog: true } : {}),
    })),
  };
  const endpoint = new Endpoint({
    crypto,
    server: {
      connection,
      ...(options.maxConnections !== undefined ? { maxConnections: options.maxConnections } : {}),
      ...(options.retry !== undefined ? { retry: options.retry } : {}),
    },
  });
  const host = new H3Host(endpoint, options.settings ? { settings: options.settings } : {}, keylogWriter(options.keylogFile), options.qlogDir);
  await host.bind(options.host ?? '0.0.0.0', options.port ?? 0, options.unref ?? false);
  return new H3Server(host, options);
}
