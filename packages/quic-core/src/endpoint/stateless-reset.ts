/**
 * Stateless reset (RFC 9000 §10.3): tokens derived from a static key and the connection ID
 * (§10.3.2), building the reset datagram (§10.3, §10.3.3) and detecting one (§10.3.1).
 * @module
 */
import type { SymmetricCrypto } from '../crypto/provider.ts';
import { STATELESS_RESET_TOKEN_LENGTH } from '../frame/types.ts';
import type { RandomSource } from '../cid/generator.ts';

/**
 * The smallest stateless reset: 5 bytes that look like a short header (at least 38 unpredictable
 * bits after the two fixed bits) and the 16-byte token (RFC 9000 §10.3).
 */
export const MIN_STATELESS_RESET_LENGTH = 21;
/**
 * Triggering packets of at most this size get a reset one byte shorter (RFC 9000 §10.3); larger
 * ones get a reset of at least this size, which hides it among packets to a 20-byte connection ID.
 */
export const STATELESS_RESET_SMALL_TRIGGER = 43;
/** The smallest static key accepted for token derivation. */
export const MIN_STATELESS_RESET_KEY_LENGTH = 16;

const LABEL = new TextEncoder().encode('quic stateless reset ');

/** Derives stateless reset tokens for connection IDs from one static key (RFC 9000 §10.3.2). */
export interface StatelessResetTokens {
  /** The 16-byte token for `cid` (1 to 20 bytes): the same key and ID always give the same token. */
  tokenFor(cid: Uint8Array): Uint8Array;
}

/**
 * Token derivation as HMAC-SHA256(static key, label || connection ID) truncated to 16 bytes
 * (RFC 9000 §10.3.2 suggests HMAC(static_key, connection_id)). Every endpoint instance sharing
 * the key must route a given connection ID to the instance holding its state (§21.11).
 */
export function createStatelessResetTokens(crypto: SymmetricCrypto, staticKey: Uint8Array): StatelessResetTokens {
  if (staticKey.length < MIN_STATELESS_RESET_KEY_LENGTH) {
    throw new RangeError(`stateless reset key must be at least ${MIN_STATELESS_RESET_KEY_LENGTH} bytes`);
  }
  const key = staticKey.slice();
  const input = new Uint8Array(LABEL.length + 20);
  input.set(LABEL, 0);
  return {
    tokenFor(cid: Uint8Array): Uint8Array {
      // RFC 9000 §10.3.2: this design cannot serve a zero-length connection ID.
      if (cid.length < 1 || cid.length > 20) throw new RangeError(`connection ID of ${cid.length} bytes has no stateless reset token`);
      input.set(cid, LABEL.length);
      return crypto.hmac('sha256', key, input.subarray(0, LABEL.length + cid.length)).slice(0, STATELESS_RESET_TOKEN_LENGTH);
    },
  };
}

export interface StatelessResetOptions {
  /** The token for the connection ID the triggering packet was sent to. */
  readonly token: Uint8Array;
  /** Size of the datagram that triggered the reset. */
  readonly triggerLength: number;
  /** Randomness for the unpredictable bits and the size. */
  readonly random: RandomSource;
  /** Upper bound on the reset's size (default 1200); never below 21. */
  readonly maxLength?: number;
}

/**
 * Builds a stateless reset datagram, or returns null when the triggering datagram is too small to
 * answer. The result looks like a short-header packet (header form 0, fixed bit 1, random bits),
 * ends with the token, and is always smaller than the trigger so two endpoints cannot loop
 * (RFC 9000 §10.3.3), which also keeps it under the 3x amplification bound (§10.3). Triggers of
 * 43 bytes or less get a reset one byte shorter (§10.3); larger ones a random size from 43 bytes
 * up to one byte less than the trigger (and `maxLength`).
 */
export function buildStatelessReset(options: StatelessResetOptions): Uint8Array | null {
  const { token, triggerLength, random } = options;
  if (token.length !== STATELESS_RESET_TOKEN_LENGTH) throw new RangeError('stateless reset token must be 16 bytes');
  if (!Number.isSafeInteger(triggerLength) || triggerLength < 0) throw new RangeError(`bad trigger length ${triggerLength}`);
  const maxLength = Math.max(MIN_STATELESS_RESET_LENGTH, options.maxLength ?? 1200);
  const largest = Math.min(triggerLength - 1, maxLength);
  if (largest < MIN_STATELESS_RESET_LENGTH) return null;
  let length: number;
  if (triggerLength <= STATELESS_RESET_SMALL_TRIGGER || largest <= STATELESS_RESET_SMALL_TRIGGER) {
    length = largest;
  } else {
    length = STATELESS_RESET_SMALL_TRIGGER + uniformBelow(random, largest - STATELESS_RESET_SMALL_TRIGGER + 1);
  }
  const out = new Uint8Array(length);
  const unpredictable = length - STATELESS_RESET_TOKEN_LENGTH;
  const bits = random(unpredictable);
  if (bits.length !== unpredictable) throw new RangeError('random source returned the wrong number of bytes');
  out.set(bits, 0);
  // RFC 9000 §10.3: Fixed Bits (2) = 01, the short-header look.
  out[0] = (out[0]! & 0x3f) | 0x40;
  out.set(token, unpredictable);
  return out;
}

/**
 * True when the last 16 bytes of `datagram` equal one of `tokens` (RFC 9000 §10.3.1). Every token
 * is compared over all its bytes, so the time taken does not depend on where a mismatch lies.
 * Datagrams shorter than 21 bytes can be no valid packet and are never a reset (§10.3).
 */
export function isStatelessReset(datagram: Uint8Array, tokens: Iterable<Uint8Array>): boolean {
  if (datagram.length < MIN_STATELESS_RESET_LENGTH) return false;
  const tail = datagram.subarray(datagram.length - STATELESS_RESET_TOKEN_LENGTH);
  let found = 0;
  for (const token of tokens) {
    if (token.length !== STATELESS_RESET_TOKEN_LENGTH) continue;
    let diff = 0;
    for (let i = 0; i < STATELESS_RESET_TOKEN_LENGTH; i++) diff |= tail[i]! ^ token[i]!;
    found |= diff === 0 ? 1 : 0;
  }
  return found === 1;
}

/** An unbiased integer in [0, n) from a random byte source (n <= 2^16). */
function uniformBelow(random: RandomSource, n: number): number {
  if (n <= 1) return 0;
  const limit = 0x10000 - (0x10000 % n);
  for (;;) {
    const b = random(2);
    const v = (b[0]! << 8) | b[1]!;
    if (v < limit) return v % n;
  }
}
