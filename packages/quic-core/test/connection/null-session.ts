/**
 * A test-only crypto session: the real event order of a TLS 1.3 handshake (ClientHello,
 * ServerHello + handshake keys, server Finished + 1-RTT keys, client Finished), with fixed
 * secrets and length-prefixed toy messages, so connection tests can run without certificates.
 * It also fails on demand to test the error path.
 */
import {
  TLS_AES_128_GCM_SHA256, TransportError, type CryptoLevel, type CryptoSession, type CryptoSessionEvent,
  type CryptoSessionFactory,
} from '@quicts/quic-core';

const MSG = { clientHello: 1, serverHello: 2, serverFinished: 20, clientFinished: 21 } as const;
const secret = (n: number) => new Uint8Array(32).fill(n);

function frame(type: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + body.length);
  out[0] = type;
  out[1] = body.length >>> 16;
  out[2] = (body.length >>> 8) & 0xff;
  out[3] = body.length & 0xff;
  out.set(body, 4);
  return out;
}

export interface NullSessionOptions {
  /** Throw CRYPTO_ERROR(alert) when the server reads the ClientHello. */
  readonly failWithAlert?: number;
  /** Extra bytes in the server's handshake flight (a big certificate chain). */
  readonly serverFlightPadding?: number;
}

class NullSession implements CryptoSession {
  readonly #queue: CryptoSessionEvent[] = [];
  readonly #buffers: Record<CryptoLevel, Uint8Array> = { initial: new Uint8Array(0), handshake: new Uint8Array(0), oneRtt: new Uint8Array(0) };

  constructor(readonly isClient: boolean, private readonly params: Uint8Array, private readonly options: NullSessionOptions) {}

  start(): void {
    if (this.isClient) this.#queue.push({ kind: 'data', level: 'initial', data: frame(MSG.clientHello, this.params) });
  }

  readHandshake(level: CryptoLevel, data: Uint8Array): void {
    const prev = this.#buffers[level];
    let buf = new Uint8Array(prev.length + data.length);
    buf.set(prev);
    buf.set(data, prev.length);
    while (buf.length >= 4) {
      const len = (buf[1]! << 16) | (buf[2]! << 8) | buf[3]!;
      if (buf.length < 4 + len) break;
      this.#message(level, buf[0]!, buf.subarray(4, 4 + len));
      buf = buf.slice(4 + len);
    }
    this.#buffers[level] = buf;
  }

  poll(): CryptoSessionEvent | null {
    return this.#queue.shift() ?? null;
  }

  #secret(level: 'handshake' | 'oneRtt', direction: 'read' | 'write', n: number): void {
    this.#queue.push({ kind: 'secret', secret: { level, direction, suite: TLS_AES_128_GCM_SHA256, secret: secret(n) } });
  }

  #message(level: CryptoLevel, type: number, body: Uint8Array): void {
    const q = this.#queue;
    if (!this.isClient && level === 'initial' && type === MSG.clientHello) {
      if (this.options.failWithAlert !== undefined) throw TransportError.crypto(this.options.failWithAlert, 'handshake refused');
      q.push({ kind: 'peerTransportParameters', bytes: body.slice() });
      q.push({ kind: 'data', level: 'initial', data: frame(MSG.serverHello, this.params) });
      this.#secret('handshake', 'read', 1);
      this.#secret('handshake', 'write', 2);
      q.push({ kind: 'data', level: 'handshake', data: frame(MSG.serverFinished, new Uint8Array(this.options.serverFlightPadding ?? 100)) });
      this.#secret('oneRtt', 'read', 3);
      this.#secret('oneRtt', 'write', 4);
    } else if (this.isClient && level === 'initial' && type === MSG.serverHello) {
      q.push({ kind: 'peerTransportParameters', bytes: body.slice() });
      this.#secret('handshake', 'read', 2);
      this.#secret('handshake', 'write', 1);
    } else if (this.isClient && level === 'handshake' && type === MSG.serverFinished) {
      this.#secret('oneRtt', 'read', 4);
      this.#secret('oneRtt', 'write', 3);
      q.push({ kind: 'data', level: 'handshake', data: frame(MSG.clientFinished, new Uint8Array(32)) });
      q.push({ kind: 'handshakeComplete', alpn: 'null', resumed: false, earlyDataAccepted: false });
    } else if (!this.isClient && level === 'handshake' && type === MSG.clientFinished) {
      q.push({ kind: 'handshakeComplete', alpn: 'null', resumed: false, earlyDataAccepted: false });
    } else {
      throw TransportError.crypto(10, `unexpected message ${type} at ${level}`);
    }
  }
}

export function nullSession(options: NullSessionOptions = {}): CryptoSessionFactory {
  return (p) => new NullSession(p.isClient, p.transportParameters, options);
}
