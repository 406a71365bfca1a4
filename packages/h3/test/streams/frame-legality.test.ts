import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkH3FrameAllowed, H3Error, H3ErrorCode, H3FrameType, h3ReservedCode } from '@quicts/h3';

const unexpected = (e: unknown): boolean => e instanceof H3Error && e.code === H3ErrorCode.H3_FRAME_UNEXPECTED && e.scope === 'connection';

/** RFC 9114 Table 1: [frame, control, request, push]. */
const TABLE: [number, boolean, boolean, boolean][] = [
  [H3FrameType.DATA, false, true, true],
  [H3FrameType.HEADERS, false, true, true],
  [H3FrameType.CANCEL_PUSH, true, false, false],
  [H3FrameType.SETTINGS, true, false, false],
  [H3FrameType.PUSH_PROMISE, false, true, false],
  [H3FrameType.GOAWAY, true, false, false],
  [H3FrameType.MAX_PUSH_ID, true, false, false],
  [h3ReservedCode(5), true, true, true],
  [0x0c, true, true, true],
];

test('RFC 9114 Table 1', () => {
  for (const [type, control, request, push] of TABLE) {
    for (const [kind, allowed] of [['control', control], ['request', request], ['push', push]] as const) {
      if (allowed) checkH3FrameAllowed(type, kind, false);
      else assert.throws(() => checkH3FrameAllowed(type, kind, false), unexpected, `${type} on ${kind}`);
    }
  }
});

test('PUSH_PROMISE only travels from server to client', () => {
  checkH3FrameAllowed(H3FrameType.PUSH_PROMISE, 'request', false);
  assert.throws(() => checkH3FrameAllowed(H3FrameType.PUSH_PROMISE, 'request', true), unexpected);
});

test.run();
