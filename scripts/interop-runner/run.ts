/**
 * The project's QUIC interop runner: each test case with our client against a peer's server and
 * the peer's client against our server (and ours against ours), through a loopback UDP relay that
 * applies the case's loss, corruption or blackhole, checked from the downloaded files and the
 * relay's datagram log. Prints a matrix and ends with `N passed, N failed`.
 *
 *   npm run interop -- --peer deno [--case handshake,transfer] [--direction ours-client,peer-client,ours-ours]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSelfSignedCertificate } from '@quicts/quic-core';
import { createNodeCryptoProvider } from '@quicts/quic-core/node';
import { CASES, all, expectHandshakes, versionOne, type TestCase } from './cases.ts';
import { Relay } from './relay.ts';
import { analyzeTrace } from './trace.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const crypto = createNodeCryptoProvider();

/** Whose client talks to whose server; 'peer-peer' checks the runner itself. */
type Direction = 'ours-client' | 'peer-client' | 'ours-ours' | 'peer-peer';
type Verdict = { result: 'PASS' | 'FAIL' | 'UNSUPPORTED'; reason: string; seconds: number };

interface Args {
  peer: string;
  cases: string[] | undefined;
  directions: Direction[];
  keep: boolean;
  /** Caps the number of files per case (quick local runs). */
  maxFiles: number | undefined;
  /** Overrides every case's timeout (seconds). */
  timeout: number | undefined;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { peer: 'deno', cases: undefined, directions: ['ours-client', 'peer-client', 'ours-ours'], keep: false, maxFiles: undefined, timeout: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--peer') args.peer = argv[++i]!;
    else if (a === '--case' || a === '--cases') args.cases = argv[++i]!.split(',');
    else if (a === '--direction' || a === '--directions') args.directions = argv[++i]!.split(',') as Direction[];
    else if (a === '--keep') args.keep = true;
    else if (a === '--files') args.maxFiles = Number(argv[++i]);
    else if (a === '--timeout') args.timeout = Number(argv[++i]);
    else throw new Error(`unknown argument ${a}`);
  }
  return args;
}

function denoBinary(): string {
  if (process.env.DENO) return process.env.DENO;
  const local = join(root, 'node_modules/@deno/linux-x64-glibc/deno');
  return existsSync(local) ? local : 'deno';
}

async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  const port = s.address().port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

interface Running {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  exit: Promise<number | null>;
}

function start(command: string, args: string[], env: Record<string, string>, cwd = root): Running {
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const r: Running = { child, stdout: '', stderr: '', exit: Promise.resolve(null) };
  child.stdout!.on('data', (d) => (r.stdout += d.toString()));
  child.stderr!.on('data', (d) => (r.stderr += d.toString()));
  r.exit = new Promise((resolve) => child.on('close', (code) => resolve(code)));
  return r;
}

async function stop(r: Running): Promise<void> {
  if (r.child.exitCode !== null || r.child.signalCode !== null) return;
  r.child.kill('SIGTERM');
  const killed = await Promise.race([r.exit.then(() => true), new Promise<boolean>((res) => setTimeout(() => res(false), 3000))]);
  if (!killed) r.child.kill('SIGKILL');
  await r.exit;
}

async function waitForListening(r: Running, ms: number): Promise<number | undefined> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const out = r.stdout + '\n' + r.stderr;
    const m = /listening\s+(?:on\s+)?(?:https?:\/\/)?\S*:(\d+)/i.exec(out);
    if (m) return Number(m[1]);
    if (r.child.exitCode !== null) return undefined;
    await new Promise((res) => setTimeout(res, 50));
  }
  return undefined;
}

async function withTimeout<T>(p: Promise<T>, seconds: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<'timeout'>((res) => (timer = setTimeout(() => res('timeout'), seconds * 1000)));
  const out = await Promise.race([p, t]);
  clearTimeout(timer);
  return out;
}

interface Workdir {
  dir: string;
  www: string;
  downloads: string;
  certs: string;
  keylog: string;
  qlog: string;
  files: Array<{ name: string; sha256: string; size: number }>;
  certHash: string;
}

function prepare(tc: TestCase): Workdir {
  const dir = mkdtempSync(join(tmpdir(), `interop-${tc.name}-`));
  const w: Workdir = {
    dir, www: join(dir, 'www'), downloads: join(dir, 'downloads'), certs: join(dir, 'certs'), keylog: join(dir, 'keys.log'),
    qlog: join(dir, 'qlog'), files: [], certHash: '',
  };
  for (const d of [w.www, w.downloads, w.certs, w.qlog]) mkdirSync(d, { recursive: true });
  for (const size of tc.files) {
    const name = randomBytes(6).toString('hex');
    const data = randomBytes(size);
    writeFileSync(join(w.www, name), data);
    w.files.push({ name, size, sha256: createHash('sha256').update(data).digest('hex') });
  }
  const cert = generateSelfSignedCertificate(crypto, { now: Date.now(), names: ['localhost', '127.0.0.1', '::1'], validityDays: 10 });
  writeFileSync(join(w.certs, 'cert.pem'), cert.certificatePem);
  writeFileSync(join(w.certs, 'priv.key'), cert.privateKeyPem);
  w.certHash = Buffer.from(cert.sha256).toString('base64');
  return w;
}

