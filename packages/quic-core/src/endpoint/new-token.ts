/**
 * NEW_TOKEN tokens (RFC 9000 §8.1.3, §19.7): given to a client on one connection, presented in
 * the Initial packets of a later one. The sealed record binds the client's IP address (not the
 * port, which rarely survives between connections, §8.1.3) and the issue time; the random nonce
 * makes every token unique (§8.1.3) and serves as its identifier for a single-use check (§8.1.4).
 * Encryption keeps the token unlinkable for observers (§8.1.3). Validation never throws.
 *
 * The times are milliseconds on the clock the driver uses: tokens outlive connections and maybe
 * the process, so a wall clock suits them.
 * @module
 */
import type { RandomSource } from '../cid/generator.ts';
import {
  AddressTokenKind, addressBytes, openAddressToken, sameAddress, sealAddressToken, tokenAge,
  type AddressTokenKeys, type ClientAddress,
} from './address-token.ts';
import { DEFAULT_TOKEN_CLOCK_SKEW_MS } from './retry-token.ts';

/** Default NEW_TOKEN lifetime: one day. */
export const DEFAULT_NEW_TOKEN_LIFETIME_MS = 24 * 60 * 60 * 1000;

export type NewTokenValidation =
  | {
    readonly kind: 'valid';
    readonly issuedAt: number;
    /** Unique per token: a server that accepts each token once keeps these until they expire. */
    readonly id: Uint8Array;
  }
  | { readonly kind: 'expired'; readonly issuedAt: number }
  | { readonly kind: 'wrong-address' }
  | { readonly kind: 'malformed'; readonly reason: string };

export interface NewTokenOptions {
  /** How long a token stays valid, in ms (default one day). */
  readonly lifetimeMs?: number;
  /** Tolerance for issue times after `now`, in ms (default 1 s). */
  readonly clockSkewMs?: number;
  /** Nonce randomness (default: the keys' provider). */
  readonly random?: RandomSource;
}

export class NewTokens {
  readonly #keys: AddressTokenKeys;
  readonly #lifetime: number;
  readonly #skew: number;
  readonly #random: RandomSource;

  constructor(keys: AddressTokenKeys, options: NewTokenOptions = {}) {
    this.#keys = keys;
    this.#lifetime = options.lifetimeMs ?? DEFAULT_NEW_TOKEN_LIFETIME_MS;
    this.#skew = options.clockSkewMs ?? DEFAULT_TOKEN_CLOCK_SKEW_MS;
    this.#random = options.random ?? ((n) => keys.crypto.randomBytes(n));
  }

  /** The lifetime of issued tokens, in ms. */
  get lifetimeMs(): number {
    return this.#lifetime;
  }

  /** A token for a NEW_TOKEN frame; `address` should be the client's IP address alone (§8.1.4). */
  issue(params: { address: ClientAddress; now: number }): Uint8Array {
    return sealAddressToken(
      this.#keys, AddressTokenKind.NEW_TOKEN,
      { issuedAt: Math.floor(params.now), address: addressBytes(params.address), extra: new Uint8Array(0) }, this.#random,
    );
  }

  /**
   * Checks a token from an Initial packet. A token that fails validation should be treated as
   * absent: the server proceeds as for an unvalidated address, perhaps with a Retry (§8.1.3).
   */
  validate(token: Uint8Array, params: { address: ClientAddress; now: number }): NewTokenValidation {
    const opened = openAddressToken(this.#keys, AddressTokenKind.NEW_TOKEN, token);
    if (!opened.ok) return { kind: 'malformed', reason: opened.reason };
    if (opened.body.extra.length !== 0) return { kind: 'malformed', reason: 'trailing bytes in token' };
    const { issuedAt } = opened.body;
    const age = tokenAge(issuedAt, params.now, this.#lifetime, this.#skew);
    if (age === 'future') return { kind: 'malformed', reason: 'token issued in the future' };
    if (age === 'expired') return { kind: 'expired', issuedAt };
    if (!sameAddress(opened.body.address, addressBytes(params.address))) return { kind: 'wrong-address' };
    return { kind: 'valid', issuedAt, id: opened.id };
  }
}
