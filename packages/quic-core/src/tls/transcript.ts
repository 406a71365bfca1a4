/**
 * The handshake transcript hash (RFC 8446 §4.4.1), including the HelloRetryRequest rule: the
 * first ClientHello is replaced by a synthetic message_hash message.
 * @module
 */
import type { HashAlgorithm, IncrementalHash, SymmetricCrypto } from '../crypto/provider.ts';
import { HASH_LENGTH } from '../crypto/provider.ts';
import { TlsHandshakeType, encodeHandshake } from './messages.ts';

export class TlsTranscript {
  private hash: IncrementalHash | undefined;
  /** Messages absorbed before the hash function was known (the ClientHello). */
  private pending: Uint8Array[] = [];
  private released = false;

  constructor(private readonly crypto: SymmetricCrypto, private algorithm?: HashAlgorithm) {
    if (algorithm) this.hash = crypto.hashInit(algorithm);
  }

  /** Fixes the hash once the cipher suite is known and absorbs what was buffered. */
  setHash(algorithm: HashAlgorithm): void {
    if (this.hash) {
      if (this.algorithm !== algorithm) throw new RangeError('transcript hash already fixed');
      return;
    }
    this.algorithm = algorithm;
    this.hash = this.crypto.hashInit(algorithm);
    for (const m of this.pending) this.hash.update(m);
    this.pending = [];
  }

  /** Absorbs one whole handshake message (header included). */
  add(message: Uint8Array): void {
    if (this.released) throw new RangeError('transcript already released');
    if (this.hash) this.hash.update(message);
    else this.pending.push(message.slice());
  }

  /** Transcript-Hash of everything so far. */
  digest(): Uint8Array {
    if (!this.hash) throw new RangeError('transcript hash not fixed yet');
    return this.hash.digest();
  }

  /** The hash of everything so far plus `extra`, without absorbing it (for PSK binders). */
  digestWith(extra: Uint8Array): Uint8Array {
    if (!this.hash) throw new RangeError('transcript hash not fixed yet');
    const h = this.hash.clone();
    h.update(extra);
    return h.digest();
  }

  /**
   * RFC 8446 §4.4.1: on HelloRetryRequest, ClientHello1 is replaced by
   * message_hash(254) || 00 00 Hash.length || Hash(ClientHello1).
   */
  replaceWithMessageHash(): void {
    const digest = this.digest();
    this.hash = this.crypto.hashInit(this.algorithm!);
    this.hash.update(encodeHandshake(TlsHandshakeType.message_hash, digest));
  }

  /** Drops the hash state once the handshake is over; nothing may be added or digested after. */
  release(): void {
    this.released = true;
    this.hash = undefined;
    this.pending = [];
  }

  get hashAlgorithm(): HashAlgorithm | undefined {
    return this.algorithm;
  }

  get hashLength(): number {
    return this.algorithm ? HASH_LENGTH[this.algorithm] : 0;
  }
}
