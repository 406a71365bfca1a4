import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { chunksOf, everySplit, joinPieces } from '@quicts/testkit';
import { type Capsule, CapsuleParser, CapsuleType, encodeCapsule, encodeDatagramCapsule, H3Error, H3ErrorCode } from '@quicts/h3';

const hex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
const show = (cs: Capsule[]): string[] => cs.map((c) => `${c.type}:${hex(c.value)}`);
const isMessageError = (e: unknown): boolean => e instanceof H3Error && e.code === H3ErrorCode.H3_MESSAGE_ERROR && e.scope === 'stream';

function feed(p: CapsuleParser, pieces: Uint8Array[]): Capsule[] {
  return pieces.flatMap((piece) => p.push(piece));
}

test('DATAGRAM capsule bytes (RFC 9297 §3.5)', () => {
  assert.is(hex(encodeDatagramCapsule(Uint8Array.of(0x68, 0x69))), '00026869');
  assert.is(hex(encodeDatagramCapsule(new Uint8Array(0))), '0000');
  assert.is(hex(encodeCapsule(0x2843, Uint8Array.of(0, 0, 0, 1))), '6843' + '04' + '00000001');
  assert.equal(show(new CapsuleParser().push(Uint8Array.of(0x00, 0x02, 0x68, 0x69))), ['0:6869']);
});

const STREAM = joinPieces([
  encodeDatagramCapsule(Uint8Array.of(1, 2, 3)),
  encodeCapsule(0x17, Uint8Array.of(9, 9)), // unknown: skipped
  encodeCapsule(0x2843, Uint8Array.of(0, 0, 0, 7, 0x62, 0x79, 0x65)),
  encodeDatagramCapsule(new Uint8Array(0)),
  encodeCapsule(0x78ae, new Uint8Array(0)),
]);

test('one byte at a time and at every split, unknown capsules skipped', () => {
  const whole = show(new CapsuleParser({ knownTypes: [CapsuleType.DATAGRAM, 0x2843, 0x78ae] }).push(STREAM));
  assert.equal(whole, ['0:010203', '10307:00000007627965', '0:', '30894:']);
  const p = new CapsuleParser({ knownTypes: [0, 0x2843, 0x78ae] });
  assert.equal(show(feed(p, chunksOf(STREAM, 1))), whole);
  assert.is(p.skipped, 1);
  p.finish();
  for (const [a, b] of everySplit(STREAM)) assert.equal(show(feed(new CapsuleParser({ knownTypes: [0, 0x2843, 0x78ae] }), [a, b])), whole);
  // With the default known types only DATAGRAM capsules come out.
  assert.equal(show(new CapsuleParser().push(STREAM)), ['0:010203', '0:']);
});

test('a stream ending inside a capsule is a malformed message', () => {
  const bytes = encodeDatagramCapsule(Uint8Array.of(1, 2, 3));
  for (let i = 1; i < bytes.length; i++) {
    const p = new CapsuleParser();
    p.push(bytes.subarray(0, i));
    assert.throws(() => p.finish(), isMessageError);
  }
  const skipping = new CapsuleParser();
  skipping.push(Uint8Array.of(0x21, 0x05, 1));
  assert.throws(() => skipping.finish(), isMessageError, 'inside a skipped capsule too');
});

test('size bound: oversized DATAGRAM capsules are discarded unbuffered, other known types fail', () => {
  const p = new CapsuleParser({ maxCapsuleSize: 8 });
  const big = encodeDatagramCapsule(new Uint8Array(100).fill(1));
  assert.equal(feed(p, chunksOf(big, 7)), []);
  assert.is(p.skipped, 1);
  assert.equal(show(p.push(encodeDatagramCapsule(Uint8Array.of(5)))), ['0:05']);
  const strict = new CapsuleParser({ knownTypes: [0x2843], maxCapsuleSize: 8 });
  assert.throws(() => strict.push(encodeCapsule(0x2843, new Uint8Array(9))), isMessageError);
  // Unknown capsules of any size are skipped.
  const skip = new CapsuleParser({ maxCapsuleSize: 8 });
  assert.equal(skip.push(Uint8Array.of(0x21, 0xbf, 0xff, 0xff, 0xff)), []);
});

test('round trip (fast-check)', () => {
  fc.assert(fc.property(fc.array(fc.tuple(fc.constantFrom(0, 0x2843, 0x17), fc.uint8Array({ maxLength: 40 })), { maxLength: 10 }), fc.integer({ min: 1, max: 9 }), (caps, size) => {
    const bytes = joinPieces(caps.map(([t, v]) => encodeCapsule(t, v)));
    const got = show(feed(new CapsuleParser({ knownTypes: [0, 0x2843] }), chunksOf(bytes.length ? bytes : Uint8Array.of(), size)));
    const want = caps.filter(([t]) => t !== 0x17).map(([t, v]) => `${t}:${hex(v)}`);
    return JSON.stringify(got) === JSON.stringify(want);
  }));
});

test('random input only ever throws H3Error (fuzz)', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
    const p = new CapsuleParser({ knownTypes: [0, 1, 2, 3], maxCapsuleSize: 16 });
    try {
      feed(p, chunksOf(bytes.length ? bytes : Uint8Array.of(0), 3));
      p.finish();
    } catch (e) {
      return e instanceof H3Error;
    }
    return true;
  }), { numRuns: 2000 });
});

test.run();
