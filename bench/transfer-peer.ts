/**
 * One side of the QUIC transfer benchmark. `server <cert.json>` listens on loopback, prints its
 * port, and answers every bidirectional stream whose request is a decimal byte count with that
 * many bytes and FIN. `client <port> <sha256> <bytes>` connects, asks for the bytes on one stream,
 * reads them all, and prints the elapsed time and its driver's statistics. Each side also reports
 * its own CPU time.
 * @module
 */
import type { QuicConnection } from '@quicts/quic-core/node';
import { exitWithParent, listenParent, tell } from './lib/child.ts';
import { hashBytes, readCert } from './lib/cert.ts';
import { loadQuic } from './lib/quic.ts';

const { connect, listen } = await loadQuic();

const ALPN = ['bench'];
const CHUNK = 64 * 1024;
const [role, ...args] = process.argv.slice(2);
/** Transport overrides for experiments (JSON in BENCH_TRANSPORT), applied to both sides. */
const transport = process.env.BENCH_TRANSPORT ? (JSON.parse(process.env.BENCH_TRANSPORT) as Record<string, unknown>) : {};

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function systemMs(): number {
  return process.cpuUsage().system / 1000;
}

async function readRequest(readable: ReadableStream<Uint8Array>): Promise<number> {
  const reader = readable.getReader();
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  return Number(text);
}

async function serveStream(stream: { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> }): Promise<void> {
  const total = await readRequest(stream.readable);
  const writer = stream.writable.getWriter();
  const chunk = new Uint8Array(CHUNK).fill(0x61);
  let left = total;
  while (left > 0) {
    const n = Math.min(left, CHUNK);
    await writer.write(n === CHUNK ? chunk : chunk.subarray(0, n));
    left -= n;
  }
  await writer.close();
}

let lastConnection: QuicConnection | undefined;

/** With BENCH_TRACE set, prints the sender's congestion state to stderr every 100 ms. */
function trace(conn: QuicConnection): void {
  const c = conn.connection;
  const timer = setInterval(() => {
    const r = c.recovery;
    process.stderr.write(`cwnd=${r.cc.window} inflight=${r.cc.bytesInFlight} srtt=${r.rtt.smoothed.toFixed(3)} ss=${r.cc.inSlowStart} sent=${c.stats.packetsSent} lost=${c.stats.packetsLost}\n`);
  }, 100);
  timer.unref();
  void conn.closed.then(() => clearInterval(timer));
}

async function serve(conn: QuicConnection): Promise<void> {
  lastConnection = conn;
  if (process.env.BENCH_TRACE) trace(conn);
  for await (const stream of conn.incomingBidirectionalStreams) void serveStream(stream).catch(() => {});
}

if (role === 'server') {
  exitWithParent(300_000);
  const next = listenParent();
  const cert = readCert(args[0]!);
  const server = await listen({ host: '127.0.0.1', port: 0, alpn: ALPN, transport, tls: { cert: cert.cert, key: cert.key } });
  void (async () => {
    for await (const conn of server) void serve(conn);
  })();
  tell({ port: server.address.port });
  const cpu0 = cpuMs();
  const sys0 = systemMs();
  await next(); // "stop"
  tell({ cpuMs: cpuMs() - cpu0, systemMs: systemMs() - sys0, stats: lastConnection?.connection.stats ?? null });
  await server.close();
  process.exit(0);
} else if (role === 'client') {
  exitWithParent(300_000);
  const port = Number(args[0]);
  const total = Number(args[2]);
  const conn = await connect('127.0.0.1', port, { alpn: ALPN, transport, serverName: 'localhost', verify: { serverCertificateHashes: [hashBytes(args[1]!)] } });
  const cpu0 = cpuMs();
  const sys0 = systemMs();
  const start = performance.now();
  const stream = await conn.openBidirectionalStream();
  const w = stream.writable.getWriter();
  await w.write(new TextEncoder().encode(String(total)));
  await w.close();
  const reader = stream.readable.getReader();
  let received = 0;
  let reads = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    received += value.length;
    reads++;
  }
  const ms = performance.now() - start;
  const cpu = cpuMs() - cpu0;
  tell({ received, ms, reads, cpuMs: cpu, systemMs: systemMs() - sys0, stats: conn.connection.stats });
  await conn.close();
  process.exit(0);
} else {
  process.stderr.write('usage: transfer-peer server <cert.json> | client <port> <sha256hex> <bytes>\n');
  process.exit(2);
}
