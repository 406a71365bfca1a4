#!/usr/bin/env node
// Drive headless Chromium's HTTP/3 stack against a server under test: load a page and fetch
// files from it, and report which protocol each one went over.
//
//   node h3-fetch.mjs --url https://127.0.0.1:4433/ (--cert cert.pem | --spki <b64>) \
//        --fetch /5MB.bin [--fetch /small.txt ...] [--timeout-ms N] [--json] [options]
//
// Chromium is told to speak QUIC to the URL's origin from the first request
// (--origin-to-force-quic-on=HOST:PORT, so no Alt-Svc round over TCP is needed), and to accept
// the server's self-signed certificate by the SHA-256 of its SubjectPublicKeyInfo
// (--ignore-certificate-errors-spki-list; --cert computes it from a PEM certificate). The
// certificate must still be within its validity dates and name the URL's host in its SAN.
// The page (the URL) is loaded by navigation, then every --fetch path is fetched from the page
// with cache: 'no-store', read whole, and hashed with crypto.subtle.digest('SHA-256').
//
// Options:   --fetch PATH       path (or URL) to fetch from the page, repeatable (at least one)
//            --chromium PATH    browser binary (default $CHROMIUM or /usr/bin/chromium)
//            --flag F           extra Chromium switch, repeatable
//            --net-log FILE     write Chromium's NetLog there (--log-net-log; for diagnosis)
//            --headful          run with a window (needs a display)
// Prints one JSON object
//   {ok, url, page: {nextHopProtocol, status}, file: {path, status, bytes, sha256,
//    nextHopProtocol, ms}, files: [...every fetch...], timings, error, browser}
// where `file` is the first fetch. ok is true when the page and every fetch succeeded with a 2xx
// status over h3. Exit 0 on pass, 1 on fail, 2 on usage error.
// playwright-core comes from the repository's devDependencies; the browser is Debian's chromium
// (scripts/peers/chromium/install.sh), never a downloaded one.

import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { COMMON_OPTIONS, launchChromium, loadPlaywright, parseOptions } from './driver-lib.mjs';

function parseArgs(argv) {
  const o = parseOptions(argv, { flags: [], fetch: [] }, {
    ...COMMON_OPTIONS,
    '--url': (o, next) => { o.url = next(); },
    '--cert': (o, next) => { o.cert = next(); },
    '--spki': (o, next) => { o.spki = next(); },
    '--fetch': (o, next) => { o.fetch.push(next()); },
    '--net-log': (o, next) => { o.netLog = next(); },
  }, usage);
  if (!o.url || o.fetch.length === 0) usage('--url and at least one --fetch are required');
  if (!o.cert && !o.spki) usage('--cert or --spki is required');
  let url;
  try { url = new URL(o.url); } catch { usage(`invalid --url ${o.url}`); }
  if (url.protocol !== 'https:') usage('--url must be https:');
  if (o.timeoutMs !== undefined && !(o.timeoutMs > 0)) usage('--timeout-ms must be a positive number');
  return o;
}

function usage(msg) {
  if (msg) process.stderr.write(`h3-fetch: ${msg}\n`);
  process.stderr.write('usage: node h3-fetch.mjs --url https://HOST:PORT/ (--cert PEM | --spki B64) ' +
    '--fetch PATH [--fetch PATH ...] [--timeout-ms N] [--json] [--flag F] [--net-log FILE]\n');
  process.exit(2);
}

