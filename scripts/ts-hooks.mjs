// Node module hooks that let Node 20 import the TypeScript sources directly
// (Bun and Deno do this natively). Types are stripped by esbuild, nothing is checked here:
// `npm run typecheck` does that.
import { readFile } from 'node:fs/promises';
import { transform } from 'esbuild';

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  const path = new URL(url);
  const source = await readFile(path, 'utf8');
  const out = await transform(source, {
    loader: 'ts',
    format: 'esm',
    target: 'es2022',
    sourcemap: 'inline',
    sourcefile: path.pathname,
  });
  return { format: 'module', source: out.code, shortCircuit: true };
}
