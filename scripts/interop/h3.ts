/**
 * The interop endpoint's cases over HTTP/3 (APPLICATION=h3, for peers that speak only h3): what
 * the HTTP/3 node API can and cannot take part in, and the client side of each case on
 * `H3Client`: all files in parallel on one connection, one connection per file (multiconnect),
 * an early key update (keyupdate) through the transport's key-update interval, a second
 * connection resuming the first's session (resumption, zerortt with 0-RTT requests), and a first
 * Initial of an unknown version (versionnegotiation).
 * @module
 */
import { writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { CipherSuite } from '@quicts/quic-core';
import { QuicSessionCache } from '@quicts/quic-core/node';
import { downloadFiles, downloadOn, H3Client, type H3ClientOptions } from '@quicts/h3/node';

/**
 * Packets sent with one key before the client updates keys in the keyupdate case: small, so
 * that the first update happens early in the transfer (RFC 9001 §6 allows any interval once the
 * previous update was acknowledged).
 */
const KEY_UPDATE_INTERVAL = 64;
/**
 * How long one connection of the multiconnect case may take before it is abandoned and retried
 * (ms): under 30 % loss a handshake that loses several flights in a row waits out PTOs of 1, 2, 4,
 * 8 s and more, so an attempt gets most of a minute before it counts as stuck.
 */
const ATTEMPT_DEADLINE = 45_000;

/** A reserved version (RFC 9000 §15): the first Initial of the versionnegotiation case. */
const UNKNOWN_VERSION = 0x1a2a3a4a;

export interface H3ClientRun {
  readonly testcase: string;
  readonly urls: readonly string[];
  readonly downloads: string;
  readonly suites?: readonly CipherSuite[];
  readonly keylogFile?: string;
  readonly qlogDir?: string;
  readonly log: (line: string) => void;
}

/** Fetches the case's URLs over HTTP/3; resolves with the process exit code. */
export async function runH3Client(run: H3ClientRun): Promise<number> {
  const { testcase, urls, downloads, log } = run;
  if (urls.length === 0) {
    log('REQUESTS is empty');
    return 1;
  }
  const options: H3ClientOptions = {
    verify: { insecure: true },
    ...(run.suites ? { cipherSuites: run.suites } : {}),
    ...(run.keylogFile ? { keylogFile: run.keylogFile } : {}),
    ...(run.qlogDir ? { qlogDir: run.qlogDir } : {}),
    ...(testcase === 'keyupdate' ? { transport: { keyUpdateInterval: KEY_UPDATE_INTERVAL } } : {}),
    ...(testcase === 'versionnegotiation' ? { version: UNKNOWN_VERSION } : {}),
  };
  const started = performance.now();
  let failed = 0;
  const fetchOn = async (group: readonly string[]): Promise<boolean> => {
    try {
      for (const r of await downloadFiles(group, downloads, options)) log(`OK ${r.url} ${r.bytes} bytes`);
      return true;
    } catch (e) {
      log(`FAIL ${group.length === 1 ? group[0] : `${group.length} files`}: ${(e as Error).message}`);
      return false;
    }
  };
  if (testcase === 'multiconnect') {
    // One connection per file, up to ten at a time; a lossy handshake may fail, and an attempt
    // that takes too long is abandoned: both are retried.
    const queue = [...urls];
    const worker = async () => {
      for (let url = queue.shift(); url; url = queue.shift()) {
        let ok = false;
        for (let attempt = 1; attempt <= 5 && !ok; attempt++) {
          try {
            log(`OK ${url} ${await fetchAlone(url, downloads, options)} bytes`);
            ok = true;
          } catch (e) {
            log(`attempt ${attempt} for ${url} failed: ${(e as Error).message}`);
          }
        }
        if (!ok) failed++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(10, urls.length) }, worker));
  } else if (testcase === 'resumption' || testcase === 'zerortt') {
    failed += await resumeAndFetch(urls, downloads, options, testcase === 'zerortt', log);
  } else if (!(await fetchOn(urls))) {
    failed++;
  }
  log(`done in ${((performance.now() - started) / 1000).toFixed(2)} s, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

/**
 * resumption / zerortt: the first URL on a first connection, kept open until a session ticket
 * arrived; the rest on a second connection that resumes (zerortt: its requests in 0-RTT).
 * Returns the number of failures.
 */
async function resumeAndFetch(urls: readonly string[], downloads: string, options: H3ClientOptions, zeroRtt: boolean, log: (line: string) => void): Promise<number> {
  const sessionCache = new QuicSessionCache();
  const first = await H3Client.connect(urls[0]!, { ...options, sessionCache });
  const origin = new URL(urls[0]!);
  try {
    for (const r of await downloadOn(first, urls.slice(0, 1), downloads)) log(`OK ${r.url} ${r.bytes} bytes (first connection)`);
    if (!(await sessionCache.waitForTicket(QuicSessionCache.key(origin.hostname, Number(origin.port || 443)), 3000))) {
      log('no session ticket arrived on the first connection');
      return 1;
    }
  } finally {
    await first.shutdown().catch(() => undefined);
  }
  const rest = urls.slice(1);
  if (rest.length === 0) return 0;
  const second = await H3Client.connect(rest[0]!, { ...options, sessionCache, earlyData: zeroRtt });
  try {
    for (const r of await downloadOn(second, rest, downloads)) log(`OK ${r.url} ${r.bytes} bytes (second connection)`);
  } finally {
    await second.shutdown().catch(() => undefined);
  }
  log(`second connection resumed=${second.session.resumed} earlyDataAccepted=${second.session.earlyDataAccepted}`);
  if (!second.session.resumed) {
    log('the second connection did not resume');
    return 1;
  }
  if (zeroRtt && !second.session.earlyDataAccepted) log('0-RTT was rejected (requests were resent in 1-RTT)');
  return 0;
}

/** One URL on a connection of its own, within {@link ATTEMPT_DEADLINE}; resolves with the byte count. */
async function fetchAlone(url: string, downloads: string, options: H3ClientOptions): Promise<number> {
  let client: H3Client | undefined;
  let stage = 'handshake';
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no progress after ${ATTEMPT_DEADLINE} ms (${stage})`)), ATTEMPT_DEADLINE);
  });
  const work = (async () => {
    client = await H3Client.connect(url, options);
    stage = 'response head';
    const res = await client.request(url);
    stage = 'response body';
    const body = await res.bytes();
    if (res.status !== 200) throw new Error(`status ${res.status}`);
    await writeFile(join(downloads, basename(new URL(url).pathname)), body);
    stage = 'close';
    return body.length;
  })();
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
    work.catch(() => {});
    if (client) {
      await Promise.race([client.shutdown().catch(() => undefined), new Promise((r) => setTimeout(r, 1000))]);
      if (!client.isClosed) await client.close().catch(() => undefined);
    }
  }
}
