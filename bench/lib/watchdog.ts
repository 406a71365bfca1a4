/**
 * A stall watchdog for benchmark processes (enabled with BENCH_WATCHDOG=1): a worker thread
 * watches a heartbeat the main thread bumps every 100 ms; when it stops for 3 s (the event loop
 * is stuck in a synchronous loop), the worker pauses the main thread through the inspector and
 * prints its JavaScript stack to stderr, then lets it run on.
 * @module
 */
import { Worker } from 'node:worker_threads';

const WORKER = `
const { workerData } = require('node:worker_threads');
const inspector = require('node:inspector');
const beat = new Int32Array(workerData.sab);
let last = -1;
let stale = 0;
setInterval(() => {
  const now = Atomics.load(beat, 0);
  if (now !== last) { last = now; stale = 0; return; }
  if (++stale !== 6) return;
  const s = new inspector.Session();
  s.connectToMainThread();
  s.on('Debugger.paused', (m) => {
    const frames = m.params.callFrames.map((f) => '  at ' + (f.functionName || '(anonymous)') + ' ' + f.url + ':' + (f.location.lineNumber + 1));
    process.stderr.write('event loop stalled; main thread stack:\\n' + frames.join('\\n') + '\\n');
    s.post('Debugger.resume', () => s.post('Debugger.disable', () => s.disconnect()));
  });
  s.post('Debugger.enable', () => s.post('Debugger.pause'));
}, 500).unref();
`;

export function startWatchdog(): void {
  if (!process.env.BENCH_WATCHDOG) return;
  const sab = new SharedArrayBuffer(4);
  const beat = new Int32Array(sab);
  const w = new Worker(WORKER, { eval: true, workerData: { sab } });
  w.unref();
  setInterval(() => Atomics.add(beat, 0, 1), 100).unref();
}
