/**
 * Sealing self-contained session tickets (RFC 8446 §4.6.1 leaves the ticket format to the
 * server). A ticket is key_id (4) || nonce (12) || AES-256-GCM(state), with key_id as AAD. The
 * keyring holds a current and a previous key: rotation makes new tickets use a fresh key while
 * tickets sealed under the previous one still open, until the next rotation drops it.
 * @module
 */
import { bytesEqual } from '../codec/hex.ts';
import type { CryptoProvider } from '../crypto/provider.ts';

/** Seals and opens ticket contents. `now` is wall-clock milliseconds (no clock is read). */
export interface TlsTicketProtector {
  seal(plaintext: Uint8Array, now: number): Uint8Array;
  /** The plaintext, or undefined for a ticket that is not ours, was tampered with, or whose key rotated out. */
  open(ticket: Uint8Array, now: number): Uint8Array | undefined;
}

export interface TlsTicketKeyringOptions {
  /** Rotate the key when it is older than this (checked when sealing). Default: only on `rotate()`. */
  readonly rotationIntervalMs?: number;
  /** Initial key (32 bytes); random by default. */
  readonly key?: Uint8Array;
}

interface TicketKey {
  readonly id: Uint8Array;
  readonly key: Uint8Array;
  /** When the key was first used (set lazily, the keyring reads no clock). */
  createdAt: number | undefined;
}

const KEY_ID_LENGTH = 4;
const NONCE_LENGTH = 12;
const TAG_LENGTH = 16;

export class TlsTicketKeyring implements TlsTicketProtector {
  private current: TicketKey;
  private previous: TicketKey | undefined;

  constructor(private readonly crypto: CryptoProvider, private readonly options: TlsTicketKeyringOptions = {}) {
    this.current = this.makeKey(options.key);
  }

  /** Makes a new current key; the old current key becomes the previous one (the old previous is dropped). */
  rotate(now?: number, key?: Uint8Array): void {
    this.previous = this.current;
    this.current = this.makeKey(key);
    this.current.createdAt = now;
  }

  seal(plaintext: Uint8Array, now: number): Uint8Array {
    const interval = this.options.rotationIntervalMs;
    this.current.createdAt ??= now;
    if (interval !== undefined && now - this.current.createdAt >= interval) this.rotate(now);
    const k = this.current;
    const nonce = this.crypto.randomBytes(NONCE_LENGTH);
    const sealed = this.crypto.aead('aes-256-gcm', k.key).seal(nonce, k.id, plaintext);
    const out = new Uint8Array(KEY_ID_LENGTH + NONCE_LENGTH + sealed.length);
    out.set(k.id, 0);
    out.set(nonce, KEY_ID_LENGTH);
    out.set(sealed, KEY_ID_LENGTH + NONCE_LENGTH);
    return out;
  }

  open(ticket: Uint8Array, _now: number): Uint8Array | undefined {
    if (ticket.length < KEY_ID_LENGTH + NONCE_LENGTH + TAG_LENGTH) return undefined;
    const id = ticket.subarray(0, KEY_ID_LENGTH);
    const k = [this.current, this.previous].find((c) => c !== undefined && bytesEqual(c.id, id));
    if (!k) return undefined;
    const opened = this.crypto.aead('aes-256-gcm', k.key)
      .open(ticket.subarray(KEY_ID_LENGTH, KEY_ID_LENGTH + NONCE_LENGTH), id, ticket.subarray(KEY_ID_LENGTH + NONCE_LENGTH));
    return opened ?? undefined;
  }

  private makeKey(key?: Uint8Array): TicketKey {
    if (key !== undefined && key.length !== 32) throw new RangeError('ticket key must be 32 bytes');
    let id = this.crypto.randomBytes(KEY_ID_LENGTH);
    while (this.current && bytesEqual(id, this.current.id)) id = this.crypto.randomBytes(KEY_ID_LENGTH);
    return { id, key: key?.slice() ?? this.crypto.randomBytes(32), createdAt: undefined };
  }
}
