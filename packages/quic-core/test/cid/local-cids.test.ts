import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SeededRandom } from '@quicts/testkit';
import { TransportError, TransportErrorCode, FrameType, bytesEqual, type NewConnectionIdFrame } from '@quicts/quic-core';
import {
  LocalConnectionIds, createConnectionIdGenerator, connectionIdKey, type LocalCidEvent,
} from '../../src/cid/index.ts';

function setup(options: { length?: number; maxActive?: number; seed?: number; isUnused?: (cid: Uint8Array) => boolean } = {}) {
  const rng = new SeededRandom(options.seed ?? 1);
  const generator = createConnectionIdGenerator(options.length ?? 8, (n) => rng.bytes(n));
  const resetToken = (cid: Uint8Array): Uint8Array => {
    const t = new Uint8Array(16);
    t.set(cid.subarray(0, 16));
    t[15] = 0xee;
    return t;
  };
  const initialCid = generator.generate();
  const cids = new LocalConnectionIds({
    generator, resetToken, initialCid,
    ...(options.maxActive === undefined ? {} : { maxActive: options.maxActive }),
    ...(options.isUnused === undefined ? {} : { isUnused: options.isUnused }),
  });
  return { cids, initialCid, generator };
}

function drainEvents(cids: LocalConnectionIds): LocalCidEvent[] {
  const out: LocalCidEvent[] = [];
  for (let e = cids.pollEvent(); e !== null; e = cids.pollEvent()) out.push(e);
  return out;
}

function drainFrames(cids: LocalConnectionIds): NewConnectionIdFrame[] {
  const out: NewConnectionIdFrame[] = [];
  for (let f = cids.pollNewConnectionIdFrame(); f !== null; f = cids.pollNewConnectionIdFrame()) out.push(f);
  return out;
}

function isViolation(code: number) {
  return (e: unknown) => e instanceof TransportError && e.code === code && e.frameType === FrameType.RETIRE_CONNECTION_ID;
}

test('generator: configured length, 0..20, fresh bytes each time', () => {
  const rng = new SeededRandom(7);
  for (const length of [0, 1, 4, 8, 20]) {
    const g = createConnectionIdGenerator(length, (n) => rng.bytes(n));
    const a = g.generate();
    const b = g.generate();
    assert.is(a.length, length);
    if (length >= 4) assert.not.ok(bytesEqual(a, b));
  }
  for (const bad of [-1, 21, 1.5]) assert.throws(() => createConnectionIdGenerator(bad, (n) => rng.bytes(n)), RangeError);
  assert.throws(() => createConnectionIdGenerator(8, () => new Uint8Array(3)).generate(), RangeError);
  assert.is(connectionIdKey(Uint8Array.of(0xab, 0x01)), 'ab01');
});

test('sequence 0 is the initial CID, announced as added, with no frame to send', () => {
  const { cids, initialCid } = setup();
  assert.is(cids.nextSequence, 1);
  assert.ok(bytesEqual(cids.get(0)!.cid, initialCid));
  const events = drainEvents(cids);
  assert.is(events.length, 1);
  assert.is(events[0]!.kind, 'added');
  assert.is(events[0]!.sequence, 0);
  assert.not.ok(cids.hasPendingFrames);
});

test('initial CID must have the generator length', () => {
  const generator = createConnectionIdGenerator(8, (n) => new Uint8Array(n));
  assert.throws(() => new LocalConnectionIds({ generator, resetToken: () => new Uint8Array(16), initialCid: new Uint8Array(4) }), RangeError);
});

test('nothing is issued before the peer limit is known', () => {
  const { cids } = setup();
  assert.is(cids.replenish(), 0);
  assert.not.ok(cids.hasPendingFrames);
});

test('issues up to the peer active_connection_id_limit, counting sequence 0 (RFC 9000 §5.1.1)', () => {
  const { cids } = setup();
  drainEvents(cids);
  cids.setPeerLimit(4);
  assert.is(cids.replenish(), 3);
  assert.is(cids.replenish(), 0, 'already at the limit');
  const frames = drainFrames(cids);
  assert.equal(frames.map((f) => f.sequence), [1, 2, 3]);
  for (const f of frames) {
    assert.is(f.retirePriorTo, 0);
    assert.is(f.connectionId.length, 8);
    assert.ok(bytesEqual(f.statelessResetToken, cids.get(f.sequence)!.resetToken!));
  }
  assert.equal(drainEvents(cids).map((e) => [e.kind, e.sequence]), [['added', 1], ['added', 2], ['added', 3]]);
  assert.is(cids.active().length, 4);
});

test('maxActive caps issuance below a generous peer limit', () => {
  const { cids } = setup({ maxActive: 3 });
  cids.setPeerLimit(100);
  assert.is(cids.replenish(), 2);
  assert.is(cids.active().length, 3);
});

