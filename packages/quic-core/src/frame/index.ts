/**
 * QUIC frames (RFC 9000 §19, RFC 9221 §4): types, codec, ACK ranges, data-frame headers and the
 * packet-type legality table.
 * @module
 */
export {
  FrameType, StreamFrameBits, MAX_STREAM_COUNT_BIG, MIN_CONNECTION_ID_LENGTH, MAX_CONNECTION_ID_LENGTH,
  STATELESS_RESET_TOKEN_LENGTH, PATH_DATA_LENGTH, isKnownFrameType, frameTypeName, frameTypeOf,
} from './types.ts';
export type {
  Frame, FrameKind, AckRange, EcnCounts, PaddingFrame, PingFrame, AckFrame, ResetStreamFrame, StopSendingFrame,
  CryptoFrame, NewTokenFrame, StreamFrame, MaxDataFrame, MaxStreamDataFrame, MaxStreamsFrame, DataBlockedFrame,
  StreamDataBlockedFrame, StreamsBlockedFrame, NewConnectionIdFrame, RetireConnectionIdFrame, PathChallengeFrame,
  PathResponseFrame, ConnectionCloseFrame, HandshakeDoneFrame, DatagramFrame,
} from './types.ts';
export { readAckRanges, writeAckRanges, ackRangesSize, assertAckRanges } from './ack-ranges.ts';
export { encodeFrame, frameSize } from './encode.ts';
export { decodeFrame, decodeFrames } from './decode.ts';
export {
  encodeStreamFrameHeader, streamFrameHeaderSize, streamDataCapacity, encodeCryptoFrameHeader, cryptoFrameHeaderSize,
  cryptoDataCapacity, encodeDatagramFrameHeader, datagramFrameHeaderSize,
} from './headers.ts';
export { reasonPhraseText, reasonPhraseBytes } from './reason-phrase.ts';
export {
  isFrameAllowed, isAckElicitingFrameType, countsInFlightFrameType, isProbingFrameType, isAckElicitingFrame,
  countsInFlightFrame, isProbingFrame,
} from './legality.ts';
export type { FramePacketKind } from './legality.ts';
