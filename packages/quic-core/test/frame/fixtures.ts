/**
 * Shared test material for the frame codec: known-answer vectors derived by hand from the
 * layouts of RFC 9000 §19 and RFC 9221 §4, and fast-check arbitraries for every frame type.
 * @module
 */
import fc from 'fast-check';
import { fromHex } from '@quicts/quic-core';
import type { AckRange, Frame, FrameKind } from '@quicts/quic-core';

const bytes = (hex: string): Uint8Array => fromHex(hex);
const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

export interface Vector {
  name: string;
  hex: string;
  frame: Frame;
  /** False when the encoder would choose other bytes for the same frame (decode-only vector). */
  encodes: boolean;
}

/**
 * Each vector spells out its fields: type byte, then each field's varint (2-byte varints start
 * with 0x4_, 4-byte with 0x8_, 8-byte with 0xc_), then any raw bytes.
 */
export const vectors: Vector[] = [
  { name: 'PADDING x3', hex: '00 00 00', frame: { type: 'padding', length: 3 }, encodes: true },
  { name: 'PING', hex: '01', frame: { type: 'ping' }, encodes: true },
  {
    // largest 100 (0x4064), delay 25, count 2, first range 5 -> [95,100];
    // gap 3 -> largest 95-3-2 = 90, length 10 -> [80,90]; gap 68 (0x4044) -> 80-68-2 = 10, length 10 -> [0,10]
    name: 'ACK with three ranges',
    hex: '02 4064 19 02 05 03 0a 4044 0a',
    frame: { type: 'ack', largest: 100, ackDelay: 25, ranges: [[95, 100], [80, 90], [0, 10]], ecn: undefined },
    encodes: true,
  },
  {
    // largest 5, delay 0, count 0, first range 5 -> [0,5]; ECT0 1, ECT1 2, CE 300 (0x412c)
    name: 'ACK_ECN',
    hex: '03 05 00 00 05 01 02 412c',
    frame: { type: 'ack', largest: 5, ackDelay: 0, ranges: [[0, 5]], ecn: { ect0: 1, ect1: 2, ce: 300 } },
    encodes: true,
  },
  {
    name: 'RESET_STREAM',
    hex: '04 04 4100 43e8',
    frame: { type: 'resetStream', streamId: 4, errorCode: 0x100, finalSize: 1000 },
    encodes: true,
  },
  { name: 'STOP_SENDING', hex: '05 08 00', frame: { type: 'stopSending', streamId: 8, errorCode: 0 }, encodes: true },
  { name: 'CRYPTO at 0', hex: '06 00 03 616263', frame: { type: 'crypto', offset: 0, data: ascii('abc') }, encodes: true },
  { name: 'CRYPTO at 16384', hex: '06 80004000 01 ff', frame: { type: 'crypto', offset: 16384, data: bytes('ff') }, encodes: true },
  { name: 'NEW_TOKEN', hex: '07 03 aabbcc', frame: { type: 'newToken', token: bytes('aabbcc') }, encodes: true },
  {
    name: 'STREAM 0x0a (LEN)',
    hex: '0a 04 02 6869',
    frame: { type: 'stream', streamId: 4, offset: 0, data: ascii('hi'), fin: false },
    encodes: true,
  },
  {
    name: 'STREAM 0x0f (OFF LEN FIN)',
    hex: '0f 04 4046 02 6869',
    frame: { type: 'stream', streamId: 4, offset: 70, data: ascii('hi'), fin: true },
    encodes: true,
  },
  {
    name: 'STREAM 0x0b (LEN FIN, empty)',
    hex: '0b 00 00',
    frame: { type: 'stream', streamId: 0, offset: 0, data: new Uint8Array(0), fin: true },
    encodes: true,
  },
  {
    name: 'STREAM 0x08 (no OFF, no LEN)',
    hex: '08 04 6869',
    frame: { type: 'stream', streamId: 4, offset: 0, data: ascii('hi'), fin: false },
    encodes: false,
  },
  {
    name: 'STREAM 0x0d (OFF FIN, no LEN)',
    hex: '0d 04 05 6869',
    frame: { type: 'stream', streamId: 4, offset: 5, data: ascii('hi'), fin: true },
    encodes: false,
  },
  {
    name: 'STREAM 0x0e with explicit zero offset',
    hex: '0e 04 00 01 aa',
    frame: { type: 'stream', streamId: 4, offset: 0, data: bytes('aa'), fin: false },
    encodes: false,
  },
  { name: 'MAX_DATA', hex: '10 80100000', frame: { type: 'maxData', maximum: 0x100000 }, encodes: true },
  { name: 'MAX_STREAM_DATA', hex: '11 02 80010000', frame: { type: 'maxStreamData', streamId: 2, maximum: 0x10000 }, encodes: true },
  { name: 'MAX_STREAMS bidi', hex: '12 4064', frame: { type: 'maxStreams', bidi: true, maximum: 100 }, encodes: true },
  { name: 'MAX_STREAMS uni', hex: '13 03', frame: { type: 'maxStreams', bidi: false, maximum: 3 }, encodes: true },
  { name: 'DATA_BLOCKED', hex: '14 43e8', frame: { type: 'dataBlocked', limit: 1000 }, encodes: true },
  { name: 'STREAM_DATA_BLOCKED', hex: '15 00 3f', frame: { type: 'streamDataBlocked', streamId: 0, limit: 63 }, encodes: true },
  { name: 'STREAMS_BLOCKED bidi', hex: '16 4040', frame: { type: 'streamsBlocked', bidi: true, limit: 64 }, encodes: true },
  { name: 'STREAMS_BLOCKED uni', hex: '17 00', frame: { type: 'streamsBlocked', bidi: false, limit: 0 }, encodes: true },
  {
    name: 'NEW_CONNECTION_ID',
    hex: '18 01 00 08 0102030405060708 000102030405060708090a0b0c0d0e0f',
    frame: {
      type: 'newConnectionId', sequence: 1, retirePriorTo: 0,
      connectionId: bytes('0102030405060708'), statelessResetToken: bytes('000102030405060708090a0b0c0d0e0f'),
    },
    encodes: true,
  },
  { name: 'RETIRE_CONNECTION_ID', hex: '19 02', frame: { type: 'retireConnectionId', sequence: 2 }, encodes: true },
  { name: 'PATH_CHALLENGE', hex: '1a 0011223344556677', frame: { type: 'pathChallenge', data: bytes('0011223344556677') }, encodes: true },
  { name: 'PATH_RESPONSE', hex: '1b 8899aabbccddeeff', frame: { type: 'pathResponse', data: bytes('8899aabbccddeeff') }, encodes: true },
  {
    name: 'CONNECTION_CLOSE transport',
    hex: '1c 0a 08 03 626164',
    frame: { type: 'connectionClose', application: false, errorCode: 0x0a, frameType: 0x08, reason: ascii('bad') },
    encodes: true,
  },
  {
    name: 'CONNECTION_CLOSE application',
    hex: '1d 4100 00',
    frame: { type: 'connectionClose', application: true, errorCode: 0x100, frameType: 0, reason: new Uint8Array(0) },
    encodes: true,
  },
  { name: 'HANDSHAKE_DONE', hex: '1e', frame: { type: 'handshakeDone' }, encodes: true },
  { name: 'DATAGRAM 0x31', hex: '31 05 68656c6c6f', frame: { type: 'datagram', data: ascii('hello') }, encodes: true },
  { name: 'DATAGRAM 0x30 (no LEN)', hex: '30 68656c6c6f', frame: { type: 'datagram', data: ascii('hello') }, encodes: false },
  { name: 'DATAGRAM 0x31 empty', hex: '31 00', frame: { type: 'datagram', data: new Uint8Array(0) }, encodes: true },
];

