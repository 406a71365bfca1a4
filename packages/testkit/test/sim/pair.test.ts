import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  Pair, SimulationError, delay, jitter, loss, reorder, duplicate, corrupt, bandwidth, mtu,
} from '@quicts/testkit';
import type { SimEndpoint, SimTransmit, TraceEvent } from '@quicts/testkit';
import { Echo, IdleTimer, Pinger, Recorder, Ticker, numbered } from './toys.ts';

test('without link elements datagrams arrive at the instant they are sent, with the path', () => {
  const a = new Pinger({ count: 3, interval: 7 });
  const b = new Recorder();
  const pair = new Pair<Recorder>({ a, b });
  pair.drive();
  assert.equal(b.arrivals.map((x) => [x.time, x.seq]), [[0, 0], [7, 1], [14, 2]]);
  assert.equal(b.arrivals[0]!.path, { local: { address: '127.0.0.2', port: 4433 }, remote: { address: '127.0.0.1', port: 50000 } });
  assert.equal(b.arrivals[0]!.data, numbered(0, 100));
});

test('a 30 s idle timer fires at exactly t=30000 without taking real time', () => {
  const started = performance.now();
  const a = new IdleTimer(30_000);
  const b = new Recorder();
  const pair = new Pair<Recorder>({ a, b });
  const steps = pair.drive();
  assert.is(a.firedAt, 30_000);
  assert.is(pair.now, 30_000);
  assert.is(steps, 1);
  assert.is(a.handleTimeoutCalls, 1);
  assert.ok(performance.now() - started < 500);
});

test('receiving resets a peer idle timer: it fires 30 s after the last datagram', () => {
  const a = new Pinger({ count: 5, interval: 1000 });
  const b = new IdleTimer(30_000);
  const pair = new Pair<Recorder>({ a, b, link: [delay(50)] });
  pair.drive();
  assert.is(b.firedAt, 4050 + 30_000);
});

test('datagrams due at the same instant as a timer are delivered first', () => {
  const a = new Pinger({ count: 1, start: 0 });
  const b = new IdleTimer(100);
  const pair = new Pair<Recorder>({ a, b, link: [delay(100)] });
  pair.drive();
  // The datagram arrives at t=100, when the timer was due: it resets the timer instead.
  assert.is(b.firedAt, 200);
});

test('run() stops when its condition holds', () => {
  const a = new Pinger({ count: 100, interval: 10 });
  const b = new Recorder();
  const pair = new Pair<Recorder>({ a, b, link: [delay(5)] });
  pair.run({ until: () => b.arrivals.length === 10 });
  assert.is(b.arrivals.length, 10);
  assert.is(pair.now, 95);
  pair.drive();
  assert.is(b.arrivals.length, 100);
});

test('run() bounds throw a SimulationError naming the seed', () => {
  const forever = (): Pair<Recorder> => new Pair<Recorder>({ a: new Ticker(), b: new Recorder(), seed: 31337 });
  const named = (e: unknown): boolean => e instanceof SimulationError && e.seed === 31337 && /seed=31337/.test(e.message) && /SIM_SEED=31337/.test(e.message);
  assert.throws(() => forever().drive({ maxSteps: 50 }), (e: unknown) => named(e) && /maxSteps=50/.test((e as Error).message));
  assert.throws(() => forever().drive({ maxTime: 1000 }), (e: unknown) => named(e) && /maxTime=1000/.test((e as Error).message));
  const quiet = new Pair<Recorder>({ a: new Recorder(), b: new Recorder(), seed: 31337 });
  assert.throws(() => quiet.run({ until: () => false }), (e: unknown) => named(e) && /idle/.test((e as Error).message));
  // The maxTime bound never moves the clock past it.
  const p = forever();
  try { p.drive({ maxTime: 1000 }); } catch { /* expected */ }
  assert.ok(p.now <= 1000);
});

test('step() returns false when idle, and advance() leaves the clock exactly at its target', () => {
  const pair = new Pair<Recorder>({ a: new Pinger({ count: 2, interval: 40 }), b: new Recorder(), link: [delay(15)] });
  assert.is(pair.advance(50), 2); // sent at 0 before any step; steps: arrival at 15, send at 40
  assert.is(pair.now, 50);
  assert.is(pair.link('a').inFlight, 1);
  pair.drive();
  assert.is(pair.now, 55);
  assert.not.ok(pair.step());
});

test('holdOutbound and deliver reorder datagrams by hand', () => {
  const a = new Pinger({ count: 4 });
  const b = new Recorder();
  const pair = new Pair<Recorder>({ a, b, link: [delay(10)] });
  pair.holdOutbound('a');
  pair.drive();
  assert.is(b.arrivals.length, 0);
  assert.is(pair.held('a').length, 4);
  pair.deliver('a', [3, 1]);
  pair.drive();
  assert.equal(b.seqs, [3, 1]);
  pair.discardHeld('a', [1]);
  assert.equal(pair.held('a').map((d) => d[3]), [0]);
  pair.holdOutbound('a', false);
  pair.deliver('a');
  pair.drive();
  assert.equal(b.seqs, [3, 1, 0]);
  assert.equal(pair.stats('a').droppedBy, { held: 1 });
  assert.throws(() => pair.deliver('a', [0]), RangeError);
});