/** base64 SHA-256 of the certificate's SubjectPublicKeyInfo (DER), as Chromium's SPKI list wants. */
function spkiHash(pemFile) {
  const spki = new X509Certificate(readFileSync(pemFile)).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

/** Runs in the page: fetches each path, hashes it, and reads its Resource Timing entry. */
async function fetchAll({ paths, timeoutMs }) {
  const hex = (buf) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');
  const nav = performance.getEntriesByType('navigation')[0];
  const page = { nextHopProtocol: nav ? nav.nextHopProtocol : null };
  const files = [];
  for (const p of paths) {
    const url = new URL(p, location.href).href;
    const entry = { path: p, url };
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), timeoutMs);
    const t0 = performance.now();
    try {
      const res = await fetch(url, { cache: 'no-store', signal: ctl.signal });
      entry.status = res.status;
      entry.contentType = res.headers.get('content-type');
      const body = await res.arrayBuffer();
      entry.ms = +(performance.now() - t0).toFixed(1);
      entry.bytes = body.byteLength;
      entry.sha256 = hex(await crypto.subtle.digest('SHA-256', body));
    } catch (e) {
      entry.error = String(e && e.message || e);
    } finally {
      clearTimeout(timer);
    }
    const timing = performance.getEntriesByName(url, 'resource').at(-1);
    entry.nextHopProtocol = timing ? timing.nextHopProtocol : null;
    if (timing) entry.timing = { durationMs: +timing.duration.toFixed(1), transferSize: timing.transferSize };
    files.push(entry);
  }
  return { page, files };
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const url = new URL(o.url);
  const timeoutMs = o.timeoutMs ?? 30000;
  const result = { ok: false, url: url.href, page: {}, file: null, files: [], timings: {}, error: null };
  const T0 = Date.now();
  let browser;
  const finish = (code) => {
    result.timings.totalMs = Date.now() - T0;
    process.stdout.write(JSON.stringify(result, null, o.json ? 0 : 2) + '\n');
    process.exit(code);
  };
  const overall = timeoutMs * (o.fetch.length + 1) + 20000;
  const timer = setTimeout(() => {
    result.error = `driver timeout after ${overall} ms`;
    try { browser?.process?.()?.kill('SIGKILL'); } catch {}
    finish(1);
  }, overall);
  try {
    const spki = o.spki ?? spkiHash(o.cert);
    const { chromium } = loadPlaywright();
    const t1 = Date.now();
    browser = await launchChromium(chromium, o, [
      '--enable-quic', `--origin-to-force-quic-on=${url.host}`, `--ignore-certificate-errors-spki-list=${spki}`,
      ...(o.netLog ? [`--log-net-log=${path.resolve(o.netLog)}`, '--net-log-capture-mode=Everything'] : []),
    ]);
    result.browser = browser.version();
    result.timings.launchMs = Date.now() - t1;
    const page = await browser.newPage();
    const consoleLines = [];
    page.on('console', (m) => { if (consoleLines.length < 20) consoleLines.push(m.text()); });
    const t2 = Date.now();
    const response = await page.goto(url.href, { timeout: timeoutMs });
    result.timings.pageMs = Date.now() - t2;
    const r = await page.evaluate(fetchAll, { paths: o.fetch, timeoutMs });
    result.page = { status: response ? response.status() : null, nextHopProtocol: r.page.nextHopProtocol };
    result.files = r.files;
    result.file = r.files[0] ?? null;
    const ok2xx = (s) => typeof s === 'number' && s >= 200 && s < 300;
    const problems = [];
    if (!ok2xx(result.page.status)) problems.push(`page status ${result.page.status}`);
    if (result.page.nextHopProtocol !== 'h3') problems.push(`page over ${result.page.nextHopProtocol}`);
    for (const f of r.files) {
      if (f.error) problems.push(`${f.path}: ${f.error}`);
      else if (!ok2xx(f.status)) problems.push(`${f.path}: status ${f.status}`);
      if (f.nextHopProtocol !== 'h3') problems.push(`${f.path} over ${f.nextHopProtocol}`);
    }
    result.ok = problems.length === 0;
    if (!result.ok) {
      result.error = problems.join('; ');
      if (consoleLines.length) result.console = consoleLines;
    }
  } catch (e) {
    result.error = String(e && e.message || e);
  } finally {
    clearTimeout(timer);
    try { await browser?.close(); } catch {}
  }
  finish(result.ok ? 0 : 1);
}

main();
