// Loads every test file given on the command line into one uvu run, then runs them.
// The same file runs under Node (with the TypeScript hooks), Bun and Deno.
globalThis.UVU_DEFER = 1;
const { exec } = await import('uvu');
const files = (globalThis.Deno ? globalThis.Deno.args : process.argv.slice(2));
let index = 0;
for (const file of files) {
  globalThis.UVU_INDEX = index++;
  globalThis.UVU_QUEUE.push([file]);
  await import(new URL(file, 'file://' + process.cwd() + '/').href);
}
await exec(false);
// Every suite has run and uvu has printed its summary: end the process even if a test left a
// socket or timer behind (Deno otherwise waits on such handles).
const code = Number(process.exitCode ?? 0);
if (globalThis.Deno) globalThis.Deno.exit(code);
else process.exit(code);
