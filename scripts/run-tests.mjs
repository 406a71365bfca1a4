#!/usr/bin/env node
// Runs the unit-test suites of every package under one runtime (node | bun | deno) and ends
// with one line `N passed, N failed`. Usage: node scripts/run-tests.mjs [runtime] [filter]
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const runtime = process.argv[2] ?? 'node';
const filter = process.argv[3];

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...findTests(full));
    else if (name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

const files = [];
for (const pkg of readdirSync(join(root, 'packages')).sort()) {
  const testDir = join(root, 'packages', pkg, 'test');
  try { statSync(testDir); } catch { continue; }
  files.push(...findTests(testDir));
}
const selected = files.map((f) => relative(root, f)).filter((f) => !filter || f.includes(filter));

const bin = (name) => join(root, 'node_modules', '.bin', name);
// Deno comes from its platform package (the `deno` wrapper package needs every platform's build
// in the registry, which a mirror may not have); DENO overrides the path.
function denoBinary() {
  if (process.env.DENO) return process.env.DENO;
  const platformBinary = join(root, 'node_modules', '@deno', `${process.platform}-${process.arch}${process.platform === 'linux' ? '-glibc' : ''}`, 'deno');
  try {
    statSync(platformBinary);
    return platformBinary;
  } catch {
    return 'deno'; // one on PATH
  }
}
const entry = join('scripts', 'test-entry.mjs');
const commands = {
  node: [process.execPath, ['--conditions=source', '--import', './scripts/register-ts.mjs', entry, ...selected]],
  bun: [bin('bun'), ['--conditions=source', entry, ...selected]],
  deno: [denoBinary(), ['run', '-A', '--conditions=source', '--no-lock', entry, ...selected]],
};
const command = commands[runtime];
if (!command) {
  console.error(`unknown runtime ${runtime}; use node, bun or deno`);
  process.exit(2);
}

const child = spawn(command[0], command[1], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, FORCE_COLOR: '0' } });
let output = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  output += chunk.toString();
});
child.on('close', (code) => {
  const total = Number(/Total:\s+(\d+)/.exec(output)?.[1] ?? 0);
  const passed = Number(/Passed:\s+(\d+)/.exec(output)?.[1] ?? 0);
  const skipped = Number(/Skipped:\s+(\d+)/.exec(output)?.[1] ?? 0);
  let failed = total - passed - skipped;
  // A crash before the summary, or a non-zero exit with no counted failure, is a failure.
  if (code !== 0 && failed === 0) failed = 1;
  if (total === 0) failed = Math.max(failed, 1);
  console.log(`${runtime}: ${selected.length} files, ${skipped} skipped`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
});
