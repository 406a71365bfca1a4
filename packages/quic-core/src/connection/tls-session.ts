/**
 * Adapts the TLS 1.3 engine (tls/) to the connection's {@link CryptoSession} surface.
 * @module
 */
import { TlsClient } from '../tls/client.ts';
import { TlsServer } from '../tls/server.ts';
import type { TlsClientConfig, TlsServerConfig, TlsLevel } from '../tls/config.ts';
import { TlsAlert } from '../tls/alerts.ts';
import { TransportError, TransportErrorCode } from '../errors.ts';
import type { CryptoLevel, CryptoSession, CryptoSessionEvent, CryptoSessionFactory, CryptoSessionParams } from './crypto-session.ts';

const TO_TLS: Record<CryptoLevel, TlsLevel> = { initial: 'initial', handshake: 'handshake', oneRtt: 'application' };
const FROM_TLS: Record<TlsLevel, CryptoLevel> = { initial: 'initial', handshake: 'handshake', application: 'oneRtt' };
const SECRET_LEVEL = { early: 'zeroRtt', handshake: 'handshake', application: 'oneRtt' } as const;

type Engine = TlsClient | TlsServer;

class TlsCryptoSession implements CryptoSession {
  readonly #queue: CryptoSessionEvent[] = [];
  #completeSent = false;

  constructor(readonly isClient: boolean, private readonly engine: Engine) {}

  start(): void {
    // The TLS client writes its ClientHello when constructed; collect it.
    this.#collect();
  }

  readHandshake(level: CryptoLevel, data: Uint8Array): void {
    this.#guard(() => this.engine.readHandshake(TO_TLS[level], data));
    this.#collect();
  }

  poll(): CryptoSessionEvent | null {
    return this.#queue.shift() ?? null;
  }

  #guard(fn: () => unknown): void {
    try {
      fn();
    } catch (e) {
      if (e instanceof TlsAlert) throw e.toTransportError();
      if (e instanceof TransportError) throw e;
      throw new TransportError(TransportErrorCode.INTERNAL_ERROR, `TLS failure: ${(e as Error)?.message ?? String(e)}`, 0x06, { cause: e });
    }
  }

  #collect(): void {
    // Secrets first: data of a level must not be sent before its keys exist, and the connection
    // installs keys as it reads them.
    for (let e = this.engine.pollEvent(); e !== null; e = this.engine.pollEvent()) {
      switch (e.type) {
        case 'secret':
          this.#queue.push({ kind: 'secret', secret: { level: SECRET_LEVEL[e.level], direction: e.direction, suite: e.suite, secret: e.secret } });
          break;
        case 'transport-parameters':
          this.#queue.push({ kind: 'peerTransportParameters', bytes: e.parameters });
          break;
        case 'keylog':
          this.#queue.push({ kind: 'keylog', line: e.line });
          break;
        case 'handshake-complete':
          this.#completeSent = true;
          this.#queue.push({ kind: 'handshakeComplete', alpn: this.engine.alpnProtocol, resumed: false, earlyDataAccepted: false });
          break;
        default:
          break;
      }
    }
    for (let out = this.engine.writeHandshake(); out !== null; out = this.engine.writeHandshake()) {
      this.#queue.push({ kind: 'data', level: FROM_TLS[out.level], data: out.data });
    }
    // Keep 'handshakeComplete' after the data it completes (the client's Finished).
    if (this.#completeSent) {
      const i = this.#queue.findIndex((e) => e.kind === 'handshakeComplete');
      if (i >= 0 && i < this.#queue.length - 1) this.#queue.push(...this.#queue.splice(i, 1));
      this.#completeSent = false;
    }
  }
}

export type QuicTlsClientOptions = Omit<TlsClientConfig, 'transportParameters' | 'transport'>;
export type QuicTlsServerOptions = Omit<TlsServerConfig, 'transportParameters' | 'transport'>;

/** A factory of TLS client sessions. `options()` is called per connection (e.g. to read the wall clock for `now`). */
export function tlsClientSession(options: () => QuicTlsClientOptions): CryptoSessionFactory {
  return (params: CryptoSessionParams) => new TlsCryptoSession(true, new TlsClient({ ...options(), transportParameters: params.transportParameters, transport: 'quic' }));
}

/** A factory of TLS server sessions. */
export function tlsServerSession(options: () => QuicTlsServerOptions): CryptoSessionFactory {
  return (params: CryptoSessionParams) => new TlsCryptoSession(false, new TlsServer({ ...options(), transportParameters: params.transportParameters, transport: 'quic' }));
}
