/**
 * What a server does with a client's first Initial (RFC 9000 §8.1): read its token (a Retry
 * token from us, §8.1.2, or a NEW_TOKEN token from an earlier connection, §8.1.3), and either
 * accept it, with the address validated or not, answer with a Retry carrying an authenticated,
 * expiring token, or drop it. No connection state is created here.
 * @module
 */
import type { SymmetricCrypto } from '../crypto/provider.ts';
import type { RandomSource } from '../cid/generator.ts';
import type { LongHeaderPacket } from '../packet/header.ts';
import { encodeRetryPacket } from '../packet/retry.ts';
import type { Address } from '../connection/connection.ts';
import { AddressTokenKeys, addressTokenKind } from './address-token.ts';
import { RetryTokens } from './retry-token.ts';
import { NewTokens } from './new-token.ts';
import { TokenReplayFilter } from './token-replay.ts';

export interface AddressValidationOptions {
  /** Require a validated address before creating state: answer unvalidated Initials with Retry. */
  readonly retry: boolean;
  /** Secret for the token keys (at least 16 bytes); random when absent. */
  readonly tokenSecret?: Uint8Array;
  /** Retry token lifetime, ms (default 10 s). */
  readonly retryTokenLifetimeMs?: number;
  /** NEW_TOKEN token lifetime, ms (default one day). */
  readonly newTokenLifetimeMs?: number;
}

export type IncomingDecision =
  /** Create the connection. */
  | {
    readonly kind: 'accept';
    /** The client's first DCID (before a Retry, when there was one). */
    readonly originalDcid: Uint8Array;
    /** The SCID of our Retry, when the token came from one. */
    readonly retrySourceCid?: Uint8Array;
    /** The token proved the client's address (RFC 9000 §8.1). */
    readonly addressValidated: boolean;
  }
  /** Send this Retry packet instead (RFC 9000 §17.2.5). */
  | { readonly kind: 'retry'; readonly packet: Uint8Array }
  /** Discard the datagram. */
  | { readonly kind: 'drop'; readonly reason: string };

/** The key a Retry token binds: IP and port (RFC 9000 §8.1.4). */
function retryAddress(remote: Address): string {
  return `${remote.address}|${remote.port}`;
}

export class AddressValidator {
  readonly #retry: boolean;
  readonly #retryTokens: RetryTokens;
  readonly #newTokens: NewTokens;
  readonly #replay = new TokenReplayFilter();
  readonly #crypto: SymmetricCrypto;
  readonly #random: RandomSource;

  constructor(crypto: SymmetricCrypto, random: RandomSource, options: AddressValidationOptions) {
    this.#crypto = crypto;
    this.#random = random;
    this.#retry = options.retry;
    const keys = new AddressTokenKeys(crypto, options.tokenSecret ?? random(32));
    this.#retryTokens = new RetryTokens(keys, {
      random, ...(options.retryTokenLifetimeMs !== undefined ? { lifetimeMs: options.retryTokenLifetimeMs } : {}),
    });
    this.#newTokens = new NewTokens(keys, {
      random, ...(options.newTokenLifetimeMs !== undefined ? { lifetimeMs: options.newTokenLifetimeMs } : {}),
    });
  }

  /**
   * Decides for a client's first Initial. `newRetryCid` makes the Source Connection ID of a
   * Retry (the client's next DCID, so it must route to this endpoint).
   */
  decide(header: LongHeaderPacket, remote: Address, now: number, newRetryCid: () => Uint8Array): IncomingDecision {
    const token = header.token;
    if (token.length > 0) {
      const kind = addressTokenKind(token);
      if (kind === 'retry') {
        const v = this.#retryTokens.validate(token, { address: retryAddress(remote), now, dcid: header.dcid });
        // RFC 9000 §8.1.2: a client that used a Retry token takes no other; an invalid one
        // ends the attempt (dropping it lets the client time out).
        if (v.kind !== 'valid') return { kind: 'drop', reason: `invalid Retry token (${v.kind})` };
        return {
          kind: 'accept', originalDcid: v.originalDestinationConnectionId, retrySourceCid: v.retrySourceConnectionId, addressValidated: true,
        };
      }
      if (kind === 'new-token') {
        const v = this.#newTokens.validate(token, { address: remote.address, now });
        // RFC 9000 §8.1.4: accept each NEW_TOKEN token once; a bad one counts as absent (§8.1.3).
        if (v.kind === 'valid' && this.#replay.accept(v.id, v.issuedAt + this.#newTokens.lifetimeMs, now)) {
          return { kind: 'accept', originalDcid: header.dcid, addressValidated: true };
        }
      }
    }
    if (!this.#retry) return { kind: 'accept', originalDcid: header.dcid, addressValidated: false };
    const retryScid = newRetryCid();
    const retryToken = this.#retryTokens.issue({ address: retryAddress(remote), originalDcid: header.dcid, retryScid, now });
    const packet = encodeRetryPacket(
      this.#crypto,
      { version: header.version, dcid: header.scid, scid: retryScid, token: retryToken, unusedBits: this.#random(1)[0]! & 0x0f },
      header.dcid,
    );
    return { kind: 'retry', packet };
  }

  /** A NEW_TOKEN token for a client at `address` (its IP alone, RFC 9000 §8.1.3). */
  issueNewToken(address: string, now: number): Uint8Array {
    return this.#newTokens.issue({ address, now });
  }
}
