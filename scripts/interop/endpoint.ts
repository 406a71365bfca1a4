/**
 * The quic-interop-runner endpoint contract (see scripts/interop-endpoint.sh): ROLE, TESTCASE,
 * REQUESTS, SSLKEYLOGFILE, QLOGDIR from the environment; files served from WWW (default /www),
 * downloaded to DOWNLOADS (/downloads), certificate in CERTS (/certs: cert.pem, priv.key), port
 * PORT (443), server bind address HOST (default '::', dual stack). Unsupported test cases exit
 * 127. ALPN hq-interop, and h3 for the http3 case. resumption and zerortt: the client fetches the first URL on one
 * connection and the rest on a second one that resumes the session (zerortt: sending the
 * requests in 0-RTT); the server issues session tickets (zerortt: 0-RTT ones) and accepts 0-RTT.
 *
 * APPLICATION=h3 runs every case over HTTP/3 instead (for peers that speak only h3): the server is
 * `createH3Server` (Retry, ChaCha20 through its options), the client `H3Client` (one connection
 * for all files, or one per file for multiconnect; keyupdate through a short key-update
 * interval; resumption and zerortt as above). versionnegotiation: the client's first Initial
 * carries a reserved version, and it connects again with v1 after the Version Negotiation.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TLS_CHACHA20_POLY1305_SHA256, type CipherSuite } from '@quicts/quic-core';
import { QuicSessionCache, connect, defaultSessionCache, listen, type QuicConnection } from '@quicts/quic-core/node';
import { createH3Server, downloadFiles, fileHandler } from '@quicts/h3/node';
import { HQ_ALPN, fetchHq, serveHqConnection } from './hq.ts';
import { runH3Client } from './h3.ts';

const env = process.env;
const role = env['ROLE'];
const testcase = env['TESTCASE'] ?? '';
/** hq-interop (default) or h3 for every case. */
const application = env['APPLICATION'] === 'h3' ? 'h3' : 'hq-interop';
const log = (line: string) => process.stderr.write(`[${role ?? '?'} ${testcase}] ${line}\n`);

/** Cases each role takes part in; the runner gives several cases a simpler name (e.g. multiplexing -> transfer). */
const SERVER_CASES = new Set(['handshake', 'transfer', 'chacha20', 'retry', 'multiconnect', 'keyupdate', 'resumption', 'zerortt', 'http3']);
const CLIENT_CASES = new Set(['handshake', 'transfer', 'chacha20', 'retry', 'multiconnect', 'keyupdate', 'resumption', 'zerortt', 'http3', 'versionnegotiation']);

const keylogFile = env['SSLKEYLOGFILE'] || undefined;
const qlogDir = env['QLOGDIR'] || undefined;
const logging = { ...(keylogFile ? { keylogFile } : {}), ...(qlogDir ? { qlogDir } : {}) };
const suites: readonly CipherSuite[] | undefined = testcase === 'chacha20' ? [TLS_CHACHA20_POLY1305_SHA256] : undefined;

async function runServer(): Promise<number> {
  const certs = env['CERTS'] ?? '/certs';
  const www = env['WWW'] ?? '/www';
  const port = Number(env['PORT'] ?? 443);
  const host = env['HOST'] ?? '::';
  const [cert, key] = await Promise.all([readFile(join(certs, 'cert.pem'), 'utf8'), readFile(join(certs, 'priv.key'), 'utf8')]);
  const server = await listen({
    host, port, alpn: [HQ_ALPN], tls: { cert, key }, retry: testcase === 'retry',
    sessionTickets: testcase === 'resumption' || testcase === 'zerortt', earlyData: testcase === 'zerortt',
    transport: { initialMaxStreamsBidi: 100 },
    ...(suites ? { cipherSuites: suites } : {}), ...logging,
  });
  log(`listening on ${server.address.address}:${server.address.port}`);
  const stop = () => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  for await (const conn of server) {
    void serveHqConnection(www, conn, log);
  }
  return 0;
}

