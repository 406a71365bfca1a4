/**
 * `WebTransportConnection` against a real loopback server: each property and method in both
 * roles (connect / accept, state and flags, addresses, handle, config with defaults,
 * createSession with authority, path, headers and WT-Available-Protocols, getAllSessions,
 * diagnostics, close with a code, gracefulShutdown, `await using`), and the typed errors.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { generateSelfSignedCertificate } from '@quicts/quic-core';
import { createNodeCryptoProvider } from '@quicts/quic-core/node';
import { H3ErrorCode } from '@quicts/h3';
import { WebTransportConnectionError, WebTransportTimeoutError } from '@quicts/webtransport';
import {
  CLIENT_CONFIG_DEFAULTS, createWebTransportServer, SERVER_CONFIG_DEFAULTS, serverConfig, serverOptionsOf, WebTransportConnection,
  type WebTransportServer,
} from '@quicts/webtransport/node';
import { installScenarios } from '../../../../examples/webtransport/scenarios.ts';

const crypto = createNodeCryptoProvider();
const cert = generateSelfSignedCertificate(crypto, { now: Date.now(), validityDays: 10, names: ['localhost', '127.0.0.1'] });
const verify = { serverCertificateHashes: [cert.sha256] };

let server: WebTransportServer;
let base = '';
const requests: { authority: string; path: string; headers: readonly { name: string; value: string }[]; protocols: readonly string[] }[] = [];

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([p, new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timeout: ${what}`)), ms);
  })]).finally(() => clearTimeout(timer));
}

async function echoOnce(session: { createBidirectionalStream(): Promise<{ readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> }> }, text: string): Promise<string> {
  const st = await session.createBidirectionalStream();
  const w = st.writable.getWriter();
  await w.write(new TextEncoder().encode(text));
  await w.close();
  let out = '';
  for await (const c of st.readable as unknown as AsyncIterable<Uint8Array>) out += new TextDecoder().decode(c);
  return out;
}

test.before(async () => {
  const config = serverConfig({ host: '127.0.0.1', maxSessions: 4 });
  server = await createWebTransportServer({
    ...serverOptionsOf(config, { cert: cert.certificatePem, key: cert.privateKeyPem }),
    onRequest: (req) => {
      requests.push({ authority: req.authority, path: req.path, headers: req.headers, protocols: req.protocols });
      if (req.pathname === '/proto') return { accept: true, ...(req.protocols[0] !== undefined ? { protocol: req.protocols[0] } : {}) };
      return undefined;
    },
  });
  installScenarios(server);
  server.route('/proto', () => {});
  server.route('/hold', () => {});
  base = `https://127.0.0.1:${server.address.port}`;
});

test.after(async () => {
  await server.close({ timeout: 500 });
});

test('config: documented defaults, overrides checked, the server reports its own', () => {
  assert.is(CLIENT_CONFIG_DEFAULTS.connectTimeout, 10_000);
  assert.is(CLIENT_CONFIG_DEFAULTS.maxDatagramFrameSize, 65535);
  assert.equal(CLIENT_CONFIG_DEFAULTS.alpn, ['h3']);
  assert.is(SERVER_CONFIG_DEFAULTS.host, '0.0.0.0');
  assert.is(SERVER_CONFIG_DEFAULTS.maxStreamsBidi, 256);
  assert.throws(() => serverConfig({ maxSessions: -1 }), RangeError);
  assert.throws(() => serverConfig({ dialects: [] }), RangeError);
  assert.is(server.config.host, '127.0.0.1');
  assert.is(server.config.maxSessions, 4);
  assert.is(server.config.maxIdleTimeout, 60_000);
});

test('connect: state, flags, addresses, handle, config, dialect; close with a code', async () => {
  const conn = await WebTransportConnection.connect(`${base}/echo`, { verify, connectTimeout: 5000, maxSessions: 2 });
  assert.is(conn.isClient, true);
  assert.is(conn.state, 'connected');
  assert.ok(conn.isConnected && !conn.isClosing && !conn.isClosed);
  assert.type(conn.handle, 'number');
  assert.is(conn.remoteAddress.port, server.address.port);
  assert.is(conn.remoteAddress.address, '127.0.0.1');
  assert.is(conn.localAddresses.length, 1);
  assert.ok(conn.localAddresses[0]!.port > 0);
  assert.is(conn.config.connectTimeout, 5000);
  assert.is(conn.config.maxSessions, 2);
  assert.is(conn.config.maxIdleTimeout, 60_000);
  assert.is(conn.dialect, 'draft15');
  assert.equal(conn.getAllSessions(), []);
  await within(conn.close({ errorCode: H3ErrorCode.H3_NO_ERROR, reason: 'done' }), 3000, 'close');
  assert.is(conn.state, 'closed');
  assert.ok(conn.isClosed && !conn.isConnected);
  try {
    await conn.createSession({ path: '/echo' });
    assert.unreachable('created');
  } catch (e) {
    assert.instance(e, WebTransportConnectionError);
    assert.is((e as WebTransportConnectionError).kind, 'closed');
  }
});

test('createSession: authority, path, headers, WT-Available-Protocols; several sessions; getAllSessions', async () => {
  const conn = await WebTransportConnection.connect(base, { verify });
  const s1 = await within(conn.createSession({ path: '/echo' }), 5000, 'session 1');
  const s2 = await within(conn.createSession({
    path: '/proto?x=1', authority: `localhost:${server.address.port}`, headers: { 'X-Trace': 'abc' }, wtAvailableProtocols: ['chat-v2', 'chat-v1'],
  }), 5000, 'session 2');
  const req = requests.at(-1)!;
  assert.is(req.path, '/proto?x=1');
  assert.is(req.authority, `localhost:${server.address.port}`);
  assert.ok(req.headers.some((h) => h.name === 'x-trace' && h.value === 'abc'), JSON.stringify(req.headers));
  assert.equal(req.protocols, ['chat-v2', 'chat-v1']);
  assert.is(s2.protocol, 'chat-v2');
  assert.is(await within(echoOnce(s1, 'ping'), 5000, 'echo'), 'ping');
  assert.equal(conn.getAllSessions().map((s) => s.id).sort(), [s1.id, s2.id].sort());
  s2.close({ closeCode: 3, reason: 'x' });
  await within(s2.closed, 3000, 's2 closed');
  assert.equal(conn.getAllSessions().map((s) => s.id), [s1.id]);
  try {
    await conn.createSession({ path: '/nowhere' });
    assert.unreachable('created');
  } catch (e) {
    assert.instance(e, WebTransportConnectionError);
    assert.is((e as WebTransportConnectionError).kind, 'session-refused');
    assert.is((e as WebTransportConnectionError).status, 404);
  }
  await conn.close();
});

test('diagnostics: identity, state, counts, handles, datagram limits, transport figures', async () => {
  const conn = await WebTransportConnection.connect(base, { verify });
  const s = await conn.createSession({ path: '/echo' });
  const st = await s.createBidirectionalStream();
  const w = st.writable.getWriter();
  await w.write(new Uint8Array(5000));
  const r = st.readable.getReader();
  let got = 0;
  while (got < 5000) got += (await within(r.read(), 3000, 'echo')).value?.length ?? 0;
  const d = conn.diagnostics();
  assert.match(d.connectionId, /^[0-9a-f]{8,40}$/);
  assert.is(d.state, 'connected');
  assert.is(d.isClient, true);
  assert.type(d.connectedAt, 'number');
  assert.ok(Math.abs(d.connectedAt! - Date.now()) < 10_000);
  assert.is(d.closedAt, undefined);
  assert.ok(d.maxDatagramSize > 1000 && d.maxDatagramSize < 1500, String(d.maxDatagramSize));
  assert.is(d.remoteMaxDatagramFrameSize, 65535);
  assert.is(d.sessionCount, 1);
  assert.equal(d.activeSessionHandles, [s.id]);
  assert.is(d.streamCount, 1);
  assert.equal(d.activeStreamHandles.length, 1);
  assert.ok(d.rtt > 0 && d.rtt < 1000);
  assert.ok(d.cwnd > 0);
  assert.ok(d.bytesSent > 5000 && d.bytesReceived > 5000);
  assert.ok(d.packetsSent > 0 && d.packetsReceived > 0);
  assert.is(d.packetsLost, 0);
  await w.close();
  await conn.close();
  const after = conn.diagnostics();
  assert.is(after.state, 'closed');
  assert.type(after.closedAt, 'number');
  assert.is(after.sessionCount, 0);
});

test('accept: the server side of a connection, its config, sessions and diagnostics; a server cannot create sessions', async () => {
  const accepted = WebTransportConnection.accept(server, { timeout: 5000 });
  const client = await WebTransportConnection.connect(base, { verify });
  const conn = await within(accepted, 5000, 'accept');
  assert.is(conn.isClient, false);
  assert.is(conn.config, server.config);
  assert.is(conn.remoteAddress.port, client.localAddresses[0]!.port);
  assert.is(conn.localAddresses[0]!.port, server.address.port);
  assert.is(conn.state, 'connected');
  const s = await client.createSession({ path: '/hold' });
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(conn.getAllSessions().map((x) => x.id), [s.id]);
  assert.is(conn.diagnostics().isClient, false);
  assert.is(conn.diagnostics().sessionCount, 1);
  try {
    await conn.createSession({ path: '/x' });
    assert.unreachable('created');
  } catch (e) {
    assert.instance(e, WebTransportConnectionError);
    assert.is((e as WebTransportConnectionError).kind, 'wrong-role');
  }
  // accept({ from }) gives the same object for a connection the server already has
  assert.is(await WebTransportConnection.accept(server, { from: conn.connection }), conn);
  await client.close({ errorCode: H3ErrorCode.H3_NO_ERROR });
  await within(conn.closed, 5000, 'server side closed');
  assert.is(conn.isClosed, true);
});

test('accept times out with a typed error', async () => {
  try {
    await WebTransportConnection.accept(server, { timeout: 100 });
    assert.unreachable('accepted');
  } catch (e) {
    assert.instance(e, WebTransportTimeoutError);
  }
});

test('gracefulShutdown (server side): GOAWAY and DRAIN reach the client, the session ends, then the connection', async () => {
  const accepted = WebTransportConnection.accept(server, { timeout: 5000 });
  const client = await WebTransportConnection.connect(base, { verify });
  const conn = await accepted;
  const s = await client.createSession({ path: '/hold' });
  let drained = false;
  void s.draining.then(() => {
    drained = true;
    s.close({ closeCode: 9, reason: 'draining' });
  });
  const t0 = Date.now();
  await within(conn.gracefulShutdown({ timeout: 3000 }), 6000, 'shutdown');
  assert.ok(drained, 'the client saw the drain');
  assert.ok(Date.now() - t0 < 3000, 'the session ended before the timeout');
  assert.is(conn.isClosed || conn.isClosing, true);
  await within(client.closed, 5000, 'client connection closed');
  assert.is(client.isClosed, true);
});

test('gracefulShutdown (client side) closes sessions that do not end within the timeout', async () => {
  const client = await WebTransportConnection.connect(base, { verify });
  const s = await client.createSession({ path: '/hold' });
  await within(client.gracefulShutdown({ timeout: 200, sessionCloseCode: 11, reason: 'bye' }), 3000, 'shutdown');
  assert.equal(await within(s.closed, 1000, 'session closed'), { closeCode: 11, reason: 'bye' });
  assert.is(client.isClosed, true);
});

test('await using closes the connection', async () => {
  let kept: WebTransportConnection | undefined;
  {
    await using conn = await WebTransportConnection.connect(base, { verify });
    kept = conn;
    assert.is(conn.isConnected, true);
  }
  assert.is(kept.isClosed, true);
});

test('connect timeout is a typed error', async () => {
  try {
    await WebTransportConnection.connect('https://127.0.0.1:9/', { verify, connectTimeout: 200 });
    assert.unreachable('connected');
  } catch (e) {
    assert.instance(e, WebTransportTimeoutError);
  }
});

test.run();
