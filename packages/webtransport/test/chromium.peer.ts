/**
 * Real-peer WebTransport tests: headless Chromium (Debian's package, driven by playwright-core
 * through scripts/peers/chromium/wt-client.mjs) runs every scenario of the browser contract
 * against our example server (examples/webtransport-server.ts, started as `npm start` would),
 * over loopback only. A second pass runs with Chromium's draft-07 switch
 * (`--enable-features=EnableWebTransportDraft07`) and reports the dialect the server saw.
 * Chromium is installed by scripts/peers/chromium/install.sh when missing; without apt-get the
 * tests are skipped with an UNSUPPORTED message. Not part of `npm test`: `npm run test:peers`.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const driver = join(root, 'scripts', 'peers', 'chromium', 'wt-client.mjs');

const install = spawnSync('bash', [join(root, 'scripts', 'peers', 'chromium', 'install.sh')], { encoding: 'utf8', timeout: 600_000 });
const unsupported = install.status === 2;
if (unsupported) console.log(`UNSUPPORTED: Chromium peer tests skipped: ${install.stderr.trim() || 'apt-get is not available'}`);
else if (install.status !== 0) throw new Error(`scripts/peers/chromium/install.sh failed (${install.status}): ${install.stderr}`);
const peerTest = unsupported ? test.skip : test;

/** The scenarios of the contract and the path of ours that has each behaviour. */
const SCENARIOS: readonly (readonly [string, string])[] = [
  ['connect', '/echo'], ['bidi-echo', '/echo'], ['uni', '/echo'], ['server-bidi', '/server-bidi'],
  ['datagram-echo', '/echo'], ['close', '/echo'], ['server-close', '/server-close'], ['many-streams', '/echo'],
  ['bulk', '/echo'], ['stats', '/echo'],
];

interface Server {
  readonly child: ChildProcess;
  readonly origin: string;
  readonly hash: string;
  readonly log: string[];
}

let server: Server | undefined;

/** Starts the example server on a free port and waits (at most 30 s) for its `listening` line. */
function startServer(): Promise<Server> {
  const child = spawn(process.execPath, [
    '--conditions=source', '--import', './scripts/register-ts.mjs', 'examples/webtransport-server.ts',
    '--port', '0', '--http-port', '0', '--host', '127.0.0.1', '--verbose',
  ], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const log: string[] = [];
  return new Promise((resolve, reject) => {
    let hash = '';
    let buffered = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the example server did not start within 30 s:\n${log.join('\n')}`));
    }, 30_000);
    child.stderr!.on('data', (c: Buffer) => log.push(c.toString().trimEnd()));
    child.stdout!.on('data', (c: Buffer) => {
      buffered += c.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) !== -1) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        log.push(line);
        const h = /SHA-256 \(base64\): (\S+)/.exec(line);
        if (h) hash = h[1]!;
        const l = /^listening (https:\/\/\S+)/.exec(line);
        if (l) {
          clearTimeout(timer);
          resolve({ child, origin: l[1]!, hash, log });
        }
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the example server exited (${code}):\n${log.join('\n')}`));
    });
  });
}

interface Result {
  ok: boolean;
  scenario: string;
  details: Record<string, unknown>;
  error: string | null;
  timings: Record<string, number>;
}

/** Runs one scenario in a fresh headless Chromium; the driver is killed (by PID) after 90 s. */
function runScenario(s: Server, scenario: string, path: string, flags: readonly string[] = []): Promise<Result> {
  return new Promise((resolve) => {
    const args = [driver, '--url', `${s.origin}${path}`, '--cert-hash', s.hash, '--scenario', scenario, '--timeout-ms', '20000', '--json'];
    for (const f of flags) args.push('--flag', f);
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.once('close', () => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as Result);
      } catch {
        resolve({ ok: false, scenario, details: {}, error: `no result from the driver: ${err.trim() || out.trim()}`, timings: {} });
      }
    });
  });
}

function report(tag: string, r: Result): void {
  const d = r.details;
  const extra = r.scenario === 'bulk' ? ` ${String(d['throughputMBps'])} MB/s`
    : r.scenario === 'datagram-echo' ? ` avgRtt ${String(d['avgRttMs'])} ms, lost rounds ${String(d['lostRounds'])}`
      : '';
  console.log(`chromium${tag} ${r.scenario}: ${r.ok ? 'pass' : `FAIL (${r.error})`}${extra}`);
}

test.before(async () => {
  if (!unsupported) server = await startServer();
});

test.after(() => {
  if (server !== undefined && server.child.exitCode === null) server.child.kill('SIGTERM');
});

for (const [scenario, path] of SCENARIOS) {
  peerTest(`Chromium ${scenario} against the example server (${path})`, async () => {
    const r = await runScenario(server!, scenario, path);
    report('', r);
    assert.ok(r.ok, `${scenario}: ${r.error ?? ''} ${JSON.stringify(r.details)}`);
  });
}

// Chromium's draft-07 code path, where the build has the switch: the same scenarios must pass;
// the server's log tells which dialect the browser actually negotiated.
const DRAFT07 = '--enable-features=EnableWebTransportDraft07';
for (const [scenario, path] of SCENARIOS) {
  peerTest(`Chromium (${DRAFT07}) ${scenario} against the example server`, async () => {
    const before = server!.log.length;
    const r = await runScenario(server!, scenario, path, [DRAFT07]);
    report(' draft07-switch', r);
    const seen = server!.log.slice(before).map((l) => /dialect=(\S+)/.exec(l)?.[1]).find((d) => d !== undefined);
    if (scenario === 'connect') console.log(`chromium draft07-switch: the server negotiated ${seen ?? 'nothing'}`);
    assert.ok(r.ok, `${scenario}: ${r.error ?? ''} ${JSON.stringify(r.details)}`);
  });
}

test.run();
