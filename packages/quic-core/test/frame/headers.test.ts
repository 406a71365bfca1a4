import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import {
  Reader, Writer, cryptoDataCapacity, cryptoFrameHeaderSize, datagramFrameHeaderSize, decodeFrame, decodeFrames,
  encodeCryptoFrameHeader, encodeDatagramFrameHeader, encodeFrame, encodeStreamFrameHeader, fromHex, streamDataCapacity,
  streamFrameHeaderSize, toHex,
} from '@quicts/quic-core';
import { varint } from './fixtures.ts';

test('STREAM header with Length, then data, equals encodeFrame output', () => {
  fc.assert(
    fc.property(varint(), varint(), fc.uint8Array({ maxLength: 100 }), fc.boolean(), (streamId, offset, data, fin) => {
      const a = new Writer();
      encodeStreamFrameHeader(a, streamId, offset, data.length, fin, true);
      assert.is(a.pos, streamFrameHeaderSize(streamId, offset, data.length, true));
      a.bytes(data);
      const b = new Writer();
      encodeFrame(b, { type: 'stream', streamId, offset, data, fin });
      assert.is(toHex(a.view()), toHex(b.view()));
    }),
    { numRuns: 300 },
  );
});

test('STREAM header without Length: the frame takes the rest of the packet', () => {
  const w = new Writer();
  w.u8(0x01);
  encodeStreamFrameHeader(w, 4, 1000, 3, true, false);
  assert.is(w.pos - 1, streamFrameHeaderSize(4, 1000, 3, false));
  w.bytes(fromHex('aabbcc'));
  assert.is(toHex(w.view()), '01' + '0d' + '04' + '43e8' + 'aabbcc');
  assert.equal(decodeFrames(w.view())[1], { type: 'stream', streamId: 4, offset: 1000, data: fromHex('aabbcc'), fin: true });
});

test('CRYPTO header plus data decodes back', () => {
  const w = new Writer();
  encodeCryptoFrameHeader(w, 16384, 2);
  assert.is(w.pos, cryptoFrameHeaderSize(16384, 2));
  w.bytes(fromHex('0102'));
  assert.is(toHex(w.view()), '06' + '80004000' + '02' + '0102');
});

test('DATAGRAM header with and without Length', () => {
  const a = new Writer();
  encodeDatagramFrameHeader(a, 2, true);
  a.bytes(fromHex('abcd'));
  assert.is(toHex(a.view()), '3102abcd');
  assert.is(datagramFrameHeaderSize(2, true), 2);
  const b = new Writer();
  encodeDatagramFrameHeader(b, 2, false);
  b.bytes(fromHex('abcd'));
  assert.is(toHex(b.view()), '30abcd');
  assert.is(datagramFrameHeaderSize(2, false), 1);
  assert.equal(decodeFrame(new Reader(b.view())), { type: 'datagram', data: fromHex('abcd') });
});

test('data capacity at Length-field boundaries', () => {
  // Stream 0, offset 0: type + id = 2 bytes of header before the Length field.
  assert.is(streamDataCapacity(2, 0, 0, true), -1);
  assert.is(streamDataCapacity(3, 0, 0, true), 0);
  assert.is(streamDataCapacity(66, 0, 0, true), 63); // 63 + 1-byte length + 2
  assert.is(streamDataCapacity(67, 0, 0, true), 64 - 1); // 64 would need a 2-byte length: 64 + 2 + 2 = 68
  assert.is(streamDataCapacity(68, 0, 0, true), 64);
  assert.is(streamDataCapacity(1200, 0, 0, false), 1198);
  assert.is(streamDataCapacity(1, 0, 0, false), -1);
  assert.is(cryptoDataCapacity(1200, 0), 1200 - 1 - 1 - 2);
});

function checkCapacity(space: number, header: (n: number) => number, capacity: number): void {
  if (capacity < 0) {
    assert.ok(header(0) > space, `empty frame should not fit in ${space}`);
    return;
  }
  assert.ok(header(capacity) + capacity <= space, `capacity ${capacity} overflows ${space}`);
  assert.ok(header(capacity + 1) + capacity + 1 > space, `capacity ${capacity} in ${space} is not the maximum`);
}

test('property: stream and crypto capacity is the largest amount that fits', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 70000 }), varint(), varint(), fc.boolean(), (space, streamId, offset, withLength) => {
      checkCapacity(space, (n) => streamFrameHeaderSize(streamId, offset, n, withLength), streamDataCapacity(space, streamId, offset, withLength));
      checkCapacity(space, (n) => cryptoFrameHeaderSize(offset, n), cryptoDataCapacity(space, offset));
    }),
    { numRuns: 2000 },
  );
});

test.run();
