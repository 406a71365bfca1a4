/**
 * The routes of the WebTransport test server (the browser scenario contract): `/echo` echoes
 * every bidirectional stream on itself, answers every unidirectional stream with a new one
 * carrying the same bytes, and echoes datagrams; `/server-bidi` opens a stream with a greeting;
 * `/server-close` closes the session after a delay (`?delay-ms=&code=&reason=`, default 100 ms,
 * 42, "server-close").
 * @module
 */
import type { WebTransportServer, WebTransportSession } from '@quicts/webtransport/node';

async function collect(readable: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let n = 0;
  for await (const c of readable as unknown as AsyncIterable<Uint8Array>) {
    parts.push(c);
    n += c.length;
  }
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

async function each<T>(stream: ReadableStream<T>, fn: (item: T) => Promise<void>): Promise<void> {
  try {
    for await (const item of stream as unknown as AsyncIterable<T>) void fn(item).catch(() => {});
  } catch {
    // the session ended
  }
}

/** Echoes streams (both kinds) and datagrams until the session ends. */
export function echo(session: WebTransportSession): Promise<unknown> {
  return Promise.all([
    each(session.incomingBidirectionalStreams, (s) => s.readable.pipeTo(s.writable)),
    each(session.incomingUnidirectionalStreams, async (r) => {
      const data = await collect(r);
      const w = (await session.createUnidirectionalStream()).getWriter();
      await w.write(data);
      await w.close();
    }),
    each(session.datagrams.readable, async (d) => {
      session.sendDatagram(d);
    }),
  ]);
}

/** Opens one bidirectional stream carrying `hello from server bidi`, then reads the echo. */
export async function serverBidi(session: WebTransportSession): Promise<void> {
  const s = await session.createBidirectionalStream();
  const w = s.writable.getWriter();
  await w.write(new TextEncoder().encode('hello from server bidi'));
  await w.close();
  await collect(s.readable).catch(() => undefined);
}

/** Closes the session after `delay-ms` with `code` and `reason`. */
export async function serverClose(session: WebTransportSession, query: URLSearchParams): Promise<void> {
  const delay = Math.min(Math.max(Number(query.get('delay-ms') ?? 100) || 0, 0), 60_000);
  const code = Number(query.get('code') ?? 42);
  const reason = query.get('reason') ?? 'server-close';
  await new Promise((r) => setTimeout(r, delay));
  session.close({ closeCode: Number.isInteger(code) && code >= 0 && code <= 0xffffffff ? code : 42, reason });
}

/** Installs the routes of the scenario contract on a server; `log` hears of each session. */
export function installScenarios(server: WebTransportServer, log?: (line: string) => void): void {
  const watch = (session: WebTransportSession): void => {
    if (log === undefined) return;
    log(`session ${session.path} dialect=${session.dialect ?? '?'}`);
    session.closed.then(
      (i) => log(`session ${session.path} closed code=${i.closeCode} reason=${JSON.stringify(i.reason)}`),
      (e: unknown) => log(`session ${session.path} ended: ${String(e)}`),
    );
  };
  server.route('/echo', (session) => {
    watch(session);
    void echo(session);
  });
  server.route('/server-bidi', (session) => {
    watch(session);
    void echo(session);
    void serverBidi(session).catch(() => {});
  });
  server.route('/server-close', (session, request) => {
    watch(session);
    void echo(session);
    void serverClose(session, request.query);
  });
}
