import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bandwidth, corrupt, delay, duplicate, jitter, loss, mtu, reorder, type LinkElementSpec } from '@quicts/testkit';
import { runTransfer, type TransferResult } from './transfer-harness.ts';
import { blackhole, type Switch } from './link-elements.ts';

const MB = 1 << 20;

// At 30% loss each way, runs of lost PTO rounds back the probe timeout off past the default
// 30-second idle timeout now and then (RFC 9000 §10.1 closes the connection then, which is right);
// that case runs with a 2-minute idle timeout and a long simulated-time bound.
const conditions: ReadonlyArray<readonly [string, readonly LinkElementSpec[], number?]> = [
  ['a clean link', [delay(10)]],
  ['5% loss', [delay(10), loss(0.05)]],
  ['30% loss', [delay(10), loss(0.3)], 3_600_000],
  ['reordering', [delay(10), reorder({ rate: 0.1, delay: 5 }), jitter({ max: 4, reorder: true })]],
  ['duplication', [delay(10), duplicate({ rate: 0.1, delay: 3 })]],
  ['1% corruption', [delay(10), corrupt(0.01)]],
  ['a 1200-byte MTU', [delay(10), mtu(1200)]],
  ['a 50 Mbit/s bottleneck', [bandwidth({ bitsPerSecond: 50e6, queueBytes: 150_000 }), delay(10)]],
];

function checkResult(r: TransferResult, size: number): void {
  assert.is(r.received, size);
  // The flow-control audit (debugInvariants) checked every STREAM frame the client built.
  assert.ok(r.client.audit!.framesChecked >= Math.floor(size / 1500), 'every STREAM frame went through the audit');
  assert.is(r.client.state.kind, 'established');
}

for (const size of [MB, 20 * MB]) {
  for (const [name, link, maxTime] of conditions) {
    test(`${size / MB} MB arrive intact over ${name}`, () => {
      const r = runTransfer({ size, seed: 11, link, ...(maxTime ? { maxTime, transport: { maxIdleTimeout: 120_000 } } : {}) });
      checkResult(r, size);
    });
  }
}

test('a unidirectional stream with 5% loss each way on a different seed', () => {
  checkResult(runTransfer({ size: MB, seed: 12345, dir: 'uni', link: [delay(15), loss(0.05)] }), MB);
});

test('small flow-control windows bind the sender and are never exceeded (audited per frame)', () => {
  const transport = {
    initialMaxData: 48 * 1024, initialMaxStreamDataBidiLocal: 16 * 1024, initialMaxStreamDataBidiRemote: 16 * 1024,
    initialMaxStreamDataUni: 16 * 1024, maxStreamWindow: 32 * 1024, maxConnectionWindow: 64 * 1024,
  };
  const r = runTransfer({ size: 2 * MB, seed: 5, link: [delay(10), loss(0.05)], transport });
  checkResult(r, 2 * MB);
  // The windows, not the congestion window, limited the transfer: at most 32 KiB per round trip.
  assert.ok(r.duration > (2 * MB / (32 * 1024)) * 20, `took ${r.duration} ms`);
});

test('a 2-second blackhole in the middle of a transfer is survived', () => {
  const sw: Switch = { on: false };
  let started = -1;
  let ended = -1;
  const size = 4 * MB;
  const r = runTransfer({
    size, seed: 3, link: [blackhole(sw), delay(10)],
    onStep: ({ pair, received }) => {
      if (started < 0 && received >= size / 2) {
        sw.on = true;
        started = pair.now;
      } else if (sw.on && pair.now >= started + 2000) {
        sw.on = false;
        ended = pair.now;
      }
    },
  });
  checkResult(r, size);
  assert.ok(started > 0 && ended >= started + 2000, 'the blackhole happened mid-transfer');
  assert.ok(r.pair.stats('a').droppedBy.loss! > 0, 'datagrams were lost in the blackhole');
});

test.run();
