/**
 * The sealed format shared by Retry tokens and NEW_TOKEN tokens (RFC 9000 §8.1.1-§8.1.4): an
 * AEAD-sealed record under a server-only key, with a random nonce, so a client can neither read
 * nor forge it (§8.1.4). Layout: kind (1 byte, in clear: §8.1.3 allows anyone to tell Retry and
 * NEW_TOKEN tokens apart), nonce (12 bytes), ciphertext and tag. The kind byte is the additional
 * data. Each kind uses its own AES-256-GCM key derived with HKDF from the configured secret, and
 * a previous secret stays valid after a rotation.
 * @module
 */
import { Reader } from '../codec/reader.ts';
import { Writer } from '../codec/writer.ts';
import { bytesEqual } from '../codec/hex.ts';
import { AEAD_NONCE_LENGTH, AEAD_TAG_LENGTH, type AeadKey, type SymmetricCrypto } from '../crypto/provider.ts';
import type { RandomSource } from '../cid/generator.ts';

/** Token kinds: the first byte of every token. */
export const AddressTokenKind = { RETRY: 0x01, NEW_TOKEN: 0x02 } as const;
export type AddressTokenKind = (typeof AddressTokenKind)[keyof typeof AddressTokenKind];

/** The client address a token is bound to, as the driver renders it (bytes or a string). */
export type ClientAddress = Uint8Array | string;

/** The smallest secret accepted for address tokens. */
export const MIN_ADDRESS_TOKEN_SECRET_LENGTH = 16;

const HEADER_LENGTH = 1 + AEAD_NONCE_LENGTH;
const EXTRACT_SALT = new TextEncoder().encode('quic address token');
const KIND_INFO: Readonly<Record<AddressTokenKind, Uint8Array>> = {
  [AddressTokenKind.RETRY]: new TextEncoder().encode('retry'),
  [AddressTokenKind.NEW_TOKEN]: new TextEncoder().encode('new token'),
};

/** 'retry', 'new-token' or 'unknown', from a token's first byte, without any check of the rest. */
export function addressTokenKind(token: Uint8Array): 'retry' | 'new-token' | 'unknown' {
  if (token.length < HEADER_LENGTH + AEAD_TAG_LENGTH) return 'unknown';
  if (token[0] === AddressTokenKind.RETRY) return 'retry';
  if (token[0] === AddressTokenKind.NEW_TOKEN) return 'new-token';
  return 'unknown';
}

interface KeySet {
  readonly retry: AeadKey;
  readonly newToken: AeadKey;
}

/**
 * The server's address-token keys: the current secret seals, the current and the previous one
 * open. `rotate` makes a new secret current and keeps the old one as previous, so tokens issued
 * just before a rotation stay valid until they expire.
 */
export class AddressTokenKeys {
  readonly crypto: SymmetricCrypto;
  #current: KeySet;
  #previous: KeySet | undefined;

  constructor(crypto: SymmetricCrypto, current: Uint8Array, previous?: Uint8Array) {
    this.crypto = crypto;
    this.#current = this.#derive(current);
    this.#previous = previous === undefined ? undefined : this.#derive(previous);
  }

  /** Makes `secret` the current key; the current one becomes the previous one. */
  rotate(secret: Uint8Array): void {
    const next = this.#derive(secret);
    this.#previous = this.#current;
    this.#current = next;
  }

  /** The key sealing new tokens of `kind`. */
  sealKey(kind: AddressTokenKind): AeadKey {
    return pick(this.#current, kind);
  }

  /** The keys that may open a token of `kind`, current first. */
  openKeys(kind: AddressTokenKind): AeadKey[] {
    return this.#previous === undefined ? [pick(this.#current, kind)] : [pick(this.#current, kind), pick(this.#previous, kind)];
  }

  #derive(secret: Uint8Array): KeySet {
    if (secret.length < MIN_ADDRESS_TOKEN_SECRET_LENGTH) {
      throw new RangeError(`address token secret must be at least ${MIN_ADDRESS_TOKEN_SECRET_LENGTH} bytes`);
    }
    const prk = this.crypto.hkdfExtract('sha256', EXTRACT_SALT, secret);
    const key = (kind: AddressTokenKind): AeadKey =>
      this.crypto.aead('aes-256-gcm', this.crypto.hkdfExpand('sha256', prk, KIND_INFO[kind], 32));
    return { retry: key(AddressTokenKind.RETRY), newToken: key(AddressTokenKind.NEW_TOKEN) };
  }
}

