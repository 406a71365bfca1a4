import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TransportError, TransportErrorCode } from '../../src/errors.ts';
import { RecvStream } from '../../src/streams/index.ts';

const data = (n: number, v = 1): Uint8Array => new Uint8Array(n).fill(v);

function throwsCode(fn: () => void, code: number, frameType?: number): void {
  assert.throws(fn, (e: unknown) =>
    e instanceof TransportError && e.code === code && (frameType === undefined || e.frameType === frameType));
}

test('Recv -> Size Known -> Data Recvd -> Data Read', () => {
  const r = new RecvStream(1, 1000);
  assert.is(r.state.kind, 'recv');
  r.onStreamFrame(50, data(50), true);
  assert.equal(r.state, { kind: 'sizeKnown', finalSize: 100 });
  r.onStreamFrame(0, data(50), false);
  assert.equal(r.state, { kind: 'dataRecvd', finalSize: 100 });
  const a = r.read(60);
  assert.equal(a.kind === 'data' && [a.data.length, a.fin], [50, false]);
  const b = r.read();
  assert.equal(b.kind === 'data' && [b.data.length, b.fin], [50, true]);
  assert.equal(r.state, { kind: 'dataRead', finalSize: 100 });
  assert.equal(r.read(), { kind: 'closed' });
  assert.is(r.isTerminal, true);
});

test('an empty stream: a lone FIN reads as empty data with fin', () => {
  const r = new RecvStream(1, 1000);
  assert.equal(r.read(), { kind: 'blocked' });
  r.onStreamFrame(0, new Uint8Array(0), true);
  assert.is(r.state.kind, 'dataRecvd');
  const res = r.read();
  assert.ok(res.kind === 'data' && res.fin && res.data.length === 0);
  assert.is(r.state.kind, 'dataRead');
});

test('Recv -> Reset Recvd -> Reset Read; buffered data is dropped', () => {
  const r = new RecvStream(1, 1000);
  r.onStreamFrame(10, data(10), false);
  assert.is(r.bufferedBytes, 10);
  assert.is(r.onResetStream(6, 30), true);
  assert.equal(r.state, { kind: 'resetRecvd', errorCode: 6, finalSize: 30 });
  assert.is(r.bufferedBytes, 0);
  assert.is(r.highestOffset, 30, 'the final size counts toward flow control');
  assert.is(r.consumedOffset, 30, 'and is returned as consumed');
  assert.is(r.isReadable, true);
  assert.equal(r.read(), { kind: 'reset', errorCode: 6 });
  assert.equal(r.state, { kind: 'resetRead', errorCode: 6, finalSize: 30 });
  assert.equal(r.read(), { kind: 'closed' });
});

test('Size Known -> Reset Recvd', () => {
  const r = new RecvStream(1, 1000);
  r.onStreamFrame(5, data(5), true);
  r.onResetStream(2, 10);
  assert.equal(r.state, { kind: 'resetRecvd', errorCode: 2, finalSize: 10 });
});

test('RESET_STREAM in Data Recvd keeps the data (the optional transition is not taken)', () => {
  const r = new RecvStream(1, 1000);
  r.onStreamFrame(0, data(5), true);
  assert.is(r.onResetStream(2, 5), false);
  assert.is(r.state.kind, 'dataRecvd');
  const res = r.read();
  assert.ok(res.kind === 'data' && res.fin);
});

test('FINAL_SIZE_ERROR: RESET below received data, RESET changing a known size, data past a reset', () => {
  const r = new RecvStream(1, 1000);
  r.onStreamFrame(0, data(20), false);
  throwsCode(() => r.onResetStream(0, 19), TransportErrorCode.FINAL_SIZE_ERROR, 0x04);
  const s = new RecvStream(1, 1000);
  s.onStreamFrame(0, data(20), true);
  throwsCode(() => s.onResetStream(0, 21), TransportErrorCode.FINAL_SIZE_ERROR);
  const t = new RecvStream(1, 1000);
  t.onResetStream(0, 20);
  t.onStreamFrame(0, data(20), false); // old data within the final size is ignored
  throwsCode(() => t.onStreamFrame(15, data(10), false), TransportErrorCode.FINAL_SIZE_ERROR, 0x08);
  throwsCode(() => t.onStreamFrame(0, data(10), true), TransportErrorCode.FINAL_SIZE_ERROR);
});

