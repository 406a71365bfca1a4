/**
 * Loads the QUIC node API the benchmark peers drive: this checkout's by default, or another
 * tree's (BENCH_QUIC_CORE_DIR, the root of a quic-core package, e.g. an earlier commit's sources
 * extracted by `run.ts --compare`), so that before and after are measured in the same run.
 * @module
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export type QuicNodeApi = typeof import('@quicts/quic-core/node');

export async function loadQuic(): Promise<QuicNodeApi> {
  const dir = process.env.BENCH_QUIC_CORE_DIR;
  if (!dir) return import('@quicts/quic-core/node');
  return (await import(pathToFileURL(join(dir, 'src', 'node', 'index.ts')).href)) as QuicNodeApi;
}
