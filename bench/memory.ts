/**
 * The memory benchmark: JS heap per idle connection with 1,000 connections open, measured after
 * full GCs (--expose-gc) in the server process and in the client process; node:tls sockets
 * measured the same way are the baseline. Both stacks open and close 32 warm-up connections before
 * the first measurement, so that code compiled on first use is not counted as per-connection.
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChild } from './lib/child.ts';
import { makeCert, writeCert } from './lib/cert.ts';
import { emit, round, type BenchRecord } from './lib/report.ts';

export interface MemoryOptions {
  readonly connections?: number;
  readonly env?: NodeJS.ProcessEnv;
  readonly label?: string;
}

interface MemoryResult { serverPerConnection: number; clientPerConnection: number; opened: number; serverConnections: number }

async function measureStack(stack: 'quic' | 'tls', certFile: string, n: number, env: NodeJS.ProcessEnv): Promise<MemoryResult> {
  const flags = ['--expose-gc'];
  const server = startChild('memory-peer.ts', [`${stack}-server`, certFile], { nodeFlags: flags, env });
  let client: ReturnType<typeof startChild> | undefined;
  try {
    const { port } = await server.message<{ port: number }>(20_000);
    client = startChild('memory-peer.ts', [`${stack}-client`, String(port), certFile, String(n)], { nodeFlags: flags, env });
    await client.message<{ warmed: boolean }>(90_000);
    server.send('measure');
    const before = await server.message<{ heap: number }>(20_000);
    client.send('go');
    const c = await client.message<{ opened: number; heapPerConnection: number }>(180_000);
    server.send('measure');
    const after = await server.message<{ heap: number; connections: number }>(20_000);
    client.send('stop');
    server.send('stop');
    return { serverPerConnection: (after.heap - before.heap) / after.connections, clientPerConnection: c.heapPerConnection, opened: c.opened, serverConnections: after.connections };
  } finally {
    await client?.stop();
    await server.stop();
  }
}

export async function runMemory(options: MemoryOptions = {}, baseline?: MemoryResult): Promise<{ records: BenchRecord[]; tls: MemoryResult }> {
  const n = options.connections ?? 1000;
  const dir = mkdtempSync(join(tmpdir(), 'quicts-bench-'));
  try {
    const certFile = join(dir, 'cert.json');
    writeCert(certFile, await makeCert());
    const t = baseline ?? (await measureStack('tls', certFile, n, {}));
    const q = await measureStack('quic', certFile, n, options.env ?? {});
    const variant = options.label ? { variant: options.label } : {};
    const records: BenchRecord[] = [
      {
        bench: 'memory', metric: 'server_heap_per_idle_connection', value: round(q.serverPerConnection / 1024), unit: 'KiB',
        baseline: { name: 'node:tls server socket, KiB', value: round(t.serverPerConnection / 1024) }, ...variant, connections: q.serverConnections,
      },
      {
        bench: 'memory', metric: 'client_heap_per_idle_connection', value: round(q.clientPerConnection / 1024), unit: 'KiB',
        baseline: { name: 'node:tls client socket, KiB', value: round(t.clientPerConnection / 1024) }, ...variant, connections: q.opened,
        note: 'each QUIC client connection has its own UDP socket and endpoint',
      },
    ];
    for (const r of records) emit(r);
    return { records, tls: t };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const i = process.argv.indexOf('--connections');
  await runMemory(i >= 0 ? { connections: Number(process.argv[i + 1]) } : {});
}
