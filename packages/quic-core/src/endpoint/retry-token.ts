/**
 * Retry tokens (RFC 9000 §8.1.2, §17.2.5): issued in a Retry packet and returned at once in the
 * client's next Initial. The sealed record binds the client address (IP and port, §8.1.4), the
 * issue time, the Original Destination Connection ID and the Retry's Source Connection ID, which
 * the server needs for its original_destination_connection_id and retry_source_connection_id
 * transport parameters (§7.3). Validation returns a result; bad tokens never throw.
 * @module
 */
import { Reader } from '../codec/reader.ts';
import { Writer } from '../codec/writer.ts';
import { bytesEqual } from '../codec/hex.ts';
import { MAX_CID_LENGTH } from '../packet/header.ts';
import type { RandomSource } from '../cid/generator.ts';
import {
  AddressTokenKind, addressBytes, openAddressToken, sameAddress, sealAddressToken, tokenAge,
  type AddressTokenKeys, type ClientAddress,
} from './address-token.ts';

/** Default Retry token lifetime: clients return the token within a round trip (§8.1.4). */
export const DEFAULT_RETRY_TOKEN_LIFETIME_MS = 10_000;
/** Default tolerance for tokens stamped slightly after `now` (clock adjustments). */
export const DEFAULT_TOKEN_CLOCK_SKEW_MS = 1_000;

export type RetryTokenValidation =
  | {
    readonly kind: 'valid';
    readonly issuedAt: number;
    readonly originalDestinationConnectionId: Uint8Array;
    readonly retrySourceConnectionId: Uint8Array;
  }
  | { readonly kind: 'expired'; readonly issuedAt: number }
  | { readonly kind: 'wrong-address' }
  | { readonly kind: 'malformed'; readonly reason: string };

export interface RetryTokenOptions {
  /** How long a token stays valid, in ms (default 10 s). */
  readonly lifetimeMs?: number;
  /** Tolerance for issue times after `now`, in ms (default 1 s). */
  readonly clockSkewMs?: number;
  /** Nonce randomness (default: the keys' provider). */
  readonly random?: RandomSource;
}

export class RetryTokens {
  readonly #keys: AddressTokenKeys;
  readonly #lifetime: number;
  readonly #skew: number;
  readonly #random: RandomSource;

  constructor(keys: AddressTokenKeys, options: RetryTokenOptions = {}) {
    this.#keys = keys;
    this.#lifetime = options.lifetimeMs ?? DEFAULT_RETRY_TOKEN_LIFETIME_MS;
    this.#skew = options.clockSkewMs ?? DEFAULT_TOKEN_CLOCK_SKEW_MS;
    this.#random = options.random ?? ((n) => keys.crypto.randomBytes(n));
  }

  /**
   * A token for a Retry packet. `address` should carry the client's IP and port (§8.1.4);
   * `originalDcid` is the DCID of the client's first Initial, `retryScid` the SCID of our Retry.
   */
  issue(params: { address: ClientAddress; originalDcid: Uint8Array; retryScid: Uint8Array; now: number }): Uint8Array {
    if (params.originalDcid.length > MAX_CID_LENGTH || params.retryScid.length > MAX_CID_LENGTH) throw new RangeError('connection ID too long');
    const extra = new Writer(2 + params.originalDcid.length + params.retryScid.length)
      .vec8(params.originalDcid)
      .vec8(params.retryScid)
      .finish();
    return sealAddressToken(this.#keys, AddressTokenKind.RETRY, { issuedAt: Math.floor(params.now), address: addressBytes(params.address), extra }, this.#random);
  }

  /**
   * Checks a token from an Initial packet. With `dcid` (the Initial's Destination Connection ID),
   * the token must have been issued with that Retry Source Connection ID.
   */
  validate(token: Uint8Array, params: { address: ClientAddress; now: number; dcid?: Uint8Array }): RetryTokenValidation {
    const opened = openAddressToken(this.#keys, AddressTokenKind.RETRY, token);
    if (!opened.ok) return { kind: 'malformed', reason: opened.reason };
    let originalDestinationConnectionId: Uint8Array;
    let retrySourceConnectionId: Uint8Array;
    try {
      const r = new Reader(opened.body.extra);
      originalDestinationConnectionId = r.vec8().slice();
      retrySourceConnectionId = r.vec8().slice();
      if (!r.done) return { kind: 'malformed', reason: 'trailing bytes in token' };
    } catch {
      return { kind: 'malformed', reason: 'token contents malformed' };
    }
    if (originalDestinationConnectionId.length > MAX_CID_LENGTH || retrySourceConnectionId.length > MAX_CID_LENGTH) {
      return { kind: 'malformed', reason: 'connection ID too long' };
    }
    const { issuedAt } = opened.body;
    const age = tokenAge(issuedAt, params.now, this.#lifetime, this.#skew);
    if (age === 'future') return { kind: 'malformed', reason: 'token issued in the future' };
    if (age === 'expired') return { kind: 'expired', issuedAt };
    if (!sameAddress(opened.body.address, addressBytes(params.address))) return { kind: 'wrong-address' };
    if (params.dcid !== undefined && !bytesEqual(params.dcid, retrySourceConnectionId)) {
      return { kind: 'malformed', reason: 'token issued for another Retry connection ID' };
    }
    return { kind: 'valid', issuedAt, originalDestinationConnectionId, retrySourceConnectionId };
  }
}
