/**
 * Frame encoder (RFC 9000 §19, RFC 9221 §4): `encodeFrame` writes one frame, `frameSize` says how
 * many bytes it will take, so the packet builder can check space before writing.
 *
 * Encoding choices: STREAM frames always carry a Length field and carry an Offset only when it is
 * non-zero; DATAGRAM frames always carry a Length field (type 0x31). Use the header helpers in
 * headers.ts to write the last frame of a packet without a Length field. A frame that the RFC
 * would reject on receipt is refused with RangeError (API misuse), never sent.
 * @module
 */
import type { Writer } from '../codec/writer.ts';
import { varintLength } from '../codec/varint.ts';
import { ackRangesSize, writeAckRanges } from './ack-ranges.ts';
import { encodeDatagramFrameHeader, encodeStreamFrameHeader } from './headers.ts';
import {
  FrameType, MAX_CONNECTION_ID_LENGTH, MIN_CONNECTION_ID_LENGTH, PATH_DATA_LENGTH, STATELESS_RESET_TOKEN_LENGTH,
} from './types.ts';
import type { AckFrame, ConnectionCloseFrame, Frame, NewConnectionIdFrame } from './types.ts';

/** Writes `f` (see the module notes for the encoding choices). */
export function encodeFrame(w: Writer, f: Frame): void {
  switch (f.type) {
    case 'padding':
      if (!Number.isInteger(f.length) || f.length < 1) throw new RangeError(`invalid PADDING length ${f.length}`);
      w.zeros(f.length);
      return;
    case 'ping':
      w.u8(FrameType.PING);
      return;
    case 'ack':
      encodeAck(w, f);
      return;
    case 'resetStream':
      w.u8(FrameType.RESET_STREAM).varint(f.streamId).varint(f.errorCode).varint(f.finalSize);
      return;
    case 'stopSending':
      w.u8(FrameType.STOP_SENDING).varint(f.streamId).varint(f.errorCode);
      return;
    case 'crypto':
      w.u8(FrameType.CRYPTO).varint(f.offset).vecVarint(f.data);
      return;
    case 'newToken':
      if (f.token.length === 0) throw new RangeError('NEW_TOKEN token must not be empty'); // RFC 9000 §19.7
      w.u8(FrameType.NEW_TOKEN).vecVarint(f.token);
      return;
    case 'stream':
      encodeStreamFrameHeader(w, f.streamId, f.offset, f.data.length, f.fin, true);
      w.bytes(f.data);
      return;
    case 'maxData':
      w.u8(FrameType.MAX_DATA).varint(f.maximum);
      return;
    case 'maxStreamData':
      w.u8(FrameType.MAX_STREAM_DATA).varint(f.streamId).varint(f.maximum);
      return;
    case 'maxStreams':
      w.u8(f.bidi ? FrameType.MAX_STREAMS_BIDI : FrameType.MAX_STREAMS_UNI).varint(f.maximum);
      return;
    case 'dataBlocked':
      w.u8(FrameType.DATA_BLOCKED).varint(f.limit);
      return;
    case 'streamDataBlocked':
      w.u8(FrameType.STREAM_DATA_BLOCKED).varint(f.streamId).varint(f.limit);
      return;
    case 'streamsBlocked':
      w.u8(f.bidi ? FrameType.STREAMS_BLOCKED_BIDI : FrameType.STREAMS_BLOCKED_UNI).varint(f.limit);
      return;
    case 'newConnectionId':
      encodeNewConnectionId(w, f);
      return;
    case 'retireConnectionId':
      w.u8(FrameType.RETIRE_CONNECTION_ID).varint(f.sequence);
      return;
    case 'pathChallenge':
    case 'pathResponse':
      if (f.data.length !== PATH_DATA_LENGTH) throw new RangeError(`path data must be ${PATH_DATA_LENGTH} bytes`);
      w.u8(f.type === 'pathChallenge' ? FrameType.PATH_CHALLENGE : FrameType.PATH_RESPONSE).bytes(f.data);
      return;
    case 'connectionClose':
      encodeConnectionClose(w, f);
      return;
    case 'handshakeDone':
      w.u8(FrameType.HANDSHAKE_DONE);
      return;
    case 'datagram':
      encodeDatagramFrameHeader(w, f.data.length, true);
      w.bytes(f.data);
      return;
  }
}