test('the link copies what endpoints send: reusing a transmit buffer does not change datagrams in flight', () => {
  class Reuser implements SimEndpoint {
    readonly buf = new Uint8Array(4);
    sent = 0;
    receive(): void {}
    handleTimeout(): void {}
    nextTimeout(): number | undefined { return undefined; }
    pollTransmit(): SimTransmit | null {
      if (this.sent === 3) return null;
      this.buf.fill(++this.sent);
      return { data: this.buf };
    }
  }
  const b = new Recorder();
  const pair = new Pair<SimEndpoint, Recorder>({ a: new Reuser(), b, link: [delay(1)] });
  pair.drive();
  assert.equal(b.arrivals.map((x) => x.data[0]), [1, 2, 3]);
});

test('echo over a lossy link: stats add up in both directions', () => {
  const a = new Pinger({ count: 2000, interval: 1 });
  const b = new Echo();
  const pair = new Pair<Recorder>({ a, b, link: [delay(20), loss(0.05)], seed: 4 });
  pair.drive();
  const ab = pair.stats('a');
  const ba = pair.stats('b');
  assert.is(ab.sent, 2000);
  assert.is(ab.delivered, b.arrivals.length);
  assert.is(ba.sent, b.arrivals.length);
  assert.is(ba.delivered, a.arrivals.length);
  assert.is(ab.sent, ab.delivered + ab.dropped);
  assert.is(ba.sent, ba.delivered + ba.dropped);
  assert.is(ab.bytesSent, 2000 * 100);
  for (const arr of a.arrivals) assert.is(arr.time, a.sendTimes[arr.seq]! + 40);
});

function tracedRun(seed: number): { trace: TraceEvent[]; arrivals: Array<[number, number, string]> } {
  const a = new Pinger({ count: 300, interval: 2, size: 200 });
  const b = new Echo();
  const link = [mtu(1500), loss(0.05), bandwidth(2_000_000), delay(10), jitter({ max: 5, reorder: true }), reorder(0.05), duplicate(0.03), corrupt(0.02)];
  const pair = new Pair<Recorder>({ a, b, link, seed, trace: true });
  pair.drive();
  return { trace: pair.trace, arrivals: a.arrivals.map((x) => [x.time, x.seq, Array.from(x.data.subarray(0, 16)).join(',')]) };
}

test('determinism: the same seed gives identical traces; another seed does not', () => {
  const one = tracedRun(2718);
  const two = tracedRun(2718);
  assert.ok(one.trace.length > 1000);
  assert.equal(two.trace, one.trace);
  assert.equal(two.arrivals, one.arrivals);
  assert.not.equal(tracedRun(2719).trace, one.trace);
  const kinds = new Set(one.trace.map((e) => e.event));
  for (const k of ['send', 'deliver', 'drop', 'duplicate', 'corrupt', 'timeout']) assert.ok(kinds.has(k as TraceEvent['event']), k);
});

test('configuring one direction does not change the other direction\'s randomness', () => {
  const lostBy = (bToA: Parameters<typeof loss>[0]): number[] => {
    const a = new Pinger({ count: 1000, interval: 1 });
    const b = new Recorder();
    const pair = new Pair<Recorder>({ a, b, aToB: [loss(0.2)], bToA: [loss(bToA)], seed: 5 });
    pair.drive();
    return b.seqs;
  };
  assert.equal(lostBy(0), lostBy(0.7));
});

test('a custom path type is passed through to receive', () => {
  interface MyPath { id: string }
  const seen: string[] = [];
  const endpoint = (): SimEndpoint<MyPath> => ({
    receive: (_d, path) => void seen.push(path.id),
    handleTimeout: () => {},
    nextTimeout: () => undefined,
    pollTransmit: () => null,
  });
  const pair = new Pair<SimEndpoint<MyPath>, SimEndpoint<MyPath>, MyPath>({ a: endpoint(), b: endpoint(), pathA: { id: 'to-a' }, pathB: { id: 'to-b' } });
  pair.inject('a', new Uint8Array(1));
  pair.inject('b', new Uint8Array(1));
  pair.drive();
  assert.equal(seen, ['to-b', 'to-a']);
});

test('an endpoint that never stops sending is caught', () => {
  const flood: SimEndpoint = {
    receive: () => {},
    handleTimeout: () => {},
    nextTimeout: () => undefined,
    pollTransmit: () => ({ data: new Uint8Array(1) }),
  };
  const pair = new Pair<SimEndpoint>({ a: flood, b: new Recorder(), maxTransmitsPerPoll: 1000, seed: 8 });
  assert.throws(() => pair.drive(), (e: unknown) => e instanceof SimulationError && /1000 datagrams/.test(e.message) && /seed=8/.test(e.message));
});

test.run();
