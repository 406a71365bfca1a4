/**
 * Real-peer tests against Deno's built-in QUIC (quinn + rustls) speaking hq-interop, over
 * loopback: our client downloads from Deno's hq-server, and Deno's hq-client downloads from our
 * server; downloads are compared by SHA-256. Not part of `npm test`: run with
 * `node scripts/interop/run-peer-tests.mjs` (it finds or installs Deno).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSelfSignedCertificate, TLS_CHACHA20_POLY1305_SHA256 } from '@quicts/quic-core';
import { connect, createNodeCryptoProvider, listen, type QuicConnection, type QuicServer } from '@quicts/quic-core/node';
import { HQ_ALPN, fetchHq, serveHqConnection } from '../../../../scripts/interop/hq.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const peerDir = join(here, '..', 'peers', 'deno');
const DENO = process.env['DENO'] ?? join(here, '..', '..', '..', '..', 'node_modules', '@deno', 'linux-x64-glibc', 'deno');

const crypto = createNodeCryptoProvider();
const work = mkdtempSync(join(tmpdir(), 'quicts-deno-peer-'));
const www = join(work, 'www');
mkdirSync(www);
const cert = generateSelfSignedCertificate(crypto, { now: Date.now(), names: ['localhost', '127.0.0.1', '::1'] });
writeFileSync(join(work, 'cert.pem'), cert.certificatePem);
writeFileSync(join(work, 'key.pem'), cert.privateKeyPem);

const FILES: Record<string, number> = { '1k.bin': 1024, '1m.bin': 1 << 20, '5m.bin': 5 << 20, '10m.bin': 10 << 20 };
const SMALL = Array.from({ length: 200 }, (_, i) => `small-${i}.bin`);
const digests = new Map<string, string>();
for (const [name, size] of Object.entries(FILES)) writeFile(name, randomBytes(size));
for (const name of SMALL) writeFile(name, randomBytes(32));

function writeFile(name: string, data: Uint8Array): void {
  writeFileSync(join(www, name), data);
  digests.set(name, sha256(data));
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function checkDownloads(dir: string, names: readonly string[]): void {
  for (const name of names) {
    const path = join(dir, name);
    assert.ok(existsSync(path), `${name} downloaded`);
    assert.is(sha256(readFileSync(path)), digests.get(name), `${name} intact`);
  }
}

function freshDir(name: string): string {
  const dir = join(work, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  return dir;
}

/** Runs a process to completion; resolves with its exit code and output. */
function run(args: string[], timeoutMs = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(DENO, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c) => (stdout += c));
    child.stderr!.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts Deno's hq-server; resolves with the process and its port. */
function startDenoServer(extra: string[] = [], host = '127.0.0.1'): Promise<{ child: ChildProcess; port: number; stderr: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(DENO, [
      'run', '--unstable-net', '-A', join(peerDir, 'hq-server.ts'), '--host', host, '--port', '0',
      '--cert', join(work, 'cert.pem'), '--key', join(work, 'key.pem'), '--www', www, '-q', ...extra,
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr!.on('data', (c) => (err += c));
    child.stdout!.on('data', (c) => {
      out += c;
      const m = /listening .*:(\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]), stderr: () => err });
    });
    child.on('exit', (code) => reject(new Error(`Deno hq-server exited (${code}): ${err}`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  });
}

const pinned = { serverCertificateHashes: [cert.sha256] };

// ------------------------------------------------------------------ our client, Deno's server

async function ourClientDownloads(port: number, names: readonly string[], opts: { chacha?: boolean; keyUpdate?: boolean; host?: string } = {}): Promise<QuicConnection> {
  const out = freshDir('dl-ours');
  const conn = await connect(opts.host ?? '127.0.0.1', port, {
    alpn: [HQ_ALPN], serverName: 'localhost', verify: pinned, ...(opts.chacha ? { cipherSuites: [TLS_CHACHA20_POLY1305_SHA256] } : {}),
  });
  let updated = !opts.keyUpdate;
  const onData = () => {
    if (!updated && conn.initiateKeyUpdate()) updated = true;
  };
  await Promise.all(names.map((n) => fetchHq(conn, `/${n}`, out, onData)));
  checkDownloads(out, names);
  if (opts.keyUpdate) assert.ok(updated, 'our client initiated a key update');
  return conn;
}

test('our client downloads 1 KB, 1 MB, 5 MB and 10 MB from Deno concurrently on one connection', async () => {
  const srv = await startDenoServer();
  try {
    const conn = await ourClientDownloads(srv.port, Object.keys(FILES));
    assert.is(conn.alpn, HQ_ALPN);
    const info = await conn.close({ code: 0 });
    assert.is(info.initiator, 'local');
  } finally {
    await stop(srv.child);
  }
});

test('our client fetches 200 small files in parallel from Deno (multiplexing)', async () => {
  const srv = await startDenoServer(['--max-streams', '1000']);
  try {
    const conn = await ourClientDownloads(srv.port, SMALL);
    await conn.close();
  } finally {
    await stop(srv.child);
  }
});

