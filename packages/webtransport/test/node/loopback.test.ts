/**
 * The node server and both clients (native `connectWebTransport`, W3C `WebTransport`) over
 * loopback UDP: the browser scenarios against the example routes for every dialect forced by the
 * client's settings, routing with parameters, the request hook (reject with a status, pick a
 * protocol), stream reset codes, session close both ways, and the connect timeout.
 */
import { test } from 'uvu';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { generateSelfSignedCertificate } from '@quicts/quic-core';
import { createNodeCryptoProvider } from '@quicts/quic-core/node';
import { WT_DIALECTS, WebTransportError, type WtDialect } from '@quicts/webtransport';
import {
  connectWebTransport, createWebTransportServer, SessionRejectedError, StreamReader, WebTransport, WebTransportTimeoutError,
  type WebTransportServer, type WebTransportSession,
} from '@quicts/webtransport/node';
import { installScenarios } from '../../../../examples/webtransport/scenarios.ts';
import { pattern, readAll, within, writeAll } from '../peers/client-scenarios.ts';

const crypto = createNodeCryptoProvider();
const cert = generateSelfSignedCertificate(crypto, { now: Date.now(), validityDays: 10, names: ['localhost', '127.0.0.1'] });
const hashes = [cert.sha256];

let server: WebTransportServer;
let base = '';
const seen: { path: string; params: Record<string, string> }[] = [];

async function bidiEcho(s: WebTransportSession | WebTransport, data: Uint8Array): Promise<Uint8Array> {
  const st = await s.createBidirectionalStream();
  const [, back] = await Promise.all([writeAll(st.writable, data), readAll(st.readable)]);
  return back;
}

test.before(async () => {
  server = await createWebTransportServer({
    cert: cert.certificatePem, key: cert.privateKeyPem, host: '127.0.0.1', port: 0,
    onRequest: (req) => {
      if (req.pathname === '/forbidden') return { accept: false, status: 403 };
      if (req.pathname === '/proto') return { accept: true, ...(req.protocols[0] !== undefined ? { protocol: req.protocols[0] } : {}) };
      return undefined;
    },
  });
  installScenarios(server);
  server.route('/rooms/:room/*', (session, req) => {
    seen.push({ path: req.path, params: { ...req.params } });
    session.close({ closeCode: 5, reason: req.params['room'] ?? '' });
  });
  server.route('/proto', () => {});
  server.route('/reset', async (session) => {
    for await (const s of session.incomingBidirectionalStreams as unknown as AsyncIterable<{ readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> }>) {
      await s.writable.abort(new WebTransportError('abort', { streamErrorCode: 77 }));
      await s.readable.cancel(new WebTransportError('cancel', { streamErrorCode: 78 }));
    }
  });
  base = `https://127.0.0.1:${server.address.port}`;
});

test.after(async () => {
  await server.close({ timeout: 500 });
});

