/**
 * The WebTransport bulk benchmark: headless Chromium (scripts/peers/chromium/wt-client.mjs,
 * scenario `bulk`: one bidirectional stream on `/echo`, `bytes` written in 64 KiB chunks while the
 * echo is read back) against our example server (examples/webtransport-server.ts, started as
 * `npm start` starts it) and, as the baseline measured in the same run, against the Deno reference
 * server (packages/webtransport/test/peers/deno/wt-server.ts: Deno's raw QUIC, quinn, under a
 * hand-written HTTP/3 + WebTransport layer). Both servers listen on loopback with one fresh
 * ECDSA P-256 certificate valid for 10 days, whose SHA-256 Chromium gets as
 * `serverCertificateHashes`.
 *
 * Each server takes one unreported warm-up transfer, then `runs` transfers each, alternating which
 * server goes first. Throughput = payload bytes / time from opening the stream to the last echoed
 * byte (the driver's `elapsedMs`); the server's CPU time per MB comes from /proc (Linux only).
 * Without Chromium (or playwright-core) or Deno, one record with `"skipped": true` and the reason.
 *
 * Run alone: node --conditions=source --import ./scripts/register-ts.mjs bench/webtransport-bulk.ts
 *   [--bytes N] [--runs N] [--cpu-prof-dir DIR] (profiles our server)
 * @module
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { emit, median, round, type BenchRecord } from './lib/report.ts';
import { stopByPid } from './lib/child.ts';

export interface WebTransportBulkOptions {
  /** Payload bytes per transfer (default 50 MB; bounded to 1 KB .. 200 MB). */
  readonly bytes?: number;
  /** Measured transfers per server (default 3; bounded to 1 .. 20). */
  readonly runs?: number;
  /** Extra Node flags for our server (e.g. --cpu-prof). */
  readonly nodeFlags?: readonly string[];
}

const BENCH = 'wt-bulk';
const WARMUP_BYTES = 2e6;
const root = fileURLToPath(new URL('..', import.meta.url));
const driver = join(root, 'scripts', 'peers', 'chromium', 'wt-client.mjs');
const denoServerScript = join(root, 'packages', 'webtransport', 'test', 'peers', 'deno', 'wt-server.ts');

const clamp = (x: number, lo: number, hi: number, fallback: number) => (Number.isFinite(x) ? Math.min(hi, Math.max(lo, Math.round(x))) : fallback);

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The browser binary, or why there is none usable. */
function findChromium(): { path: string } | { reason: string } {
  const path = process.env.CHROMIUM ?? '/usr/bin/chromium';
  if (!executable(path)) return { reason: `no Chromium at ${path} (scripts/peers/chromium/install.sh installs it)` };
  try {
    createRequire(driver).resolve('playwright-core');
  } catch {
    return { reason: 'playwright-core is not installed (npm install)' };
  }
  return { path };
}

/** The Deno binary: $DENO, the @deno platform package in node_modules, or `deno` on PATH. */
function findDeno(): { path: string; version: string } | { reason: string } {
  const platform = `${process.platform}-${process.arch}${process.platform === 'linux' ? '-glibc' : ''}`;
  const candidates = [process.env.DENO, join(root, 'node_modules', '@deno', platform, 'deno'), 'deno'].filter((c): c is string => !!c);
  for (const c of candidates) {
    if (c !== 'deno' && !existsSync(c)) continue;
    const r = spawnSync(c, ['--version'], { encoding: 'utf8', timeout: 20_000 });
    if (r.status === 0) return { path: c, version: /deno (\S+)/.exec(r.stdout)?.[1] ?? 'unknown' };
  }
  return { reason: 'no Deno binary ($DENO, node_modules/@deno or PATH; scripts/interop/install-deno.sh installs one)' };
}

/** CPU time (user + system) of a process in ms, from /proc; undefined elsewhere. */
let clockTicks: number | undefined;
function cpuMs(pid: number): number | undefined {
  try {
    clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields after the command name start at field 3 (state): utime is field 14, stime field 15.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
  } catch {
    return undefined;
  }
}

interface Server {
  readonly name: string;
  readonly pid: number;
  readonly url: string;
  /** Ends the server by its pid (SIGTERM, then SIGKILL after 5 s). */
  stop(): Promise<void>;
}