async function runClient(): Promise<number> {
  const downloads = env['DOWNLOADS'] ?? '/downloads';
  const urls = (env['REQUESTS'] ?? '').split(/\s+/).filter(Boolean).map((u) => new URL(u));
  if (urls.length === 0) {
    log('REQUESTS is empty');
    return 1;
  }
  const first = urls[0]!;
  const host = first.hostname;
  const port = Number(first.port || 443);
  const options = {
    alpn: [HQ_ALPN], verify: { insecure: true as const }, ...(suites ? { cipherSuites: suites } : {}), ...logging,
    // RFC 9000 §7.4 / the runner's README: small initial windows, raised as the transfer goes.
    transport: { initialMaxData: 256 * 1024, initialMaxStreamDataBidiLocal: 128 * 1024 },
    // A reserved version (RFC 9000 §15) first: the server answers with Version Negotiation.
    ...(testcase === 'versionnegotiation' ? { version: 0x1a2a3a4a } : {}),
  };
  const started = performance.now();
  let failed = 0;
  const fetchOne = async (conn: QuicConnection, url: URL, onData?: () => void) => {
    try {
      const n = await fetchHq(conn, url.pathname, downloads, onData);
      log(`OK ${url.href} ${n} bytes`);
    } catch (e) {
      failed++;
      log(`FAIL ${url.href}: ${(e as Error).message}`);
    }
  };
  if (testcase === 'multiconnect') {
    // One connection per file (handshakeloss, handshakecorruption), up to ten at a time: the
    // runner allows sequential or parallel connections, and lossy handshakes wait out PTOs. A
    // connection that fails (or that the server ends with an error) is replaced by a new one.
    const queue = [...urls];
    const worker = async () => {
      for (let url = queue.shift(); url; url = queue.shift()) {
        let attempt = 0;
        for (;;) {
          attempt++;
          try {
            const conn = await connect(host, port, options);
            try {
              log(`OK ${url.href} ${await fetchHq(conn, url.pathname, downloads)} bytes`);
            } finally {
              await conn.close({ code: 0 });
            }
            break;
          } catch (e) {
            log(`connection attempt ${attempt} for ${url.href} failed: ${(e as Error).message}`);
            if (attempt >= 5) {
              failed++;
              break;
            }
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(10, urls.length) }, worker));
  } else if (testcase === 'resumption' || testcase === 'zerortt') {
    failed += await resumeAndFetch(host, port, urls, options, fetchOne);
  } else {
    const conn = await connect(host, port, options);
    log(`connected, ALPN ${conn.alpn}`);
    let onData: (() => void) | undefined;
    if (testcase === 'keyupdate') {
      // The client makes a key update happen early (as soon as the handshake is confirmed).
      let done = false;
      onData = () => {
        if (!done && conn.initiateKeyUpdate()) {
          done = true;
          log('initiated a key update');
        }
      };
      onData();
    }
    await Promise.all(urls.map((u) => fetchOne(conn, u, onData)));
    await conn.close({ code: 0 });
  }
  log(`done in ${((performance.now() - started) / 1000).toFixed(2)} s, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

/**
 * resumption / zerortt: the first URL on a first connection, kept open until a session ticket
 * arrived; the rest on a second connection resuming the session (zerortt: requests in 0-RTT).
 * Returns the number of failures beyond those `fetchOne` counts.
 */
async function resumeAndFetch(
  host: string, port: number, urls: URL[], options: Parameters<typeof connect>[2],
  fetchOne: (conn: QuicConnection, url: URL) => Promise<void>,
): Promise<number> {
  const key = QuicSessionCache.key(host, port);
  const first = await connect(host, port, options);
  log(`first connection, ALPN ${first.alpn}`);
  await fetchOne(first, urls[0]!);
  const gotTicket = await defaultSessionCache.waitForTicket(key, 3000);
  await first.close({ code: 0 });
  if (!gotTicket) {
    log('no session ticket arrived on the first connection');
    return 1;
  }
  const rest = urls.slice(1);
  if (rest.length === 0) return 0;
  const zeroRtt = testcase === 'zerortt';
  const second = await connect(host, port, { ...options, earlyData: zeroRtt });
  log(`second connection: ${second.connection.canSendEarlyData ? 'sending 0-RTT' : 'no 0-RTT'}`);
  await Promise.all(rest.map((u) => fetchOne(second, u)));
  log(`second connection resumed=${second.resumed} earlyDataAccepted=${second.earlyDataAccepted}`);
  await second.close({ code: 0 });
  if (!second.resumed) {
    log('the second connection did not resume');
    return 1;
  }
  if (zeroRtt && !second.earlyDataAccepted) log('0-RTT was rejected (requests were resent in 1-RTT)');
  return 0;
}

/** The http3 case, and every case with APPLICATION=h3: HTTP/3 (ALPN h3) file server. */
async function runH3Server(): Promise<number> {
  const certs = env['CERTS'] ?? '/certs';
  const [cert, key] = await Promise.all([readFile(join(certs, 'cert.pem'), 'utf8'), readFile(join(certs, 'priv.key'), 'utf8')]);
  const server = await createH3Server({
    cert, key, host: env['HOST'] ?? '::', port: Number(env['PORT'] ?? 443), handler: fileHandler(env['WWW'] ?? '/www'),
    retry: testcase === 'retry', ...(suites ? { cipherSuites: suites } : {}),
    sessionTickets: testcase === 'resumption', earlyData: testcase === 'zerortt',
    ...logging,
  });
  log(`listening on ${server.address.address}:${server.address.port}`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await server.close();
  return 0;
}

function requestUrls(): string[] {
  return (env['REQUESTS'] ?? '').split(/\s+/).filter(Boolean);
}

/** The http3 case: every URL fetched in parallel on one HTTP/3 connection. */
async function runHttp3Client(): Promise<number> {
  const urls = (env['REQUESTS'] ?? '').split(/\s+/).filter(Boolean);
  const results = await downloadFiles(urls, env['DOWNLOADS'] ?? '/downloads', { verify: { insecure: true }, ...logging });
  let failed = 0;
  for (const r of results) {
    if (r.status !== 200) failed++;
    log(`${r.status === 200 ? 'OK' : 'FAIL'} ${r.url} ${r.status} ${r.bytes} bytes`);
  }
  return failed === 0 ? 0 : 1;
}

async function main(): Promise<number> {
  const h3 = application === 'h3' || testcase === 'http3';
  if (role === 'server') {
    if (!SERVER_CASES.has(testcase)) return 127;
    return h3 ? runH3Server() : runServer();
  }
  if (role === 'client') {
    if (!CLIENT_CASES.has(testcase)) return 127;
    if (testcase === 'http3') return runHttp3Client();
    return h3 ? runH3Client({ testcase, urls: requestUrls(), downloads: env['DOWNLOADS'] ?? '/downloads', ...(suites ? { suites } : {}), ...logging, log }) : runClient();
  }
  log('ROLE must be client or server');
  return 127;
}

main().then((code) => process.exit(code), (e) => {
  log(`error: ${(e as Error)?.stack ?? String(e)}`);
  process.exit(1);
});
