/**
 * Reassembles handshake messages from the bytes of one encryption level, which may arrive in
 * pieces of any size (QUIC CRYPTO frames, RFC 9001 §4.1.3). Returns complete messages; "need
 * more bytes" is a `null` return, not an exception.
 * @module
 */
import { tlsFail } from './alerts.ts';

/** A complete handshake message: type, body, and the whole encoding (for the transcript). */
export interface TlsHandshakeMessage {
  readonly type: number;
  readonly body: Uint8Array;
  readonly raw: Uint8Array;
}

/** Largest handshake message accepted (certificate chains are the large ones). */
export const TLS_MAX_HANDSHAKE_MESSAGE = 1 << 17;

export class TlsHandshakeBuffer {
  private buf = new Uint8Array(0);
  private len = 0;

  constructor(private readonly maxMessage = TLS_MAX_HANDSHAKE_MESSAGE) {}

  /** Bytes held that do not yet form a complete message. */
  get pending(): number {
    return this.len;
  }

  push(data: Uint8Array): void {
    if (this.len + data.length > this.buf.length) {
      const next = new Uint8Array(Math.max(this.len + data.length, this.buf.length * 2, 256));
      next.set(this.buf.subarray(0, this.len));
      this.buf = next;
    }
    this.buf.set(data, this.len);
    this.len += data.length;
  }

  /** Gives back the grown buffer when nothing is pending (the level will carry no more). */
  compact(): void {
    if (this.len === 0) this.buf = new Uint8Array(0);
  }

  /** The next complete message, or null when more bytes are needed. */
  next(): TlsHandshakeMessage | null {
    if (this.len < 4) return null;
    const b = this.buf;
    const bodyLength = (b[1]! << 16) | (b[2]! << 8) | b[3]!;
    // An oversized length is refused as soon as the header is seen, before buffering it.
    if (bodyLength > this.maxMessage) tlsFail('decode_error', `handshake message of ${bodyLength} bytes exceeds ${this.maxMessage}`);
    if (this.len < 4 + bodyLength) return null;
    const raw = b.slice(0, 4 + bodyLength);
    b.copyWithin(0, 4 + bodyLength, this.len);
    this.len -= 4 + bodyLength;
    return { type: raw[0]!, body: raw.subarray(4), raw };
  }
}