function checkFiles(w: Workdir): string | undefined {
  const got = new Set(readdirSync(w.downloads));
  for (const f of w.files) {
    if (!got.has(f.name)) return `missing ${f.name} (${w.files.length - [...w.files].filter((x) => got.has(x.name)).length} of ${w.files.length} missing)`;
    const data = readFileSync(join(w.downloads, f.name));
    if (data.length !== f.size) return `${f.name}: ${data.length} bytes, expected ${f.size}`;
    if (createHash('sha256').update(data).digest('hex') !== f.sha256) return `${f.name}: content differs`;
  }
  if (got.size !== w.files.length) return `unexpected extra files in downloads`;
  return undefined;
}

function oursServer(tc: TestCase, w: Workdir, port: number): Running {
  return start('bash', [join(root, 'scripts/interop-endpoint.sh')], {
    ROLE: 'server', TESTCASE: tc.serverCase, WWW: w.www, CERTS: w.certs, PORT: String(port), HOST: '127.0.0.1',
    SSLKEYLOGFILE: w.keylog, QLOGDIR: w.qlog,
  });
}

function oursClient(tc: TestCase, w: Workdir, relayPort: number): Running {
  const urls = w.files.map((f) => `https://127.0.0.1:${relayPort}/${f.name}`).join(' ');
  return start('bash', [join(root, 'scripts/interop-endpoint.sh')], {
    ROLE: 'client', TESTCASE: tc.clientCase, REQUESTS: urls, DOWNLOADS: w.downloads, CERTS: w.certs,
    SSLKEYLOGFILE: w.keylog, QLOGDIR: w.qlog,
  });
}

function denoServer(tc: TestCase, w: Workdir): Running {
  void tc;
  return start(denoBinary(), [
    'run', '--unstable-net', '-A', join(root, 'scripts/interop-runner/peers/deno/hq-server.ts'), '--host', '127.0.0.1', '--port', '0',
    '--cert', join(w.certs, 'cert.pem'), '--key', join(w.certs, 'priv.key'), '--www', w.www, '-q',
  ], {});
}

function denoClient(tc: TestCase, w: Workdir, relayPort: number): Running {
  const mode: string[] = [];
  switch (tc.mode ?? 'single') {
    case 'single': mode.push('--parallel'); break;
    case 'connection-per-file': mode.push('--connections', '1', '--parallel'); break;
    case 'resume': mode.push('--resume', '--connections', '1'); break;
    case 'zerortt': mode.push('--zero-rtt'); break;
  }
  const urls = w.files.map((f) => `https://127.0.0.1:${relayPort}/${f.name}`);
  return start(denoBinary(), [
    'run', '--unstable-net', '-A', join(root, 'scripts/interop-runner/peers/deno/hq-client.ts'), '--cert-hash', w.certHash,
    '--out', w.downloads, '-q', '--timeout', String(tc.timeout), ...mode, ...urls,
  ], {});
}

/** What the Deno peer cannot take part in, by direction. */
function denoUnsupported(tc: TestCase, dir: Direction): string | undefined {
  if (dir === 'ours-client' && tc.name === 'retry') return "Deno's QUIC server cannot be made to send Retry";
  if (tc.name === 'http3' && dir !== 'ours-ours') return "Deno's QUIC peer speaks hq-interop only (no HTTP/3)";
  if (dir === 'peer-client' && tc.name === 'keyupdate') return "Deno's QUIC client cannot be made to update keys (quinn does so after a random 10-999 packets)";
  return undefined;
}

