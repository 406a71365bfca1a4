import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { Reader, Writer, decodeFrame, decodeFrames, encodeFrame, frameSize, fromHex, toHex } from '@quicts/quic-core';
import type { Frame } from '@quicts/quic-core';
import { anyFrame, frameArbs, vectors } from './fixtures.ts';

function encode(f: Frame): Uint8Array {
  const w = new Writer(16);
  encodeFrame(w, f);
  return w.finish();
}

for (const v of vectors.filter((x) => x.encodes)) {
  test(`vector encodes: ${v.name}`, () => {
    const out = encode(v.frame);
    assert.is(toHex(out), v.hex.replace(/\s+/g, ''));
    assert.is(frameSize(v.frame), out.length);
  });
}

for (const [kind, arb] of Object.entries(frameArbs)) {
  test(`property: ${kind} round trip, frameSize exact`, () => {
    fc.assert(
      fc.property(arb, (f) => {
        const bytes = encode(f);
        assert.is(bytes.length, frameSize(f));
        const r = new Reader(bytes);
        const back = decodeFrame(r);
        assert.equal(back, f);
        assert.ok(r.done, 'decoder consumed the whole frame');
      }),
      { numRuns: 300 },
    );
  });
}

test('property: frameSize is exact, so encoding into a buffer of that size fits', () => {
  fc.assert(
    fc.property(anyFrame(), (f) => {
      const buf = new Uint8Array(frameSize(f));
      const w = Writer.into(buf);
      encodeFrame(w, f);
      assert.is(w.pos, buf.length);
    }),
    { numRuns: 500 },
  );
});

test('property: a sequence of frames decodes in order (adjacent PADDING merges into one run)', () => {
  fc.assert(
    fc.property(fc.array(anyFrame(), { minLength: 1, maxLength: 12 }), (frames) => {
      const w = new Writer();
      for (const f of frames) encodeFrame(w, f);
      const expected: Frame[] = [];
      for (const f of frames) {
        const last = expected[expected.length - 1];
        if (f.type === 'padding' && last?.type === 'padding') expected[expected.length - 1] = { type: 'padding', length: last.length + f.length };
        else expected.push(f);
      }
      assert.equal(decodeFrames(w.view()), expected);
    }),
    { numRuns: 300 },
  );
});

test('STREAM: OFF bit only when the offset is non-zero, LEN always', () => {
  assert.is(encode({ type: 'stream', streamId: 1, offset: 0, data: fromHex('aa'), fin: false })[0], 0x0a);
  assert.is(encode({ type: 'stream', streamId: 1, offset: 1, data: fromHex('aa'), fin: false })[0], 0x0e);
  assert.is(encode({ type: 'stream', streamId: 1, offset: 1, data: fromHex('aa'), fin: true })[0], 0x0f);
});

test('encoder refuses frames the RFC forbids (RangeError)', () => {
  const token = new Uint8Array(16);
  const bad: Frame[] = [
    { type: 'padding', length: 0 },
    { type: 'newToken', token: new Uint8Array(0) },
    { type: 'newConnectionId', sequence: 1, retirePriorTo: 0, connectionId: new Uint8Array(0), statelessResetToken: token },
    { type: 'newConnectionId', sequence: 1, retirePriorTo: 0, connectionId: new Uint8Array(21), statelessResetToken: token },
    { type: 'newConnectionId', sequence: 1, retirePriorTo: 0, connectionId: new Uint8Array(4), statelessResetToken: new Uint8Array(15) },
    { type: 'newConnectionId', sequence: 1, retirePriorTo: 2, connectionId: new Uint8Array(4), statelessResetToken: token },
    { type: 'pathChallenge', data: new Uint8Array(7) },
    { type: 'pathResponse', data: new Uint8Array(9) },
    { type: 'maxData', maximum: -1 },
    { type: 'maxData', maximum: Number.MAX_SAFE_INTEGER + 2 },
    { type: 'retireConnectionId', sequence: 1.5 },
  ];
  for (const f of bad) assert.throws(() => encode(f), RangeError, JSON.stringify(f.type));
});

test('encoder refuses malformed ACK ranges (RangeError)', () => {
  const ack = (largest: number, ranges: [number, number][]): Frame => ({ type: 'ack', largest, ackDelay: 0, ranges });
  assert.throws(() => encode(ack(5, [])), RangeError);
  assert.throws(() => encode(ack(5, [[3, 6]])), RangeError, 'largest mismatch');
  assert.throws(() => encode(ack(5, [[6, 5]])), RangeError, 'smallest > largest');
  assert.throws(() => encode(ack(10, [[5, 10], [4, 4]])), RangeError, 'adjacent ranges');
  assert.throws(() => encode(ack(10, [[5, 10], [2, 6]])), RangeError, 'overlapping ranges');
  assert.throws(() => encode(ack(10, [[5, 10], [7, 8]])), RangeError, 'ascending ranges');
  assert.throws(() => encode(ack(10, [[-1, 10]])), RangeError, 'negative');
  // Smallest legal gap: one missing packet between ranges.
  assert.is(toHex(encode(ack(10, [[5, 10], [0, 3]]))), '020a00010500' + '03');
});

test.run();
