import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import {
  Reader, Writer, TransportError, TransportErrorCode, decodeFrame, decodeFrames, encodeFrame, fromHex,
} from '@quicts/quic-core';
import type { Frame } from '@quicts/quic-core';
import { anyFrame, vectors } from './fixtures.ts';

const FEE = TransportErrorCode.FRAME_ENCODING_ERROR;
const PV = TransportErrorCode.PROTOCOL_VIOLATION;

/** Runs `fn` and returns the TransportError it throws; fails on success or any other error. */
function transportError(fn: () => unknown): TransportError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.instance(caught, TransportError, `expected TransportError, got ${String(caught)}`);
  return caught as TransportError;
}

function decodeHex(hex: string): Frame {
  const r = new Reader(fromHex(hex));
  const f = decodeFrame(r);
  assert.ok(r.done, 'whole input consumed');
  return f;
}

function expectError(hex: string, code: number, frameType?: number): TransportError {
  const err = transportError(() => decodeFrames(fromHex(hex)));
  assert.is(err.code, code, `error code for ${hex}: ${err.message}`);
  if (frameType !== undefined) assert.is(err.frameType, frameType, `frame type for ${hex}`);
  return err;
}

function encode(f: Frame): Uint8Array {
  const w = new Writer();
  encodeFrame(w, f);
  return w.finish();
}

/** Frames that stay valid when cut short: a PADDING run, and frames whose data runs to the end. */
function toleratesTruncation(first: number): boolean {
  return first === 0x00 || first === 0x30 || (first >= 0x08 && first <= 0x0f && (first & 0x02) === 0);
}

/** Every proper prefix of `bytes` decodes to a shorter valid frame or throws FRAME_ENCODING_ERROR. */
function checkTruncations(bytes: Uint8Array): void {
  for (let cut = 0; cut < bytes.length; cut++) {
    const r = new Reader(bytes, 0, cut);
    let frame: Frame | undefined;
    try {
      frame = decodeFrame(r);
    } catch (e) {
      assert.instance(e, TransportError);
      assert.is((e as TransportError).code, FEE, `cut at ${cut}`);
      continue;
    }
    assert.ok(toleratesTruncation(bytes[0]!), `prefix of ${cut} bytes decoded as ${frame.type}`);
    assert.is(r.pos, cut);
  }
}

for (const v of vectors) {
  test(`vector decodes: ${v.name}`, () => {
    assert.equal(decodeHex(v.hex), v.frame);
  });
}

test('decoded byte fields are views of the input, not copies', () => {
  const payload = fromHex('0a04026869 1a0011223344556677 18010008' + '0102030405060708' + '000102030405060708090a0b0c0d0e0f');
  const [stream, challenge, ncid] = decodeFrames(payload);
  assert.ok(stream?.type === 'stream' && challenge?.type === 'pathChallenge' && ncid?.type === 'newConnectionId');
  assert.is(stream.data.buffer, payload.buffer);
  assert.is(stream.data.byteOffset, 3);
  assert.is(challenge.data.byteOffset, 6);
  assert.is(ncid.connectionId.byteOffset, 18);
  assert.is(ncid.statelessResetToken.byteOffset, 26);
  payload[3] = 0x48;
  assert.is(stream.data[0], 0x48, 'a change to the payload shows through the view');
});

test('PADDING runs are one frame each, split by other frames', () => {
  assert.equal(decodeFrames(fromHex('0000000000 01 000000')), [
    { type: 'padding', length: 5 }, { type: 'ping' }, { type: 'padding', length: 3 },
  ]);
  const big = new Uint8Array(1200);
  big[0] = 0x01;
  assert.equal(decodeFrames(big), [{ type: 'ping' }, { type: 'padding', length: 1199 }]);
});

test('a multi-frame payload decodes in order', () => {
  const frames = decodeFrames(fromHex('02 05 00 00 05' + '06 00 02 aabb' + '0b 04 01 cc' + '01' + '1e' + '31 01 dd' + '0000'));
  assert.equal(frames.map((f) => f.type), ['ack', 'crypto', 'stream', 'ping', 'handshakeDone', 'datagram', 'padding']);
});

test('STREAM without LEN takes the rest of the packet, whatever it looks like', () => {
  const frames = decodeFrames(fromHex('01 0c 04 0a 6869 01 1e'));
  assert.is(frames.length, 2);
  assert.equal(frames[1], { type: 'stream', streamId: 4, offset: 10, data: fromHex('686901 1e'), fin: false });
});

