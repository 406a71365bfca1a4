/**
 * The browser scenario contract (connect, bidi-echo, uni, server-bidi, datagram-echo, close,
 * server-close, many-streams, bulk) as run by one of our clients against a server that has the
 * contract's paths (/echo, /server-bidi, /server-close). The same code drives the native
 * `WebTransportSession` and the W3C `WebTransport` class: both have the W3C shape.
 */
import * as assert from 'uvu/assert';
import type { WebTransportBidirectionalStream, WebTransportCloseInfo } from '@quicts/webtransport/node';

/** What both of our clients have in common (the W3C shape). */
export interface WtClientLike {
  readonly closed: Promise<WebTransportCloseInfo>;
  readonly datagrams: { readonly readable: ReadableStream<Uint8Array>; readonly writable: WritableStream<Uint8Array> };
  readonly incomingBidirectionalStreams: ReadableStream<WebTransportBidirectionalStream>;
  readonly incomingUnidirectionalStreams: ReadableStream<ReadableStream<Uint8Array>>;
  createBidirectionalStream(): Promise<WebTransportBidirectionalStream>;
  createUnidirectionalStream(): Promise<WritableStream<Uint8Array>>;
  close(info?: { closeCode?: number; reason?: string }): void;
}

/** Opens a session on a path of the server (resolves once it is ready). */
export type WtOpen = (path: string) => Promise<WtClientLike>;

export const CLIENT_SCENARIOS = [
  'connect', 'bidi-echo', 'uni', 'server-bidi', 'datagram-echo', 'close', 'server-close', 'many-streams', 'bulk',
] as const;
export type ClientScenario = (typeof CLIENT_SCENARIOS)[number];

export function pattern(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

export async function readAll(r: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let n = 0;
  for await (const c of r as unknown as AsyncIterable<Uint8Array>) {
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

export async function writeAll(w: WritableStream<Uint8Array>, data: Uint8Array, chunk = 65536): Promise<void> {
  const writer = w.getWriter();
  for (let o = 0; o < data.length; o += chunk) await writer.write(data.subarray(o, o + chunk));
  await writer.close();
}

export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([p, new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timeout after ${ms} ms: ${what}`)), ms);
  })]).finally(() => clearTimeout(timer));
}

async function bidiEcho(s: WtClientLike, data: Uint8Array): Promise<Uint8Array> {
  const st = await s.createBidirectionalStream();
  const [, back] = await Promise.all([writeAll(st.writable, data), readAll(st.readable)]);
  return back;
}

/** Runs one scenario; resolves with figures worth reporting (throughput, rtt), throws on failure. */
export async function runClientScenario(open: WtOpen, scenario: ClientScenario): Promise<Record<string, number>> {
  const path = scenario === 'server-bidi' ? '/server-bidi' : scenario === 'server-close' ? '/server-close' : '/echo';
  const s = await within(open(path), 10_000, 'ready');
  const figures: Record<string, number> = {};
  try {
    switch (scenario) {
      case 'connect':
        break;
      case 'bidi-echo': {
        const data = pattern(65536, 1);
        assert.equal(await within(bidiEcho(s, data), 10_000, 'bidi echo'), data);
        break;
      }
      case 'uni': {
        const incoming = s.incomingUnidirectionalStreams.getReader();
        const data = pattern(65536, 2);
        await writeAll(await s.createUnidirectionalStream(), data);
        const { value } = await within(incoming.read(), 10_000, 'incoming uni stream');
        assert.ok(value !== undefined, 'an incoming uni stream');
        assert.equal(await within(readAll(value), 10_000, 'uni payload'), data);
        incoming.releaseLock();
        break;
      }
      case 'server-bidi': {
        const incoming = s.incomingBidirectionalStreams.getReader();
        const { value } = await within(incoming.read(), 10_000, 'incoming bidi stream');
        assert.ok(value !== undefined, 'an incoming bidi stream');
        const hello = await within(readAll(value.readable), 10_000, 'server bidi payload');
        assert.is(new TextDecoder().decode(hello), 'hello from server bidi');
        await writeAll(value.writable, hello);
        incoming.releaseLock();
        break;
      }
      case 'datagram-echo': {
        const w = s.datagrams.writable.getWriter();
        const r = s.datagrams.readable.getReader();
        let lost = 0;
        let rttSum = 0;
        const rounds = 10;
        for (let i = 0; i < rounds; i++) {
          const payload = new TextEncoder().encode(`datagram-${i}-`.padEnd(50, '.'));
          let ok = false;
          for (let attempt = 0; attempt < 3 && !ok; attempt++) {
            const t0 = performance.now();
            await w.write(payload);
            const got = await within(r.read(), 500, 'datagram').catch(() => null);
            if (got !== null && !got.done && new TextDecoder().decode(got.value) === new TextDecoder().decode(payload)) {
              ok = true;
              rttSum += performance.now() - t0;
            }
          }
          if (!ok) lost++;
        }
        w.releaseLock();
        r.releaseLock();
        assert.is(lost, 0, 'every datagram round got its echo');
        figures['avgRttMs'] = Math.round((rttSum / rounds) * 100) / 100;
        break;
      }
      case 'close':
        s.close({ closeCode: 7, reason: 'bye' });
        assert.equal(await within(s.closed, 5000, 'closed'), { closeCode: 7, reason: 'bye' });
        return figures;
      case 'server-close':
        assert.equal(await within(s.closed, 5000, 'closed by the server'), { closeCode: 42, reason: 'server-close' });
        return figures;
      case 'many-streams': {
        const datas = Array.from({ length: 100 }, (_, i) => pattern(1024 + i, 100 + i));
        const backs = await within(Promise.all(datas.map((d) => bidiEcho(s, d))), 20_000, '100 streams');
        backs.forEach((b, i) => assert.equal(b, datas[i], `stream ${i}`));
        break;
      }
      case 'bulk': {
        const data = pattern(10 << 20, 9);
        const t0 = performance.now();
        const back = await within(bidiEcho(s, data), 60_000, 'bulk echo');
        const seconds = (performance.now() - t0) / 1000;
        assert.ok(back.length === data.length && back.every((x, i) => x === data[i]), 'all bulk bytes back intact');
        figures['throughputMBps'] = Math.round((data.length / seconds / 1e6) * 100) / 100;
        break;
      }
    }
    s.close({ closeCode: 0, reason: 'done' });
    await within(s.closed.catch(() => undefined), 5000, 'closed after the scenario');
    return figures;
  } catch (e) {
    try {
      s.close({ closeCode: 1, reason: 'failed' });
    } catch {
      // already gone
    }
    throw e;
  }
}
