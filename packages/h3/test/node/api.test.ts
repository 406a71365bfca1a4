import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createNodeCryptoProvider, QuicSessionCache } from '@quicts/quic-core/node';
import { generateSelfSignedCertificate } from '@quicts/quic-core';
import { encodeH3Frame, H3ErrorCode, QpackEncoder } from '@quicts/h3';
import { createH3Server, H3Client, H3RequestError, request, type H3Handler, type H3Server } from '@quicts/h3/node';

const crypto = createNodeCryptoProvider();
const cert = generateSelfSignedCertificate(crypto, { now: Date.now(), names: ['localhost', '127.0.0.1'] });
const verify = { serverCertificateHashes: [cert.sha256] };
const MB = 1024 * 1024;

function pattern(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

function sha256(data: Uint8Array): string {
  return Array.from(crypto.hash('sha256', data), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A ReadableStream yielding `data` in `chunk`-byte pieces. */
function streamOf(data: Uint8Array, chunk = 16 * 1024): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= data.length) {
        controller.close();
        return;
      }
      controller.enqueue(data.slice(at, at + chunk));
      at += chunk;
    },
  });
}

const files = new Map<string, Uint8Array>([['/1M', pattern(MB, 7)], ['/small', new TextEncoder().encode('hello h3')]]);

const handler: H3Handler = async (req) => {
  const url = new URL(req.url);
  if (req.method === 'POST' && url.pathname === '/echo') {
    // Streams the request body back as it arrives.
    return { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: req.body };
  }
  if (req.method === 'POST' && url.pathname === '/hash') {
    const body = await req.bytes();
    const trailers = await req.trailers;
    return { status: 200, body: `${body.length} ${sha256(body)} ${trailers.get('x-checksum') ?? '-'}` };
  }
  if (url.pathname === '/trailers') {
    return { status: 200, body: streamOf(new TextEncoder().encode('with trailers')), trailers: { 'x-checksum': 'abc123' } };
  }
  if (url.pathname === '/response') return new Response('a WHATWG Response', { status: 201, headers: { 'x-kind': 'whatwg' } });
  if (url.pathname === '/throws') throw new Error('handler failure');
  if (url.pathname === '/bad-header') return { status: 200, headers: { connection: 'close' }, body: 'x' };
  if (url.pathname === '/slow') {
    await new Promise((r) => setTimeout(r, 200));
    return { status: 200, body: 'slow done' };
  }
  const file = files.get(url.pathname);
  if (file !== undefined) return { status: 200, body: file };
  return { status: 404, body: 'not found' };
};

let server: H3Server;
let origin: string;

test.before(async () => {
  server = await createH3Server({ cert: cert.certificatePem, key: cert.privateKeyPem, handler, host: '127.0.0.1', port: 0 });
  origin = `https://127.0.0.1:${server.address.port}`;
});

test.after(async () => {
  await server.close({ timeout: 1000 });
});

test('resumption and 0-RTT: a second connection resumes from the ticket and sends its request in 0-RTT', async () => {
  const tickets = await createH3Server({ cert: cert.certificatePem, key: cert.privateKeyPem, handler, host: '127.0.0.1', port: 0, earlyData: true });
  const url = `https://127.0.0.1:${tickets.address.port}`;
  const sessionCache = new QuicSessionCache();
  try {
    const first = await H3Client.connect(url, { verify, sessionCache });
    assert.is(await (await first.request('/small')).text(), 'hello h3');
    assert.ok(await sessionCache.waitForTicket(QuicSessionCache.key('127.0.0.1', tickets.address.port), 3000), 'a ticket arrived');
    assert.is(first.session.resumed, false);
    await first.close();
    const second = await H3Client.connect(url, { verify, sessionCache, earlyData: true });
    assert.is(second.session.adapter.h3 !== undefined && !second.session.resumed, true, 'HTTP/3 started before the handshake completed');
    const res = await second.request('/1M');
    assert.is(sha256(await res.bytes()), sha256(files.get('/1M')!));
    assert.is(second.session.resumed, true);
    assert.is(second.session.earlyDataAccepted, true);
    await second.close();
    // Without earlyData the session still resumes, in 1-RTT.
    const third = await H3Client.connect(url, { verify, sessionCache });
    assert.is(await (await third.request('/small')).text(), 'hello h3');
    assert.is(third.session.resumed, true);
    assert.is(third.session.earlyDataAccepted, false);
    await third.close();
  } finally {
    await tickets.close({ timeout: 1000 });
  }
});

