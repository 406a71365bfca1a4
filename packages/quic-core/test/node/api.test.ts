import { test } from 'uvu';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { generateSelfSignedCertificate } from '@quicts/quic-core';
import {
  connect, createNodeCryptoProvider, listen, QuicStreamError, type QuicConnection, type QuicServer, type ListenOptions, type ConnectOptions,
} from '@quicts/quic-core/node';

const crypto = createNodeCryptoProvider();
const cert = generateSelfSignedCertificate(crypto, { now: Date.now(), names: ['localhost', '127.0.0.1', '::1'] });
const ALPN = ['quicts-test'];
const verify = { serverCertificateHashes: [cert.sha256] };

async function readAll(readable: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const reader = readable.getReader();
  const parts: Uint8Array[] = [];
  let n = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    parts.push(value);
    n += value.length;
  }
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

async function writeAll(writable: WritableStream<Uint8Array>, data: Uint8Array): Promise<void> {
  const w = writable.getWriter();
  await w.write(data);
  await w.close();
}

/** An echo server: bidi streams and datagrams come back; uni streams are echoed on a new uni stream. */
async function echoServer(options: Partial<ListenOptions> = {}): Promise<{ server: QuicServer; accepted: QuicConnection[] }> {
  const server = await listen({ host: '127.0.0.1', port: 0, alpn: ALPN, tls: { cert: cert.certificatePem, key: cert.privateKeyPem }, ...options });
  const accepted: QuicConnection[] = [];
  void (async () => {
    for await (const conn of server) {
      accepted.push(conn);
      void (async () => {
        for await (const d of conn.datagrams) conn.sendDatagram(d);
      })();
      void (async () => {
        for await (const s of conn.incomingUnidirectionalStreams) {
          void (async () => {
            const data = await readAll(s.readable);
            const out = await conn.openUnidirectionalStream();
            await writeAll(out.writable, data);
          })();
        }
      })();
      void (async () => {
        for await (const s of conn.incomingBidirectionalStreams) {
          void (async () => {
            try {
              await writeAll(s.writable, await readAll(s.readable));
            } catch {
              // reset by the client in some tests
            }
          })();
        }
      })();
    }
  })();
  return { server, accepted };
}

function client(port: number, host = '127.0.0.1', extra: Partial<ConnectOptions> = {}): Promise<QuicConnection> {
  return connect(host, port, { alpn: ALPN, serverName: 'localhost', verify, ...extra });
}

function random(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) out.set(crypto.randomBytes(Math.min(65536, n - i)), i);
  return out;
}

test('handshake over loopback and a stream echo', async () => {
  const { server } = await echoServer();
  try {
    const conn = await client(server.address.port);
    assert.is(conn.alpn, ALPN[0]);
    const s = await conn.openBidirectionalStream();
    await writeAll(s.writable, new TextEncoder().encode('ping'));
    assert.is(new TextDecoder().decode(await readAll(s.readable)), 'ping');
    await conn.close();
  } finally {
    await server.close();
  }
});

test('1 MB echoed intact on one stream', async () => {
  const { server } = await echoServer();
  try {
    const conn = await client(server.address.port);
    const data = random(1 << 20);
    const s = await conn.openBidirectionalStream();
    const [, back] = await Promise.all([writeAll(s.writable, data), readAll(s.readable)]);
    assert.is(back.length, data.length);
    assert.ok(back.every((b, i) => b === data[i]), 'same bytes');
    await conn.close();
  } finally {
    await server.close();
  }
});

test('150 concurrent streams (more than the peer\'s initial stream limit of 100)', async () => {
  const { server } = await echoServer();
  try {
    const conn = await client(server.address.port);
    const results = await Promise.all(Array.from({ length: 150 }, async (_, i) => {
      const s = await conn.openBidirectionalStream();
      await writeAll(s.writable, new TextEncoder().encode(`stream ${i}`));
      return new TextDecoder().decode(await readAll(s.readable));
    }));
    results.forEach((r, i) => assert.is(r, `stream ${i}`));
    await conn.close();
  } finally {
    await server.close();
  }
});

test('unidirectional streams both ways', async () => {
  const { server } = await echoServer();
  try {
    const conn = await client(server.address.port);
    const out = await conn.openUnidirectionalStream();
    await writeAll(out.writable, new TextEncoder().encode('one way'));
    const back = await conn.incomingUnidirectionalStreams.next();
    assert.ok(back);
    assert.is(new TextDecoder().decode(await readAll(back!.readable)), 'one way');
    await conn.close();
  } finally {
    await server.close();
  }
});

test('datagrams are echoed', async () => {
  const { server } = await echoServer();
  try {
    const conn = await client(server.address.port);
    assert.ok(conn.maxDatagramSize > 1000, `max datagram ${conn.maxDatagramSize}`);
    let got: Uint8Array | undefined;
    for (let attempt = 0; attempt < 5 && !got; attempt++) {
      assert.ok(conn.sendDatagram(new TextEncoder().encode('dgram')));
      got = await Promise.race([conn.datagrams.next(), new Promise<undefined>((r) => setTimeout(() => r(undefined), 500))]);
    }
    assert.is(new TextDecoder().decode(got!), 'dgram');
    assert.not.ok(conn.sendDatagram(new Uint8Array(70_000)), 'oversized datagram refused');
    await conn.close();
  } finally {
    await server.close();
  }
});

