/**
 * hq-interop (HTTP/0.9 over QUIC, ALPN "hq-interop") on the public API: the client opens a
 * bidirectional stream, sends `GET /path\r\n` and FIN; the server answers with the file's bytes
 * and FIN. The server serves a directory and never a path outside it.
 * @module
 */
import { open, realpath, stat, mkdir } from 'node:fs/promises';
import { basename, join, sep } from 'node:path';
import type { QuicConnection } from '@quicts/quic-core/node';

export const HQ_ALPN = 'hq-interop';

/** Application error code for refused requests (RESET_STREAM). */
export const HQ_REQUEST_REFUSED = 0x1;
const MAX_REQUEST = 8 * 1024;
const FILE_CHUNK = 64 * 1024;

/**
 * Maps a request path to a file under `root`, or null: percent-decoded, no `..` or `.` segments,
 * no NUL or backslash, and the real path (symlinks resolved) must stay inside the root's real path.
 */
export async function resolveSafePath(root: string, requestPath: string): Promise<string | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(requestPath.split('?')[0]!);
  } catch {
    return null;
  }
  if (!decoded.startsWith('/') || decoded.includes('\0') || decoded.includes('\\')) return null;
  const segments = decoded.split('/').filter((s) => s.length > 0);
  if (segments.length === 0 || segments.some((s) => s === '..' || s === '.')) return null;
  try {
    const realRoot = await realpath(root);
    const real = await realpath(join(realRoot, ...segments));
    if (!real.startsWith(realRoot + sep)) return null;
    if (!(await stat(real)).isFile()) return null;
    return real;
  } catch {
    return null;
  }
}

/** Parses `GET /path` (with an optional CRLF or LF). */
export function parseHqRequest(text: string): string | null {
  const m = /^GET (\/[^\s]*)\s*$/.exec(text);
  return m ? m[1]! : null;
}

async function readRequest(readable: ReadableStream<Uint8Array>): Promise<string | null> {
  const reader = readable.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      parts.push(value);
      size += value.length;
      if (size > MAX_REQUEST) return null;
      // Some clients send the line without FIN; a complete line is enough.
      if (value.includes(0x0a)) break;
    }
  } catch {
    return null;
  } finally {
    // Read on to the FIN in the background so the receive side completes.
    void (async () => {
      try {
        while (!(await reader.read()).done) { /* discard */ }
      } catch {
        // reset or closed
      }
    })();
  }
  const bytes = new Uint8Array(size);
  let o = 0;
  for (const p of parts) {
    bytes.set(p, o);
    o += p.length;
  }
  return new TextDecoder().decode(bytes);
}

/** Serves one bidirectional stream. */
export async function serveHqStream(root: string, stream: { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> }, log?: (line: string) => void): Promise<void> {
  const writer = stream.writable.getWriter();
  try {
    const request = await readRequest(stream.readable);
    const path = request === null ? null : parseHqRequest(request);
    const file = path === null ? null : await resolveSafePath(root, path);
    if (file === null) {
      log?.(`refused ${JSON.stringify(request?.slice(0, 200))}`);
      await writer.abort(HQ_REQUEST_REFUSED);
      return;
    }
    const fh = await open(file, 'r');
    try {
      for (;;) {
        const buf = new Uint8Array(FILE_CHUNK);
        const { bytesRead } = await fh.read(buf, 0, FILE_CHUNK, null);
        if (bytesRead === 0) break;
        await writer.write(buf.subarray(0, bytesRead));
      }
    } finally {
      await fh.close();
    }
    await writer.close();
  } catch (e) {
    log?.(`stream failed: ${(e as Error).message}`);
    try {
      await writer.abort(HQ_REQUEST_REFUSED);
    } catch {
      // already failed
    }
  }
}

/** Serves every request stream of a connection until it closes. */
export async function serveHqConnection(root: string, conn: QuicConnection, log?: (line: string) => void): Promise<void> {
  const pending: Promise<void>[] = [];
  for await (const stream of conn.incomingBidirectionalStreams) pending.push(serveHqStream(root, stream, log));
  await Promise.allSettled(pending);
}

/** Downloads `path` on `conn` into `outDir` under the path's last segment; returns the byte count. */
export async function fetchHq(conn: QuicConnection, path: string, outDir: string, onData?: () => void): Promise<number> {
  const stream = await conn.openBidirectionalStream();
  const writer = stream.writable.getWriter();
  await writer.write(new TextEncoder().encode(`GET ${path}\r\n`));
  await writer.close();
  await mkdir(outDir, { recursive: true });
  const fh = await open(join(outDir, basename(decodeURIComponent(path)) || 'index'), 'w');
  let total = 0;
  try {
    const reader = stream.readable.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      await fh.write(value);
      total += value.length;
      onData?.();
    }
  } finally {
    await fh.close();
  }
  return total;
}