function encodeAck(w: Writer, f: AckFrame): void {
  if (f.ranges[0]?.[1] !== f.largest) throw new RangeError('ACK largest must equal the largest end of the first range');
  w.u8(f.ecn === undefined ? FrameType.ACK : FrameType.ACK_ECN).varint(f.largest).varint(f.ackDelay);
  writeAckRanges(w, f.ranges);
  if (f.ecn !== undefined) w.varint(f.ecn.ect0).varint(f.ecn.ect1).varint(f.ecn.ce);
}

function encodeNewConnectionId(w: Writer, f: NewConnectionIdFrame): void {
  const cidLength = f.connectionId.length;
  if (cidLength < MIN_CONNECTION_ID_LENGTH || cidLength > MAX_CONNECTION_ID_LENGTH) {
    throw new RangeError(`connection ID length ${cidLength} outside 1..20`); // RFC 9000 §19.15
  }
  if (f.statelessResetToken.length !== STATELESS_RESET_TOKEN_LENGTH) throw new RangeError('stateless reset token must be 16 bytes');
  if (f.retirePriorTo > f.sequence) throw new RangeError('Retire Prior To exceeds Sequence Number'); // RFC 9000 §19.15
  w.u8(FrameType.NEW_CONNECTION_ID).varint(f.sequence).varint(f.retirePriorTo).vec8(f.connectionId).bytes(f.statelessResetToken);
}

function encodeConnectionClose(w: Writer, f: ConnectionCloseFrame): void {
  if (f.application) {
    w.u8(FrameType.CONNECTION_CLOSE_APP).varint(f.errorCode);
  } else {
    w.u8(FrameType.CONNECTION_CLOSE).varint(f.errorCode).varint(f.frameType);
  }
  w.vecVarint(f.reason);
}

/** Number of bytes {@link encodeFrame} writes for `f`. */
export function frameSize(f: Frame): number {
  switch (f.type) {
    case 'padding':
      return f.length;
    case 'ping':
    case 'handshakeDone':
      return 1;
    case 'ack': {
      let size = 1 + varintLength(f.largest) + varintLength(f.ackDelay) + ackRangesSize(f.ranges);
      if (f.ecn !== undefined) size += varintLength(f.ecn.ect0) + varintLength(f.ecn.ect1) + varintLength(f.ecn.ce);
      return size;
    }
    case 'resetStream':
      return 1 + varintLength(f.streamId) + varintLength(f.errorCode) + varintLength(f.finalSize);
    case 'stopSending':
      return 1 + varintLength(f.streamId) + varintLength(f.errorCode);
    case 'crypto':
      return 1 + varintLength(f.offset) + varintLength(f.data.length) + f.data.length;
    case 'newToken':
      return 1 + varintLength(f.token.length) + f.token.length;
    case 'stream':
      return 1 + varintLength(f.streamId) + (f.offset > 0 ? varintLength(f.offset) : 0) + varintLength(f.data.length) + f.data.length;
    case 'maxData':
      return 1 + varintLength(f.maximum);
    case 'maxStreamData':
      return 1 + varintLength(f.streamId) + varintLength(f.maximum);
    case 'maxStreams':
      return 1 + varintLength(f.maximum);
    case 'dataBlocked':
      return 1 + varintLength(f.limit);
    case 'streamDataBlocked':
      return 1 + varintLength(f.streamId) + varintLength(f.limit);
    case 'streamsBlocked':
      return 1 + varintLength(f.limit);
    case 'newConnectionId':
      return 1 + varintLength(f.sequence) + varintLength(f.retirePriorTo) + 1 + f.connectionId.length + STATELESS_RESET_TOKEN_LENGTH;
    case 'retireConnectionId':
      return 1 + varintLength(f.sequence);
    case 'pathChallenge':
    case 'pathResponse':
      return 1 + PATH_DATA_LENGTH;
    case 'connectionClose':
      return 1 + varintLength(f.errorCode) + (f.application ? 0 : varintLength(f.frameType)) + varintLength(f.reason.length) + f.reason.length;
    case 'datagram':
      return 1 + varintLength(f.data.length) + f.data.length;
  }
}
