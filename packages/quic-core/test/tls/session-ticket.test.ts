import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import {
  DecodeError, TlsAlert, TlsReplayFilter, clientTicketAge, decodeEndOfEarlyData, decodeTicketState, encodeEndOfEarlyData,
  encodeTicketState, obfuscateTicketAge, ticketUsable, type TlsTicketState,
} from '@quicts/quic-core';

const t = suite('TLS session ticket state, ticket age, replay filter');
const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const name = fc.option(fc.string({ minLength: 1, maxLength: 20 }).filter((s) => new TextEncoder().encode(s).length <= 255), { nil: undefined });
const state: fc.Arbitrary<TlsTicketState> = fc.record({
  suite: fc.integer({ min: 0, max: 0xffff }), psk: bytes(1, 64), issuedAt: fc.integer({ min: 0, max: 2 ** 52 }), lifetime: u32,
  ageAdd: u32, maxEarlyData: u32, alpn: name, serverName: name, appData: bytes(0, 100),
}, { noNullPrototype: true });

t('ticket state: round trip', () => {
  fc.assert(fc.property(state, (s) => {
    assert.equal(decodeTicketState(encodeTicketState(s)), s);
  }));
});

t('ticket state: every truncation, trailing bytes and random bytes give DecodeError only', () => {
  fc.assert(fc.property(state, (s) => {
    const enc = encodeTicketState(s);
    for (let i = 0; i < enc.length; i++) assert.throws(() => decodeTicketState(enc.subarray(0, i)), (e: unknown) => e instanceof DecodeError);
    assert.throws(() => decodeTicketState(Uint8Array.from([...enc, 0])), (e: unknown) => e instanceof DecodeError);
  }), { numRuns: 30 });
  fc.assert(fc.property(bytes(0, 80), (b) => {
    try {
      decodeTicketState(b);
    } catch (e) {
      assert.instance(e, DecodeError);
    }
  }));
});

t('ticket age obfuscation (RFC 8446 §4.2.11.1) wraps modulo 2^32', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 604800_000 }), u32, (age, add) => {
    const o = obfuscateTicketAge(age, add);
    assert.ok(o >= 0 && o <= 0xffffffff);
    assert.is(clientTicketAge(o, add), age);
  }));
  // RFC 8448 §4: obfuscated 0xfad6aacb against ticket_age_add 0xfad6aac5
  assert.is(clientTicketAge(0xfad6aacb, 0xfad6aac5), 6);
});

t('ticket lifetime', () => {
  assert.ok(ticketUsable(0, 10, 10_000));
  assert.not.ok(ticketUsable(0, 10, 10_001));
  assert.not.ok(ticketUsable(0, 0, 0));
  assert.not.ok(ticketUsable(0, 0xffffffff, 604800_001), 'never beyond seven days');
  assert.not.ok(ticketUsable(10_000, 10, 0), 'issued in the future');
});

t('EndOfEarlyData: empty body both ways', () => {
  assert.equal(encodeEndOfEarlyData(), Uint8Array.of(5, 0, 0, 0));
  decodeEndOfEarlyData(new Uint8Array(0));
  assert.throws(() => decodeEndOfEarlyData(Uint8Array.of(0)), (e: unknown) => e instanceof TlsAlert && e.code === 50);
});

t('replay filter: single use within the window, forgotten after it, fails closed when full', () => {
  const f = new TlsReplayFilter(2);
  const a = Uint8Array.of(1);
  assert.ok(f.accept(a, 1000, 0));
  assert.not.ok(f.accept(a, 1000, 500));
  assert.ok(f.accept(a, 5000, 2000), 'after its window');
  assert.ok(f.accept(Uint8Array.of(2), 5000, 2000));
  assert.not.ok(f.accept(Uint8Array.of(3), 5000, 2000), 'full');
  assert.ok(f.accept(Uint8Array.of(3), 9000, 6000), 'expired entries purged');
  assert.is(f.size, 1);
});

t.run();
