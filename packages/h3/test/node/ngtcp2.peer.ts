/**
 * Real-peer HTTP/3 tests against ngtcp2 (Debian's gtlsclient/gtlsserver examples, GnuTLS), over
 * loopback only: the ngtcp2 client downloads files from our server, and our client downloads
 * from the ngtcp2 server; every file is compared by SHA-256. The peers are installed by
 * scripts/peers/ngtcp2/install.sh when missing; without apt-get the tests are skipped with an
 * UNSUPPORTED message. Not part of `npm test`: run with `npm run test:peers`.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSelfSignedCertificate, TLS_CHACHA20_POLY1305_SHA256 } from '@quicts/quic-core';
import { createNodeCryptoProvider } from '@quicts/quic-core/node';
import { createH3Server, downloadFiles, fileHandler, H3Client, request, type H3Handler, type H3Server } from '@quicts/h3/node';

const root = fileURLToPath(new URL('../../../..', import.meta.url));
const scripts = join(root, 'scripts', 'peers', 'ngtcp2');

const install = spawnSync('bash', [join(scripts, 'install.sh')], { encoding: 'utf8', timeout: 300_000 });
const unsupported = install.status === 2;
if (unsupported) console.log(`UNSUPPORTED: ngtcp2 peer tests skipped: ${install.stderr.trim() || 'apt-get is not available'}`);
else if (install.status !== 0) throw new Error(`scripts/peers/ngtcp2/install.sh failed (${install.status}): ${install.stderr}`);
const peerTest = unsupported ? test.skip : test;

const crypto = createNodeCryptoProvider();
const work = mkdtempSync(join(tmpdir(), 'quicts-ngtcp2-peer-'));
const www = join(work, 'www');
mkdirSync(www);
const cert = generateSelfSignedCertificate(crypto, { now: Date.now(), names: ['localhost', '127.0.0.1'] });
const certFile = join(work, 'cert.pem');
const keyFile = join(work, 'key.pem');
writeFileSync(certFile, cert.certificatePem);
writeFileSync(keyFile, cert.privateKeyPem);

const FILES: Record<string, number> = { '1k.bin': 1024, '100k.bin': 100 * 1024, '1m.bin': 1 << 20, '5m.bin': 5 << 20, '10m.bin': 10 << 20 };
const NAMES = Object.keys(FILES);
const digests = new Map<string, string>();
for (const [name, size] of Object.entries(FILES)) {
  const data = randomBytes(size);
  writeFileSync(join(www, name), data);
  digests.set(name, sha256(data));
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function freshDir(name: string): string {
  const dir = join(work, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  return dir;
}

function checkDownloads(dir: string, names: readonly string[]): void {
  for (const name of names) {
    const path = join(dir, name);
    assert.ok(existsSync(path), `${name} downloaded`);
    assert.is(sha256(readFileSync(path)), digests.get(name), `${name} intact`);
  }
}

/** A UDP port free on loopback now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Runs a process to completion within `timeoutMs` (then kills it, by its PID). */
function run(cmd: string, args: string[], timeoutMs = 90_000): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (c) => (output += c));
    child.stderr!.on('data', (c) => (output += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** The ngtcp2 client fetching `urls` into `dir` (scripts/peers/ngtcp2/client.sh). */
function ngtcp2Client(dir: string, urls: string[], flags: string[] = []): Promise<{ code: number | null; output: string }> {
  return run('bash', [join(scripts, 'client.sh'), dir, ...flags, ...urls], 120_000);
}

/** Starts the ngtcp2 server on loopback; resolves once it answers. */
async function startNgtcp2Server(flags: string[] = []): Promise<{ child: ChildProcess; port: number; log: () => string }> {
  const port = await freePort();
  // server.sh execs gtlsserver: the child's PID is the server's.
  const child = spawn('bash', [join(scripts, 'server.sh'), '127.0.0.1', String(port), www, certFile, keyFile, ...flags], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (c) => (log += c));
  child.stderr!.on('data', (c) => (log += c));
  const started = Date.now();
  while (!log.includes('Using document root')) {
    if (child.exitCode !== null) throw new Error(`gtlsserver exited: ${log}`);
    if (Date.now() - started > 10_000) {
      stop(child);
      throw new Error(`gtlsserver did not start: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return { child, port, log: () => log };
}

function stop(child: ChildProcess): void {
  if (child.pid !== undefined && child.exitCode === null) {
    try {
      process.kill(child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}

// ---- the ngtcp2 client against our server ---------------------------------------------------

async function ourServer(handler: H3Handler = fileHandler(www)): Promise<H3Server> {
  return createH3Server({ cert: cert.certificatePem, key: cert.privateKeyPem, host: '127.0.0.1', port: 0, handler });
}

peerTest('ngtcp2 client downloads 1 KB .. 10 MB from our server on one connection, by hash', async () => {
  const server = await ourServer();
  try {
    const dir = freshDir('dl-ngtcp2-all');
    const base = `https://127.0.0.1:${server.address.port}`;
    const r = await ngtcp2Client(dir, NAMES.map((n) => `${base}/${n}`));
    assert.is(r.code, 0, r.output);
    checkDownloads(dir, NAMES);
  } finally {
    await server.close({ timeout: 1000 });
  }
});

peerTest('ngtcp2 client: each file on its own connection, and the interop http3 set (5, 10, 500 KiB in parallel)', async () => {
  const server = await ourServer();
  try {
    const base = `https://127.0.0.1:${server.address.port}`;
    for (const name of NAMES) {
      const dir = freshDir(`dl-ngtcp2-${name}`);
      const r = await ngtcp2Client(dir, [`${base}/${name}`]);
      assert.is(r.code, 0, r.output);
      checkDownloads(dir, [name]);
    }
    const extra: Record<string, number> = { '5k.bin': 5 * 1024, '10k.bin': 10 * 1024, '500k.bin': 500 * 1024 };
    for (const [name, size] of Object.entries(extra)) {
      const data = randomBytes(size);
      writeFileSync(join(www, name), data);
      digests.set(name, sha256(data));
    }
    const dir = freshDir('dl-ngtcp2-http3');
    const r = await ngtcp2Client(dir, Object.keys(extra).map((n) => `${base}/${n}`));
    assert.is(r.code, 0, r.output);
    checkDownloads(dir, Object.keys(extra));
  } finally {
    await server.close({ timeout: 1000 });
  }
});

peerTest('ngtcp2 client uploads 1 MB with POST; our server hashes what it received', async () => {
  const server = await ourServer(async (req) => {
    const body = await req.bytes();
    return { status: 200, body: `${body.length} ${sha256(body)}\n` };
  });
  try {
    const dir = freshDir('dl-ngtcp2-post');
    const r = await ngtcp2Client(dir, [`https://127.0.0.1:${server.address.port}/upload`], ['-m', 'POST', '-d', join(www, '1m.bin')]);
    assert.is(r.code, 0, r.output);
    assert.is(readFileSync(join(dir, 'upload'), 'utf8'), `${1 << 20} ${digests.get('1m.bin')}\n`);
  } finally {
    await server.close({ timeout: 1000 });
  }
});

peerTest('ngtcp2 client with ChaCha20-Poly1305 only, and with a key update during a 10 MB download', async () => {
  const server = await ourServer();
  try {
    const base = `https://127.0.0.1:${server.address.port}`;
    const chacha = freshDir('dl-ngtcp2-chacha');
    const c = await ngtcp2Client(chacha, [`${base}/1m.bin`], ['--ciphers=NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+CHACHA20-POLY1305']);
    assert.is(c.code, 0, c.output);
    checkDownloads(chacha, ['1m.bin']);
    const ku = freshDir('dl-ngtcp2-keyupdate');
    const k = await ngtcp2Client(ku, [`${base}/10m.bin`], ['--key-update=5ms']);
    assert.is(k.code, 0, k.output);
    checkDownloads(ku, ['10m.bin']);
  } finally {
    await server.close({ timeout: 1000 });
  }
});

// ---- our client against the ngtcp2 server ---------------------------------------------------

peerTest('our client downloads 1 KB .. 10 MB from the ngtcp2 server in parallel on one connection, by hash', async () => {
  const peer = await startNgtcp2Server();
  try {
    const dir = freshDir('dl-ours-all');
    const results = await downloadFiles(NAMES.map((n) => `https://127.0.0.1:${peer.port}/${n}`), dir, { verify: { insecure: true } });
    assert.is(results.length, NAMES.length);
    checkDownloads(dir, NAMES);
  } finally {
    stop(peer.child);
  }
});

peerTest('our client: one-shot request() per file, a 404, and 50 parallel small requests', async () => {
  const peer = await startNgtcp2Server();
  try {
    const base = `https://127.0.0.1:${peer.port}`;
    for (const name of NAMES) {
      const res = await request(`${base}/${name}`, { verify: { insecure: true } });
      assert.is(res.status, 200);
      assert.is(sha256(await res.bytes()), digests.get(name), `${name} intact`);
    }
    const client = await H3Client.connect(base, { verify: { insecure: true } });
    const missing = await client.request('/no-such-file');
    assert.is(missing.status, 404);
    await missing.bytes();
    const all = await Promise.all(Array.from({ length: 50 }, async () => {
      const res = await client.request('/1k.bin');
      return sha256(await res.bytes());
    }));
    assert.ok(all.every((d) => d === digests.get('1k.bin')));
    await client.shutdown();
  } finally {
    stop(peer.child);
  }
});

peerTest('our client reads the ngtcp2 server\'s response trailers (--send-trailers)', async () => {
  const peer = await startNgtcp2Server(['--send-trailers']);
  try {
    const res = await request(`https://127.0.0.1:${peer.port}/100k.bin`, { verify: { insecure: true } });
    assert.is(sha256(await res.bytes()), digests.get('100k.bin'));
    const trailers = await res.trailers;
    let count = 0;
    trailers.forEach(() => count++);
    assert.ok(count > 0, 'trailers arrived');
  } finally {
    stop(peer.child);
  }
});

peerTest('our client through the ngtcp2 server\'s Retry (-V), and with ChaCha20-Poly1305 only', async () => {
  const peer = await startNgtcp2Server(['-V']);
  try {
    const res = await request(`https://127.0.0.1:${peer.port}/1m.bin`, { verify: { insecure: true } });
    assert.is(sha256(await res.bytes()), digests.get('1m.bin'));
    const chacha = await request(`https://127.0.0.1:${peer.port}/1m.bin`, { verify: { insecure: true }, cipherSuites: [TLS_CHACHA20_POLY1305_SHA256] });
    assert.is(sha256(await chacha.bytes()), digests.get('1m.bin'));
  } finally {
    stop(peer.child);
  }
});

test.after(() => {
  rmSync(work, { recursive: true, force: true });
});

test.run();
