/**
 * QUIC frames and error codes in qlog form (draft-ietf-quic-qlog-quic-events, "QUIC Frames" and
 * "TransportError"): the frame union of `frame/types.ts` mapped to `frame_type` objects. Payload
 * bytes are never logged, only their lengths.
 * @module
 */
import { toHex } from '../codec/hex.ts';
import { TransportErrorCode, transportErrorName } from '../errors.ts';
import type { AckRange, Frame } from '../frame/types.ts';
import { reasonPhraseText } from '../frame/reason-phrase.ts';
import type { QlogFrame } from './schema.ts';

/** The default ack_delay_exponent (RFC 9000 §18.2), for turning an ACK's raw delay into ms. */
const DEFAULT_ACK_DELAY_EXPONENT = 3;

/**
 * The qlog name of a transport error code: the lowercase RFC name ("protocol_violation"),
 * "crypto_error_0x1XX" for TLS alerts, or the number itself when unknown.
 */
export function qlogTransportError(code: number): string | number {
  if (code >= TransportErrorCode.CRYPTO_ERROR && code <= 0x1ff) return `crypto_error_0x${code.toString(16)}`;
  const name = transportErrorName(code);
  return name.startsWith('UNKNOWN') ? code : name.toLowerCase();
}

/** ACK ranges ascending, each `[from, to]`, or `[n]` for a single packet (qlog AckRange). */
function ackedRanges(ranges: readonly AckRange[]): number[][] {
  const out: number[][] = [];
  for (let i = ranges.length - 1; i >= 0; i--) {
    const [smallest, largest] = ranges[i]!;
    out.push(smallest === largest ? [smallest] : [smallest, largest]);
  }
  return out;
}

/**
 * The qlog form of a frame. `ackDelayExponent` converts an ACK frame's raw delay field into
 * milliseconds (the exponent is the sender's transport parameter).
 */
export function qlogFrame(frame: Frame, ackDelayExponent = DEFAULT_ACK_DELAY_EXPONENT): QlogFrame {
  switch (frame.type) {
    case 'padding':
      return { frame_type: 'padding', length: frame.length, raw: { payload_length: frame.length } };
    case 'ping':
      return { frame_type: 'ping' };
    case 'ack': {
      const out: QlogFrame = {
        frame_type: 'ack',
        ack_delay: (frame.ackDelay * 2 ** ackDelayExponent) / 1000,
        acked_ranges: ackedRanges(frame.ranges),
      };
      if (frame.ecn !== undefined) {
        out['ect1'] = frame.ecn.ect1;
        out['ect0'] = frame.ecn.ect0;
        out['ce'] = frame.ecn.ce;
      }
      return out;
    }
    case 'resetStream':
      return { frame_type: 'reset_stream', stream_id: frame.streamId, error_code: frame.errorCode, final_size: frame.finalSize };
    case 'stopSending':
      return { frame_type: 'stop_sending', stream_id: frame.streamId, error_code: frame.errorCode };
    case 'crypto':
      return { frame_type: 'crypto', offset: frame.offset, length: frame.data.length };
    case 'newToken':
      return { frame_type: 'new_token', token: { raw: { length: frame.token.length, data: toHex(frame.token) } } };
    case 'stream':
      return { frame_type: 'stream', stream_id: frame.streamId, offset: frame.offset, length: frame.data.length, fin: frame.fin };
    case 'maxData':
      return { frame_type: 'max_data', maximum: frame.maximum };
    case 'maxStreamData':
      return { frame_type: 'max_stream_data', stream_id: frame.streamId, maximum: frame.maximum };
    case 'maxStreams':
      return { frame_type: 'max_streams', stream_type: frame.bidi ? 'bidirectional' : 'unidirectional', maximum: frame.maximum };
    case 'dataBlocked':
      return { frame_type: 'data_blocked', limit: frame.limit };
    case 'streamDataBlocked':
      return { frame_type: 'stream_data_blocked', stream_id: frame.streamId, limit: frame.limit };
    case 'streamsBlocked':
      return { frame_type: 'streams_blocked', stream_type: frame.bidi ? 'bidirectional' : 'unidirectional', limit: frame.limit };
    case 'newConnectionId':
      return {
        frame_type: 'new_connection_id',
        sequence_number: frame.sequence,
        retire_prior_to: frame.retirePriorTo,
        connection_id_length: frame.connectionId.length,
        connection_id: toHex(frame.connectionId),
        stateless_reset_token: toHex(frame.statelessResetToken),
      };
    case 'retireConnectionId':
      return { frame_type: 'retire_connection_id', sequence_number: frame.sequence };
    case 'pathChallenge':
      return { frame_type: 'path_challenge', data: toHex(frame.data) };
    case 'pathResponse':
      return { frame_type: 'path_response', data: toHex(frame.data) };
    case 'connectionClose': {
      const out: QlogFrame = {
        frame_type: 'connection_close',
        error_space: frame.application ? 'application' : 'transport',
        error_code: frame.application ? frame.errorCode : qlogTransportError(frame.errorCode),
        raw_error_code: frame.errorCode,
        reason: reasonPhraseText(frame.reason),
      };
      if (!frame.application) out['trigger_frame_type'] = frame.frameType;
      return out;
    }
    case 'handshakeDone':
      return { frame_type: 'handshake_done' };
    case 'datagram':
      return { frame_type: 'datagram', length: frame.data.length };
  }
}
