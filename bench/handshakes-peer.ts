/**
 * The handshake benchmark, run in one process per stack (server and client share the event loop
 * and the core, as node:tls is measured): `quic <cert.json>` or `tls <cert.json>`, then
 * sequential and 16-concurrent new connections, each bounded by a count and a time. Every client
 * verifies the server's certificate against it as the trust anchor with the server name
 * 'localhost'; the key is ECDSA P-256 for both stacks. Prints one JSON message per mode.
 * @module
 */
import * as tls from 'node:tls';
import { exitWithParent, tell } from './lib/child.ts';
import { readCert } from './lib/cert.ts';
import { loadQuic } from './lib/quic.ts';
import { startWatchdog } from './lib/watchdog.ts';

const [stack, certFile, countArg, msArg] = process.argv.slice(2);
const cert = readCert(certFile!);
const MAX_COUNT = Number(countArg ?? 2000);
const MAX_MS = Number(msArg ?? 3000);
const WARMUP = 30;

type Once = () => Promise<void>;

/** Runs `once` with `concurrency` workers until `count` handshakes or `ms` have passed. */
async function measure(once: Once, concurrency: number, count: number, ms: number): Promise<{ handshakes: number; seconds: number; cpuMsPer: number }> {
  let started = 0;
  let done = 0;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const worker = async () => {
    while (started < count && performance.now() - t0 < ms) {
      started++;
      await once();
      done++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return { handshakes: done, seconds, cpuMsPer: (c.user + c.system) / 1000 / done };
}

async function quicStack(): Promise<{ once: Once; stop: () => Promise<void> }> {
  const { connect, listen } = await loadQuic();
  const alpn = ['bench'];
  const server = await listen({ host: '127.0.0.1', port: 0, alpn, tls: { cert: cert.cert, key: cert.key } });
  void (async () => {
    for await (const conn of server) void conn.closed;
  })();
  const port = server.address.port;
  const once = async () => {
    const conn = await connect('127.0.0.1', port, { alpn, serverName: 'localhost', verify: { ca: cert.cert } });
    void conn.close();
  };
  return { once, stop: () => server.close() };
}

async function tlsStack(): Promise<{ once: Once; stop: () => Promise<void> }> {
  const server = tls.createServer({ cert: cert.cert, key: cert.key, minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' }, (s) => {
    s.on('error', () => {});
    s.end();
  });
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as { port: number }).port;
  const once = () => new Promise<void>((resolve, reject) => {
    const s = tls.connect({ port, host: '127.0.0.1', servername: 'localhost', ca: cert.cert, minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' }, () => {
      s.destroy();
      resolve();
    });
    s.on('error', reject);
  });
  return { once, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}

exitWithParent(120_000);
startWatchdog();
const s = stack === 'tls' ? await tlsStack() : await quicStack();
await measure(s.once, 1, WARMUP, MAX_MS);
for (const concurrency of [1, 16]) {
  const r = await measure(s.once, concurrency, MAX_COUNT, MAX_MS);
  tell({ concurrency, ...r, perSecond: r.handshakes / r.seconds });
}
await Promise.race([s.stop(), new Promise((r) => setTimeout(r, 2000))]);
tell({ done: true });
process.exit(0);