/** Starts a server process and waits (at most 30 s) for the stdout line `ready` recognises. */
function startServer(name: string, command: string, args: readonly string[], ready: (line: string) => string | undefined): Promise<Server> {
  const child: ChildProcess = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  const pid = child.pid;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const hasExited = () => child.exitCode !== null || child.signalCode !== null;
  const stop = async (): Promise<void> => {
    if (pid === undefined || hasExited()) return;
    await stopByPid(pid, exited, hasExited, 5000);
  };
  const stderr: string[] = [];
  child.stderr!.on('data', (c: Buffer) => {
    if (stderr.length < 50) stderr.push(c.toString());
  });
  return new Promise((resolve, reject) => {
    if (pid === undefined) {
      reject(new Error(`${name}: could not start ${command}`));
      return;
    }
    let done = false;
    const timer = setTimeout(() => {
      done = true;
      void stop();
      reject(new Error(`${name} did not start within 30 s: ${stderr.join('').trim()}`));
    }, 30_000);
    // Every line is read, so a server that keeps logging never blocks on a full pipe.
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (done) return;
      const url = ready(line);
      if (url === undefined) return;
      done = true;
      clearTimeout(timer);
      resolve({ name, pid, url, stop });
    });
    void exited.then(() => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      reject(new Error(`${name} exited before it was ready: ${stderr.join('').trim()}`));
    });
  });
}

function startOurs(certFile: string, keyFile: string, nodeFlags: readonly string[]): Promise<Server> {
  return startServer('our server', process.execPath, [
    ...nodeFlags, '--conditions=source', '--import', './scripts/register-ts.mjs', 'examples/webtransport-server.ts',
    '--port', '0', '--http-port', '0', '--host', '127.0.0.1', '--cert', certFile, '--key', keyFile, '--quiet',
  ], (line) => /^listening (https:\/\/\S+)/.exec(line)?.[1]);
}

function startDeno(deno: string, certFile: string, keyFile: string): Promise<Server> {
  return startServer('the Deno server', deno, [
    'run', '--unstable-net', '--allow-net', '--allow-read', denoServerScript,
    '--cert', certFile, '--key', keyFile, '--host', '127.0.0.1', '--port', '0', '--quiet',
  ], (line) => {
    try {
      const e = JSON.parse(line) as Record<string, unknown>;
      return e['event'] === 'ready' ? `https://127.0.0.1:${Number(e['port'])}` : undefined;
    } catch {
      return undefined;
    }
  });
}

interface BulkRun { mbPerSecond: number; ms: number; serverCpuMs: number | undefined; browser: string | undefined }

/** One Chromium `bulk` run against `server`; the driver is ended by its pid at the deadline. */
function bulkOnce(server: Server, chromium: string, hashBase64: string, bytes: number): Promise<BulkRun> {
  const timeoutMs = Math.round(20_000 + bytes / 1e3); // at least 1 MB/s
  const cpu0 = cpuMs(server.pid);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [
      driver, '--url', `${server.url}/echo`, '--cert-hash', hashBase64, '--scenario', 'bulk',
      '--bulk-bytes', String(bytes), '--timeout-ms', String(timeoutMs), '--chromium', chromium, '--json',
    ], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    }, timeoutMs + 30_000);
    child.once('close', (code) => {
      clearTimeout(timer);
      const cpu1 = cpuMs(server.pid);
      let r: { ok?: boolean; error?: string | null; browser?: string; details?: Record<string, unknown> };
      try {
        r = JSON.parse(out.trim().split('\n').pop() ?? '') as typeof r;
      } catch {
        reject(new Error(`${server.name}: no result from the Chromium driver (exit ${code}): ${(err || out).trim().slice(0, 500)}`));
        return;
      }
      const ms = Number(r.details?.['elapsedMs']);
      if (!r.ok || !(ms > 0)) {
        reject(new Error(`${server.name}: bulk failed: ${r.error ?? 'no elapsed time'}`));
        return;
      }
      resolve({
        mbPerSecond: bytes / 1e6 / (ms / 1000), ms,
        serverCpuMs: cpu0 !== undefined && cpu1 !== undefined ? cpu1 - cpu0 : undefined, browser: r.browser,
      });
    });
  });
}

function skipped(reason: string): BenchRecord {
  const rec: BenchRecord = { bench: BENCH, metric: 'skipped', value: 0, unit: '', skipped: true, reason };
  emit(rec);
  return rec;
}

