/**
 * The handshake benchmark: new QUIC connections per second, sequential and 16 at a time, with
 * node:tls (TLS 1.3, the same ECDSA P-256 certificate, verified) as the baseline measured in the
 * same run. Each stack runs in its own process, server and client sharing that process's core.
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChild } from './lib/child.ts';
import { makeCert, writeCert } from './lib/cert.ts';
import { emit, round, type BenchRecord } from './lib/report.ts';

interface ModeResult { concurrency: number; handshakes: number; seconds: number; cpuMsPer: number; perSecond: number }

export interface HandshakeOptions {
  readonly count?: number;
  readonly ms?: number;
  readonly env?: NodeJS.ProcessEnv;
  readonly label?: string;
}

async function runStack(stack: 'quic' | 'tls', certFile: string, options: HandshakeOptions): Promise<ModeResult[]> {
  const child = startChild('handshakes-peer.ts', [stack, certFile, String(options.count ?? 2000), String(options.ms ?? 3000)], { env: options.env ?? {} });
  try {
    const out: ModeResult[] = [];
    for (;;) {
      const m = await child.message<ModeResult & { done?: boolean }>(60_000);
      if (m.done) break;
      out.push(m);
    }
    return out;
  } finally {
    await child.stop();
  }
}

export async function runHandshakes(options: HandshakeOptions = {}, baseline?: ModeResult[]): Promise<{ records: BenchRecord[]; tls: ModeResult[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'quicts-bench-'));
  try {
    const certFile = join(dir, 'cert.json');
    writeCert(certFile, await makeCert());
    const tlsResults = baseline ?? (await runStack('tls', certFile, options));
    const quic = await runStack('quic', certFile, options);
    const records: BenchRecord[] = [];
    for (const q of quic) {
      const t = tlsResults.find((r) => r.concurrency === q.concurrency);
      const rec: BenchRecord = {
        bench: 'handshakes', metric: q.concurrency === 1 ? 'sequential' : `concurrent_${q.concurrency}`,
        value: round(q.perSecond), unit: 'handshakes/s',
        ...(t ? { baseline: { name: 'node:tls TLS 1.3 handshakes/s', value: round(t.perSecond) } } : {}),
        ...(options.label ? { variant: options.label } : {}),
        count: q.handshakes, cpu_ms_per_handshake: round(q.cpuMsPer, 3),
        ...(t ? { baseline_cpu_ms_per_handshake: round(t.cpuMsPer, 3) } : {}),
      };
      emit(rec);
      records.push(rec);
    }
    return { records, tls: tlsResults };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runHandshakes();