test('peer limits below 2 are rejected (RFC 9000 §18.2)', () => {
  const { cids } = setup();
  for (const bad of [0, 1, -1, 2.5]) assert.throws(() => cids.setPeerLimit(bad), RangeError);
});

test('issued CIDs are unique and distinct from the ones the endpoint uses elsewhere', () => {
  const taken = new Set<string>();
  let rejections = 0;
  const { cids } = setup({
    isUnused: (cid) => {
      // Reject every other candidate as if another connection used it.
      if (rejections++ % 2 === 0) {
        taken.add(connectionIdKey(cid));
        return false;
      }
      return true;
    },
  });
  cids.setPeerLimit(8);
  cids.replenish();
  const keys = cids.active().map((c) => connectionIdKey(c.cid));
  assert.is(new Set(keys).size, keys.length);
  for (const k of keys.slice(1)) assert.not.ok(taken.has(k));
});

test('issuing stops when no unused CID can be found', () => {
  const { cids } = setup({ isUnused: () => false });
  cids.setPeerLimit(4);
  assert.is(cids.replenish(), 0);
});

test('RETIRE_CONNECTION_ID retires, emits a routing event and issues a replacement', () => {
  const { cids, initialCid } = setup();
  cids.setPeerLimit(3);
  cids.replenish();
  drainFrames(cids);
  drainEvents(cids);
  const packetDcid = cids.get(1)!.cid;
  cids.onRetireConnectionId(0, packetDcid);
  const events = drainEvents(cids);
  assert.is(events[0]!.kind, 'retired');
  assert.is(events[0]!.sequence, 0);
  assert.ok(bytesEqual(events[0]!.cid, initialCid));
  assert.equal(events.slice(1).map((e) => [e.kind, e.sequence]), [['added', 3]]);
  assert.equal(drainFrames(cids).map((f) => f.sequence), [3]);
  assert.is(cids.get(0), undefined);
  assert.is(cids.active().length, 3);
});

test('retiring an already retired sequence is a harmless repeat', () => {
  const { cids } = setup();
  cids.setPeerLimit(2);
  cids.replenish();
  const dcid = cids.get(1)!.cid;
  cids.onRetireConnectionId(0, dcid);
  drainEvents(cids);
  cids.onRetireConnectionId(0, dcid);
  assert.equal(drainEvents(cids), []);
});

test('retiring a sequence never issued is PROTOCOL_VIOLATION (RFC 9000 §19.16)', () => {
  const { cids } = setup();
  cids.setPeerLimit(2);
  cids.replenish();
  assert.throws(() => cids.onRetireConnectionId(2, new Uint8Array(8)), isViolation(TransportErrorCode.PROTOCOL_VIOLATION));
  assert.throws(() => cids.onRetireConnectionId(1_000_000, new Uint8Array(8)), isViolation(TransportErrorCode.PROTOCOL_VIOLATION));
});

test('retiring the CID the packet was sent to is PROTOCOL_VIOLATION (RFC 9000 §19.16)', () => {
  const { cids } = setup();
  cids.setPeerLimit(2);
  cids.replenish();
  drainFrames(cids);
  const dcid = cids.get(1)!.cid;
  assert.throws(() => cids.onRetireConnectionId(1, dcid), isViolation(TransportErrorCode.PROTOCOL_VIOLATION));
  assert.ok(cids.get(1), 'still active');
});

test('any RETIRE_CONNECTION_ID with zero-length CIDs is PROTOCOL_VIOLATION, and none are issued', () => {
  const { cids } = setup({ length: 0 });
  assert.ok(cids.zeroLength);
  assert.is(cids.get(0)!.resetToken, undefined);
  cids.setPeerLimit(8);
  assert.is(cids.replenish(), 0);
  assert.throws(() => cids.onRetireConnectionId(0, new Uint8Array(0)), isViolation(TransportErrorCode.PROTOCOL_VIOLATION));
});

test('a lost NEW_CONNECTION_ID is queued again, once, unless its CID was retired', () => {
  const { cids } = setup();
  cids.setPeerLimit(3);
  cids.replenish();
  drainFrames(cids);
  cids.onNewConnectionIdLost(1);
  cids.onNewConnectionIdLost(1);
  cids.onNewConnectionIdLost(2);
  assert.equal(drainFrames(cids).map((f) => f.sequence), [1, 2]);
  cids.onRetireConnectionId(2, cids.get(1)!.cid);
  drainFrames(cids);
  cids.onNewConnectionIdLost(2);
  assert.equal(drainFrames(cids), [], 'retired: not resent');
  cids.onNewConnectionIdLost(99);
  assert.not.ok(cids.hasPendingFrames);
});