test('a first Initial of a version the server does not speak: Version Negotiation, then HTTP/3 over v1', async () => {
  const client = await H3Client.connect(origin, { verify, version: 0x1a2a3a4a, sessionCache: false });
  assert.is(await (await client.request('/small')).text(), 'hello h3');
  await client.close();
});

test('qlogDir: server and client each write a qlog trace of their connection', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'h3-qlog-'));
  const logged = await createH3Server({ cert: cert.certificatePem, key: cert.privateKeyPem, handler, host: '127.0.0.1', port: 0, qlogDir: dir });
  try {
    const client = await H3Client.connect(`https://127.0.0.1:${logged.address.port}`, { verify, qlogDir: dir, sessionCache: false });
    assert.is(await (await client.request('/small')).text(), 'hello h3');
    await client.close();
  } finally {
    await logged.close({ timeout: 1000 });
  }
  const files = readdirSync(dir).filter((f) => f.endsWith('.sqlog')).sort();
  assert.equal(files.map((f) => f.replace(/^[0-9a-f]+_/, '')).sort(), ['client.sqlog', 'server.sqlog']);
  for (const f of files) {
    const text = readFileSync(join(dir, f), 'utf8');
    for (const n of ['quic:connection_started', 'quic:packet_sent', 'quic:packet_received', 'quic:alpn_information']) assert.ok(text.includes(n), `${f}: ${n}`);
  }
  rmSync(dir, { recursive: true, force: true });
});

test('GET of a small file with the one-shot request()', async () => {
  const res = await request(`${origin}/small`, { verify });
  assert.is(res.status, 200);
  assert.is(res.headers.get('content-length'), '8');
  assert.is(await res.text(), 'hello h3');
});

test('GET 1 MB, checked by hash', async () => {
  const res = await request(`${origin}/1M`, { verify });
  assert.is(res.status, 200);
  const body = await res.bytes();
  assert.is(body.length, MB);
  assert.is(sha256(body), sha256(files.get('/1M')!));
});

test('POST 1 MB from a stream, echoed back as a stream', async () => {
  const client = await H3Client.connect(origin, { verify });
  const data = pattern(MB, 3);
  const res = await client.request('/echo', { method: 'POST', body: streamOf(data) });
  assert.is(res.status, 200);
  const back = await res.bytes();
  assert.is(back.length, data.length);
  assert.is(sha256(back), sha256(data));
  await client.close();
});

test('POST 1 MB of bytes with request trailers; the server reads both', async () => {
  const client = await H3Client.connect(origin, { verify });
  const data = pattern(MB, 5);
  const res = await client.request('/hash', { method: 'POST', body: data, trailers: { 'X-Checksum': 'c0ffee' } });
  assert.is(await res.text(), `${MB} ${sha256(data)} c0ffee`);
  await client.close();
});

test('response trailers reach the client', async () => {
  const client = await H3Client.connect(origin, { verify });
  const res = await client.request('/trailers');
  assert.is(await res.text(), 'with trailers');
  const trailers = await res.trailers;
  assert.is(trailers.get('x-checksum'), 'abc123');
  const plain = await client.request('/small');
  await plain.bytes();
  let count = 0;
  (await plain.trailers).forEach(() => count++);
  assert.is(count, 0);
  await client.close();
});

test('404, a WHATWG Response, and a handler failure (500)', async () => {
  const client = await H3Client.connect(origin, { verify });
  const missing = await client.request('/nope');
  assert.is(missing.status, 404);
  assert.is(await missing.text(), 'not found');
  const whatwg = await client.request('/response');
  assert.is(whatwg.status, 201);
  assert.is(whatwg.headers.get('x-kind'), 'whatwg');
  assert.is(await whatwg.text(), 'a WHATWG Response');
  const failed = await client.request('/throws');
  assert.is(failed.status, 500);
  // A connection-specific header in the handler's response is refused (RFC 9114 §4.2): 500.
  const bad = await client.request('/bad-header');
  assert.is(bad.status, 500);
  await client.close();
});

test('200 parallel requests on one connection (above the stream limit of 100)', async () => {
  const client = await H3Client.connect(origin, { verify });
  const results = await Promise.all(Array.from({ length: 200 }, async (_, i) => {
    const res = await client.request(i % 2 === 0 ? '/small' : '/nope');
    return [res.status, (await res.bytes()).length] as const;
  }));
  for (const [i, [status, n]] of results.entries()) {
    assert.is(status, i % 2 === 0 ? 200 : 404);
    assert.is(n, i % 2 === 0 ? 8 : 9);
  }
  await client.close();
});

