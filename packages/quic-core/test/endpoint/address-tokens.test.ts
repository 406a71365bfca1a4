import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { SeededRandom } from '@quicts/testkit';
import { bytesEqual } from '@quicts/quic-core';
import {
  AddressTokenKeys, RetryTokens, NewTokens, addressTokenKind, DEFAULT_RETRY_TOKEN_LIFETIME_MS, DEFAULT_NEW_TOKEN_LIFETIME_MS,
} from '../../src/endpoint/index.ts';
import { providers } from '../providers.ts';

const secretA = Uint8Array.from({ length: 32 }, (_, i) => i);
const secretB = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);
const secretC = Uint8Array.from({ length: 16 }, (_, i) => i * 5);
const odcid = Uint8Array.of(0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08);
const rscid = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
const client = '127.0.0.21:4433';

for (const crypto of providers) {
  const keys = () => new AddressTokenKeys(crypto, secretA);

  test(`Retry token round trip [${crypto.name}]`, () => {
    const retry = new RetryTokens(keys());
    const token = retry.issue({ address: client, originalDcid: odcid, retryScid: rscid, now: 5000 });
    assert.is(addressTokenKind(token), 'retry');
    const r = retry.validate(token, { address: client, now: 5100, dcid: rscid });
    assert.is(r.kind, 'valid');
    if (r.kind !== 'valid') return;
    assert.ok(bytesEqual(r.originalDestinationConnectionId, odcid));
    assert.ok(bytesEqual(r.retrySourceConnectionId, rscid));
    assert.is(r.issuedAt, 5000);
  });

  test(`NEW_TOKEN round trip; every token unique [${crypto.name}]`, () => {
    const tokens = new NewTokens(keys());
    const a = tokens.issue({ address: '127.0.0.21', now: 1000 });
    const b = tokens.issue({ address: '127.0.0.21', now: 1000 });
    assert.not.ok(bytesEqual(a, b), 'unique across issues (RFC 9000 §8.1.3)');
    assert.is(addressTokenKind(a), 'new-token');
    const r = tokens.validate(a, { address: '127.0.0.21', now: 2000 });
    assert.is(r.kind, 'valid');
    if (r.kind === 'valid') assert.is(r.id.length, 12);
  });

  test(`every single-bit flip of a token is rejected [${crypto.name}]`, () => {
    const retry = new RetryTokens(keys());
    const newTokens = new NewTokens(keys());
    const t1 = retry.issue({ address: client, originalDcid: odcid, retryScid: rscid, now: 0 });
    const t2 = newTokens.issue({ address: client, now: 0 });
    for (const [token, validate] of [
      [t1, (t: Uint8Array) => retry.validate(t, { address: client, now: 1 })],
      [t2, (t: Uint8Array) => newTokens.validate(t, { address: client, now: 1 })],
    ] as const) {
      assert.is(validate(token).kind, 'valid');
      for (let bit = 0; bit < token.length * 8; bit++) {
        const bad = token.slice();
        bad[bit >> 3] = bad[bit >> 3]! ^ (1 << (bit & 7));
        assert.is(validate(bad).kind, 'malformed', `bit ${bit}`);
      }
    }
  });
}

test('expiry: Retry tokens live 10 s by default, NEW_TOKEN tokens a day', () => {
  const keys = new AddressTokenKeys(providers[0]!, secretA);
  const retry = new RetryTokens(keys);
  const t = retry.issue({ address: client, originalDcid: odcid, retryScid: rscid, now: 100 });
  assert.is(retry.validate(t, { address: client, now: 100 + DEFAULT_RETRY_TOKEN_LIFETIME_MS }).kind, 'valid');
  const late = retry.validate(t, { address: client, now: 101 + DEFAULT_RETRY_TOKEN_LIFETIME_MS });
  assert.is(late.kind, 'expired');
  if (late.kind === 'expired') assert.is(late.issuedAt, 100);
  const nt = new NewTokens(keys);
  const n = nt.issue({ address: '127.0.0.21', now: 0 });
  assert.is(nt.lifetimeMs, DEFAULT_NEW_TOKEN_LIFETIME_MS);
  assert.is(nt.validate(n, { address: '127.0.0.21', now: DEFAULT_NEW_TOKEN_LIFETIME_MS }).kind, 'valid');
  assert.is(nt.validate(n, { address: '127.0.0.21', now: DEFAULT_NEW_TOKEN_LIFETIME_MS + 1 }).kind, 'expired');
});

test('configured lifetimes and clock skew', () => {
  const keys = new AddressTokenKeys(providers[0]!, secretA);
  const retry = new RetryTokens(keys, { lifetimeMs: 50, clockSkewMs: 10 });
  const t = retry.issue({ address: client, originalDcid: odcid, retryScid: rscid, now: 1000 });
  assert.is(retry.validate(t, { address: client, now: 1050 }).kind, 'valid');
  assert.is(retry.validate(t, { address: client, now: 1051 }).kind, 'expired');
  assert.is(retry.validate(t, { address: client, now: 990 }).kind, 'valid', 'within the skew');
  const future = retry.validate(t, { address: client, now: 989 });
  assert.is(future.kind, 'malformed', 'issued after now beyond the skew');
});

test('a token presented from another address is wrong-address', () => {
  const keys = new AddressTokenKeys(providers[0]!, secretA);
  const retry = new RetryTokens(keys);
  const t = retry.issue({ address: client, originalDcid: odcid, retryScid: rscid, now: 0 });
  assert.is(retry.validate(t, { address: '127.0.0.21:4434', now: 1 }).kind, 'wrong-address');
  const nt = new NewTokens(keys);
  const bytesAddress = Uint8Array.of(192, 0, 2, 1);
  const n = nt.issue({ address: bytesAddress, now: 0 });
  assert.is(nt.validate(n, { address: Uint8Array.of(192, 0, 2, 1), now: 1 }).kind, 'valid');
  assert.is(nt.validate(n, { address: Uint8Array.of(192, 0, 2, 2), now: 1 }).kind, 'wrong-address');
  assert.is(nt.validate(n, { address: '127.0.0.21', now: 1 }).kind, 'wrong-address', 'string vs bytes differ');
});

