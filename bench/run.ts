/**
 * `npm run bench`: the transfer, handshake, memory and WebTransport bulk (Chromium client)
 * benchmarks, one JSON object per line (contract 3 of the design), each with the baseline
 * measured in the same run.
 *
 * Options: --only transfer|handshakes|memory|wt-bulk (repeatable), --quick (10 MB, one transfer,
 * 300 connections, a 10 MB Chromium bulk run per server), --bytes N, --runs N (transfers, and
 * Chromium bulk runs per server), --wt-bytes N (Chromium bulk payload, default 50 MB),
 * --connections N, --compare <commit> (also measures the quic-core sources of that commit,
 * extracted with `git archive`, in the same run; those records carry "variant": "<commit>";
 * wt-bulk measures the checkout only).
 * @module
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTransfer } from './transfer.ts';
import { runHandshakes } from './handshakes.ts';
import { runMemory } from './memory.ts';
import { runWebTransportBulk } from './webtransport-bulk.ts';
import { emit } from './lib/report.ts';

const argv = process.argv.slice(2);
const values = (name: string) => argv.flatMap((a, i) => (a === name && argv[i + 1] !== undefined ? [argv[i + 1]!] : []));
const value = (name: string) => values(name)[0];
const quick = argv.includes('--quick');
const only = new Set(values('--only'));
const wants = (b: string) => only.size === 0 || only.has(b);
const bytes = Number(value('--bytes') ?? (quick ? 10e6 : 100e6));
const runs = Number(value('--runs') ?? (quick ? 1 : 3));
const connections = Number(value('--connections') ?? (quick ? 300 : 1000));
const compare = value('--compare');
const wtBytes = Number(value('--wt-bytes') ?? (quick ? 10e6 : 50e6));

const root = fileURLToPath(new URL('..', import.meta.url));

/** Extracts packages/quic-core of `commit` under bench/ (so its dependencies resolve from node_modules). */
function extract(commit: string): string {
  if (!/^[0-9a-zA-Z._/-]+$/.test(commit)) throw new Error(`not a commit: ${commit}`);
  const dir = join(root, 'bench', `.compare-${commit.replace(/[^0-9a-zA-Z]/g, '_')}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const tar = execFileSync('git', ['archive', '--format=tar', commit, 'packages/quic-core/src', 'packages/quic-core/package.json'], { cwd: root, maxBuffer: 256 * 1024 * 1024 });
  execFileSync('tar', ['-x', '-C', dir], { input: tar });
  return dir;
}

const started = Date.now();
let compareDir: string | undefined;
try {
  if (compare) compareDir = extract(compare);
  const compareEnv = compareDir ? { BENCH_QUIC_CORE_DIR: join(compareDir, 'packages', 'quic-core') } : undefined;
  if (wants('transfer')) {
    if (compareEnv) await runTransfer({ bytes, runs, env: compareEnv, label: compare!, blastMs: quick ? 1000 : 2000 });
    await runTransfer({ bytes, runs, blastMs: quick ? 1000 : 2000 });
  }
  if (wants('handshakes')) {
    const { tls } = await runHandshakes({ ms: quick ? 1500 : 3000 });
    if (compareEnv) await runHandshakes({ ms: quick ? 1500 : 3000, env: compareEnv, label: compare! }, tls);
  }
  if (wants('memory')) {
    const { tls } = await runMemory({ connections });
    if (compareEnv) await runMemory({ connections, env: compareEnv, label: compare! }, tls);
  }
  if (wants('wt-bulk')) await runWebTransportBulk({ bytes: wtBytes, runs });
} finally {
  if (compareDir) rmSync(compareDir, { recursive: true, force: true });
}
emit({ bench: 'run', metric: 'duration', value: Math.round((Date.now() - started) / 1000), unit: 's', node: process.version, cpus: (await import('node:os')).cpus().length });