/** Runs the benchmark and prints its records (never throws: a failure becomes a record). */
export async function runWebTransportBulk(options: WebTransportBulkOptions = {}): Promise<BenchRecord[]> {
  const bytes = clamp(options.bytes ?? 50e6, 1e3, 200e6, 50e6);
  const runs = clamp(options.runs ?? 3, 1, 20, 3);
  const chromium = findChromium();
  if ('reason' in chromium) return [skipped(chromium.reason)];
  const deno = findDeno();
  if ('reason' in deno) return [skipped(deno.reason)];

  const { generateSelfSignedCertificate } = await import('@quicts/quic-core');
  const { createNodeCryptoProvider } = await import('@quicts/quic-core/node');
  const cert = generateSelfSignedCertificate(createNodeCryptoProvider(), { now: Date.now(), validityDays: 10, names: ['localhost', '127.0.0.1'] });
  const hash = Buffer.from(cert.sha256).toString('base64');
  const dir = mkdtempSync(join(tmpdir(), 'quicts-wt-bulk-'));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  writeFileSync(certFile, cert.certificatePem);
  writeFileSync(keyFile, cert.privateKeyPem);

  let ours: Server | undefined;
  let theirs: Server | undefined;
  const out: BenchRecord[] = [];
  try {
    try {
      ours = await startOurs(certFile, keyFile, options.nodeFlags ?? []);
      theirs = await startDeno(deno.path, certFile, keyFile);
    } catch (e) {
      return [skipped(`a server did not start: ${e instanceof Error ? e.message : String(e)}`)];
    }
    const results = new Map<Server, BulkRun[]>([[ours, []], [theirs, []]]);
    const errors = new Map<Server, string[]>([[ours, []], [theirs, []]]);
    const once = async (s: Server, n: number, keep: boolean) => {
      try {
        const r = await bulkOnce(s, chromium.path, hash, n);
        if (keep) results.get(s)!.push(r);
      } catch (e) {
        errors.get(s)!.push(e instanceof Error ? e.message : String(e));
      }
    };
    await once(ours, Math.min(bytes, WARMUP_BYTES), false);
    await once(theirs, Math.min(bytes, WARMUP_BYTES), false);
    for (let i = 0; i < runs; i++) {
      const order = i % 2 === 0 ? [ours, theirs] : [theirs, ours];
      for (const s of order) await once(s, bytes, true);
    }

    const mine = results.get(ours)!;
    const base = results.get(theirs)!;
    const browser = [...mine, ...base].find((r) => r.browser)?.browser;
    const figures = (list: BulkRun[]) => list.map((r) => round(r.mbPerSecond));
    const cpuPerMb = (list: BulkRun[]) => {
      const xs = list.flatMap((r) => (r.serverCpuMs !== undefined ? [r.serverCpuMs / (bytes / 1e6)] : []));
      return xs.length ? round(median(xs)) : undefined;
    };
    const allErrors = [...errors.get(ours)!, ...errors.get(theirs)!];
    if (mine.length === 0) {
      const rec: BenchRecord = { bench: BENCH, metric: 'failed', value: 0, unit: '', reason: errors.get(ours)![0] ?? 'no run', errors: allErrors.slice(0, 5) };
      emit(rec);
      return [rec];
    }
    const baselineName = `Deno ${deno.version} reference server (quinn), MB/s`;
    const common = { bytes, client: `Chromium ${browser ?? 'unknown'} (headless)`, ...(allErrors.length ? { errors: allErrors.slice(0, 5) } : {}) };
    const throughput: BenchRecord = {
      bench: BENCH, metric: 'chromium_bulk_throughput', value: round(median(mine.map((r) => r.mbPerSecond))), unit: 'MB/s',
      ...(base.length ? { baseline: { name: baselineName, value: round(median(base.map((r) => r.mbPerSecond))) } } : {}),
      min: round(Math.min(...mine.map((r) => r.mbPerSecond))), max: round(Math.max(...mine.map((r) => r.mbPerSecond))),
      runs: figures(mine),
      ...(base.length
        ? { baseline_min: round(Math.min(...base.map((r) => r.mbPerSecond))), baseline_max: round(Math.max(...base.map((r) => r.mbPerSecond))), baseline_runs: figures(base) }
        : {}),
      ...common,
    };
    emit(throughput);
    out.push(throughput);
    const ourCpu = cpuPerMb(mine);
    const theirCpu = cpuPerMb(base);
    if (ourCpu !== undefined) {
      const cpu: BenchRecord = {
        bench: BENCH, metric: 'server_cpu_per_mb', value: ourCpu, unit: 'ms/MB',
        ...(theirCpu !== undefined ? { baseline: { name: `Deno ${deno.version} reference server (quinn), ms/MB`, value: theirCpu } } : {}),
        ...common,
      };
      emit(cpu);
      out.push(cpu);
    }
    return out;
  } finally {
    await ours?.stop();
    await theirs?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const prof = arg('--cpu-prof-dir');
  await runWebTransportBulk({
    bytes: Number(arg('--bytes') ?? 50e6),
    runs: Number(arg('--runs') ?? 3),
    ...(prof ? { nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${prof}`] } : {}),
  });
}
