/**
 * Real-peer HTTP/3 test against headless Chromium (Debian's package, driven by playwright-core
 * through scripts/peers/chromium/h3-fetch.mjs), over loopback only: our HTTP/3 file server runs
 * in this process with a fresh self-signed certificate; Chromium is forced onto QUIC for the
 * server's origin and accepts the certificate by its public key hash; it loads the page, then
 * fetches a random 5 MB file and a small one from the page. Every resource must report
 * `nextHopProtocol === 'h3'` and arrive intact (SHA-256 computed in the page). Chromium is
 * installed by scripts/peers/chromium/install.sh when missing; without apt-get the test is
 * skipped with an UNSUPPORTED message. Not part of `npm test`: `npm run test:peers`.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSelfSignedCertificate } from '@quicts/quic-core';
import { createNodeCryptoProvider } from '@quicts/quic-core/node';
import { createH3Server, fileHandler, type H3Handler } from '@quicts/h3/node';

const root = fileURLToPath(new URL('../../../..', import.meta.url));
const scripts = join(root, 'scripts', 'peers', 'chromium');

const install = spawnSync('bash', [join(scripts, 'install.sh')], { encoding: 'utf8', timeout: 600_000 });
const unsupported = install.status === 2;
if (unsupported) console.log(`UNSUPPORTED: Chromium HTTP/3 peer test skipped: ${install.stderr.trim() || 'apt-get is not available'}`);
else if (install.status !== 0) throw new Error(`scripts/peers/chromium/install.sh failed (${install.status}): ${install.stderr}`);
const peerTest = unsupported ? test.skip : test;

const work = mkdtempSync(join(tmpdir(), 'quicts-chromium-h3-peer-'));
const www = join(work, 'www');
mkdirSync(www);
const cert = generateSelfSignedCertificate(createNodeCryptoProvider(), { now: Date.now(), names: ['localhost', '127.0.0.1'] });
const certFile = join(work, 'cert.pem');
writeFileSync(certFile, cert.certificatePem);

const INDEX = '<!doctype html><meta charset=utf-8><title>quicts h3</title><p>served over HTTP/3</p>\n';
const BIG = randomBytes(5 * 1024 * 1024);
const SMALL = new TextEncoder().encode('a small file over HTTP/3\n');
writeFileSync(join(www, 'index.html'), INDEX);
writeFileSync(join(www, '5MB.bin'), BIG);
writeFileSync(join(www, 'small.txt'), SMALL);

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

interface Fetched {
  path: string;
  status?: number;
  bytes?: number;
  sha256?: string;
  nextHopProtocol: string | null;
  ms?: number;
  contentType?: string | null;
  error?: string;
}

interface Result {
  ok: boolean;
  page: { status?: number | null; nextHopProtocol?: string | null };
  file: Fetched | null;
  files: Fetched[];
  timings: Record<string, number>;
  error: string | null;
  browser?: string;
}

/** Runs the driver in a fresh headless Chromium; it is killed (by PID) after 120 s. */
function runDriver(url: string, paths: readonly string[]): Promise<Result> {
  return new Promise((resolve) => {
    const args = [join(scripts, 'h3-fetch.mjs'), '--url', url, '--cert', certFile, '--timeout-ms', '60000', '--json'];
    for (const p of paths) args.push('--fetch', p);
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.once('close', () => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as Result);
      } catch {
        resolve({ ok: false, page: {}, file: null, files: [], timings: {}, error: `no result from the driver: ${err.trim() || out.trim()}` });
      }
    });
  });
}

peerTest('Chromium loads a page, a 5 MB file and a small file from our server over h3, by hash', async () => {
  const seen: string[] = [];
  const files = fileHandler(www);
  const handler: H3Handler = (req) => {
    seen.push(`${req.method} ${req.path}`);
    return files(req);
  };
  const server = await createH3Server({ cert: cert.certificatePem, key: cert.privateKeyPem, host: '127.0.0.1', port: 0, handler });
  try {
    const r = await runDriver(`https://127.0.0.1:${server.address.port}/`, ['/5MB.bin', '/small.txt']);
    const big = r.files[0];
    const small = r.files[1];
    console.log(`chromium ${r.browser ?? '?'} h3: page over ${String(r.page.nextHopProtocol)}; ` +
      `5 MB over ${String(big?.nextHopProtocol)} in ${String(big?.ms)} ms; small over ${String(small?.nextHopProtocol)}`);
    assert.ok(r.ok, `${r.error ?? ''} ${JSON.stringify(r)}`);
    assert.is(r.page.status, 200);
    assert.is(r.page.nextHopProtocol, 'h3', 'the page came over h3');
    assert.ok(big !== undefined && small !== undefined, 'both fetches reported');
    assert.is(big.status, 200);
    assert.is(big.nextHopProtocol, 'h3', 'the 5 MB file came over h3');
    assert.is(big.bytes, BIG.length);
    assert.is(big.sha256, sha256(BIG), 'the 5 MB file arrived intact');
    assert.is(small.status, 200);
    assert.is(small.nextHopProtocol, 'h3', 'the small file came over h3');
    assert.is(small.bytes, SMALL.length);
    assert.is(small.sha256, sha256(SMALL));
    assert.is(small.contentType, 'text/plain; charset=utf-8');
    // Every resource was served by our handler (not from a cache or another server).
    for (const want of ['GET /', 'GET /5MB.bin', 'GET /small.txt']) assert.ok(seen.includes(want), `${want} reached our server: ${seen.join(', ')}`);
  } finally {
    await server.close({ timeout: 1000 });
  }
});

test.after(() => {
  rmSync(work, { recursive: true, force: true });
});

test.run();