function pick(set: KeySet, kind: AddressTokenKind): AeadKey {
  return kind === AddressTokenKind.RETRY ? set.retry : set.newToken;
}

/** The client address as bytes. */
export function addressBytes(address: ClientAddress): Uint8Array {
  return typeof address === 'string' ? new TextEncoder().encode(address) : address;
}

/** The common part of every token's plaintext. */
export interface TokenBody {
  readonly issuedAt: number;
  readonly address: Uint8Array;
  /** The rest of the plaintext, which each token kind defines. */
  readonly extra: Uint8Array;
}

/** Seals a token of `kind`. Throws RangeError for a negative or non-integer `issuedAt`. */
export function sealAddressToken(
  keys: AddressTokenKeys, kind: AddressTokenKind, body: TokenBody, random: RandomSource,
): Uint8Array {
  if (!Number.isSafeInteger(body.issuedAt) || body.issuedAt < 0) throw new RangeError(`token time must be a non-negative integer, got ${body.issuedAt}`);
  const plain = new Writer(16 + body.address.length + body.extra.length)
    .varint(body.issuedAt)
    .vecVarint(body.address)
    .bytes(body.extra)
    .finish();
  const nonce = random(AEAD_NONCE_LENGTH);
  if (nonce.length !== AEAD_NONCE_LENGTH) throw new RangeError('random source returned the wrong number of bytes');
  const aad = Uint8Array.of(kind);
  const sealed = keys.sealKey(kind).seal(nonce, aad, plain);
  const out = new Uint8Array(HEADER_LENGTH + sealed.length);
  out[0] = kind;
  out.set(nonce, 1);
  out.set(sealed, HEADER_LENGTH);
  return out;
}

/** What opening a token yields: its body, or why it cannot be read. */
export type OpenedToken =
  | { readonly ok: true; readonly body: TokenBody; readonly id: Uint8Array }
  | { readonly ok: false; readonly reason: string };

/**
 * Opens a token of `kind`: checks the kind byte, authenticates with the current and previous
 * keys, and reads the common fields. Never throws for bad input.
 */
export function openAddressToken(keys: AddressTokenKeys, kind: AddressTokenKind, token: Uint8Array): OpenedToken {
  if (token.length < HEADER_LENGTH + AEAD_TAG_LENGTH) return { ok: false, reason: 'token too short' };
  if (token[0] !== kind) return { ok: false, reason: 'token of another kind' };
  const nonce = token.subarray(1, HEADER_LENGTH);
  const aad = token.subarray(0, 1);
  const sealed = token.subarray(HEADER_LENGTH);
  let plain: Uint8Array | null = null;
  for (const key of keys.openKeys(kind)) {
    plain = key.open(nonce, aad, sealed);
    if (plain !== null) break;
  }
  if (plain === null) return { ok: false, reason: 'token authentication failed' };
  try {
    const r = new Reader(plain);
    const issuedAt = r.varint();
    const address = r.vecVarint();
    return { ok: true, body: { issuedAt, address, extra: r.rest() }, id: nonce.slice() };
  } catch {
    return { ok: false, reason: 'token contents malformed' };
  }
}

/** How a token's issue time compares with `now`. */
export function tokenAge(issuedAt: number, now: number, lifetime: number, clockSkew: number): 'fresh' | 'expired' | 'future' {
  if (!Number.isFinite(now)) throw new RangeError(`now must be a finite number, got ${now}`);
  if (issuedAt > now + clockSkew) return 'future';
  return now - issuedAt > lifetime ? 'expired' : 'fresh';
}

/** Address comparison for tokens. */
export function sameAddress(a: Uint8Array, b: Uint8Array): boolean {
  return bytesEqual(a, b);
}
