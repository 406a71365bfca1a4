/**
 * Connection ID generation (RFC 9000 §5.1): random IDs of one configured length, from injected
 * randomness. One length for every connection of an endpoint lets a stateless reset be derived
 * from the connection ID alone (RFC 9000 §10.3.2) and lets short headers be parsed without state.
 * @module
 */
import { toHex } from '../codec/hex.ts';
import { MAX_CID_LENGTH } from '../packet/header.ts';

/** A source of random bytes, e.g. `CryptoProvider.randomBytes` or a seeded generator in tests. */
export type RandomSource = (length: number) => Uint8Array;

export interface ConnectionIdGenerator {
  /** Length of every connection ID this generator makes (0..20). */
  readonly length: number;
  /** A fresh connection ID. */
  generate(): Uint8Array;
}

/**
 * A generator of random connection IDs of `length` bytes (0..20, RFC 9000 §17.2). A length of 0
 * means the endpoint uses zero-length connection IDs and can never issue others (§5.1.1).
 */
export function createConnectionIdGenerator(length: number, random: RandomSource): ConnectionIdGenerator {
  if (!Number.isInteger(length) || length < 0 || length > MAX_CID_LENGTH) {
    throw new RangeError(`connection ID length must be 0..${MAX_CID_LENGTH}, got ${length}`);
  }
  return {
    length,
    generate(): Uint8Array {
      if (length === 0) return new Uint8Array(0);
      const bytes = random(length);
      if (bytes.length !== length) throw new RangeError(`random source returned ${bytes.length} bytes, wanted ${length}`);
      return bytes.slice();
    },
  };
}

/** A string key for maps indexed by connection ID (lowercase hex). */
export function connectionIdKey(cid: Uint8Array): string {
  return toHex(cid);
}
