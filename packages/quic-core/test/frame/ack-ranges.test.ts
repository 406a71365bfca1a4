import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import {
  Reader, Writer, TransportError, TransportErrorCode, ackRangesSize, assertAckRanges, fromHex, readAckRanges, toHex,
  writeAckRanges,
} from '@quicts/quic-core';
import type { AckRange } from '@quicts/quic-core';
import { ackRanges } from './fixtures.ts';

function write(ranges: AckRange[]): Uint8Array {
  const w = new Writer();
  writeAckRanges(w, ranges);
  return w.finish();
}

test('one range: count 0 and First ACK Range = largest - smallest', () => {
  assert.is(toHex(write([[7, 10]])), '0003');
  assert.equal(readAckRanges(new Reader(fromHex('0003')), 10, 0x02), [[7, 10]]);
});

test('Gap and ACK Range Length are relative to the previous range (RFC 9000 §19.3.1)', () => {
  // [20,30] then [10,15]: gap = 20 - 15 - 2 = 3, length = 5; then [0,0]: gap = 10 - 0 - 2 = 8, length 0.
  const ranges: AckRange[] = [[20, 30], [10, 15], [0, 0]];
  assert.is(toHex(write(ranges)), '020a' + '0305' + '0800');
  assert.equal(readAckRanges(new Reader(fromHex('020a03050800')), 30, 0x02), ranges);
});

test('a range ending at packet 0 is fine; one reaching below 0 is FRAME_ENCODING_ERROR', () => {
  assert.equal(readAckRanges(new Reader(fromHex('000a')), 10, 0x02), [[0, 10]]);
  // first range 11 > 10; gap below 0 (0 - 0 - 2); gap below 0 (2 - 1 - 2); length below 0 (2 - 3)
  for (const [hex, largest] of [['000b', 10], ['010000', 0], ['010a0100', 12], ['01080003', 12]] as const) {
    let caught: unknown;
    try {
      readAckRanges(new Reader(fromHex(hex)), largest, 0x03);
    } catch (e) {
      caught = e;
    }
    assert.instance(caught, TransportError, hex);
    assert.is((caught as TransportError).code, TransportErrorCode.FRAME_ENCODING_ERROR);
    assert.is((caught as TransportError).frameType, 0x03);
  }
});

test('assertAckRanges accepts descending separated ranges and rejects the rest', () => {
  assertAckRanges([[5, 5]]);
  assertAckRanges([[9, 10], [0, 7]]);
  for (const bad of [[], [[2, 1]], [[9, 10], [0, 8]], [[9, 10], [0, 9]], [[0, 1], [5, 6]], [[0, 1.5]], [[-2, 1]]] as AckRange[][]) {
    assert.throws(() => assertAckRanges(bad), RangeError, JSON.stringify(bad));
  }
});

test('property: ranges round trip and ackRangesSize is exact', () => {
  fc.assert(
    fc.property(ackRanges(), (ranges) => {
      const bytes = write(ranges);
      assert.is(bytes.length, ackRangesSize(ranges));
      const r = new Reader(bytes);
      assert.equal(readAckRanges(r, ranges[0]![1], 0x02), ranges);
      assert.ok(r.done);
    }),
    { numRuns: 1000 },
  );
});

test('property: decoded ranges are always descending, separated and non-negative', () => {
  fc.assert(
    fc.property(fc.nat(1 << 20), fc.uint8Array({ maxLength: 40 }), (largest, body) => {
      let ranges: AckRange[];
      try {
        ranges = readAckRanges(new Reader(body), largest, 0x02);
      } catch {
        return;
      }
      assertAckRanges(ranges);
      assert.is(ranges[0]![1], largest);
    }),
    { numRuns: 2000 },
  );
});

test.run();