for (const dialect of WT_DIALECTS) {
  test(`native client, ${dialect}: echo streams both kinds, datagrams, close with a code`, async () => {
    const s = await connectWebTransport(`${base}/echo`, { verify: { serverCertificateHashes: hashes }, settings: { dialects: [dialect as WtDialect] } });
    assert.is(s.dialect, dialect);
    const data = pattern(200_000, 1);
    assert.equal(await within(bidiEcho(s, data), 10_000, 'bidi echo'), data);
    const uniIn = s.incomingUnidirectionalStreams.getReader();
    await writeAll(await s.createUnidirectionalStream(), pattern(5000, 2));
    const { value: r } = await within(uniIn.read(), 5000, 'incoming uni');
    assert.equal(await readAll(r!), pattern(5000, 2));
    const dr = s.datagrams.readable.getReader();
    let echoed = false;
    for (let i = 0; i < 5 && !echoed; i++) {
      s.sendDatagram(pattern(50, 3));
      const got = await Promise.race([dr.read(), new Promise<null>((res) => setTimeout(() => res(null), 300))]);
      if (got !== null && !got.done) echoed = true;
    }
    assert.ok(echoed, 'a datagram came back');
    s.close({ closeCode: 7, reason: 'bye' });
    assert.equal(await within(s.closed, 5000, 'closed'), { closeCode: 7, reason: 'bye' });
  });

  test(`W3C WebTransport, ${dialect}: the Chromium scenarios`, async () => {
    const opts = { serverCertificateHashes: [{ algorithm: 'sha-256', value: cert.sha256 }], quicts: { settings: { dialects: [dialect as WtDialect] } } };
    const wt = new WebTransport(`${base}/echo`, opts);
    await within(wt.ready, 5000, 'ready');
    // many-streams
    const datas = Array.from({ length: 100 }, (_, i) => pattern(1024 + i, 100 + i));
    const backs = await within(Promise.all(datas.map((d) => bidiEcho(wt, d))), 15_000, 'many streams');
    backs.forEach((b, i) => assert.equal(b, datas[i]));
    // uni
    const reader = wt.incomingUnidirectionalStreams.getReader();
    await writeAll(await wt.createUnidirectionalStream(), pattern(65536, 2));
    const { value: rs } = await within(reader.read(), 5000, 'uni');
    assert.equal(await readAll(rs!), pattern(65536, 2));
    // datagram-echo
    const w = wt.datagrams.writable.getWriter();
    const r = wt.datagrams.readable.getReader();
    await w.write(new TextEncoder().encode('dgram-0'));
    const got = await within(r.read(), 3000, 'datagram');
    assert.is(new TextDecoder().decode(got.value), 'dgram-0');
    const stats = await wt.getStats();
    assert.type(stats['bytesSent'], 'number');
    wt.close({ closeCode: 7, reason: 'bye' });
    assert.equal(await within(wt.closed, 5000, 'closed'), { closeCode: 7, reason: 'bye' });

    const sb = new WebTransport(`${base}/server-bidi`, opts);
    const { value: bidi } = await within(sb.incomingBidirectionalStreams.getReader().read(), 5000, 'server bidi');
    const hello = await readAll(bidi!.readable);
    assert.is(new TextDecoder().decode(hello), 'hello from server bidi');
    await writeAll(bidi!.writable, hello);
    sb.close();

    const sc = new WebTransport(`${base}/server-close?delay-ms=20&code=42&reason=server-close`, opts);
    assert.equal(await within(sc.closed, 5000, 'server close'), { closeCode: 42, reason: 'server-close' });
  });
}

test('bulk: 4 MiB echoed on one stream', async () => {
  const s = await connectWebTransport(`${base}/echo`, { verify: { serverCertificateHashes: hashes } });
  const data = pattern(4 << 20, 9);
  assert.equal(await within(bidiEcho(s, data), 30_000, 'bulk'), data);
  s.close();
});

test('qlogDir: the server and the client each write a qlog trace of their connection', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wt-qlog-'));
  const logged = await createWebTransportServer({ cert: cert.certificatePem, key: cert.privateKeyPem, host: '127.0.0.1', port: 0, qlogDir: dir });
  installScenarios(logged);
  try {
    const s = await connectWebTransport(`https://127.0.0.1:${logged.address.port}/echo`, { verify: { serverCertificateHashes: hashes }, qlogDir: dir });
    assert.equal(await within(bidiEcho(s, pattern(1000, 3)), 10_000, 'echo'), pattern(1000, 3));
    s.close();
  } finally {
    await logged.close({ timeout: 1000 });
  }
  const files = readdirSync(dir).filter((f) => f.endsWith('.sqlog'));
  assert.equal(files.map((f) => f.replace(/^[0-9a-f]+_/, '')).sort(), ['client.sqlog', 'server.sqlog']);
  for (const f of files) {
    const text = readFileSync(join(dir, f), 'utf8');
    for (const n of ['quic:connection_started', 'quic:packet_sent', 'quic:packet_received']) assert.ok(text.includes(n), `${f}: ${n}`);
  }
  rmSync(dir, { recursive: true, force: true });
});

