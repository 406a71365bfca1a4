import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TransportError, TransportErrorCode, FrameType, bytesEqual, type NewConnectionIdFrame } from '@quicts/quic-core';
import { PeerConnectionIds } from '../../src/cid/index.ts';

const cid = (n: number): Uint8Array => Uint8Array.from({ length: 8 }, (_, i) => (n * 31 + i) & 0xff);
const token = (n: number): Uint8Array => Uint8Array.from({ length: 16 }, (_, i) => (n * 7 + i + 100) & 0xff);
const ncid = (sequence: number, retirePriorTo = 0, c = cid(sequence), t = token(sequence)): NewConnectionIdFrame =>
  ({ type: 'newConnectionId', sequence, retirePriorTo, connectionId: c, statelessResetToken: t });

function fresh(activeLimit = 4): PeerConnectionIds {
  return new PeerConnectionIds({ initialCid: cid(0), activeLimit });
}

function retireFrames(p: PeerConnectionIds): number[] {
  const out: number[] = [];
  for (let f = p.pollRetireConnectionIdFrame(); f !== null; f = p.pollRetireConnectionIdFrame()) out.push(f.sequence);
  return out;
}

const withCode = (code: number) => (e: unknown) =>
  e instanceof TransportError && e.code === code && e.frameType === FrameType.NEW_CONNECTION_ID;

test('starts on sequence 0, the peer handshake CID', () => {
  const p = fresh();
  assert.is(p.current().sequence, 0);
  assert.ok(bytesEqual(p.current().cid, cid(0)));
  assert.is(p.current().resetToken, undefined);
  assert.is(p.spareCount, 0);
  assert.equal(p.resetTokens(), []);
});

test('our own limit must be at least 2', () => {
  assert.throws(() => new PeerConnectionIds({ initialCid: cid(0), activeLimit: 1 }), RangeError);
});

test('NEW_CONNECTION_ID adds spare CIDs without switching', () => {
  const p = fresh();
  p.onNewConnectionId(ncid(1));
  p.onNewConnectionId(ncid(2));
  assert.is(p.current().sequence, 0);
  assert.is(p.spareCount, 2);
  assert.equal(p.active().map((c) => c.sequence), [0, 1, 2]);
});

test('the exact same frame twice is fine (RFC 9000 §19.15)', () => {
  const p = fresh();
  p.onNewConnectionId(ncid(1));
  p.onNewConnectionId(ncid(1));
  assert.is(p.active().length, 2);
});

test('same sequence with another CID is PROTOCOL_VIOLATION', () => {
  const p = fresh();
  p.onNewConnectionId(ncid(1));
  assert.throws(() => p.onNewConnectionId(ncid(1, 0, cid(9))), withCode(TransportErrorCode.PROTOCOL_VIOLATION));
});

test('same sequence with another token is PROTOCOL_VIOLATION', () => {
  const p = fresh();
  p.onNewConnectionId(ncid(1));
  assert.throws(() => p.onNewConnectionId(ncid(1, 0, cid(1), token(9))), withCode(TransportErrorCode.PROTOCOL_VIOLATION));
});

test('same CID under another sequence is PROTOCOL_VIOLATION', () => {
  const p = fresh();
  p.onNewConnectionId(ncid(1));
  assert.throws(() => p.onNewConnectionId(ncid(2, 0, cid(1), token(2))), withCode(TransportErrorCode.PROTOCOL_VIOLATION));
  assert.throws(() => p.onNewConnectionId(ncid(2, 0, cid(0), token(2))), withCode(TransportErrorCode.PROTOCOL_VIOLATION), 'the handshake CID');
});

test('same reset token under another CID is PROTOCOL_VIOLATION (RFC 9000 §10.3.2)', () => {
  const p = fresh();
  p.onNewConnectionId(ncid(1));
  assert.throws(() => p.onNewConnectionId(ncid(2, 0, cid(2), token(1))), withCode(TransportErrorCode.PROTOCOL_VIOLATION));
});

test('a NEW_CONNECTION_ID reusing sequence 0 is PROTOCOL_VIOLATION', () => {
  const p = fresh();
  assert.throws(() => p.onNewConnectionId(ncid(0, 0, cid(0), token(0))), withCode(TransportErrorCode.PROTOCOL_VIOLATION));
});

test('Retire Prior To above the sequence is FRAME_ENCODING_ERROR (RFC 9000 §19.15)', () => {
  const p = fresh();
  assert.throws(() => p.onNewConnectionId(ncid(1, 2)), withCode(TransportErrorCode.FRAME_ENCODING_ERROR));
});

test('more active CIDs than our limit is CONNECTION_ID_LIMIT_ERROR (RFC 9000 §5.1.1)', () => {
  const p = fresh(3);
  p.onNewConnectionId(ncid(1));
  p.onNewConnectionId(ncid(2));
  assert.throws(() => p.onNewConnectionId(ncid(3)), withCode(TransportErrorCode.CONNECTION_ID_LIMIT_ERROR));
});

test('exceeding the limit is fine when Retire Prior To retires the excess', () => {
  const p = fresh(2);
  p.onNewConnectionId(ncid(1));
  p.onNewConnectionId(ncid(2, 1));
  assert.equal(p.active().map((c) => c.sequence), [1, 2]);
  assert.equal(retireFrames(p), [0]);
});

test('NEW_CONNECTION_ID while the peer uses zero-length CIDs is PROTOCOL_VIOLATION', () => {
  const p = new PeerConnectionIds({ initialCid: new Uint8Array(0), activeLimit: 4 });
  assert.ok(p.zeroLength);
  assert.throws(() => p.onNewConnectionId(ncid(1)), withCode(TransportErrorCode.PROTOCOL_VIOLATION));
});

