// What the Chromium drivers (wt-client.mjs, h3-fetch.mjs) share: option parsing, loading
// playwright-core, and launching a fresh headless Chromium.
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * Parses `--name value` / `--name=value` options. `spec` maps an option to a function
 * `(o, next)` that stores it in `o` (`next()` takes the value); `usage(msg)` exits.
 */
export function parseOptions(argv, o, spec, usage) {
  argv = [...argv];
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i];
    const eqi = a.indexOf('=');
    if (a.startsWith('--') && eqi > 2) { argv.splice(i + 1, 0, a.slice(eqi + 1)); a = a.slice(0, eqi); }
    const next = () => {
      if (i + 1 >= argv.length) usage(`missing value for ${a}`);
      return argv[++i];
    };
    if (a === '-h' || a === '--help') usage();
    const take = spec[a];
    if (!take) usage(`unknown argument ${a}`);
    take(o, next);
  }
  return o;
}

/** Options every driver takes: --timeout-ms, --json, --chromium, --flag (repeatable), --headful. */
export const COMMON_OPTIONS = {
  '--timeout-ms': (o, next) => { o.timeoutMs = Number(next()); },
  '--json': (o) => { o.json = true; },
  '--chromium': (o, next) => { o.chromium = next(); },
  '--flag': (o, next) => { o.flags.push(next()); },
  '--headful': (o) => { o.headful = true; },
};

export function loadPlaywright() {
  try {
    return createRequire(path.join(here, 'package.json'))('playwright-core');
  } catch {
    throw new Error('playwright-core not found: run npm install (it is a devDependency), then scripts/peers/chromium/install.sh');
  }
}

/** Launches Chromium (a fresh temporary profile, Playwright's default) with `args` and the user's --flag switches. */
export function launchChromium(chromium, o, args) {
  return chromium.launch({
    executablePath: o.chromium || process.env.CHROMIUM || '/usr/bin/chromium',
    headless: !o.headful,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', ...args, ...o.flags],
  });
}
