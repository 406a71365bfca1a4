#!/usr/bin/env node
// The layering rule: protocol code is sans-IO and runtime-neutral. Outside src/node/ folders,
// package sources may not import node: modules, use Buffer, read clocks or start timers.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const rules = [
  [/from\s+['"]node:|import\s*\(\s*['"]node:|require\(\s*['"]node:/, 'node: import'],
  [/from\s+['"](fs|net|dgram|os|crypto|timers|events|child_process|worker_threads)['"]/, 'Node built-in import'],
  [/\bBuffer\b/, 'Buffer'],
  [/\b(setTimeout|setInterval|setImmediate|queueMicrotask)\s*\(/, 'timer'],
  [/\bDate\.now\s*\(|\bnew Date\s*\(\s*\)|\bperformance\.now\s*\(|process\.hrtime/, 'clock'],
  [/\bMath\.random\s*\(/, 'unseeded randomness'],
];

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else if (full.endsWith('.ts')) out.push(full);
  }
  return out;
}

let problems = 0;
for (const pkg of readdirSync(join(root, 'packages'))) {
  const src = join(root, 'packages', pkg, 'src');
  try { statSync(src); } catch { continue; }
  for (const file of walk(src)) {
    const rel = relative(root, file);
    if (rel.split(sep).includes('node')) continue; // adapters: the only place I/O may live
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      const code = line.replace(/\/\/.*$/, '');
      if (/^\s*(\*|\/\*)/.test(code)) return; // doc comments
      for (const [re, what] of rules) {
        if (re.test(code)) {
          console.error(`${rel}:${i + 1}: ${what} outside src/node/: ${line.trim()}`);
          problems++;
        }
      }
    });
  }
}
if (problems) {
  console.error(`layering: ${problems} problem(s)`);
  process.exit(1);
}
console.log('layering: ok');
