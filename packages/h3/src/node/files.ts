/**
 * Files over HTTP/3: a request handler that serves a directory (GET and HEAD, streamed from
 * disk, no path outside the root, `index.html` for a directory, a content-type from the file's
 * extension so that browsers render pages), and a downloader that fetches URLs of one origin in
 * parallel on one connection into a directory. Used by the interop endpoint (`http3` case), the examples
 * and the real-peer tests.
 * @module
 */
import { open, stat, writeFile } from 'node:fs/promises';
import { basename, extname, join, normalize, sep } from 'node:path';
import { H3Client, type H3ClientOptions } from './client.ts';
import type { H3Handler } from './server.ts';

const CHUNK = 64 * 1024;

/** Media types by file extension (RFC 9110 §8.3); anything else is application/octet-stream. */
const MEDIA_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8', '.htm': 'text/html; charset=utf-8', '.txt': 'text/plain; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json', '.wasm': 'application/wasm', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.webp': 'image/webp', '.ico': 'image/x-icon',
};

function mediaTypeOf(path: string): string {
  return MEDIA_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/** A handler serving the files under `root`; anything else is 404 (405 for other methods). */
export function fileHandler(root: string): H3Handler {
  const base = normalize(root + sep);
  return async (req) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return { status: 405, headers: { allow: 'GET, HEAD' }, body: 'method not allowed\n' };
    const pathname = decodeURIComponent(new URL(req.path, 'https://x').pathname);
    let path = normalize(join(base, pathname));
    if (!path.startsWith(base)) return { status: 404, body: 'not found\n' };
    let size: number;
    try {
      let st = await stat(path);
      if (st.isDirectory()) {
        path = join(path, 'index.html');
        st = await stat(path);
      }
      if (!st.isFile()) return { status: 404, body: 'not found\n' };
      size = st.size;
    } catch {
      return { status: 404, body: 'not found\n' };
    }
    const headers = { 'content-length': String(size), 'content-type': mediaTypeOf(path) };
    if (req.method === 'HEAD') return { status: 200, headers };
    return { status: 200, headers, body: fileStream(path) };
  };
}

/** A file as a ReadableStream read in 64 KiB pieces as the consumer pulls. */
function fileStream(path: string): ReadableStream<Uint8Array> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      handle ??= await open(path, 'r');
      const buf = new Uint8Array(CHUNK);
      const { bytesRead } = await handle.read(buf, 0, CHUNK, null);
      if (bytesRead === 0) {
        await handle.close();
        controller.close();
        return;
      }
      controller.enqueue(buf.subarray(0, bytesRead));
    },
    async cancel() {
      await handle?.close();
    },
  }, { highWaterMark: 0 });
}

export interface DownloadResult {
  readonly url: string;
  readonly status: number;
  readonly bytes: number;
  readonly file: string;
}

/**
 * Downloads `urls` (all of one origin) in parallel on one HTTP/3 connection into `dir`, each
 * file named after the last segment of its path; rejects if any request fails or is not 200.
 */
export async function downloadFiles(urls: readonly (string | URL)[], dir: string, options: H3ClientOptions = {}): Promise<DownloadResult[]> {
  if (urls.length === 0) return [];
  const client = await H3Client.connect(urls[0]!, options);
  try {
    return await downloadOn(client, urls, dir);
  } finally {
    await client.shutdown().catch(() => undefined);
  }
}

/** Fetches every URL in parallel on `client` (left open) into `dir`; rejects if any fails or is not 200. */
export async function downloadOn(client: H3Client, urls: readonly (string | URL)[], dir: string): Promise<DownloadResult[]> {
  return Promise.all(urls.map(async (u) => {
    const url = new URL(u);
    const res = await client.request(url);
    const body = await res.bytes();
    if (res.status !== 200) throw new Error(`${url.href}: status ${res.status}`);
    const file = join(dir, basename(url.pathname) || 'index.html');
    await writeFile(file, body);
    return { url: url.href, status: res.status, bytes: body.length, file };
  }));
}
