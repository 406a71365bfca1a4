/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time per function (name, file and
 * line), the top entries as a table, and the share of idle, GC and program time.
 * Run: node --import ./scripts/register-ts.mjs bench/profile-summary.ts <file.cpuprofile> [top]
 * @module
 */
import { readFileSync } from 'node:fs';

interface CallFrame { functionName: string; url: string; lineNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

export interface ProfileEntry { name: string; selfMs: number; share: number }

function keyOf(f: CallFrame): string {
  const file = f.url.replace(/^.*\/(packages|bench|node_modules)\//, '$1/');
  return f.url ? `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}` : f.functionName || '(anonymous)';
}

/** Self time per function, and total (inclusive) time per function (each sample counted once per function). */
export function summarise(profile: Profile): { totalMs: number; entries: ProfileEntry[]; inclusive: ProfileEntry[] } {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    const node = byId.get(id);
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    total += dt;
    if (!node) continue;
    const key = keyOf(node.callFrame);
    self.set(key, (self.get(key) ?? 0) + dt);
    const seen = new Set<string>();
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const k = keyOf(byId.get(n)!.callFrame);
      if (seen.has(k)) continue;
      seen.add(k);
      incl.set(k, (incl.get(k) ?? 0) + dt);
    }
  }
  const list = (m: Map<string, number>) => [...m.entries()].map(([name, ms]) => ({ name, selfMs: ms, share: ms / total })).sort((a, b) => b.selfMs - a.selfMs);
  return { totalMs: total, entries: list(self), inclusive: list(incl) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: profile-summary <file.cpuprofile> [top]\n');
    process.exit(2);
  }
  const top = Number(process.argv[3] ?? 30);
  const { totalMs, entries, inclusive } = summarise(JSON.parse(readFileSync(file, 'utf8')) as Profile);
  const show = (e: ProfileEntry) => console.log(`${(e.share * 100).toFixed(1).padStart(5)}%  ${e.selfMs.toFixed(0).padStart(6)} ms  ${e.name}`);
  console.log(`total ${totalMs.toFixed(0)} ms; self time:`);
  entries.slice(0, top).forEach(show);
  console.log('total time (including callees):');
  inclusive.filter((e) => !e.name.startsWith('(root)')).slice(0, top).forEach(show);
}
