/**
 * The project's QUIC interop runner: each test case with our client against a peer's server and
 * the peer's client against our server (and ours against ours), through a loopback UDP relay that
 * applies the case's loss, corruption or blackhole, checked from the downloaded files and the
 * relay's datagram log. Prints a matrix and ends with `N passed, N failed`.
 *
 * Peers (peers/): deno (hq-interop) and ngtcp2 (h3; our endpoint then runs every case over h3).
 *
 *   npm run interop -- --peer deno|ngtcp2 [--case handshake,transfer] [--direction ours-client,peer-client,ours-ours]
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSelfSignedCertificate } from '@quicts/quic-core';
import { createNodeCryptoProvider } from '@quicts/quic-core/node';
import { CASES, all, expectHandshakesPerFile, versionOne, type TestCase } from './cases.ts';
import { denoPeer } from './peers/deno.ts';
import { ngtcp2Peer } from './peers/ngtcp2.ts';
import type { Direction, Peer, Workdir } from './peers/peer.ts';
import { freeUdpPort, root, start, stop, waitForListening, type Running } from './process.ts';
import { Relay } from './relay.ts';
import { analyzeTrace } from './trace.ts';

const crypto = createNodeCryptoProvider();
const PEERS: Record<string, Peer> = { deno: denoPeer, ngtcp2: ngtcp2Peer };

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
  /**
   * Runs a failed cell again this many times. A cell that passes on a later attempt is marked
   * FLAKY (counted as passed) and the failure of each earlier attempt is printed, so an
   * intermittent bug stays visible in the log without failing the whole run.
   */
  retries: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { peer: 'deno', cases: undefined, directions: ['ours-client', 'peer-client', 'ours-ours'], keep: false, maxFiles: undefined, timeout: undefined, retries: 0 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--peer') args.peer = argv[++i]!;
    else if (a === '--case' || a === '--cases') args.cases = argv[++i]!.split(',');
    else if (a === '--direction' || a === '--directions') args.directions = argv[++i]!.split(',') as Direction[];
    else if (a === '--keep') args.keep = true;
    else if (a === '--files') args.maxFiles = Number(argv[++i]);
    else if (a === '--timeout') args.timeout = Number(argv[++i]);
    else if (a === '--retries') args.retries = Number(argv[++i]);
    else throw new Error(`unknown argument ${a}`);
  }
  return args;
}

async function withTimeout<T>(p: Promise<T>, seconds: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<'timeout'>((res) => (timer = setTimeout(() => res('timeout'), seconds * 1000)));
  const out = await Promise.race([p, t]);
  clearTimeout(timer);
  return out;
}

