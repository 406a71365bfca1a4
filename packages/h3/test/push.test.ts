import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { H3Error, H3ErrorCode, H3PushState } from '@quicts/h3';

const idError = (e: unknown): boolean => e instanceof H3Error && e.code === H3ErrorCode.H3_ID_ERROR && e.scope === 'connection';

test('without MAX_PUSH_ID every push ID is refused', () => {
  const p = new H3PushState();
  assert.throws(() => p.checkAllowed(0, 'PUSH_PROMISE'), idError);
  assert.throws(() => p.openStream(0), idError);
});

test('push IDs up to MAX_PUSH_ID, one stream each', () => {
  const p = new H3PushState();
  p.send(3);
  p.checkAllowed(3, 'PUSH_PROMISE');
  assert.throws(() => p.checkAllowed(4, 'PUSH_PROMISE'), idError);
  p.openStream(1);
  assert.throws(() => p.openStream(1), idError);
  assert.is(p.highestSeen, 3);
  p.send(10);
  p.openStream(7);
  assert.throws(() => p.send(9), RangeError);
  assert.throws(() => p.send(-1), RangeError);
});

test('server side: MAX_PUSH_ID may not decrease; CANCEL_PUSH within it', () => {
  const p = new H3PushState();
  assert.throws(() => p.checkCancelFromClient(0), idError);
  p.receiveMax(4);
  p.receiveMax(4);
  p.checkCancelFromClient(4);
  assert.throws(() => p.checkCancelFromClient(5), idError);
  assert.throws(() => p.receiveMax(3), idError);
});

test.run();
