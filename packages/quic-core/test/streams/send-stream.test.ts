import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { QuicStreamError, QuicStreamErrorCode, SendStream } from '../../src/streams/index.ts';

const data = (n: number): Uint8Array => new Uint8Array(n).fill(7);

function throwsStream(fn: () => void, code: string, appCode?: number): void {
  assert.throws(fn, (e: unknown) =>
    e instanceof QuicStreamError && e.code === code && (appCode === undefined || e.applicationErrorCode === appCode));
}

test('Ready -> Send -> Data Sent -> Data Recvd', () => {
  const s = new SendStream(0, 1000, 1000);
  assert.is(s.state.kind, 'ready');
  s.write(data(100));
  assert.is(s.state.kind, 'ready', 'writing alone does not send');
  const c1 = s.nextChunk(60)!;
  assert.is(s.state.kind, 'send');
  s.finish();
  const c2 = s.nextChunk(60)!;
  assert.is(c2.fin, true);
  assert.is(s.state.kind, 'dataSent');
  s.onAcked(c2.offset, c2.length, c2.fin);
  assert.is(s.state.kind, 'dataSent', 'not all data acknowledged yet');
  s.onAcked(c1.offset, c1.length, c1.fin);
  assert.is(s.state.kind, 'dataRecvd');
  assert.is(s.isTerminal, true);
  assert.is(s.bufferedBytes, 0);
});

test('Ready -> Reset Sent -> Reset Recvd, final size 0', () => {
  const s = new SendStream(4, 1000, 1000);
  assert.is(s.reset(9), true);
  assert.equal(s.state, { kind: 'resetSent', errorCode: 9, finalSize: 0 });
  assert.equal(s.takeResetFrame(), { type: 'resetStream', streamId: 4, errorCode: 9, finalSize: 0 });
  s.onResetAcked();
  assert.equal(s.state, { kind: 'resetRecvd', errorCode: 9, finalSize: 0 });
  assert.is(s.isTerminal, true);
});

test('Send -> Reset Sent: the final size is the data sent so far (RFC 9000 §4.5)', () => {
  const s = new SendStream(0, 1000, 1000);
  s.write(data(500));
  s.nextChunk(200);
  s.reset(1);
  assert.equal(s.state, { kind: 'resetSent', errorCode: 1, finalSize: 200 });
  assert.is(s.bufferedBytes, 0, 'buffer released');
  assert.is(s.nextChunk(1000), null, 'no more data after a reset');
});

test('Data Sent -> Reset Sent; lost data of a reset stream is not retransmitted', () => {
  const s = new SendStream(0, 1000, 1000);
  s.write(data(10));
  s.finish();
  const c = s.nextChunk(100)!;
  assert.is(s.state.kind, 'dataSent');
  assert.is(s.reset(3), true);
  assert.equal(s.state, { kind: 'resetSent', errorCode: 3, finalSize: 10 });
  s.onLost(c.offset, c.length, c.fin);
  assert.is(s.hasRetransmit, false);
  assert.is(s.nextChunk(100), null);
});

test('reset is refused in Data Recvd and once already reset', () => {
  const s = new SendStream(0, 1000, 1000);
  s.finish();
  const c = s.nextChunk(100)!;
  s.onAcked(c.offset, c.length, c.fin);
  assert.is(s.state.kind, 'dataRecvd');
  assert.is(s.reset(1), false);
  const t = new SendStream(0, 1000, 1000);
  t.reset(1);
  assert.is(t.reset(2), false);
  assert.equal(t.state, { kind: 'resetSent', errorCode: 1, finalSize: 0 });
});

