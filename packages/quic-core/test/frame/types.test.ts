import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { FrameType, StreamFrameBits, Writer, encodeFrame, frameTypeName, frameTypeOf, isKnownFrameType } from '@quicts/quic-core';
import { anyFrame } from './fixtures.ts';

test('FrameType codes match RFC 9000 Table 3 and RFC 9221 §4', () => {
  assert.equal(
    [FrameType.PADDING, FrameType.PING, FrameType.ACK, FrameType.ACK_ECN, FrameType.RESET_STREAM, FrameType.STOP_SENDING,
      FrameType.CRYPTO, FrameType.NEW_TOKEN, FrameType.STREAM, FrameType.STREAM_MAX, FrameType.MAX_DATA,
      FrameType.MAX_STREAM_DATA, FrameType.MAX_STREAMS_BIDI, FrameType.MAX_STREAMS_UNI, FrameType.DATA_BLOCKED,
      FrameType.STREAM_DATA_BLOCKED, FrameType.STREAMS_BLOCKED_BIDI, FrameType.STREAMS_BLOCKED_UNI,
      FrameType.NEW_CONNECTION_ID, FrameType.RETIRE_CONNECTION_ID, FrameType.PATH_CHALLENGE, FrameType.PATH_RESPONSE,
      FrameType.CONNECTION_CLOSE, FrameType.CONNECTION_CLOSE_APP, FrameType.HANDSHAKE_DONE, FrameType.DATAGRAM,
      FrameType.DATAGRAM_LEN],
    [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19,
      0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x30, 0x31],
  );
  assert.equal([StreamFrameBits.OFF, StreamFrameBits.LEN, StreamFrameBits.FIN], [0x04, 0x02, 0x01]);
});

test('frameTypeName and isKnownFrameType', () => {
  assert.is(frameTypeName(0x0d), 'STREAM');
  assert.is(frameTypeName(0x1d), 'CONNECTION_CLOSE_APP');
  assert.is(frameTypeName(0x31), 'DATAGRAM');
  assert.is(frameTypeName(0x21), 'UNKNOWN(0x21)');
  assert.ok(isKnownFrameType(0x1e) && isKnownFrameType(0x30) && isKnownFrameType(0x31));
  assert.not.ok(isKnownFrameType(0x1f) || isKnownFrameType(0x32) || isKnownFrameType(-1));
});

test('property: frameTypeOf is the type byte encodeFrame writes (PADDING: 0x00)', () => {
  fc.assert(
    fc.property(anyFrame(), (f) => {
      const w = new Writer();
      encodeFrame(w, f);
      assert.is(w.buf[0], frameTypeOf(f));
    }),
    { numRuns: 500 },
  );
});

test.run();
