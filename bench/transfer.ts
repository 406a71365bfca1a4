/**
 * The transfer benchmark: one QUIC connection, `bytes` from server to client, each in its own
 * process over loopback; goodput is the bytes the client application read divided by the time
 * from opening the stream to the FIN. The baseline, measured in the same run, is a raw
 * node:dgram blast between two processes at 1200 and 1452-byte datagrams.
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChild } from './lib/child.ts';
import { makeCert, writeCert } from './lib/cert.ts';
import { emit, median, round, type BenchRecord } from './lib/report.ts';

export interface TransferOptions {
  /** Bytes per transfer (default 100 MB). */
  readonly bytes?: number;
  /** Transfers run; the median is reported (default 3). */
  readonly runs?: number;
  /** Blast duration per datagram size, ms (default 2000). */
  readonly blastMs?: number;
  /** Extra Node flags for the QUIC server and client (e.g. --cpu-prof). */
  readonly nodeFlags?: readonly string[];
  /** Deadline for one transfer, ms (default 120 000). */
  readonly timeoutMs?: number;
  /** Environment for the QUIC processes (BENCH_QUIC_CORE_DIR selects another tree). */
  readonly env?: NodeJS.ProcessEnv;
  /** Label added to the goodput record (e.g. 'before'). */
  readonly label?: string;
}

interface BlastResult { sizes: number; packetsPerSecond: number; mbPerSecond: number; sentPerSecond: number }

/** One raw node:dgram blast between two processes. */
export async function dgramBlast(size: number, ms: number): Promise<BlastResult> {
  const receiver = startChild('dgram-peer.ts', ['receiver']);
  let sender: ReturnType<typeof startChild> | undefined;
  try {
    const { port } = await receiver.message<{ port: number }>(20_000);
    sender = startChild('dgram-peer.ts', ['sender', String(port), String(size), String(ms)]);
    const s = await sender.message<{ sent: number; ms: number }>(ms + 20_000);
    await new Promise((r) => setTimeout(r, 100));
    receiver.send('stop');
    const r = await receiver.message<{ packets: number; bytes: number; ms: number }>(10_000);
    const seconds = r.ms / 1000;
    return { sizes: size, packetsPerSecond: r.packets / seconds, mbPerSecond: r.bytes / 1e6 / seconds, sentPerSecond: s.sent / (s.ms / 1000) };
  } finally {
    await sender?.stop();
    await receiver.stop();
  }
}

export interface TransferResult { mbPerSecond: number; ms: number; clientCpuMs: number; serverCpuMs: number; clientSystemMs: number; serverSystemMs: number; serverStats: Record<string, number> | null; clientStats: Record<string, number> | null }

/** One QUIC transfer between two processes. */
export async function quicTransfer(bytes: number, options: TransferOptions = {}): Promise<TransferResult> {
  const dir = mkdtempSync(join(tmpdir(), 'quicts-bench-'));
  const certFile = join(dir, 'cert.json');
  const cert = await makeCert();
  writeCert(certFile, cert);
  const flags = options.nodeFlags ?? [];
  const env = options.env ?? {};
  const server = startChild('transfer-peer.ts', ['server', certFile], { nodeFlags: flags, env });
  let client: ReturnType<typeof startChild> | undefined;
  try {
    const { port } = await server.message<{ port: number }>(20_000);
    client = startChild('transfer-peer.ts', ['client', String(port), cert.sha256, String(bytes)], { nodeFlags: flags, env });
    const c = await client.message<{ received: number; ms: number; cpuMs: number; systemMs: number; stats: Record<string, number> }>(options.timeoutMs ?? 120_000);
    if (c.received !== bytes) throw new Error(`transfer: received ${c.received} of ${bytes} bytes`);
    server.send('stop');
    const s = await server.message<{ cpuMs: number; systemMs: number; stats: Record<string, number> | null }>(10_000);
    await Promise.race([client.exited, new Promise((r) => setTimeout(r, 5000))]);
    await Promise.race([server.exited, new Promise((r) => setTimeout(r, 5000))]);
    return { mbPerSecond: bytes / 1e6 / (c.ms / 1000), ms: c.ms, clientCpuMs: c.cpuMs, serverCpuMs: s.cpuMs, clientSystemMs: c.systemMs, serverSystemMs: s.systemMs, serverStats: s.stats, clientStats: c.stats };
  } finally {
    await client?.stop();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runTransfer(options: TransferOptions = {}): Promise<BenchRecord[]> {
  const bytes = options.bytes ?? 100e6;
  const runs = options.runs ?? 3;
  const blastMs = options.blastMs ?? 2000;
  const out: BenchRecord[] = [];
  const blasts: BlastResult[] = [];
  const variant = options.label ? { variant: options.label } : {};
  for (const size of [1200, 1452]) {
    const b = await dgramBlast(size, blastMs);
    blasts.push(b);
    const r1: BenchRecord = { bench: 'transfer', metric: `dgram_blast_${size}_packets_per_s`, value: Math.round(b.packetsPerSecond), unit: 'packets/s', sent_packets_per_s: Math.round(b.sentPerSecond), ...variant };
    const r2: BenchRecord = { bench: 'transfer', metric: `dgram_blast_${size}_mb_per_s`, value: round(b.mbPerSecond), unit: 'MB/s', ...variant };
    emit(r1);
    emit(r2);
    out.push(r1, r2);
  }
  const results: TransferResult[] = [];
  for (let i = 0; i < runs; i++) results.push(await quicTransfer(bytes, options));
  const goodputs = results.map((r) => r.mbPerSecond);
  const med = median(goodputs);
  const best = results.find((r) => r.mbPerSecond === Math.max(...goodputs))!;
  const blast1452 = blasts.find((b) => b.sizes === 1452)!;
  const rec: BenchRecord = {
    bench: 'transfer', metric: 'goodput', value: round(med), unit: 'MB/s',
    baseline: { name: 'node:dgram blast 1452 B, MB/s', value: round(blast1452.mbPerSecond) },
    ...variant, bytes, runs: goodputs.map((g) => round(g)),
    server_cpu_us_per_mb: round((best.serverCpuMs * 1000) / (bytes / 1e6), 0),
    client_cpu_us_per_mb: round((best.clientCpuMs * 1000) / (bytes / 1e6), 0),
    server_system_us_per_mb: round((best.serverSystemMs * 1000) / (bytes / 1e6), 0),
    client_system_us_per_mb: round((best.clientSystemMs * 1000) / (bytes / 1e6), 0),
    server_packets_sent: best.serverStats?.packetsSent, server_packets_lost: best.serverStats?.packetsLost,
    client_packets_sent: best.clientStats?.packetsSent,
  };
  emit(rec);
  out.push(rec);
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const bytes = Number(arg('--bytes') ?? 100e6);
  const runs = Number(arg('--runs') ?? 3);
  const prof = arg('--cpu-prof-dir');
  await runTransfer({ bytes, runs, ...(prof ? { nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${prof}`] } : {}) });
}
