#!/usr/bin/env node
// Runs the real-peer suites (packages/*/test/**/*.peer.ts) under Node, outside `npm test`:
// today Deno's QUIC (quinn) speaking hq-interop. Finds or installs Deno first
// (scripts/interop/install-deno.sh). Usage: node scripts/interop/run-peer-tests.mjs [filter]
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const filter = process.argv[2];

function find(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...find(full));
    else if (name.endsWith('.peer.ts')) out.push(full);
  }
  return out;
}

const files = [];
for (const pkg of readdirSync(join(root, 'packages')).sort()) {
  const dir = join(root, 'packages', pkg, 'test');
  try { statSync(dir); } catch { continue; }
  files.push(...find(dir));
}
const selected = files.map((f) => relative(root, f)).filter((f) => !filter || f.includes(filter));
if (selected.length === 0) {
  console.error('no peer suites selected');
  process.exit(1);
}

const deno = execFileSync('bash', [join(root, 'scripts', 'interop', 'install-deno.sh')], { encoding: 'utf8' }).trim();
console.log(`peer tests with Deno at ${deno}`);
const child = spawn(process.execPath, ['--conditions=source', '--import', './scripts/register-ts.mjs', join('scripts', 'test-entry.mjs'), ...selected], {
  cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, DENO: deno, FORCE_COLOR: '0' },
});
let output = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  output += chunk.toString();
});
child.on('close', (code) => {
  // The same closing line as `npm test`: N passed, N failed.
  const total = Number(/Total:\s+(\d+)/.exec(output)?.[1] ?? 0);
  const passed = Number(/Passed:\s+(\d+)/.exec(output)?.[1] ?? 0);
  const skipped = Number(/Skipped:\s+(\d+)/.exec(output)?.[1] ?? 0);
  let failed = total - passed - skipped;
  if ((code !== 0 || total === 0) && failed === 0) failed = 1;
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
});