/** Varints across all four encoded lengths, up to Number.MAX_SAFE_INTEGER. */
export const varint = (): fc.Arbitrary<number> =>
  fc.oneof(
    fc.integer({ min: 0, max: 0x3f }),
    fc.integer({ min: 0, max: 0x3fff }),
    fc.integer({ min: 0, max: 0x3fffffff }),
    fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  );

const data = (maxLength = 48): fc.Arbitrary<Uint8Array> => fc.uint8Array({ maxLength });

/** Valid ACK ranges: descending, separated by at least one missing packet, all >= 0. */
export const ackRanges = (): fc.Arbitrary<AckRange[]> =>
  fc
    .tuple(varint(), fc.nat(1000), fc.array(fc.tuple(fc.nat(300), fc.nat(300)), { maxLength: 12 }))
    .map(([largest, firstLength, rest]) => {
      let smallest = Math.max(0, largest - firstLength);
      const ranges: AckRange[] = [[smallest, largest]];
      for (const [gap, length] of rest) {
        const high = smallest - gap - 2;
        if (high < 0) break;
        smallest = Math.max(0, high - length);
        ranges.push([smallest, high]);
      }
      return ranges;
    });

export const frameArbs: Record<FrameKind, fc.Arbitrary<Frame>> = {
  padding: fc.integer({ min: 1, max: 200 }).map((length): Frame => ({ type: 'padding', length })),
  ping: fc.constant<Frame>({ type: 'ping' }),
  ack: fc
    .tuple(ackRanges(), varint(), fc.option(fc.tuple(varint(), varint(), varint()), { nil: undefined }))
    .map(([ranges, ackDelay, e]): Frame => ({
      type: 'ack', largest: ranges[0]![1], ackDelay, ranges, ecn: e === undefined ? undefined : { ect0: e[0], ect1: e[1], ce: e[2] },
    })),
  resetStream: fc.tuple(varint(), varint(), varint())
    .map(([streamId, errorCode, finalSize]): Frame => ({ type: 'resetStream', streamId, errorCode, finalSize })),
  stopSending: fc.tuple(varint(), varint()).map(([streamId, errorCode]): Frame => ({ type: 'stopSending', streamId, errorCode })),
  crypto: fc.tuple(varint(), data()).map(([offset, d]): Frame => ({ type: 'crypto', offset, data: d })),
  newToken: fc.uint8Array({ minLength: 1, maxLength: 64 }).map((token): Frame => ({ type: 'newToken', token })),
  stream: fc.tuple(varint(), varint(), data(), fc.boolean())
    .map(([streamId, offset, d, fin]): Frame => ({ type: 'stream', streamId, offset, data: d, fin })),
  maxData: varint().map((maximum): Frame => ({ type: 'maxData', maximum })),
  maxStreamData: fc.tuple(varint(), varint()).map(([streamId, maximum]): Frame => ({ type: 'maxStreamData', streamId, maximum })),
  maxStreams: fc.tuple(fc.boolean(), varint()).map(([bidi, maximum]): Frame => ({ type: 'maxStreams', bidi, maximum })),
  dataBlocked: varint().map((limit): Frame => ({ type: 'dataBlocked', limit })),
  streamDataBlocked: fc.tuple(varint(), varint()).map(([streamId, limit]): Frame => ({ type: 'streamDataBlocked', streamId, limit })),
  streamsBlocked: fc.tuple(fc.boolean(), varint()).map(([bidi, limit]): Frame => ({ type: 'streamsBlocked', bidi, limit })),
  newConnectionId: fc
    .tuple(varint(), varint(), fc.uint8Array({ minLength: 1, maxLength: 20 }), fc.uint8Array({ minLength: 16, maxLength: 16 }))
    .map(([a, b, connectionId, statelessResetToken]): Frame => ({
      type: 'newConnectionId', sequence: Math.max(a, b), retirePriorTo: Math.min(a, b), connectionId, statelessResetToken,
    })),
  retireConnectionId: varint().map((sequence): Frame => ({ type: 'retireConnectionId', sequence })),
  pathChallenge: fc.uint8Array({ minLength: 8, maxLength: 8 }).map((d): Frame => ({ type: 'pathChallenge', data: d })),
  pathResponse: fc.uint8Array({ minLength: 8, maxLength: 8 }).map((d): Frame => ({ type: 'pathResponse', data: d })),
  connectionClose: fc.tuple(fc.boolean(), varint(), varint(), data(64))
    .map(([application, errorCode, frameType, reason]): Frame => ({
      type: 'connectionClose', application, errorCode, frameType: application ? 0 : frameType, reason,
    })),
  handshakeDone: fc.constant<Frame>({ type: 'handshakeDone' }),
  datagram: data(100).map((d): Frame => ({ type: 'datagram', data: d })),
};

/** Any frame. */
export const anyFrame = (): fc.Arbitrary<Frame> => fc.oneof(...Object.values(frameArbs));
