/**
 * The interop endpoint's cases over HTTP/3 (APPLICATION=h3, for peers that speak only h3): what
 * the HTTP/3 node API can and cannot take part in, and the client side of each case on
 * `H3Client`: all files in parallel on one connection, one connection per file (multiconnect),
 * and an early key update (keyupdate) through the transport's key-update interval.
 * @module
 */
import { writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { CipherSuite } from '@quicts/quic-core';
import { downloadFiles, H3Client, type H3ClientOptions } from '@quicts/h3/node';

/**
 * Packets sent with one key before the client updates keys in the keyupdate case: small, so
 * that the first update happens early in the transfer (RFC 9001 §6 allows any interval once the
 * previous update was acknowledged).
 */
const KEY_UPDATE_INTERVAL = 64;
/** How long one connection of the multiconnect case may take before it is abandoned and retried (ms). */
const ATTEMPT_DEADLINE = 15_000;

/** Why our HTTP/3 endpoint cannot take part in `testcase` in `role`, or undefined. */
export function h3Unsupported(role: 'client' | 'server', testcase: string): string | undefined {
  if (testcase === 'resumption' || testcase === 'zerortt') {
    return role === 'server'
      ? 'createH3Server has no option to issue session tickets or accept 0-RTT'
      : 'H3Client keeps no session tickets between connections (no resumption or 0-RTT)';
  }
  return undefined;
}

export interface H3ClientRun {
  readonly testcase: string;
  readonly urls: readonly string[];
  readonly downloads: string;
  readonly suites?: readonly CipherSuite[];
  readonly keylogFile?: string;
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
    ...(testcase === 'keyupdate' ? { transport: { keyUpdateInterval: KEY_UPDATE_INTERVAL } } : {}),
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
  } else if (!(await fetchOn(urls))) {
    failed++;
  }
  log(`done in ${((performance.now() - started) / 1000).toFixed(2)} s, ${failed} failed`);
  return failed === 0 ? 0 : 1;
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
