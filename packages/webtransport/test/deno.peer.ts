/**
 * Real-peer WebTransport tests with Deno, over loopback only:
 * - our native client (`connectWebTransport`) and our W3C `WebTransport` class run every browser
 *   scenario against test/peers/deno/wt-server.ts (Deno's raw QUIC, quinn, with a hand-written
 *   HTTP/3 + WebTransport layer that speaks draft-02/-07);
 * - Deno's built-in WebTransport client (test/peers/deno/wt-client.ts) connects to our server
 *   and echoes datagrams and a bidirectional stream.
 * Deno is found or installed by scripts/interop/install-deno.sh (`npm run test:peers` passes it
 * as $DENO). Every process is ended by its pid; every wait is bounded.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSelfSignedCertificate } from '@quicts/quic-core';
import { createNodeCryptoProvider } from '@quicts/quic-core/node';
import { connectWebTransport, createWebTransportServer, WebTransport, type WebTransportServer } from '@quicts/webtransport/node';
import { installScenarios } from '../../../examples/webtransport/scenarios.ts';
import { CLIENT_SCENARIOS, runClientScenario, type WtOpen } from './peers/client-scenarios.ts';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const peers = fileURLToPath(new URL('./peers/deno/', import.meta.url));

function findDeno(): string | undefined {
  if (process.env['DENO']) return process.env['DENO'];
  const r = spawnSync('bash', [join(root, 'scripts', 'interop', 'install-deno.sh')], { encoding: 'utf8', timeout: 300_000 });
  return r.status === 0 ? r.stdout.trim() : undefined;
}
const deno = findDeno();
if (deno === undefined) console.log('UNSUPPORTED: Deno WebTransport peer tests skipped: no Deno binary');
const peerTest = deno === undefined ? test.skip : test;

const crypto = createNodeCryptoProvider();
const cert = generateSelfSignedCertificate(crypto, { now: Date.now(), validityDays: 10, names: ['localhost', '127.0.0.1'] });
const dir = mkdtempSync(join(tmpdir(), 'wt-deno-'));
writeFileSync(join(dir, 'cert.pem'), cert.certificatePem);
writeFileSync(join(dir, 'key.pem'), cert.privateKeyPem);

interface DenoServer {
  readonly child: ChildProcess;
  readonly port: number;
  readonly events: Record<string, unknown>[];
}

let denoServer: DenoServer | undefined;
let ours: WebTransportServer | undefined;
const children = new Set<ChildProcess>();

/** Starts the Deno reference server on a free loopback port; waits at most 20 s for `ready`. */
function startDenoServer(): Promise<DenoServer> {
  const child = spawn(deno!, [
    'run', '--unstable-net', '--allow-net', '--allow-read', join(peers, 'wt-server.ts'),
    '--cert', join(dir, 'cert.pem'), '--key', join(dir, 'key.pem'), '--host', '127.0.0.1', '--port', '0', '--quiet',
  ], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  children.add(child);
  const events: Record<string, unknown>[] = [];
  let stderr = '';
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the Deno server did not start within 20 s: ${stderr}`));
    }, 20_000);
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdout!.on('data', (c: Buffer) => {
      buffered += c.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) !== -1) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        let e: Record<string, unknown>;
        try {
          e = JSON.parse(line) as Record<string, unknown>;
        } catch {
          continue;
        }
        events.push(e);
        if (e['event'] === 'ready') {
          clearTimeout(timer);
          resolve({ child, port: Number(e['port']), events });
        }
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      children.delete(child);
      reject(new Error(`the Deno server exited (${code}): ${stderr}`));
    });
  });
}

const hashes = [cert.sha256];

test.before(async () => {
  if (deno === undefined) return;
  denoServer = await startDenoServer();
  ours = await createWebTransportServer({ cert: cert.certificatePem, key: cert.privateKeyPem, host: '127.0.0.1', port: 0 });
  installScenarios(ours);
});

test.after(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await ours?.close({ timeout: 500 });
  rmSync(dir, { recursive: true, force: true });
});

const clients: readonly (readonly [string, (base: () => string) => WtOpen])[] = [
  ['native client', (base) => (path) => connectWebTransport(`${base()}${path}`, { verify: { serverCertificateHashes: hashes }, connectTimeout: 8000 })],
  ['W3C WebTransport', (base) => async (path) => {
    const wt = new WebTransport(`${base()}${path}`, {
      serverCertificateHashes: [{ algorithm: 'sha-256', value: cert.sha256 }], quicts: { connectTimeout: 8000 },
    });
    await wt.ready;
    return wt;
  }],
];

for (const [name, make] of clients) {
  const open = make(() => `https://127.0.0.1:${denoServer!.port}`);
  for (const scenario of CLIENT_SCENARIOS) {
    peerTest(`${name} -> Deno wt-server: ${scenario}`, async () => {
      try {
        const figures = await runClientScenario(open, scenario);
        const extra = Object.entries(figures).map(([k, v]) => ` ${k}=${v}`).join('');
        console.log(`deno-server ${name} ${scenario}: pass${extra}`);
      } catch (e) {
        console.log(`deno-server ${name} ${scenario}: FAIL (${e instanceof Error ? e.message : String(e)})`);
        throw e;
      }
    });
  }
}

peerTest('the Deno server saw our close capsule (code 7, "bye") in a DATA frame', () => {
  const closes = denoServer!.events.filter((e) => e['event'] === 'client-close' && e['closeCode'] === 7);
  assert.ok(closes.some((e) => e['reason'] === 'bye'), JSON.stringify(closes));
  assert.not.ok(denoServer!.events.some((e) => e['event'] === 'bare-capsule'), 'no capsule outside DATA frames');
});

/** Runs Deno's own WebTransport client against our server (killed by pid after 30 s). */
function runDenoClient(url: string): Promise<{ ok: boolean; steps: Record<string, unknown>; error: string | null }> {
  return new Promise((resolve) => {
    const child = spawn(deno!, [
      'run', '--unstable-net', '--allow-net', join(peers, 'wt-client.ts'),
      '--url', url, '--hash', Buffer.from(cert.sha256).toString('base64'), '--datagrams', '5', '--bytes', '65536',
    ], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    children.add(child);
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('close', (code) => {
      clearTimeout(timer);
      children.delete(child);
      try {
        resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as { ok: boolean; steps: Record<string, unknown>; error: string | null });
      } catch {
        resolve({ ok: false, steps: {}, error: `no result (exit ${code}): ${err.trim() || out.trim()}` });
      }
    });
  });
}

peerTest("Deno's built-in WebTransport client -> our server: datagram echo and a bidi stream", async () => {
  const r = await runDenoClient(`https://127.0.0.1:${ours!.address.port}/echo`);
  console.log(`deno-client -> our server: ${r.ok ? 'pass' : `FAIL (${r.error})`} ${JSON.stringify(r.steps)}`);
  assert.ok(r.ok, `${r.error ?? ''} ${JSON.stringify(r.steps)}`);
  assert.is(r.steps['datagramsEchoed'], 5);
  assert.is(r.steps['bidiEchoBytes'], 65536);
});

test.run();
