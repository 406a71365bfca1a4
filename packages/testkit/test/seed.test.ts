import { test } from 'uvu';
import * as assert from 'uvu/assert';
import process from 'node:process';
import { envSeed, seedHint, withSeed } from '@quicts/testkit';

test('withSeed returns the result and passes the seed', () => {
  assert.is(withSeed(5, (s) => s * 2), 10);
});

test('withSeed names the seed in a failing error', () => {
  const original = console.error;
  const printed: string[] = [];
  console.error = (...args: unknown[]) => void printed.push(args.join(' '));
  try {
    assert.throws(() => withSeed(1234, () => { throw new Error('boom'); }), (e: unknown) => e instanceof Error && /boom \[seed=1234 \(replay with SIM_SEED=1234\)\]/.test(e.message));
  } finally {
    console.error = original;
  }
  assert.ok(printed.some((line) => line.includes('SIM_SEED=1234')));
  assert.is(seedHint(9), 'seed=9 (replay with SIM_SEED=9)');
});

test('withSeed also reports rejected promises', async () => {
  const original = console.error;
  console.error = () => {};
  try {
    await withSeed(77, async () => { throw new Error('late'); });
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error).message, 'SIM_SEED=77');
  } finally {
    console.error = original;
  }
});

test('envSeed reads SIM_SEED, else the fallback, else a random seed', () => {
  const saved = process.env['SIM_SEED'];
  try {
    process.env['SIM_SEED'] = '4242';
    assert.is(envSeed(1), 4242);
    process.env['SIM_SEED'] = 'nope';
    assert.throws(() => envSeed(), RangeError);
    delete process.env['SIM_SEED'];
    assert.is(envSeed(17), 17);
    const s = envSeed();
    assert.ok(Number.isSafeInteger(s) && s >= 0);
  } finally {
    if (saved === undefined) delete process.env['SIM_SEED'];
    else process.env['SIM_SEED'] = saved;
  }
});

test.run();
