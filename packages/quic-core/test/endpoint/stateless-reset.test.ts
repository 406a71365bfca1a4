import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { SeededRandom } from '@quicts/testkit';
import { bytesEqual, parsePacketHeader } from '@quicts/quic-core';
import {
  createStatelessResetTokens, buildStatelessReset, isStatelessReset, MIN_STATELESS_RESET_LENGTH,
} from '../../src/endpoint/index.ts';
import { providers } from '../providers.ts';

const key = Uint8Array.from({ length: 32 }, (_, i) => i * 3);
const cid = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);

for (const crypto of providers) {
  test(`token derivation is deterministic per key and CID, 16 bytes [${crypto.name}]`, () => {
    const a = createStatelessResetTokens(crypto, key);
    const b = createStatelessResetTokens(crypto, key.slice());
    const t = a.tokenFor(cid);
    assert.is(t.length, 16);
    assert.ok(bytesEqual(t, b.tokenFor(cid)), 'same key, same CID');
    assert.not.ok(bytesEqual(t, a.tokenFor(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 9))), 'other CID');
    const otherKey = key.slice();
    otherKey[0] = otherKey[0]! ^ 1;
    assert.not.ok(bytesEqual(t, createStatelessResetTokens(crypto, otherKey).tokenFor(cid)), 'other key');
    assert.not.ok(bytesEqual(a.tokenFor(cid.subarray(0, 4)), a.tokenFor(Uint8Array.of(1, 2, 3, 4, 0))), 'length matters');
  });
}

test('both providers derive the same tokens', () => {
  const [p0, p1] = providers;
  fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 20 }), (c) =>
    bytesEqual(createStatelessResetTokens(p0!, key).tokenFor(c), createStatelessResetTokens(p1!, key).tokenFor(c))));
});

test('short keys and unusable CIDs are rejected', () => {
  const crypto = providers[0]!;
  assert.throws(() => createStatelessResetTokens(crypto, new Uint8Array(15)), RangeError);
  const tokens = createStatelessResetTokens(crypto, key);
  assert.throws(() => tokens.tokenFor(new Uint8Array(0)), RangeError);
  assert.throws(() => tokens.tokenFor(new Uint8Array(21)), RangeError);
});

test('reset datagram: short-header look, token at the end, smaller than the trigger (RFC 9000 §10.3, §10.3.3)', () => {
  const rng = new SeededRandom(5);
  const token = createStatelessResetTokens(providers[0]!, key).tokenFor(cid);
  for (let trigger = 0; trigger <= 1500; trigger++) {
    const reset = buildStatelessReset({ token, triggerLength: trigger, random: (n) => rng.bytes(n) });
    if (trigger <= MIN_STATELESS_RESET_LENGTH) {
      assert.is(reset, null, `trigger ${trigger}`);
      continue;
    }
    assert.ok(reset);
    assert.ok(reset.length < trigger, 'smaller than the trigger');
    assert.ok(reset.length >= 21);
    assert.ok(reset.length < 3 * trigger, 'no amplification');
    if (trigger <= 43) assert.is(reset.length, trigger - 1, 'one byte shorter for small triggers');
    else assert.ok(reset.length >= 43, 'large enough to pass for a packet to a 20-byte CID');
    assert.is(reset[0]! & 0xc0, 0x40, 'header form 0, fixed bit 1');
    assert.ok(bytesEqual(reset.subarray(reset.length - 16), token));
    assert.ok(isStatelessReset(reset, [token]));
    // It parses as a short-header packet for any CID length up to 20.
    const parsed = parsePacketHeader(reset, 0, { shortDcidLength: 20 });
    assert.is(parsed.kind, 'short');
  }
});

test('reset sizes vary for large triggers and respect maxLength', () => {
  const rng = new SeededRandom(9);
  const token = new Uint8Array(16).fill(7);
  const sizes = new Set<number>();
  for (let i = 0; i < 200; i++) sizes.add(buildStatelessReset({ token, triggerLength: 1200, random: (n) => rng.bytes(n) })!.length);
  assert.ok(sizes.size > 50, 'unpredictable sizes');
  for (let i = 0; i < 200; i++) {
    const r = buildStatelessReset({ token, triggerLength: 1200, random: (n) => rng.bytes(n), maxLength: 60 })!;
    assert.ok(r.length >= 43 && r.length <= 60);
  }
  assert.is(buildStatelessReset({ token, triggerLength: 1200, random: (n) => rng.bytes(n), maxLength: 5 })!.length, 21);
  assert.throws(() => buildStatelessReset({ token: new Uint8Array(15), triggerLength: 100, random: (n) => rng.bytes(n) }), RangeError);
});

test('the unpredictable bits are random, not fixed', () => {
  const rng = new SeededRandom(11);
  const token = new Uint8Array(16);
  const a = buildStatelessReset({ token, triggerLength: 30, random: (n) => rng.bytes(n) })!;
  const b = buildStatelessReset({ token, triggerLength: 30, random: (n) => rng.bytes(n) })!;
  assert.not.ok(bytesEqual(a.subarray(0, 13), b.subarray(0, 13)));
});

test('detection compares the last 16 bytes against every known token', () => {
  const tokens = [new Uint8Array(16).fill(1), new Uint8Array(16).fill(2), new Uint8Array(16).fill(3)];
  const d = new Uint8Array(50).fill(9);
  assert.not.ok(isStatelessReset(d, tokens));
  d.set(tokens[2]!, 34);
  assert.ok(isStatelessReset(d, tokens));
  assert.not.ok(isStatelessReset(d, []));
  for (let i = 34; i < 50; i++) {
    const flipped = d.slice();
    flipped[i]! ^= 0x80;
    assert.not.ok(isStatelessReset(flipped, tokens), `bit flip at ${i}`);
  }
  // Long-header looks count too (RFC 9000 §10.3: any packet ending in a valid token).
  d[0] = 0xc0;
  assert.ok(isStatelessReset(d, tokens));
});

test('datagrams under 21 bytes are never a reset, whatever they end with', () => {
  const token = new Uint8Array(16).fill(4);
  for (let len = 16; len < 21; len++) {
    const d = new Uint8Array(len);
    d.set(token, len - 16);
    assert.not.ok(isStatelessReset(d, [token]));
  }
  const d21 = new Uint8Array(21);
  d21.set(token, 5);
  assert.ok(isStatelessReset(d21, [token]));
});

test('tokens of the wrong length are ignored in detection', () => {
  const d = new Uint8Array(40);
  assert.not.ok(isStatelessReset(d, [new Uint8Array(15), new Uint8Array(17)]));
});

test.run();