test('a requeued frame whose CID the peer retires meanwhile is skipped', () => {
  const { cids } = setup();
  cids.setPeerLimit(3);
  cids.replenish();
  drainFrames(cids);
  cids.onNewConnectionIdLost(1);
  cids.onRetireConnectionId(1, cids.get(0)!.cid);
  assert.equal(drainFrames(cids).map((f) => f.sequence), [3], 'only the replacement');
});

test('retiring a sequence issued but not yet sent is PROTOCOL_VIOLATION (RFC 9000 §19.16)', () => {
  const { cids } = setup();
  cids.setPeerLimit(3);
  cids.replenish();
  assert.throws(() => cids.onRetireConnectionId(1, cids.get(0)!.cid), isViolation(TransportErrorCode.PROTOCOL_VIOLATION));
  cids.pollNewConnectionIdFrame();
  cids.onRetireConnectionId(1, cids.get(0)!.cid);
  assert.throws(() => cids.onRetireConnectionId(2, cids.get(0)!.cid), isViolation(TransportErrorCode.PROTOCOL_VIOLATION));
});

test('requestRetirement raises Retire Prior To and issues replacements (RFC 9000 §5.1.2)', () => {
  const { cids } = setup();
  cids.setPeerLimit(3);
  cids.replenish();
  drainFrames(cids);
  assert.ok(cids.requestRetirement(3));
  assert.is(cids.retirePriorTo, 3);
  const frames = drainFrames(cids);
  assert.equal(frames.map((f) => [f.sequence, f.retirePriorTo]), [[3, 3], [4, 3], [5, 3]]);
  assert.ok(cids.retirementOutstanding());
  assert.not.ok(cids.requestRetirement(6), 'not again before the previous one is honoured');
  // Six active for a moment: allowed because the frames retire the excess (§5.1.1).
  assert.is(cids.active().length, 6);
  const dcid = cids.get(4)!.cid;
  for (const s of [0, 1, 2]) cids.onRetireConnectionId(s, dcid);
  assert.not.ok(cids.retirementOutstanding());
  assert.is(cids.active().length, 3);
  assert.equal(drainFrames(cids), [], 'no replacement needed: the peer holds three');
  assert.ok(cids.requestRetirement(4));
});

test('requestRetirement refuses values that do not raise or exceed what was issued', () => {
  const { cids } = setup();
  assert.not.ok(cids.requestRetirement(1), 'peer limit unknown');
  cids.setPeerLimit(2);
  cids.replenish();
  assert.not.ok(cids.requestRetirement(0));
  assert.not.ok(cids.requestRetirement(3));
  assert.ok(cids.requestRetirement(2));
});

test('a resent frame never carries Retire Prior To above its own sequence', () => {
  const { cids } = setup();
  cids.setPeerLimit(3);
  cids.replenish();
  drainFrames(cids);
  cids.requestRetirement(3);
  drainFrames(cids);
  cids.onNewConnectionIdLost(2);
  const [f] = drainFrames(cids);
  assert.is(f!.sequence, 2);
  assert.is(f!.retirePriorTo, 2);
});

test('forgetAll retires every active CID for the routing table', () => {
  const { cids } = setup();
  cids.setPeerLimit(3);
  cids.replenish();
  drainEvents(cids);
  cids.forgetAll();
  assert.equal(drainEvents(cids).map((e) => [e.kind, e.sequence]), [['retired', 0], ['retired', 1], ['retired', 2]]);
  assert.equal(cids.active(), []);
  assert.not.ok(cids.hasPendingFrames);
});

test('sequenceOf finds active CIDs only', () => {
  const { cids, initialCid } = setup();
  cids.setPeerLimit(2);
  cids.replenish();
  assert.is(cids.sequenceOf(initialCid), 0);
  cids.onRetireConnectionId(0, cids.get(1)!.cid);
  assert.is(cids.sequenceOf(initialCid), undefined);
});

test('a long random issue/retire sequence keeps the invariants', () => {
  const rng = new SeededRandom(42);
  const { cids } = setup({ seed: 3 });
  cids.setPeerLimit(5);
  cids.replenish();
  for (let step = 0; step < 2000; step++) {
    drainFrames(cids);
    const active = cids.active();
    const victim = active[rng.int(active.length)]!;
    const other = active.find((c) => c.sequence !== victim.sequence)!;
    cids.onRetireConnectionId(victim.sequence, other.cid);
    assert.is(cids.active().length, 5);
    const seqs = cids.active().map((c) => c.sequence);
    assert.is(Math.max(...seqs), cids.nextSequence - 1);
  }
  assert.is(cids.nextSequence, 2005);
});

test.run();
