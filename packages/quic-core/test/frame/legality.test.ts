import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import {
  FrameType, countsInFlightFrame, countsInFlightFrameType, frameTypeOf, isAckElicitingFrame, isAckElicitingFrameType,
  isFrameAllowed, isProbingFrame, isProbingFrameType,
} from '@quicts/quic-core';
import type { FramePacketKind } from '@quicts/quic-core';
import { anyFrame } from './fixtures.ts';

const known = [...Array.from({ length: 0x1f }, (_, i) => i), 0x30, 0x31];
const allowedIn = (kind: FramePacketKind): number[] => known.filter((t) => isFrameAllowed(t, kind));

test('Initial and Handshake allow PADDING, PING, ACK, CRYPTO and CONNECTION_CLOSE 0x1c only (RFC 9000 §12.4)', () => {
  for (const kind of ['initial', 'handshake'] as const) assert.equal(allowedIn(kind), [0x00, 0x01, 0x02, 0x03, 0x06, 0x1c], kind);
});

test('0-RTT allows everything except ACK, CRYPTO, HANDSHAKE_DONE, NEW_TOKEN, PATH_RESPONSE, RETIRE_CONNECTION_ID (§12.5)', () => {
  const banned = [0x02, 0x03, 0x06, 0x1e, 0x07, 0x1b, 0x19];
  assert.equal(allowedIn('zeroRtt'), known.filter((t) => !banned.includes(t)));
  assert.ok(isFrameAllowed(FrameType.DATAGRAM, 'zeroRtt'), 'DATAGRAM in 0-RTT (RFC 9221 §4)');
  assert.ok(isFrameAllowed(FrameType.CONNECTION_CLOSE_APP, 'zeroRtt'));
});

test('1-RTT allows every known frame; unknown types are allowed nowhere', () => {
  assert.equal(allowedIn('oneRtt'), known);
  for (const kind of ['initial', 'handshake', 'zeroRtt', 'oneRtt'] as const) {
    for (const t of [0x1f, 0x20, 0x2f, 0x32, 0x40, 0xff, -1]) assert.not.ok(isFrameAllowed(t, kind), `${t} in ${kind}`);
  }
});

test('ack-eliciting: all but ACK, PADDING and CONNECTION_CLOSE (RFC 9000 §13.2)', () => {
  assert.equal(known.filter((t) => !isAckElicitingFrameType(t)), [0x00, 0x02, 0x03, 0x1c, 0x1d]);
});

test('in flight: all but ACK and CONNECTION_CLOSE; PADDING counts (RFC 9002 §2)', () => {
  assert.equal(known.filter((t) => !countsInFlightFrameType(t)), [0x02, 0x03, 0x1c, 0x1d]);
});

test('probing frames: PADDING, NEW_CONNECTION_ID, PATH_CHALLENGE, PATH_RESPONSE (RFC 9000 §9.1)', () => {
  assert.equal(known.filter((t) => isProbingFrameType(t)), [0x00, 0x18, 0x1a, 0x1b]);
});

test('property: frame-value predicates agree with the type-code table', () => {
  fc.assert(
    fc.property(anyFrame(), (f) => {
      const code = frameTypeOf(f);
      assert.is(isAckElicitingFrame(f), isAckElicitingFrameType(code));
      assert.is(countsInFlightFrame(f), countsInFlightFrameType(code));
      assert.is(isProbingFrame(f), isProbingFrameType(code));
    }),
    { numRuns: 500 },
  );
});

test.run();