test('STOP_SENDING in Send resets with the peer code (RFC 9000 §3.5); writes then fail STOPPED', () => {
  const s = new SendStream(0, 1000, 1000);
  s.write(data(10));
  s.nextChunk(5);
  assert.is(s.onStopSending(77), true);
  assert.equal(s.state, { kind: 'resetSent', errorCode: 77, finalSize: 5 });
  assert.is(s.stopCode, 77);
  assert.equal(s.peekResetFrame(), { type: 'resetStream', streamId: 0, errorCode: 77, finalSize: 5 });
  throwsStream(() => s.write(data(1)), QuicStreamErrorCode.STOPPED, 77);
});

test('STOP_SENDING after all data is acknowledged changes nothing', () => {
  const s = new SendStream(0, 1000, 1000);
  s.write(data(3));
  s.finish();
  const c = s.nextChunk(10)!;
  s.onAcked(c.offset, c.length, c.fin);
  assert.is(s.onStopSending(5), false);
  assert.is(s.state.kind, 'dataRecvd');
  assert.is(s.peekResetFrame(), null);
});

test('writes after finish fail FINISHED, after our reset fail RESET; finish twice is harmless', () => {
  const s = new SendStream(0, 1000, 1000);
  s.finish();
  s.finish();
  throwsStream(() => s.write(data(1)), QuicStreamErrorCode.FINISHED);
  const t = new SendStream(0, 1000, 1000);
  t.reset(4);
  throwsStream(() => t.write(data(1)), QuicStreamErrorCode.RESET, 4);
  throwsStream(() => t.finish(), QuicStreamErrorCode.RESET, 4);
});

test('a lost RESET_STREAM is sent again until acknowledged', () => {
  const s = new SendStream(0, 1000, 1000);
  s.reset(2);
  s.takeResetFrame();
  assert.is(s.hasControlPending, false);
  s.onResetLost();
  assert.is(s.hasControlPending, true);
  assert.ok(s.takeResetFrame());
  s.onResetAcked();
  s.onResetLost();
  assert.is(s.peekResetFrame(), null);
});

test('stream credit limits new data; STREAM_DATA_BLOCKED once per limit; MAX_STREAM_DATA unblocks', () => {
  const s = new SendStream(8, 100, 1000);
  s.write(data(300));
  const c = s.nextChunk(1000)!;
  assert.is(c.length, 100);
  assert.is(s.credit.available, 0);
  assert.equal(s.takeBlockedFrame(), { type: 'streamDataBlocked', streamId: 8, limit: 100 });
  assert.is(s.nextChunk(1000), null);
  assert.is(s.takeBlockedFrame(), null, 'only once at this limit');
  assert.is(s.onMaxStreamData(50), false, 'a lower limit is ignored');
  assert.is(s.onMaxStreamData(250), true);
  assert.is(s.nextChunk(1000)!.length, 150);
  assert.equal(s.takeBlockedFrame(), { type: 'streamDataBlocked', streamId: 8, limit: 250 });
});

test('STREAM_DATA_BLOCKED sent from Ready moves the stream to Send (RFC 9000 §3.1)', () => {
  const s = new SendStream(0, 0, 1000);
  s.write(data(10));
  assert.is(s.nextChunk(100), null);
  assert.is(s.state.kind, 'ready');
  assert.ok(s.takeBlockedFrame());
  assert.is(s.state.kind, 'send');
});

test('connection credit caps new bytes without marking the stream blocked', () => {
  const s = new SendStream(0, 1000, 1000);
  s.write(data(100));
  assert.is(s.nextChunk(1000, 30)!.length, 30);
  assert.is(s.credit.blockedPending, false);
  assert.is(s.credit.used, 30);
});

test('room reflects the buffer bound and is 0 once finished', () => {
  const s = new SendStream(0, 1000, 50);
  assert.is(s.write(data(80)), 50);
  assert.is(s.room, 0);
  const c = s.nextChunk(100)!;
  s.onAcked(c.offset, c.length, c.fin);
  assert.is(s.room, 50);
  assert.is(s.write(data(80), 20), 20, 'maxBytes caps the write');
  s.finish();
  assert.is(s.room, 0);
});

test.run();