test('routing: a pattern with a parameter and a rest, the query apart', async () => {
  const s = await connectWebTransport(`${base}/rooms/blue%20room/a/b?x=1`, { verify: { serverCertificateHashes: hashes } });
  assert.equal(await within(s.closed, 5000, 'closed'), { closeCode: 5, reason: 'blue room' });
  assert.equal(seen.at(-1), { path: '/rooms/blue%20room/a/b?x=1', params: { room: 'blue room', '*': 'a/b' } });
});

test('an unknown path is refused with 404, the hook refuses with its status', async () => {
  for (const [path, status] of [['/nowhere', 404], ['/forbidden', 403]] as const) {
    try {
      await connectWebTransport(`${base}${path}`, { verify: { serverCertificateHashes: hashes } });
      assert.unreachable('connected');
    } catch (e) {
      assert.instance(e, SessionRejectedError);
      assert.is((e as SessionRejectedError).status, status);
    }
  }
  const wt = new WebTransport(`${base}/nowhere`, { serverCertificateHashes: [{ algorithm: 'sha-256', value: cert.sha256 }] });
  try {
    await wt.ready;
    assert.unreachable('ready');
  } catch (e) {
    assert.instance(e, WebTransportError);
    assert.is((e as WebTransportError).source, 'session');
  }
});

test('the hook picks a protocol the client offered (draft-15)', async () => {
  const s = await connectWebTransport(`${base}/proto`, { verify: { serverCertificateHashes: hashes }, protocols: ['chat-v2', 'chat-v1'] });
  assert.is(s.dialect, 'draft15');
  assert.is(s.protocol, 'chat-v2');
  s.close();
});

test('stream reset and stop-sending carry the application codes', async () => {
  const s = await connectWebTransport(`${base}/reset`, { verify: { serverCertificateHashes: hashes } });
  const st = await s.createBidirectionalStream();
  const w = st.writable.getWriter();
  await w.write(pattern(10, 1));
  try {
    await within(readAll(st.readable), 5000, 'reset');
    assert.unreachable('read to the end');
  } catch (e) {
    assert.instance(e, WebTransportError);
    assert.is((e as WebTransportError).streamErrorCode, 77);
  }
  let err: unknown;
  for (let i = 0; i < 50 && err === undefined; i++) {
    try {
      await w.write(pattern(1000, 2));
      await new Promise((r) => setTimeout(r, 20));
    } catch (e) {
      err = e;
    }
  }
  assert.instance(err, WebTransportError);
  assert.is((err as WebTransportError).streamErrorCode, 78);
  s.close();
});

test('StreamReader: readLine, readExactly, readUntil over an echo', async () => {
  const s = await connectWebTransport(`${base}/echo`, { verify: { serverCertificateHashes: hashes } });
  const st = await s.createBidirectionalStream();
  await writeAll(st.writable, new TextEncoder().encode('first line\r\nsecond\nABCDE;rest'));
  const r = new StreamReader(st.readable);
  assert.is(await r.readLine(), 'first line');
  assert.is(await r.readLine(), 'second');
  assert.is(new TextDecoder().decode(await r.readExactly(3)), 'ABC');
  assert.is(new TextDecoder().decode((await r.readUntil(0x3b))!), 'DE;');
  assert.is(new TextDecoder().decode((await r.read())!), 'rest');
  assert.is(await r.read(), null);
  s.close();
});

test('connect timeout: nobody answers', async () => {
  const t0 = Date.now();
  try {
    await connectWebTransport('https://127.0.0.1:9/echo', { verify: { serverCertificateHashes: hashes }, connectTimeout: 300 });
    assert.unreachable('connected');
  } catch (e) {
    assert.instance(e, WebTransportTimeoutError);
  }
  assert.ok(Date.now() - t0 < 3000);
});

test.run();
