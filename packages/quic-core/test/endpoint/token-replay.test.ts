import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AddressTokenKeys, NewTokens, TokenReplayFilter } from '../../src/endpoint/index.ts';
import { providers } from '../providers.ts';

const id = (n: number) => Uint8Array.of(n >> 8, n & 0xff);

test('a NEW_TOKEN token is accepted once until it expires (RFC 9000 §8.1.4)', () => {
  const tokens = new NewTokens(new AddressTokenKeys(providers[0]!, new Uint8Array(32).fill(1)), { lifetimeMs: 1000 });
  const filter = new TokenReplayFilter();
  const t = tokens.issue({ address: '127.0.0.27', now: 0 });
  const r = tokens.validate(t, { address: '127.0.0.27', now: 10 });
  assert.is(r.kind, 'valid');
  if (r.kind !== 'valid') return;
  assert.ok(filter.accept(r.id, r.issuedAt + tokens.lifetimeMs, 10));
  assert.not.ok(filter.accept(r.id, r.issuedAt + tokens.lifetimeMs, 20), 'replay');
  assert.ok(filter.accept(id(1), 100, 10));
});

test('expired ids are forgotten; an id may come back after its expiry', () => {
  const filter = new TokenReplayFilter(4);
  assert.ok(filter.accept(id(1), 50, 0));
  assert.not.ok(filter.accept(id(1), 50, 50));
  assert.ok(filter.accept(id(1), 200, 51));
});

test('memory stays bounded: expired first, then oldest', () => {
  const filter = new TokenReplayFilter(3);
  filter.accept(id(1), 10, 0);
  filter.accept(id(2), 1000, 0);
  filter.accept(id(3), 1000, 0);
  filter.accept(id(4), 1000, 20);
  assert.is(filter.size, 3);
  assert.not.ok(filter.accept(id(2), 1000, 21), 'id 2 kept: id 1 had expired');
  filter.accept(id(5), 1000, 22);
  assert.is(filter.size, 3);
  assert.ok(filter.accept(id(2), 1000, 23), 'evicted as the oldest');
  assert.throws(() => new TokenReplayFilter(0), RangeError);
});

test.run();
