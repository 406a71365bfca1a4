#!/usr/bin/env node
// Builds each published package: ESM JavaScript with esbuild (dependencies left external) and
// .d.ts declarations with tsc. Packages are built in dependency order so that each one's
// declarations can refer to the previous ones' dist/.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const packages = ['quic-core', 'h3', 'webtransport'];

for (const name of packages) {
  const dir = join(root, 'packages', name);
  const dist = join(dir, 'dist');
  rmSync(dist, { recursive: true, force: true });
  const entries = ['src/index.ts', 'src/node/index.ts'].filter((e) => existsSync(join(dir, e)));
  await build({
    absWorkingDir: dir,
    entryPoints: entries,
    outbase: 'src',
    outdir: 'dist',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  });
  const tsconfig = join(dir, 'tsconfig.build.json');
  writeFileSync(tsconfig, JSON.stringify({
    extends: '../../tsconfig.json',
    compilerOptions: {
      noEmit: false, declaration: true, emitDeclarationOnly: true, rootDir: 'src', outDir: 'dist',
      customConditions: [], noUnusedLocals: false, noUnusedParameters: false,
    },
    include: ['src'],
  }, null, 2));
  try {
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', tsconfig], { stdio: 'inherit' });
  } finally {
    rmSync(tsconfig);
  }
  console.log(`built ${name}: ${entries.join(', ')}`);
}