async function runOne(tc: TestCase, dir: Direction, peer: string, keep: boolean): Promise<Verdict> {
  const began = Date.now();
  const verdict = (result: Verdict['result'], reason: string): Verdict => ({ result, reason, seconds: (Date.now() - began) / 1000 });
  if (peer === 'deno') {
    const why = denoUnsupported(tc, dir);
    if (why) return verdict('UNSUPPORTED', why);
  }
  const w = prepare(tc);
  let server: Running | undefined;
  let client: Running | undefined;
  let relay: Relay | undefined;
  try {
    let serverPort: number | undefined;
    if (dir === 'ours-client' || dir === 'peer-peer') {
      server = denoServer(tc, w);
      serverPort = await waitForListening(server, 20_000);
      if (serverPort === undefined) return verdict('FAIL', `peer server did not start: ${server.stderr.slice(-300)}`);
    } else {
      serverPort = await freeUdpPort();
      server = oursServer(tc, w, serverPort);
      const announced = await waitForListening(server, 10_000);
      if (server.child.exitCode === 127) return verdict('UNSUPPORTED', `our server does not support ${tc.serverCase}`);
      if (announced === undefined && server.child.exitCode !== null) return verdict('FAIL', `our server exited ${server.child.exitCode}: ${server.stderr.slice(-300)}`);
    }
    relay = new Relay({ server: { address: '127.0.0.1', port: serverPort }, seed: 1, ...tc.relay });
    const relayPort = await relay.start();
    const peerClient = dir === 'peer-client' || dir === 'peer-peer';
    client = peerClient ? denoClient(tc, w, relayPort) : oursClient(tc, w, relayPort);
    const code = await withTimeout(client.exit, tc.timeout);
    if (code === 'timeout') return verdict('FAIL', `client timed out after ${tc.timeout} s`);
    if (code === 127 && !peerClient) return verdict('UNSUPPORTED', `our client does not support ${tc.clientCase}`);
    if (code !== 0) return verdict('FAIL', `client exited ${code}: ${(client.stderr || client.stdout).trim().split('\n').slice(-3).join(' | ')}`);
    const filesProblem = checkFiles(w);
    if (filesProblem) return verdict('FAIL', filesProblem);
    const keylog = existsSync(w.keylog) ? readFileSync(w.keylog, 'utf8') : '';
    const facts = analyzeTrace(relay.log, crypto, keylog);
    if (keep) writeFileSync(join(w.dir, 'facts.json'), JSON.stringify(facts, (_k, v) => (v instanceof Set ? [...v] : v), 2));
    const problem = tc.check?.({ facts, ours: { client: !peerClient, server: dir === 'peer-client' || dir === 'ours-ours' } });
    if (problem) return verdict('FAIL', problem);
    return verdict('PASS', '');
  } catch (e) {
    return verdict('FAIL', `runner error: ${(e as Error).message}`);
  } finally {
    if (client) await stop(client);
    if (server) await stop(server);
    relay?.close();
    if (keep) {
      for (const [name, r] of [['client', client], ['server', server]] as const) {
        if (r) writeFileSync(join(w.dir, `${name}.log`), `${r.stdout}\n--- stderr ---\n${r.stderr}`);
      }
      if (relay) writeFileSync(join(w.dir, 'datagrams.jsonl'), relay.log.map((d) => JSON.stringify({ t: d.t, dir: d.dir, fate: d.fate, hex: Buffer.from(d.data).toString('hex') })).join('\n'));
      console.log(`kept ${w.dir}`);
    }
    if (!keep) rmSync(w.dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.peer !== 'deno') throw new Error(`unknown peer ${args.peer} (available: deno)`);
  const cases = CASES.filter((c) => !args.cases || args.cases.includes(c.name)).map((c) => (args.timeout ? { ...c, timeout: args.timeout } : c)).map((c) => {
    if (args.maxFiles === undefined || c.files.length <= args.maxFiles) return c;
    const files = c.files.slice(0, args.maxFiles);
    // A case that counts handshakes counts one per file.
    return c.mode === 'connection-per-file' ? { ...c, files, check: all(expectHandshakes(files.length), versionOne) } : { ...c, files };
  });
  const names: Record<Direction, string> = {
    'ours-client': `ours->${args.peer}`, 'peer-client': `${args.peer}->ours`, 'ours-ours': 'ours->ours', 'peer-peer': `${args.peer}->${args.peer}`,
  };
  const header = ['case', ...args.directions.map((d) => names[d])];
  console.log(`interop: peer ${args.peer}; a->b means a's client against b's server`);
  let passed = 0;
  let failed = 0;
  const rows: string[][] = [];
  for (const tc of cases) {
    const row = [tc.name];
    for (const dir of args.directions) {
      const v = await runOne(tc, dir, args.peer, args.keep);
      console.log(`${v.result.padEnd(11)} ${tc.name.padEnd(20)} ${header[args.directions.indexOf(dir) + 1]!.padEnd(14)} ${v.seconds.toFixed(1)}s${v.reason ? `  ${v.reason}` : ''}`);
      row.push(v.result);
      if (v.result === 'PASS') passed++;
      else if (v.result === 'FAIL') failed++;
    }
    rows.push(row);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  console.log('');
  console.log(header.map((h, i) => h.padEnd(widths[i]!)).join('  '));
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join('  '));
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

await main();