test('Retire Prior To retires older CIDs, queues RETIRE frames and moves off a retired current one (RFC 9000 §5.1.2)', () => {
  const p = fresh(4);
  p.onNewConnectionId(ncid(1));
  p.onNewConnectionId(ncid(2));
  p.onNewConnectionId(ncid(3, 2));
  assert.equal(p.active().map((c) => c.sequence), [2, 3]);
  assert.is(p.current().sequence, 2, 'switched to the lowest remaining');
  assert.is(p.retirePriorTo, 2);
  assert.equal(retireFrames(p), [0, 1]);
});

test('a smaller Retire Prior To than before has no effect', () => {
  const p = fresh(4);
  p.onNewConnectionId(ncid(1));
  p.onNewConnectionId(ncid(2, 1));
  retireFrames(p);
  p.onNewConnectionId(ncid(3, 0));
  assert.is(p.retirePriorTo, 1);
  assert.equal(p.active().map((c) => c.sequence), [1, 2, 3]);
  assert.equal(retireFrames(p), []);
});

test('a late NEW_CONNECTION_ID below Retire Prior To is retired at once, not added (RFC 9000 §19.15)', () => {
  const p = fresh(4);
  p.onNewConnectionId(ncid(3, 2));
  assert.equal(retireFrames(p), [0]);
  p.onNewConnectionId(ncid(1));
  assert.equal(p.active().map((c) => c.sequence), [3]);
  assert.equal(retireFrames(p), [1]);
  p.onNewConnectionId(ncid(1));
  assert.equal(retireFrames(p), [], 'not twice for the same sequence');
  assert.throws(() => p.onNewConnectionId(ncid(1, 0, cid(8), token(8))), withCode(TransportErrorCode.PROTOCOL_VIOLATION));
});

test('too many unacknowledged retirements is CONNECTION_ID_LIMIT_ERROR (RFC 9000 §5.1.2)', () => {
  const p = new PeerConnectionIds({ initialCid: cid(0), activeLimit: 2, maxUnackedRetirements: 4 });
  p.onNewConnectionId(ncid(100, 100));
  for (let s = 1; s <= 3; s++) p.onNewConnectionId(ncid(s));
  assert.throws(() => p.onNewConnectionId(ncid(4)), withCode(TransportErrorCode.CONNECTION_ID_LIMIT_ERROR));
});

test('acknowledged retirements free room for more', () => {
  const p = new PeerConnectionIds({ initialCid: cid(0), activeLimit: 2, maxUnackedRetirements: 2 });
  p.onNewConnectionId(ncid(100, 100));
  for (let s = 1; s <= 50; s++) {
    p.onNewConnectionId(ncid(s));
    for (const seq of retireFrames(p)) p.onRetireConnectionIdAcked(seq);
  }
  assert.equal(p.active().map((c) => c.sequence), [100]);
});

test('rotate switches to an unused CID and retires the old one', () => {
  const p = fresh();
  p.onNewConnectionId(ncid(1));
  p.onNewConnectionId(ncid(2));
  const next = p.rotate()!;
  assert.is(next.sequence, 1);
  assert.is(p.current().sequence, 1);
  assert.equal(retireFrames(p), [0]);
  assert.is(p.rotate()!.sequence, 2);
  assert.is(p.rotate(), null, 'no spare left');
  assert.is(p.current().sequence, 2);
  assert.equal(retireFrames(p), [1]);
});

test('a lost RETIRE_CONNECTION_ID is sent again until acknowledged', () => {
  const p = fresh();
  p.onNewConnectionId(ncid(1, 1));
  assert.equal(retireFrames(p), [0]);
  p.onRetireConnectionIdLost(0);
  p.onRetireConnectionIdLost(0);
  assert.ok(p.hasPendingFrames);
  assert.equal(retireFrames(p), [0]);
  p.onRetireConnectionIdAcked(0);
  p.onRetireConnectionIdLost(0);
  assert.equal(retireFrames(p), [], 'acknowledged: nothing to resend');
});

test('reset tokens: only CIDs in use count, and retired ones stop counting (RFC 9000 §10.3.1)', () => {
  const p = fresh();
  p.setInitialResetToken(token(0));
  p.onNewConnectionId(ncid(1));
  assert.equal(p.resetTokens().map((t) => t[0]), [token(0)[0]]);
  p.rotate();
  assert.equal(p.resetTokens().map((t) => t[0]), [token(1)[0]]);
  const datagram = new Uint8Array(40);
  datagram.set(token(1), 24);
  assert.ok(p.isStatelessReset(datagram));
  datagram.set(token(0), 24);
  assert.not.ok(p.isStatelessReset(datagram), 'retired CID token');
  datagram.set(token(2), 24);
  assert.not.ok(p.isStatelessReset(datagram));
});

test('a random stream of valid frames never breaks the invariants', () => {
  let seed = 12345;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const p = fresh(4);
  let sequence = 1;
  let rpt = 0;
  for (let i = 0; i < 500; i++) {
    if (next() < 0.3) rpt = Math.min(sequence, rpt + 1 + Math.floor(next() * 2));
    // Keep within our limit the way a correct peer does: raise Retire Prior To as needed.
    while (p.active().filter((c) => c.sequence >= rpt).length >= 4) rpt++;
    p.onNewConnectionId(ncid(sequence, rpt));
    sequence++;
    for (const s of retireFrames(p)) if (next() < 0.8) p.onRetireConnectionIdAcked(s); else p.onRetireConnectionIdLost(s);
    assert.ok(p.active().length <= 4);
    assert.ok(p.active().every((c) => c.sequence >= p.retirePriorTo));
    assert.ok(p.current().sequence >= p.retirePriorTo);
    if (next() < 0.1) p.rotate();
  }
});

test.run();
