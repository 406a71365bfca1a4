import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { loadVectors } from '@quicts/testkit';
import { packetNumberLength, truncatePacketNumber, decodePacketNumber } from '@quicts/quic-core';

const v = loadVectors('rfc/rfc9000.json');

test('RFC 9000 A.2 encoding examples', () => {
  for (const c of v.packet_number_encoding_examples.cases) {
    assert.is(packetNumberLength(Number(c.full_pn), Number(c.largest_acked)), c.expected_encoded_length_bytes, c.full_pn);
  }
});

test('RFC 9000 A.3 decoding example', () => {
  for (const c of v.packet_number_decoding_examples.cases) {
    assert.is(decodePacketNumber(Number(c.largest_pn), Number(c.truncated_pn), c.pn_nbits), Number(c.expected_pn));
  }
});

test('first packets with nothing acknowledged use one byte', () => {
  assert.is(packetNumberLength(0, -1), 1);
  assert.is(packetNumberLength(100, -1), 1);
  assert.is(packetNumberLength(200, -1), 2);
});

test('decoding wraps around the window edges', () => {
  // expected 256, truncated 0xff in 8 bits: 255 is closer than 511
  assert.is(decodePacketNumber(255, 0xff, 8), 255);
  assert.is(decodePacketNumber(254, 0x00, 8), 256);
  assert.is(decodePacketNumber(0x1ff, 0x01, 8), 0x201);
  assert.is(decodePacketNumber(-1, 0, 8), 0);
});

test('property: encode with the chosen length, decode recovers the full number', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 1, max: 2 ** 20 }), fc.integer({ min: 0, max: 2 ** 20 }), (largestAcked, ahead, lag) => {
      const full = largestAcked + ahead;
      const length = packetNumberLength(full, largestAcked);
      const truncated = truncatePacketNumber(full, length);
      // the receiver has seen anything between largestAcked and full-1 (but not less than largestAcked)
      const largestReceived = Math.max(largestAcked, full - 1 - Math.min(lag, ahead - 1));
      assert.is(decodePacketNumber(largestReceived, truncated, length * 8), full);
    }),
    { numRuns: 3000 },
  );
});

test.run();