function prepare(tc: TestCase): Workdir {
  const dir = mkdtempSync(join(tmpdir(), `interop-${tc.name}-`));
  const w: Workdir = {
    dir, www: join(dir, 'www'), downloads: join(dir, 'downloads'), certs: join(dir, 'certs'), keylog: join(dir, 'keys.log'),
    qlog: join(dir, 'qlog'), files: [], certHash: '',
  };
  for (const d of [w.www, w.downloads, w.certs, w.qlog]) mkdirSync(d, { recursive: true });
  for (const size of tc.files) {
    // A letter first: ngtcp2's server answers an all-digit path with generated content.
    const name = `f${randomBytes(6).toString('hex')}`;
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

/** Our endpoint's environment for `peer`: the application protocol the peer speaks. */
function application(peer: Peer): Record<string, string> {
  return peer.application === 'h3' ? { APPLICATION: 'h3' } : {};
}

function oursServer(tc: TestCase, w: Workdir, port: number, peer: Peer): Running {
  return start('bash', [join(root, 'scripts/interop-endpoint.sh')], {
    ROLE: 'server', TESTCASE: tc.serverCase, WWW: w.www, CERTS: w.certs, PORT: String(port), HOST: '127.0.0.1',
    SSLKEYLOGFILE: w.keylog, QLOGDIR: w.qlog, ...application(peer),
  });
}

function oursClient(tc: TestCase, w: Workdir, relayPort: number, peer: Peer): Running {
  const urls = w.files.map((f) => `https://127.0.0.1:${relayPort}/${f.name}`).join(' ');
  return start('bash', [join(root, 'scripts/interop-endpoint.sh')], {
    ROLE: 'client', TESTCASE: tc.clientCase, REQUESTS: urls, DOWNLOADS: w.downloads, CERTS: w.certs,
    SSLKEYLOGFILE: w.keylog, QLOGDIR: w.qlog, ...application(peer),
  });
}

/** The reason our endpoint gave for exit 127, if it printed one. */
function unsupportedReason(r: Running, fallback: string): string {
  const m = /unsupported:?\s*(.*)$/m.exec(r.stderr);
  return m?.[1]?.trim() || fallback;
}

async function runOne(tc: TestCase, dir: Direction, peer: Peer, keep: boolean): Promise<Verdict> {
  const began = Date.now();
  const verdict = (result: Verdict['result'], reason: string): Verdict => ({ result, reason, seconds: (Date.now() - began) / 1000 });
  if (dir !== 'ours-ours') {
    const why = peer.unsupported(tc, dir);
    if (why) return verdict('UNSUPPORTED', why);
  }
  const w = prepare(tc);
  let server: Running | undefined;
  let client: Running | undefined;
  let relay: Relay | undefined;
  try {
    let serverPort: number | undefined;
    if (dir === 'ours-client' || dir === 'peer-peer') {
      const started = await peer.server(tc, w);
      server = started.running;
      if ('error' in started) return verdict('FAIL', started.error);
      serverPort = started.port;
    } else {
      serverPort = await freeUdpPort();
      server = oursServer(tc, w, serverPort, peer);
      const announced = await waitForListening(server, 10_000);
      if (server.child.exitCode === 127) return verdict('UNSUPPORTED', `our server: ${unsupportedReason(server, `does not support ${tc.serverCase}`)}`);
      if (announced === undefined && server.child.exitCode !== null) return verdict('FAIL', `our server exited ${server.child.exitCode}: ${server.stderr.slice(-300)}`);
    }
    relay = new Relay({ server: { address: '127.0.0.1', port: serverPort }, seed: 1, ...tc.relay });
    const relayPort = await relay.start();
    const peerClient = dir === 'peer-client' || dir === 'peer-peer';
    client = peerClient ? peer.client(tc, w, relayPort) : oursClient(tc, w, relayPort, peer);
    const code = await withTimeout(client.exit, tc.timeout);
    if (code === 'timeout') return verdict('FAIL', `client timed out after ${tc.timeout} s`);
    if (code === 127 && !peerClient) return verdict('UNSUPPORTED', `our client: ${unsupportedReason(client, `does not support ${tc.clientCase}`)}`);
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
  const peer = PEERS[args.peer];
  if (!peer) throw new Error(`unknown peer ${args.peer} (available: ${Object.keys(PEERS).join(', ')})`);
  const cases = CASES.filter((c) => !args.cases || args.cases.includes(c.name)).map((c) => (args.timeout ? { ...c, timeout: args.timeout } : c)).map((c) => {
    if (args.maxFiles === undefined || c.files.length <= args.maxFiles) return c;
    const files = c.files.slice(0, args.maxFiles);
    // A case that counts handshakes counts one per file.
    return c.mode === 'connection-per-file' ? { ...c, files, check: all(expectHandshakesPerFile(files.length), versionOne) } : { ...c, files };
  });
  const names: Record<Direction, string> = {
    'ours-client': `ours->${args.peer}`, 'peer-client': `${args.peer}->ours`, 'ours-ours': 'ours->ours', 'peer-peer': `${args.peer}->${args.peer}`,
  };
  const header = ['case', ...args.directions.map((d) => names[d])];
  const unavailable = await peer.prepare?.();
  if (unavailable !== undefined) {
    console.log(`interop: peer ${args.peer} skipped: ${unavailable}`);
    console.log('0 passed, 0 failed');
    return;
  }
  console.log(`interop: peer ${args.peer} (${peer.application}); a->b means a's client against b's server`);
  let passed = 0;
  let failed = 0;
  const rows: string[][] = [];
  for (const tc of cases) {
    const row = [tc.name];
    for (const dir of args.directions) {
      const label = header[args.directions.indexOf(dir) + 1]!;
      let v = await runOne(tc, dir, peer, args.keep);
      let flaky = false;
      for (let attempt = 1; v.result === 'FAIL' && attempt <= args.retries; attempt++) {
        console.log(`RETRY       ${tc.name.padEnd(20)} ${label.padEnd(14)} attempt ${attempt} failed after ${v.seconds.toFixed(1)}s: ${v.reason}`);
        v = await runOne(tc, dir, peer, args.keep);
        flaky = v.result === 'PASS';
      }
      const shown = flaky ? 'FLAKY' : v.result;
      console.log(`${shown.padEnd(11)} ${tc.name.padEnd(20)} ${label.padEnd(14)} ${v.seconds.toFixed(1)}s${v.reason ? `  ${v.reason}` : ''}`);
      row.push(shown);
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
