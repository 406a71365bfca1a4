import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TransportErrorCode, type Frame } from '@quicts/quic-core';
import { qlogFrame, qlogTransportError } from '../../src/qlog/index.ts';

test('transport error names are the lowercase RFC names', () => {
  assert.is(qlogTransportError(TransportErrorCode.PROTOCOL_VIOLATION), 'protocol_violation');
  assert.is(qlogTransportError(0), 'no_error');
  assert.is(qlogTransportError(0x128), 'crypto_error_0x128');
  assert.is(qlogTransportError(0x4242), 0x4242);
});

test('every frame kind maps to its qlog frame_type', () => {
  const bytes = (n: number) => new Uint8Array(n).fill(0xaa);
  const cases: [Frame, string][] = [
    [{ type: 'padding', length: 10 }, 'padding'],
    [{ type: 'ping' }, 'ping'],
    [{ type: 'ack', largest: 9, ackDelay: 125, ranges: [[7, 9], [3, 3], [0, 1]] }, 'ack'],
    [{ type: 'resetStream', streamId: 4, errorCode: 7, finalSize: 100 }, 'reset_stream'],
    [{ type: 'stopSending', streamId: 4, errorCode: 7 }, 'stop_sending'],
    [{ type: 'crypto', offset: 10, data: bytes(20) }, 'crypto'],
    [{ type: 'newToken', token: bytes(3) }, 'new_token'],
    [{ type: 'stream', streamId: 8, offset: 5, data: bytes(6), fin: true }, 'stream'],
    [{ type: 'maxData', maximum: 1000 }, 'max_data'],
    [{ type: 'maxStreamData', streamId: 0, maximum: 10 }, 'max_stream_data'],
    [{ type: 'maxStreams', bidi: true, maximum: 3 }, 'max_streams'],
    [{ type: 'dataBlocked', limit: 5 }, 'data_blocked'],
    [{ type: 'streamDataBlocked', streamId: 0, limit: 5 }, 'stream_data_blocked'],
    [{ type: 'streamsBlocked', bidi: false, limit: 5 }, 'streams_blocked'],
    [{ type: 'newConnectionId', sequence: 2, retirePriorTo: 1, connectionId: bytes(8), statelessResetToken: bytes(16) }, 'new_connection_id'],
    [{ type: 'retireConnectionId', sequence: 1 }, 'retire_connection_id'],
    [{ type: 'pathChallenge', data: bytes(8) }, 'path_challenge'],
    [{ type: 'pathResponse', data: bytes(8) }, 'path_response'],
    [{ type: 'connectionClose', application: false, errorCode: 0x0a, frameType: 0x19, reason: new TextEncoder().encode('bad') }, 'connection_close'],
    [{ type: 'handshakeDone' }, 'handshake_done'],
    [{ type: 'datagram', data: bytes(30) }, 'datagram'],
  ];
  for (const [frame, name] of cases) {
    const q = qlogFrame(frame);
    assert.is(q.frame_type, name);
    JSON.stringify(q);
  }
});

test('field details: ACK ranges ascending, delay in ms; stream and crypto lengths; no payload bytes', () => {
  assert.equal(qlogFrame({ type: 'ack', largest: 9, ackDelay: 125, ranges: [[7, 9], [3, 3]], ecn: { ect0: 1, ect1: 2, ce: 3 } }), {
    frame_type: 'ack', ack_delay: 1, acked_ranges: [[3], [7, 9]], ect1: 2, ect0: 1, ce: 3,
  });
  assert.is(qlogFrame({ type: 'ack', largest: 0, ackDelay: 1000, ranges: [[0, 0]] }, 0).ack_delay, 1);
  assert.equal(qlogFrame({ type: 'stream', streamId: 8, offset: 5, data: new Uint8Array(6), fin: true }), {
    frame_type: 'stream', stream_id: 8, offset: 5, length: 6, fin: true,
  });
  assert.equal(qlogFrame({ type: 'crypto', offset: 3, data: new Uint8Array(4) }), { frame_type: 'crypto', offset: 3, length: 4 });
  assert.equal(qlogFrame({ type: 'newConnectionId', sequence: 2, retirePriorTo: 1, connectionId: Uint8Array.of(1, 2), statelessResetToken: new Uint8Array(16) }), {
    frame_type: 'new_connection_id', sequence_number: 2, retire_prior_to: 1, connection_id_length: 2, connection_id: '0102',
    stateless_reset_token: '00000000000000000000000000000000',
  });
});

test('CONNECTION_CLOSE: transport names, application codes, reason text', () => {
  assert.equal(qlogFrame({ type: 'connectionClose', application: false, errorCode: 0x0a, frameType: 0x19, reason: new TextEncoder().encode('bad') }), {
    frame_type: 'connection_close', error_space: 'transport', error_code: 'protocol_violation', raw_error_code: 0x0a, reason: 'bad', trigger_frame_type: 0x19,
  });
  assert.equal(qlogFrame({ type: 'connectionClose', application: true, errorCode: 0x101, frameType: 0, reason: new Uint8Array(0) }), {
    frame_type: 'connection_close', error_space: 'application', error_code: 0x101, raw_error_code: 0x101, reason: '',
  });
});

test.run();