test('a Retry token checked against another Retry SCID is rejected', () => {
  const retry = new RetryTokens(new AddressTokenKeys(providers[0]!, secretA));
  const t = retry.issue({ address: client, originalDcid: odcid, retryScid: rscid, now: 0 });
  assert.is(retry.validate(t, { address: client, now: 1, dcid: odcid }).kind, 'malformed');
  assert.is(retry.validate(t, { address: client, now: 1 }).kind, 'valid', 'no DCID given: not checked');
});

test('Retry and NEW_TOKEN tokens are not interchangeable (RFC 9000 §8.1.1)', () => {
  const keys = new AddressTokenKeys(providers[0]!, secretA);
  const retry = new RetryTokens(keys);
  const nt = new NewTokens(keys);
  const r = retry.issue({ address: client, originalDcid: odcid, retryScid: rscid, now: 0 });
  const n = nt.issue({ address: client, now: 0 });
  assert.is(nt.validate(r, { address: client, now: 1 }).kind, 'malformed');
  assert.is(retry.validate(n, { address: client, now: 1 }).kind, 'malformed');
  // Even with the kind byte swapped, the per-kind keys keep them apart.
  const swapped = n.slice();
  swapped[0] = r[0]!;
  assert.is(retry.validate(swapped, { address: client, now: 1 }).kind, 'malformed');
});

test('key rotation: the previous key still opens, the one before does not', () => {
  const crypto = providers[0]!;
  const keys = new AddressTokenKeys(crypto, secretA);
  const retry = new RetryTokens(keys);
  const nt = new NewTokens(keys);
  const r1 = retry.issue({ address: client, originalDcid: odcid, retryScid: rscid, now: 0 });
  const n1 = nt.issue({ address: client, now: 0 });
  keys.rotate(secretB);
  assert.is(retry.validate(r1, { address: client, now: 1 }).kind, 'valid', 'previous key');
  assert.is(nt.validate(n1, { address: client, now: 1 }).kind, 'valid');
  const r2 = retry.issue({ address: client, originalDcid: odcid, retryScid: rscid, now: 0 });
  keys.rotate(secretC);
  assert.is(retry.validate(r1, { address: client, now: 1 }).kind, 'malformed', 'two rotations ago');
  assert.is(nt.validate(n1, { address: client, now: 1 }).kind, 'malformed');
  assert.is(retry.validate(r2, { address: client, now: 1 }).kind, 'valid');
  // A server started with (current, previous) accepts tokens of both.
  const restarted = new RetryTokens(new AddressTokenKeys(crypto, secretC, secretB));
  assert.is(restarted.validate(r2, { address: client, now: 1 }).kind, 'valid');
  assert.is(new RetryTokens(new AddressTokenKeys(crypto, secretA)).validate(r2, { address: client, now: 1 }).kind, 'malformed');
});

test('secrets shorter than 16 bytes are refused', () => {
  assert.throws(() => new AddressTokenKeys(providers[0]!, new Uint8Array(15)), RangeError);
  const keys = new AddressTokenKeys(providers[0]!, secretA);
  assert.throws(() => keys.rotate(new Uint8Array(8)), RangeError);
});

test('tokens sealed by one provider open with the other', () => {
  const [p0, p1] = providers;
  const t = new RetryTokens(new AddressTokenKeys(p0!, secretA)).issue({ address: client, originalDcid: odcid, retryScid: rscid, now: 0 });
  assert.is(new RetryTokens(new AddressTokenKeys(p1!, secretA)).validate(t, { address: client, now: 1 }).kind, 'valid');
});

test('injected randomness makes tokens reproducible', () => {
  const make = () => {
    const rng = new SeededRandom(77);
    return new NewTokens(new AddressTokenKeys(providers[0]!, secretA), { random: (n) => rng.bytes(n) }).issue({ address: 'x', now: 3 });
  };
  assert.ok(bytesEqual(make(), make()));
});

test('random bytes, truncations and empty tokens are malformed, never thrown', () => {
  const keys = new AddressTokenKeys(providers[1]!, secretA);
  const retry = new RetryTokens(keys);
  const nt = new NewTokens(keys);
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
    assert.is(retry.validate(bytes, { address: client, now: 0 }).kind, 'malformed');
    assert.is(nt.validate(bytes, { address: client, now: 0 }).kind, 'malformed');
  }), { numRuns: 300 });
  const t = retry.issue({ address: client, originalDcid: odcid, retryScid: rscid, now: 0 });
  for (let n = 0; n < t.length; n++) assert.is(retry.validate(t.subarray(0, n), { address: client, now: 0 }).kind, 'malformed', `truncated to ${n}`);
  assert.is(addressTokenKind(new Uint8Array(0)), 'unknown');
  assert.is(addressTokenKind(new Uint8Array(40).fill(9)), 'unknown');
});

test('bad issue parameters are API misuse', () => {
  const retry = new RetryTokens(new AddressTokenKeys(providers[0]!, secretA));
  assert.throws(() => retry.issue({ address: client, originalDcid: new Uint8Array(21), retryScid: rscid, now: 0 }), RangeError);
  assert.throws(() => retry.issue({ address: client, originalDcid: odcid, retryScid: rscid, now: -1 }), RangeError);
});

test.run();