test('close codes and reasons reach the peer', async () => {
  const { server, accepted } = await echoServer();
  try {
    const conn = await client(server.address.port);
    const s = await conn.openBidirectionalStream();
    await writeAll(s.writable, new Uint8Array([1]));
    await readAll(s.readable);
    const local = await conn.close({ code: 42, reason: 'bye now' });
    assert.is(local.code, 42);
    assert.is(local.initiator, 'local');
    const remote = await accepted[0]!.closed;
    assert.is(remote.code, 42);
    assert.is(remote.reason, 'bye now');
    assert.is(remote.application, true);
    assert.is(remote.initiator, 'remote');
  } finally {
    await server.close();
  }
});

test('a server shutdown closes its clients with the given code', async () => {
  const { server } = await echoServer();
  const conn = await client(server.address.port);
  await new Promise((r) => setTimeout(r, 20));
  await server.close({ code: 7, reason: 'maintenance' });
  const info = await conn.closed;
  assert.is(info.code, 7);
  assert.is(info.initiator, 'remote');
  let failed = false;
  try {
    await conn.openBidirectionalStream();
  } catch {
    failed = true;
  }
  assert.ok(failed, 'no streams after close');
});

test('a stream reset by the writer errors the reader with the code', async () => {
  const server = await listen({ host: '127.0.0.1', port: 0, alpn: ALPN, tls: { cert: cert.certificatePem, key: cert.privateKeyPem } });
  const seen = (async () => {
    const conn = (await server.accept())!;
    const s = (await conn.incomingBidirectionalStreams.next())!;
    try {
      await readAll(s.readable);
      return undefined;
    } catch (e) {
      return e;
    }
  })();
  try {
    const conn = await client(server.address.port);
    const s = await conn.openBidirectionalStream();
    const w = s.writable.getWriter();
    await w.write(new Uint8Array(10));
    await w.abort(77);
    const err = await seen;
    assert.instance(err, QuicStreamError);
    assert.is((err as QuicStreamError).code, 'ERR_QUIC_STREAM_RESET');
    assert.is((err as QuicStreamError).errorCode, 77);
    await conn.close();
  } finally {
    await server.close();
  }
});

test('a wrong certificate hash fails the handshake', async () => {
  const { server } = await echoServer();
  try {
    let error: unknown;
    try {
      await connect('127.0.0.1', server.address.port, { alpn: ALPN, verify: { serverCertificateHashes: [new Uint8Array(32)] } });
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof Error, 'connect rejects');
  } finally {
    await server.close();
  }
});

test('Retry on a real socket', async () => {
  const { server } = await echoServer({ retry: true });
  try {
    const conn = await client(server.address.port);
    const s = await conn.openBidirectionalStream();
    await writeAll(s.writable, new Uint8Array([9]));
    assert.equal([...await readAll(s.readable)], [9]);
    assert.is(server.endpoint.stats.retriesSent, 1);
    await conn.close();
  } finally {
    await server.close();
  }
});

test('a first Initial of a version the server does not speak: Version Negotiation, then v1', async () => {
  const { server } = await echoServer();
  try {
    const conn = await client(server.address.port, '127.0.0.1', { version: 0x1a2a3a4a });
    const s = await conn.openBidirectionalStream();
    await writeAll(s.writable, new Uint8Array([4, 2]));
    assert.equal([...await readAll(s.readable)], [4, 2]);
    assert.is(server.endpoint.stats.versionNegotiationsSent, 1);
    await conn.close();
  } finally {
    await server.close();
  }
});

test('qlogDir: each side writes a JSON-SEQ trace with its packets, recovery metrics and the close', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qlog-'));
  const { server } = await echoServer({ qlogDir: dir });
  try {
    const conn = await client(server.address.port, '127.0.0.1', { qlogDir: dir });
    const s = await conn.openBidirectionalStream();
    await writeAll(s.writable, random(50_000));
    assert.is((await readAll(s.readable)).length, 50_000);
    await conn.close({ code: 7, reason: 'done' });
  } finally {
    await server.close();
  }
  // The server's trace is closed when its connection has drained.
  const deadline = Date.now() + 5000;
  let files: string[] = [];
  while (Date.now() < deadline) {
    files = readdirSync(dir).filter((f) => f.endsWith('.sqlog'));
    if (files.length === 2 && files.every((f) => readFileSync(join(dir, f), 'utf8').includes('connection_closed'))) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(files.map((f) => f.replace(/^[0-9a-f]+_/, '')).sort(), ['client.sqlog', 'server.sqlog']);
  for (const f of files) {
    const records = readFileSync(join(dir, f), 'utf8').split('\x1e').map((r) => r.trim()).filter(Boolean).map((r) => JSON.parse(r));
    const names = new Set(records.slice(1).map((r: { name: string }) => r.name));
    for (const n of ['quic:connection_started', 'quic:packet_sent', 'quic:packet_received', 'quic:connection_state_updated', 'quic:connection_closed']) {
      assert.ok(names.has(n), `${f}: ${n}`);
    }
    assert.is(records.filter((r: { name?: string }) => r.name === 'quic:connection_closed').length, 1, `${f}: one connection_closed`);
  }
  rmSync(dir, { recursive: true, force: true });
});

test('IPv6 loopback (::1), when available', async () => {
  let server: QuicServer;
  try {
    ({ server } = await echoServer({ host: '::1' }));
  } catch {
    return; // no IPv6 on this machine
  }
  try {
    const conn = await client(server.address.port, '::1');
    assert.is(conn.remoteAddress.address, '::1');
    const s = await conn.openBidirectionalStream();
    await writeAll(s.writable, new TextEncoder().encode('v6'));
    assert.is(new TextDecoder().decode(await readAll(s.readable)), 'v6');
    await conn.close();
  } finally {
    await server.close();
  }
});

test.run();
