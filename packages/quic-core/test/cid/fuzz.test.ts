import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { TransportError, type NewConnectionIdFrame } from '@quicts/quic-core';
import { LocalConnectionIds, PeerConnectionIds, createConnectionIdGenerator } from '../../src/cid/index.ts';

const frameArb: fc.Arbitrary<NewConnectionIdFrame> = fc.record({
  type: fc.constant('newConnectionId' as const),
  sequence: fc.nat(12),
  retirePriorTo: fc.nat(12),
  connectionId: fc.uint8Array({ minLength: 1, maxLength: 3 }),
  statelessResetToken: fc.uint8Array({ minLength: 16, maxLength: 16 }).map((t) => { t[0] = t[0]! & 3; return t; }),
});

test('peer CIDs: arbitrary NEW_CONNECTION_ID streams throw only TransportError and keep invariants until then', () => {
  fc.assert(fc.property(fc.array(frameArb, { maxLength: 40 }), fc.nat(3), (frames, extra) => {
    const limit = 2 + extra;
    const p = new PeerConnectionIds({ initialCid: Uint8Array.of(0xff, 0xff, 0xff, 0xff), activeLimit: limit });
    for (const f of frames) {
      try {
        p.onNewConnectionId(f);
      } catch (e) {
        assert.instance(e, TransportError);
        return;
      }
      assert.ok(p.active().length <= limit);
      assert.ok(p.active().some((c) => c.sequence === p.current().sequence));
      for (let r = p.pollRetireConnectionIdFrame(); r !== null; r = p.pollRetireConnectionIdFrame()) p.onRetireConnectionIdAcked(r.sequence);
    }
  }), { numRuns: 500 });
});

test('local CIDs: arbitrary RETIRE_CONNECTION_ID streams throw only TransportError; the pool refills', () => {
  let n = 0;
  const generator = createConnectionIdGenerator(4, (len) => Uint8Array.from({ length: len }, (_, i) => (++n * 13 + i) & 0xff));
  fc.assert(fc.property(fc.array(fc.tuple(fc.nat(30), fc.nat(30)), { maxLength: 60 }), (ops) => {
    const cids = new LocalConnectionIds({ generator, resetToken: (c) => new Uint8Array(16).fill(c[0]!), initialCid: generator.generate() });
    cids.setPeerLimit(3);
    cids.replenish();
    for (const [sequence, dcidSeq] of ops) {
      while (cids.pollNewConnectionIdFrame() !== null) { /* sent */ }
      const dcid = cids.get(dcidSeq)?.cid ?? Uint8Array.of(0, 0, 0, 0);
      try {
        cids.onRetireConnectionId(sequence, dcid);
      } catch (e) {
        assert.instance(e, TransportError);
        continue;
      }
      assert.is(cids.active().length, 3);
    }
  }), { numRuns: 300 });
});

test.run();
