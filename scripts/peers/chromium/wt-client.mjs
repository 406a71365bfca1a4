#!/usr/bin/env node
// Drive headless Chromium's WebTransport client against a server under test.
//
//   node wt-client.mjs --url https://127.0.0.1:4433/echo --cert-hash <b64 sha256 of DER cert> \
//        --scenario <name> [--timeout-ms N] [--json] [options]
//
// Scenarios: connect bidi-echo uni server-bidi datagram-echo close server-close
//            many-streams bulk stats        (contract: README.md next to this file)
// Options:   --bytes N          payload size for bidi-echo / uni (default 65536)
//            --streams N        streams for many-streams (default 100)
//            --bulk-bytes N     bytes for bulk (default 10485760)
//            --datagrams N      rounds for datagram-echo (default 10)
//            --expect-code N    closeCode expected in server-close (default 42)
//            --expect-reason S  reason expected in server-close (default "server-close")
//            --chromium PATH    browser binary (default $CHROMIUM or /usr/bin/chromium)
//            --flag F           extra Chromium switch, repeatable (none are needed; 'stats'
//                               adds --enable-experimental-web-platform-features itself)
//            --headful          run with a window (needs a display)
// Prints one JSON object {ok, scenario, details, timings, error, ...}; exit 0 on
// pass, 1 on fail, 2 on usage error.
// playwright-core comes from the repository's devDependencies; the browser is
// Debian's chromium (scripts/peers/chromium/install.sh), never a downloaded one.

import http from 'node:http';
import { COMMON_OPTIONS, launchChromium, loadPlaywright, parseOptions } from './driver-lib.mjs';

const SCENARIOS = ['connect', 'bidi-echo', 'uni', 'server-bidi', 'datagram-echo', 'close',
  'server-close', 'many-streams', 'bulk', 'stats'];

function parseArgs(argv) {
  const o = parseOptions(argv, { flags: [] }, {
    ...COMMON_OPTIONS,
    '--url': (o, next) => { o.url = next(); },
    '--cert-hash': (o, next) => { o.certHash = next(); },
    '--scenario': (o, next) => { o.scenario = next(); },
    '--bytes': (o, next) => { o.bytes = Number(next()); },
    '--streams': (o, next) => { o.streams = Number(next()); },
    '--bulk-bytes': (o, next) => { o.bulkBytes = Number(next()); },
    '--datagrams': (o, next) => { o.datagrams = Number(next()); },
    '--expect-code': (o, next) => { o.expectCode = Number(next()); },
    '--expect-reason': (o, next) => { o.expectReason = next(); },
  }, usage);
  if (!o.url || !o.scenario) usage('--url and --scenario are required');
  if (!SCENARIOS.includes(o.scenario)) usage(`unknown scenario ${o.scenario}`);
  return o;
}

function usage(msg) {
  if (msg) process.stderr.write(`wt-client: ${msg}\n`);
  process.stderr.write('usage: node wt-client.mjs --url URL --cert-hash B64 --scenario ' +
    `{${SCENARIOS.join('|')}} [--timeout-ms N] [--json]\n`);
  process.exit(2);
}