test('DATAGRAM 0x30 takes the rest of the packet; 0x31 stops at its length', () => {
  assert.equal(decodeFrames(fromHex('31 01 aa 30 0101')), [
    { type: 'datagram', data: fromHex('aa') }, { type: 'datagram', data: fromHex('0101') },
  ]);
  assert.equal(decodeFrames(fromHex('30')), [{ type: 'datagram', data: new Uint8Array(0) }]);
});

test('CONNECTION_CLOSE keeps reason bytes that are not UTF-8', () => {
  const f = decodeHex('1c 00 00 02 fffe');
  assert.ok(f.type === 'connectionClose');
  assert.equal(f.reason, fromHex('fffe'));
});

test('empty payload is PROTOCOL_VIOLATION (RFC 9000 §12.4)', () => {
  assert.is(transportError(() => decodeFrames(new Uint8Array(0))).code, PV);
});

test('decodeFrame at the end of its input is FRAME_ENCODING_ERROR', () => {
  assert.is(transportError(() => decodeFrame(new Reader(fromHex('01'), 1))).code, FEE);
});

test('unknown frame types are FRAME_ENCODING_ERROR carrying the type (RFC 9000 §12.4)', () => {
  for (const t of [0x1f, 0x20, 0x21, 0x2f, 0x32, 0x3f]) expectError(t.toString(16).padStart(2, '0'), FEE, t);
  expectError('4040', FEE, 0x40);
  expectError('80004321', FEE, 0x4321);
  expectError('01 01 3e', FEE, 0x3e);
});

test('frame types not minimally encoded are PROTOCOL_VIOLATION (RFC 9000 §12.4)', () => {
  expectError('4001', PV, 0x01);
  expectError('80000006 00 00', PV, 0x06);
  expectError('c000000000000008 00', PV, 0x08);
  expectError('4021', PV, 0x21);
});

test('truncated frame type is FRAME_ENCODING_ERROR', () => {
  expectError('40', FEE);
  expectError('01 80 00', FEE);
});

test('NEW_CONNECTION_ID length 0 and 21 are FRAME_ENCODING_ERROR (RFC 9000 §19.15)', () => {
  const token = '00'.repeat(16);
  expectError('18 01 00 00' + token, FEE, 0x18);
  expectError('18 01 00 15' + 'ab'.repeat(21) + token, FEE, 0x18);
  assert.ok(decodeHex('18 01 00 14' + 'ab'.repeat(20) + token).type === 'newConnectionId');
  assert.ok(decodeHex('18 01 00 01 ab' + token).type === 'newConnectionId');
});

test('NEW_CONNECTION_ID Retire Prior To > Sequence Number is FRAME_ENCODING_ERROR (RFC 9000 §19.15)', () => {
  const rest = '04 01020304' + '00'.repeat(16);
  expectError('18 01 02' + rest, FEE, 0x18);
  assert.ok(decodeHex('18 02 02' + rest).type === 'newConnectionId', 'equal is allowed');
});

test('NEW_CONNECTION_ID compares Retire Prior To exactly above 2^53', () => {
  const rest = '04 01020304' + '00'.repeat(16);
  const two53 = 'c020000000000000';
  const two53plus1 = 'c020000000000001';
  // Both values clamp to the same number; only the exact comparison tells them apart.
  expectError('18' + two53 + two53plus1 + rest, FEE, 0x18);
  const ok = decodeHex('18' + two53plus1 + two53 + rest);
  assert.ok(ok.type === 'newConnectionId');
  assert.is(ok.sequence, Number.MAX_SAFE_INTEGER);
});

test('MAX_STREAMS count above 2^60 is FRAME_ENCODING_ERROR; 2^60 itself is allowed (RFC 9000 §19.11)', () => {
  expectError('12 d000000000000001', FEE, 0x12);
  expectError('13 ffffffffffffffff', FEE, 0x13);
  assert.equal(decodeHex('12 d000000000000000'), { type: 'maxStreams', bidi: true, maximum: Number.MAX_SAFE_INTEGER });
  assert.equal(decodeHex('13 c01fffffffffffff'), { type: 'maxStreams', bidi: false, maximum: Number.MAX_SAFE_INTEGER });
});

test('STREAMS_BLOCKED count above 2^60 is FRAME_ENCODING_ERROR (RFC 9000 §19.14)', () => {
  expectError('16 d000000000000001', FEE, 0x16);
  expectError('17 d000000000000001', FEE, 0x17);
  assert.ok(decodeHex('17 d000000000000000').type === 'streamsBlocked');
});

