/**
 * One side of the memory benchmark (run with --expose-gc). Servers (`quic-server`, `tls-server`
 * <cert.json>) print their port and, on each 'measure' message, their heap after full GCs and
 * their open connection count. Clients (`quic-client`, `tls-client` <port> <cert.json> <n>) first
 * open and close a few warm-up connections (so that code compiled and caches filled on first use
 * count on neither side), print `{ warmed: true }`, wait for 'go', then open n connections,
 * 16 at a time, keep them idle, and print their own heap growth per connection.
 * @module
 */
import * as tls from 'node:tls';
import { writeHeapSnapshot } from 'node:v8';
import type { QuicConnection } from '@quicts/quic-core/node';
import { exitWithParent, listenParent, tell } from './lib/child.ts';
import { readCert } from './lib/cert.ts';
import { loadQuic } from './lib/quic.ts';
import { startWatchdog } from './lib/watchdog.ts';

const [role, ...args] = process.argv.slice(2);
const ALPN = ['bench'];
const CONCURRENCY = 16;
/** Connections opened and closed before the measured ones. */
const WARM_UP = 32;
/** Long enough that no connection of the run times out while idle. */
const transport = { maxIdleTimeout: 300_000 };

async function settledHeap(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 20));
  }
  return process.memoryUsage().heapUsed;
}

async function openAll(n: number, open: () => Promise<unknown>, deadline: number): Promise<number> {
  let started = 0;
  let done = 0;
  const worker = async () => {
    while (started < n && performance.now() < deadline) {
      started++;
      await open();
      done++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return done;
}

exitWithParent(300_000);
startWatchdog();
const next = listenParent();

if (role === 'quic-server' || role === 'tls-server') {
  const cert = readCert(args[0]!);
  const kept: unknown[] = [];
  let count: () => number;
  if (role === 'quic-server') {
    const { listen } = await loadQuic();
    const server = await listen({ host: '127.0.0.1', port: 0, alpn: ALPN, transport, tls: { cert: cert.cert, key: cert.key } });
    void (async () => {
      for await (const conn of server) kept.push(conn);
    })();
    count = () => server.connections.length;
    tell({ port: server.address.port });
  } else {
    const server = tls.createServer({ cert: cert.cert, key: cert.key, minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' }, (s) => {
      s.on('error', () => {});
      kept.push(s);
    });
    server.on('tlsClientError', () => {});
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    count = () => kept.length;
    tell({ port: (server.address() as { port: number }).port });
  }
  let measured = 0;
  for (let m = await next(); m !== null && m !== 'stop'; m = await next()) {
    const heap = await settledHeap();
    // BENCH_HEAP_SNAPSHOT=<prefix>: a heap snapshot per measurement, for finding what a connection holds.
    if (process.env.BENCH_HEAP_SNAPSHOT) writeHeapSnapshot(`${process.env.BENCH_HEAP_SNAPSHOT}-${measured}.heapsnapshot`);
    measured++;
    tell({ heap, connections: count() });
  }
  process.exit(0);
} else if (role === 'quic-client' || role === 'tls-client') {
  const port = Number(args[0]);
  const cert = readCert(args[1]!);
  const n = Number(args[2]);
  const kept: unknown[] = [];
  let open: () => Promise<() => void>;
  if (role === 'quic-client') {
    const { connect } = await loadQuic();
    open = async () => {
      const c: QuicConnection = await connect('127.0.0.1', port, { alpn: ALPN, transport, serverName: 'localhost', verify: { ca: cert.cert } });
      return () => c.close();
    };
  } else {
    open = () => new Promise((resolve, reject) => {
      const s = tls.connect({ port, host: '127.0.0.1', servername: 'localhost', ca: cert.cert, minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' }, () => resolve(() => s.destroy()));
      s.on('error', reject);
    });
  }
  const warm: (() => void)[] = [];
  await openAll(WARM_UP, async () => warm.push(await open()), performance.now() + 60_000);
  for (const close of warm) close();
  await new Promise((r) => setTimeout(r, 500));
  tell({ warmed: true });
  await next(); // 'go': the server has measured its heap
  const heap0 = await settledHeap();
  const opened = await openAll(n, async () => kept.push(await open()), performance.now() + 120_000);
  // Let the last handshakes' stragglers (tickets, HANDSHAKE_DONE, ACKs) settle.
  await new Promise((r) => setTimeout(r, 500));
  const heap1 = await settledHeap();
  tell({ opened, heapPerConnection: (heap1 - heap0) / opened });
  await next(); // 'stop'
  process.exit(0);
} else {
  process.stderr.write('usage: memory-peer quic-server|tls-server <cert.json> | quic-client|tls-client <port> <cert.json> <n>\n');
  process.exit(2);
}