test('our client restricted to ChaCha20-Poly1305 downloads from Deno', async () => {
  const srv = await startDenoServer();
  try {
    const conn = await ourClientDownloads(srv.port, ['1m.bin'], { chacha: true });
    assert.is(conn.connection.oneRtt!.cipherSuite.id, TLS_CHACHA20_POLY1305_SHA256.id);
    await conn.close();
  } finally {
    await stop(srv.child);
  }
});

test('our client initiates a key update while downloading 5 MB from Deno', async () => {
  const srv = await startDenoServer();
  try {
    const conn = await ourClientDownloads(srv.port, ['5m.bin'], { keyUpdate: true });
    assert.ok(conn.connection.oneRtt!.generation >= 1, 'key phase advanced');
    await conn.close();
  } finally {
    await stop(srv.child);
  }
});

test('our client makes 10 sequential connections to Deno (multiconnect)', async () => {
  const srv = await startDenoServer();
  try {
    const out = freshDir('dl-multi');
    for (let i = 0; i < 10; i++) {
      const conn = await connect('127.0.0.1', srv.port, { alpn: [HQ_ALPN], verify: pinned, serverName: 'localhost' });
      await fetchHq(conn, `/small-${i}.bin`, out);
      await conn.close();
    }
    checkDownloads(out, SMALL.slice(0, 10));
  } finally {
    await stop(srv.child);
  }
});

test('our client over IPv6 (::1) downloads from Deno', async () => {
  let srv;
  try {
    srv = await startDenoServer([], '::1');
  } catch {
    console.log('  (IPv6 loopback unavailable: skipped)');
    return;
  }
  try {
    const conn = await ourClientDownloads(srv.port, ['1m.bin'], { host: '::1' });
    await conn.close();
  } finally {
    await stop(srv.child);
  }
});

// ------------------------------------------------------------------ Deno's client, our server

async function ourServer(options: { retry?: boolean; chacha?: boolean } = {}): Promise<QuicServer> {
  const server = await listen({
    host: '127.0.0.1', port: 0, alpn: [HQ_ALPN], tls: { cert: cert.certificatePem, key: cert.privateKeyPem },
    transport: { initialMaxStreamsBidi: 100 },
    ...(options.retry ? { retry: true } : {}),
    ...(options.chacha ? { cipherSuites: [TLS_CHACHA20_POLY1305_SHA256] } : {}),
  });
  void (async () => {
    for await (const conn of server) void serveHqConnection(www, conn);
  })();
  return server;
}

async function denoClient(port: number, names: readonly string[], flags: string[] = []): Promise<string> {
  const out = freshDir('dl-deno');
  const urls = names.map((n) => `https://127.0.0.1:${port}/${n}`);
  const r = await run(['run', '--unstable-net', '-A', join(peerDir, 'hq-client.ts'), '--pin-cert', join(work, 'cert.pem'), '--out', out, '-q', ...flags, ...urls], 120_000);
  assert.is(r.code, 0, `Deno hq-client failed:\n${r.stdout}\n${r.stderr}`);
  checkDownloads(out, names);
  return r.stdout;
}

test('Deno\'s client downloads 1 KB, 1 MB, 5 MB and 10 MB from our server (sequential streams)', async () => {
  const server = await ourServer();
  try {
    await denoClient(server.address.port, Object.keys(FILES));
  } finally {
    await server.close();
  }
});

test('Deno\'s client downloads the same files on parallel streams', async () => {
  const server = await ourServer();
  try {
    await denoClient(server.address.port, Object.keys(FILES), ['--parallel']);
  } finally {
    await server.close();
  }
});

test('Deno\'s client fetches 200 small files in parallel from our server (multiplexing beyond the stream limit)', async () => {
  const server = await ourServer();
  try {
    await denoClient(server.address.port, SMALL, ['--parallel']);
  } finally {
    await server.close();
  }
});

test('Deno\'s client makes one connection per file to our server (multiconnect)', async () => {
  const server = await ourServer();
  try {
    await denoClient(server.address.port, ['1k.bin', '1m.bin', ...SMALL.slice(0, 8)], ['--connections', '1']);
    assert.ok(server.endpoint.stats.connectionsAccepted >= 10);
  } finally {
    await server.close();
  }
});

test('our server requires Retry; Deno\'s client follows it and downloads', async () => {
  const server = await ourServer({ retry: true });
  try {
    await denoClient(server.address.port, ['1m.bin', '1k.bin']);
    assert.ok(server.endpoint.stats.retriesSent >= 1, 'a Retry was sent');
    assert.ok(server.endpoint.stats.connectionsAccepted >= 1);
  } finally {
    await server.close();
  }
});

test('our server restricted to ChaCha20-Poly1305 serves Deno\'s client', async () => {
  const server = await ourServer({ chacha: true });
  let suite: number | undefined;
  const watch = setInterval(() => {
    for (const c of server.connections) suite = c.connection.oneRtt?.cipherSuite.id ?? suite;
  }, 5);
  try {
    await denoClient(server.address.port, ['5m.bin']);
    assert.is(suite, TLS_CHACHA20_POLY1305_SHA256.id);
  } finally {
    clearInterval(watch);
    await server.close();
  }
});

test.after(() => {
  rmSync(work, { recursive: true, force: true });
});

test.run();