// The page-side code. It runs inside Chromium on a http://127.0.0.1 page
// (a secure context; about:blank and data: pages are not, and have no
// WebTransport).
const PAGE_JS = String.raw`
const enc = new TextEncoder(), dec = new TextDecoder();
function pattern(n, seed) { const b = new Uint8Array(n); let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) { x = (x * 1103515245 + 12345) >>> 0; b[i] = x >>> 24; } return b; }
function same(a, b) { if (a.length !== b.length) return false; for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false; return true; }
async function readAll(readable) { const parts = []; let n = 0;
  for await (const c of readable) { parts.push(c); n += c.length; }
  const out = new Uint8Array(n); let o = 0; for (const p of parts) { out.set(p, o); o += p.length; } return out; }
async function writeAll(writable, data, chunk = 65536) { const w = writable.getWriter();
  for (let o = 0; o < data.length; o += chunk) await w.write(data.subarray(o, o + chunk)); await w.close(); }
function withTimeout(p, ms, what) { return Promise.race([p, new Promise((_, rej) => setTimeout(() => rej(new Error('timeout: ' + what)), ms))]); }
function errInfo(e) { if (!e) return e; return { name: e.name, message: e.message, source: e.source, streamErrorCode: e.streamErrorCode }; }
async function bidiEcho(wt, data) { const s = await wt.createBidirectionalStream();
  const [, back] = await Promise.all([writeAll(s.writable, data), readAll(s.readable)]); return back; }

window.runScenario = async (name, o) => {
  const t = { start: performance.now() };
  const details = {};
  const value = Uint8Array.from(atob(o.certHash || ''), (c) => c.charCodeAt(0));
  const opts = o.certHash ? { serverCertificateHashes: [{ algorithm: 'sha-256', value }] } : {};
  let wt;
  try { wt = new WebTransport(o.url, opts); } catch (e) { return { ok: false, details, error: 'constructor: ' + e, timings: {} }; }
  const closedP = wt.closed.then((v) => ({ resolved: v }), (e) => ({ rejected: errInfo(e) }));
  const fin = (ok, error) => { const timings = { connectMs: t.ready !== undefined ? +(t.ready - t.start).toFixed(1) : null,
      scenarioMs: +(performance.now() - (t.ready ?? t.start)).toFixed(1) };
    return { ok, details, error: error ?? null, timings }; };
  try {
    await withTimeout(wt.ready, o.timeoutMs, 'ready');
    t.ready = performance.now();
    details.reliability = wt.reliability; details.congestionControl = wt.congestionControl;
    details.protocol = wt.protocol; details.maxDatagramSize = wt.datagrams.maxDatagramSize;
    let ok = true, error = null;
    switch (name) {
      case 'connect': break;
      case 'bidi-echo': {
        const data = pattern(o.bytes, 1); const back = await bidiEcho(wt, data);
        details.sent = data.length; details.received = back.length; ok = same(data, back);
        if (!ok) error = 'echo mismatch'; break; }
      case 'uni': {
        const data = pattern(o.bytes, 2);
        const reader = wt.incomingUnidirectionalStreams.getReader();
        const s = await wt.createUnidirectionalStream(); await writeAll(s, data);
        const { value: rs } = await reader.read(); const back = await readAll(rs);
        details.sent = data.length; details.received = back.length; ok = same(data, back);
        if (!ok) error = 'uni echo mismatch'; break; }
      case 'server-bidi': {
        const reader = wt.incomingBidirectionalStreams.getReader();
        const { value: s } = await reader.read(); const got = await readAll(s.readable);
        details.received = dec.decode(got); await writeAll(s.writable, got);
        ok = details.received === 'hello from server bidi';
        if (!ok) error = 'unexpected server-bidi payload'; break; }
      case 'datagram-echo': {
        const w = wt.datagrams.writable.getWriter(), r = wt.datagrams.readable.getReader();
        let pending = null; const rtts = []; let sent = 0, got = 0, lostRounds = 0;
        const readNext = () => { if (!pending) pending = r.read().then((x) => { pending = null; return x; }); return pending; };
        for (let i = 0; i < o.datagrams; i++) {
          const payload = enc.encode('dgram-' + i + '-' + 'x'.repeat(40)); let echoed = false;
          for (let attempt = 0; attempt < 3 && !echoed; attempt++) {
            const t0 = performance.now(); await w.write(payload); sent++;
            const deadline = t0 + 500;
            while (performance.now() < deadline) {
              const x = await Promise.race([readNext(), new Promise((res) => setTimeout(() => res(null), Math.max(1, deadline - performance.now())))]);
              if (!x || x.done) break;
              got++;
              if (same(x.value, payload)) { echoed = true; rtts.push(performance.now() - t0); break; }
            }
          }
          if (!echoed) lostRounds++;
        }
        Object.assign(details, { rounds: o.datagrams, sent, received: got, lostRounds,
          avgRttMs: rtts.length ? +(rtts.reduce((a, b) => a + b, 0) / rtts.length).toFixed(2) : null });
        ok = lostRounds === 0; if (!ok) error = lostRounds + ' datagram rounds got no echo'; break; }
      case 'close': {
        wt.close({ closeCode: 7, reason: 'bye' });
        const c = await withTimeout(closedP, o.timeoutMs, 'closed'); details.closed = c;
        ok = !!c.resolved && c.resolved.closeCode === 7 && c.resolved.reason === 'bye';
        if (!ok) error = 'closed did not resolve with {7, "bye"}'; break; }
      case 'server-close': {
        const c = await withTimeout(closedP, o.timeoutMs, 'server close'); details.closed = c;
        details.closeCode = c.resolved?.closeCode; details.reason = c.resolved?.reason;
        ok = !!c.resolved && c.resolved.closeCode === o.expectCode && c.resolved.reason === o.expectReason;
        if (!ok) error = 'expected closed to resolve with {' + o.expectCode + ', ' + JSON.stringify(o.expectReason) + '}'; break; }
      case 'many-streams': {
        const n = o.streams; const datas = Array.from({ length: n }, (_, i) => pattern(1024 + i, 100 + i));
        const t0 = performance.now();
        const res = await Promise.allSettled(datas.map((d) => bidiEcho(wt, d)));
        let good = 0; const failures = [];
        res.forEach((r, i) => { if (r.status === 'fulfilled' && same(r.value, datas[i])) good++; else if (failures.length < 5) failures.push({ i, why: r.status === 'rejected' ? String(r.reason) : 'mismatch' }); });
        Object.assign(details, { streams: n, echoed: good, failures, elapsedMs: +(performance.now() - t0).toFixed(1) });
        ok = good === n; if (!ok) error = (n - good) + ' of ' + n + ' streams failed'; break; }
      case 'bulk': {
        const n = o.bulkBytes; const data = pattern(n, 3); const s = await wt.createBidirectionalStream();
        const t0 = performance.now(); let uploadMs = null;
        const wp = writeAll(s.writable, data).then(() => { uploadMs = performance.now() - t0; });
        let off = 0, match = true;
        for await (const c of s.readable) { if (match && !same(c, data.subarray(off, off + c.length))) match = false; off += c.length; }
        await wp; const ms = performance.now() - t0;
        Object.assign(details, { bytes: n, received: off, match, elapsedMs: +ms.toFixed(1), uploadMs: +uploadMs.toFixed(1),
          throughputMBps: +((n / 1e6) / (ms / 1000)).toFixed(2), note: 'MB/s = 1e6 bytes/s of payload sent and fully echoed back' });
        ok = match && off === n; if (!ok) error = 'bulk echo mismatch'; break; }
      case 'stats': {
        await bidiEcho(wt, pattern(4096, 4));
        const st = await wt.getStats(); const plain = {};
        for (const k in st) { const v = st[k]; plain[k] = typeof v === 'bigint' ? Number(v) : (v && typeof v === 'object' ? JSON.parse(JSON.stringify(v)) : v); }
        details.stats = plain; ok = typeof plain === 'object' && Object.keys(plain).length > 0; break; }
    }
    if (name !== 'close' && name !== 'server-close') {
      try { wt.close({ closeCode: 0, reason: 'done' }); } catch {}
      await withTimeout(closedP, 2000, 'closed').catch(() => {});
    }
    return fin(ok, error);
  } catch (e) {
    details.closed = await Promise.race([closedP, new Promise((r) => setTimeout(() => r('pending'), 200))]);
    try { wt.close(); } catch {}
    return fin(false, String(e && e.message || e));
  }
};
`;

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const params = {
    url: o.url, certHash: o.certHash, timeoutMs: o.timeoutMs ?? 15000,
    bytes: o.bytes ?? 65536, streams: o.streams ?? 100, bulkBytes: o.bulkBytes ?? 10 * 1024 * 1024,
    datagrams: o.datagrams ?? 10, expectCode: o.expectCode ?? 42, expectReason: o.expectReason ?? 'server-close',
  };
  const result = { ok: false, scenario: o.scenario, url: o.url, details: {}, timings: {}, error: null };
  const T0 = Date.now();
  let browser, server, timer;
  const finish = (code) => {
    result.timings.totalMs = Date.now() - T0;
    process.stdout.write(JSON.stringify(result, null, o.json ? 0 : 2) + '\n');
    process.exit(code);
  };
  timer = setTimeout(() => {
    result.error = `driver timeout after ${params.timeoutMs + 20000} ms`;
    try { browser?.process?.()?.kill('SIGKILL'); } catch {}
    finish(1);
  }, params.timeoutMs + 20000);
  try {
    const { chromium } = loadPlaywright();
    server = http.createServer((req, res) => {
      if (req.url === '/wt.js') { res.writeHead(200, { 'content-type': 'text/javascript' }); res.end(PAGE_JS); return; }
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><meta charset=utf-8><title>wt-client</title><script src="/wt.js"></script>');
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    const t1 = Date.now();
    // getStats() (and wt.reliability / wt.congestionControl) are behind this switch in Chromium 156
    browser = await launchChromium(chromium, o, o.scenario === 'stats' ? ['--enable-experimental-web-platform-features'] : []);
    result.browser = browser.version();
    result.timings.launchMs = Date.now() - t1;
    const page = await browser.newPage();
    const consoleLines = [];
    page.on('console', (m) => { if (consoleLines.length < 20) consoleLines.push(m.text()); });
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    const r = await page.evaluate(([n, p]) => window.runScenario(n, p), [o.scenario, params]);
    Object.assign(result, { ok: r.ok, details: r.details, error: r.error });
    Object.assign(result.timings, r.timings);
    if (!r.ok && consoleLines.length) result.console = consoleLines;
  } catch (e) {
    result.error = String(e && e.message || e);
  } finally {
    clearTimeout(timer);
    try { await browser?.close(); } catch {}
    server?.close();
  }
  finish(result.ok ? 0 : 1);
}

main();