test('header validation: the client refuses invalid request headers with TypeError', async () => {
  const client = await H3Client.connect(origin, { verify });
  for (const headers of [{ connection: 'keep-alive' }, { 'transfer-encoding': 'chunked' }, { te: 'gzip' }, { 'bad name': 'x' }]) {
    try {
      await client.request('/small', { headers });
      assert.unreachable(`accepted ${JSON.stringify(headers)}`);
    } catch (e) {
      assert.instance(e, TypeError, String(e));
    }
  }
  // The connection is still fine.
  assert.is((await client.request('/small')).status, 200);
  await client.close();
});

test('header validation: the server resets a malformed request with H3_MESSAGE_ERROR', async () => {
  // A raw QUIC client speaking just enough HTTP/3 to send a request with an uppercase field name.
  const conn = await connect('127.0.0.1', server.address.port, { alpn: ['h3'], verify });
  const control = await conn.openUnidirectionalStream();
  const cw = control.writable.getWriter();
  await cw.write(Uint8Array.of(0x00, ...encodeH3Frame({ kind: 'settings', entries: [] })));
  const stream = await conn.openBidirectionalStream();
  const fields = [
    { name: ':method', value: 'GET' }, { name: ':scheme', value: 'https' }, { name: ':authority', value: 'localhost' },
    { name: ':path', value: '/small' }, { name: 'X-Upper', value: '1' },
  ];
  const section = new QpackEncoder({ maxTableCapacity: 0 }).encode(stream.id, fields).fieldSection;
  const w = stream.writable.getWriter();
  await w.write(encodeH3Frame({ kind: 'headers', fieldSection: section }));
  await w.close();
  const reader = stream.readable.getReader();
  try {
    for (;;) if ((await reader.read()).done) break;
    assert.unreachable('the stream was not reset');
  } catch (e) {
    assert.is((e as { errorCode?: number }).errorCode, H3ErrorCode.H3_MESSAGE_ERROR);
  }
  await conn.close();
});

test('a reset response body errors the reader with ERR_H3_STREAM_RESET', async () => {
  const resetServer = await createH3Server({
    cert: cert.certificatePem, key: cert.privateKeyPem, host: '127.0.0.1',
    handler: () => ({
      status: 200,
      body: new ReadableStream({
        start(c) {
          c.enqueue(new Uint8Array(1000));
        },
        async pull(c) {
          await new Promise((r) => setTimeout(r, 50));
          c.error(new Error('source broke'));
        },
      }),
    }),
  });
  const res = await request(`https://127.0.0.1:${resetServer.address.port}/x`, { verify });
  try {
    await res.bytes();
    assert.unreachable('body completed');
  } catch (e) {
    assert.instance(e, H3RequestError);
    assert.is((e as H3RequestError).code, 'ERR_H3_STREAM_RESET');
    assert.is((e as H3RequestError).h3Code, H3ErrorCode.H3_INTERNAL_ERROR);
  }
  await resetServer.close({ timeout: 500 });
});

test('keylogFile: the client appends NSS key log lines (SSLKEYLOGFILE)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'quicts-h3-keylog-'));
  const file = join(dir, 'keys.log');
  try {
    const res = await request(`${origin}/small`, { verify, keylogFile: file });
    await res.bytes();
    const text = readFileSync(file, 'utf8');
    assert.match(text, /^CLIENT_HANDSHAKE_TRAFFIC_SECRET /m);
    assert.match(text, /^CLIENT_TRAFFIC_SECRET_0 /m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('graceful close: GOAWAY lets the request in flight finish, new requests are refused', async () => {
  const s2 = await createH3Server({ cert: cert.certificatePem, key: cert.privateKeyPem, handler, host: '127.0.0.1' });
  const client = await H3Client.connect(`https://127.0.0.1:${s2.address.port}`, { verify });
  const inFlight = client.request('/slow');
  await new Promise((r) => setTimeout(r, 50));
  const closing = s2.close({ timeout: 3000 });
  const res = await inFlight;
  assert.is(await res.text(), 'slow done');
  await new Promise((r) => setTimeout(r, 20));
  try {
    await client.request('/small');
    assert.unreachable('a request after GOAWAY was sent');
  } catch (e) {
    assert.instance(e, H3RequestError);
    assert.ok(['ERR_H3_GOAWAY', 'ERR_H3_CONNECTION_CLOSED'].includes((e as H3RequestError).code));
  }
  const reason = await client.closed;
  assert.is(reason.code, H3ErrorCode.H3_NO_ERROR);
  await closing;
});

test.run();