test('STREAM offset + length above 2^62-1 is FRAME_ENCODING_ERROR, exactly (RFC 9000 §19.8)', () => {
  const max = 'ffffffffffffffff'; // 2^62-1
  const maxMinus1 = 'fffffffffffffffe';
  expectError('0e 00' + max + '01 aa', FEE, 0x0e);
  expectError('0c 00' + max + 'aa', FEE, 0x0c); // no LEN: the data runs to the end
  expectError('0e 00' + maxMinus1 + '02 aabb', FEE, 0x0e);
  const ok = decodeHex('0e 00' + maxMinus1 + '01 aa');
  assert.ok(ok.type === 'stream' && ok.offset === Number.MAX_SAFE_INTEGER);
  assert.ok(decodeHex('0f 00' + max + '00').type === 'stream', 'a FIN at offset 2^62-1 with no data is allowed');
});

test('CRYPTO offset + length above 2^62-1 is FRAME_ENCODING_ERROR (RFC 9000 §19.6)', () => {
  expectError('06 ffffffffffffffff 01 aa', FEE, 0x06);
  assert.ok(decodeHex('06 ffffffffffffffff 00').type === 'crypto');
});

test('NEW_TOKEN with an empty token is FRAME_ENCODING_ERROR (RFC 9000 §19.7)', () => {
  expectError('07 00', FEE, 0x07);
});

test('ACK ranges below packet number 0 are FRAME_ENCODING_ERROR (RFC 9000 §19.3.1)', () => {
  expectError('02 05 00 00 06', FEE, 0x02); // first range larger than largest
  expectError('03 0a 00 01 02 07 00 000000', FEE, 0x03); // gap: 8 - 7 - 2 = -1
  expectError('02 0a 00 01 02 05 02', FEE, 0x02); // range length: 1 - 2 = -1
  assert.equal(decodeHex('02 0a 00 01 02 05 01'), { type: 'ack', largest: 10, ackDelay: 0, ranges: [[8, 10], [0, 1]], ecn: undefined });
});

test('ACK with a huge range count ends at the end of the input', () => {
  expectError('02 05 00 c03fffffffffffff 00 00 00', FEE, 0x02);
});

test('truncated fields report FRAME_ENCODING_ERROR with the frame type', () => {
  expectError('0b 04 05 aa', FEE, 0x0b); // LEN says 5, 1 byte present
  expectError('1a 00112233', FEE, 0x1a);
  expectError('1c 00 00 04 aa', FEE, 0x1c);
  expectError('31 02 aa', FEE, 0x31);
  const err = expectError('04 04 4100', FEE, 0x04);
  assert.ok(err.message.includes('RESET_STREAM'));
});

test('every truncation of every vector throws FRAME_ENCODING_ERROR unless still a valid frame', () => {
  for (const v of vectors) checkTruncations(fromHex(v.hex));
});

test('property: every truncation of an encoded frame throws FRAME_ENCODING_ERROR (PADDING aside)', () => {
  fc.assert(fc.property(anyFrame(), (f) => checkTruncations(encode(f))), { numRuns: 400 });
});

/** Decoding `bytes` either succeeds or throws TransportError, never anything else. */
function decodesOrTransportError(bytes: Uint8Array): void {
  try {
    decodeFrames(bytes);
  } catch (e) {
    if (!(e instanceof TransportError)) throw e;
    assert.ok(e.code === FEE || e.code === PV, `code ${e.code}`);
  }
}

test('fuzz: random bytes throw only TransportError', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), decodesOrTransportError), { numRuns: 3000 });
});

test('fuzz: random bodies after each known frame type throw only TransportError', () => {
  const types = [...Array.from({ length: 0x20 }, (_, i) => i), 0x30, 0x31];
  fc.assert(
    fc.property(fc.constantFrom(...types), fc.uint8Array({ maxLength: 60 }), (t, body) => {
      const bytes = new Uint8Array(body.length + 1);
      bytes[0] = t;
      bytes.set(body, 1);
      decodesOrTransportError(bytes);
    }),
    { numRuns: 3000 },
  );
});

test('fuzz: mutated valid payloads throw only TransportError', () => {
  fc.assert(
    fc.property(fc.array(anyFrame(), { minLength: 1, maxLength: 5 }), fc.nat(), fc.integer({ min: 0, max: 255 }), (frames, at, value) => {
      const w = new Writer();
      for (const f of frames) encodeFrame(w, f);
      const bytes = w.finish();
      bytes[at % bytes.length] = value;
      decodesOrTransportError(bytes);
    }),
    { numRuns: 2000 },
  );
});

test.run();