test('FINAL_SIZE_ERROR: data beyond the final size even after everything was read', () => {
  const r = new RecvStream(1, 1000);
  r.onStreamFrame(0, data(10), true);
  r.read();
  assert.is(r.state.kind, 'dataRead');
  r.onStreamFrame(0, data(10), true);
  throwsCode(() => r.onStreamFrame(10, data(1), false), TransportErrorCode.FINAL_SIZE_ERROR);
});

test('FLOW_CONTROL_ERROR: STREAM data or a RESET final size beyond the window', () => {
  const r = new RecvStream(1, 100);
  r.onStreamFrame(0, data(100), false);
  throwsCode(() => r.onStreamFrame(100, data(1), false), TransportErrorCode.FLOW_CONTROL_ERROR, 0x08);
  const s = new RecvStream(1, 100);
  throwsCode(() => s.onResetStream(0, 101), TransportErrorCode.FLOW_CONTROL_ERROR, 0x04);
});

test('MAX_STREAM_DATA once half the window is read, only in Recv', () => {
  const r = new RecvStream(5, 100);
  r.onStreamFrame(0, data(100), false);
  assert.is(r.peekMaxStreamDataFrame(0, 0), null);
  r.read(50);
  assert.equal(r.takeMaxStreamDataFrame(0, 0), { type: 'maxStreamData', streamId: 5, maximum: 150 });
  r.onMaxStreamDataLost(150);
  assert.is(r.hasControlPending, true);
  r.onStreamFrame(120, data(10), true);
  assert.is(r.state.kind, 'sizeKnown');
  assert.is(r.peekMaxStreamDataFrame(0, 0), null, 'no credit needed once the final size is known');
  assert.is(r.hasControlPending, false);
});

test('stopSending in Recv: STOP_SENDING frame, data dropped, read closed, lost frame resent', () => {
  const r = new RecvStream(9, 1000);
  r.onStreamFrame(0, data(30), false);
  assert.is(r.stopSending(11), true);
  assert.is(r.bufferedBytes, 0);
  assert.is(r.consumedOffset, 30);
  assert.equal(r.read(), { kind: 'closed' });
  assert.equal(r.takeStopSendingFrame(), { type: 'stopSending', streamId: 9, errorCode: 11 });
  assert.is(r.takeStopSendingFrame(), null);
  r.onStopSendingLost();
  assert.ok(r.peekStopSendingFrame());
  r.onStreamFrame(30, data(30), false); // still counted, then dropped
  assert.is(r.highestOffset, 60);
  assert.is(r.consumedOffset, 60);
  assert.is(r.bufferedBytes, 0);
  assert.is(r.stopSending(12), false, 'only once');
});

test('after stopSending, the peer RESET ends the stream without a read; no more STOP_SENDING', () => {
  const r = new RecvStream(9, 1000);
  r.stopSending(1);
  r.takeStopSendingFrame();
  r.onResetStream(1, 40);
  assert.equal(r.state, { kind: 'resetRead', errorCode: 1, finalSize: 40 });
  r.onStopSendingLost();
  assert.is(r.peekStopSendingFrame(), null);
  assert.is(r.isTerminal, true);
});

test('after stopSending, receiving all data also ends the stream', () => {
  const r = new RecvStream(9, 1000);
  r.stopSending(1);
  r.onStreamFrame(0, data(10), true);
  assert.is(r.state.kind, 'dataRead');
  assert.is(r.isTerminal, true);
});

test('stopSending in Data Recvd needs no frame and ends the stream; in Reset Recvd it reads the reset', () => {
  const r = new RecvStream(9, 1000);
  r.onStreamFrame(0, data(10), true);
  assert.is(r.stopSending(1), true);
  assert.is(r.peekStopSendingFrame(), null);
  assert.is(r.state.kind, 'dataRead');
  const s = new RecvStream(9, 1000);
  s.onResetStream(4, 0);
  assert.is(s.stopSending(1), true);
  assert.is(s.state.kind, 'resetRead');
});

test('the receive window auto-tunes up to its maximum', () => {
  const r = new RecvStream(1, 1000, 8000);
  let now = 0;
  let offset = 0;
  for (let i = 0; i < 50; i++) {
    now += 1;
    const n = r.window.limit - offset;
    r.onStreamFrame(offset, data(n), false);
    offset += n;
    r.read();
    r.takeMaxStreamDataFrame(now, 10);
  }
  assert.is(r.window.window, 8000);
});

test.run();
