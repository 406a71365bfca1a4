import { test } from 'uvu';
import * as assert from 'uvu/assert';
import dgram from 'node:dgram';
import {
  Endpoint, generateSelfSignedCertificate, tlsClientSession, tlsServerSession, type ConnectionConfig, type EndpointEvent,
} from '@quicts/quic-core';
import { createNodeCryptoProvider, UdpDriver } from '@quicts/quic-core/node';

const crypto = createNodeCryptoProvider();
const cert = generateSelfSignedCertificate(crypto, { now: Date.now(), names: ['localhost'] });
const serverConfig: ConnectionConfig = {
  crypto,
  cryptoSession: tlsServerSession(() => ({
    crypto, now: Date.now(), alpnProtocols: ['t'], certificate: { chain: [cert.certificateDer], privateKey: cert.privateKeyPkcs8 },
  })),
};
const clientConfig: ConnectionConfig = {
  crypto,
  cryptoSession: tlsClientSession(() => ({
    crypto, now: Date.now(), alpnProtocols: ['t'], serverName: 'localhost', verify: { mode: 'server-certificate-hashes', hashes: [cert.sha256] },
  })),
};

function waitFor(pred: () => boolean, ms = 5000): Promise<void> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (pred()) resolve();
      else if (Date.now() - start > ms) reject(new Error('timed out'));
      else setTimeout(tick, 2);
    };
    tick();
  });
}

test('two drivers carry a handshake and a 256 KB stream between endpoints', async () => {
  const serverEvents: EndpointEvent[] = [];
  const server: UdpDriver = await UdpDriver.bind({
    endpoint: new Endpoint({ crypto, server: { connection: serverConfig } }), host: '127.0.0.1',
    onEvent: (e) => {
      serverEvents.push(e);
      if (e.type === 'connection' && e.event.type === 'streamReadable') {
        const conn = server.endpoint.connection(e.handle)!;
        for (let r = conn.readStream(e.event.streamId); r.kind === 'data'; r = conn.readStream(e.event.streamId)) {
          conn.writeStream(e.event.streamId, r.data.slice(), r.fin);
          if (r.fin) break;
        }
        server.wake(e.handle);
      }
    },
  });
  assert.is(server.local.address, '127.0.0.1');
  assert.ok(server.local.port > 0);
  const clientEvents: EndpointEvent[] = [];
  const client = await UdpDriver.bind({ endpoint: new Endpoint({ crypto }), host: '127.0.0.1', onEvent: (e) => clientEvents.push(e) });
  const h = client.endpoint.connect({ config: clientConfig, remote: server.local, local: client.local, now: client.now() });
  client.wake(h);
  await waitFor(() => clientEvents.some((e) => e.type === 'connection' && e.event.type === 'connected'));
  assert.ok(serverEvents.some((e) => e.type === 'incoming'));

  const conn = client.endpoint.connection(h)!;
  const id = conn.openStream('bidi')!;
  const data = crypto.randomBytes(256 * 1024);
  let offset = 0;
  const received: Uint8Array[] = [];
  let fin = false;
  await waitFor(() => {
    if (offset < data.length) {
      offset += conn.writeStream(id, data.subarray(offset), true);
      client.wake(h);
    }
    for (let r = conn.readStream(id); r.kind === 'data'; r = conn.readStream(id)) {
      received.push(r.data.slice());
      if (r.fin) fin = true;
      if (r.fin) break;
    }
    client.wake(h);
    return fin;
  }, 10_000);
  const back = new Uint8Array(received.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of received) {
    back.set(p, o);
    o += p.length;
  }
  assert.is(back.length, data.length);
  assert.ok(back.every((b, i) => b === data[i]));
  assert.ok(client.stats.datagramsOut > 100 && server.stats.datagramsIn > 100);

  conn.close(0, 'done', true, client.now());
  client.wake(h);
  await waitFor(() => server.endpoint.connectionCount === 0 && client.endpoint.connectionCount === 0);
  await client.close();
  await server.close();
  assert.ok(client.closed && server.closed);
});

test('garbage from a plain UDP socket never breaks the driver', async () => {
  const server = await UdpDriver.bind({ endpoint: new Endpoint({ crypto, server: { connection: serverConfig } }), host: '127.0.0.1', unref: true });
  const junk = dgram.createSocket('udp4');
  const replies: number[] = [];
  junk.on('message', (m) => replies.push(m.length));
  await new Promise<void>((r) => junk.bind(0, '127.0.0.1', () => r()));
  const sizes = [0, 1, 5, 21, 50, 100, 1199, 1200, 1500];
  for (const n of sizes) {
    const d = crypto.randomBytes(Math.max(n, 1)).subarray(0, n);
    junk.send(d, server.local.port, '127.0.0.1');
    // An unknown version in a full-size datagram: Version Negotiation comes back.
  }
  const vn = new Uint8Array(1200);
  vn.set([0xc0, 0x1a, 0x2a, 0x3a, 0x4a, 8, 1, 2, 3, 4, 5, 6, 7, 8, 0]);
  junk.send(vn, server.local.port, '127.0.0.1');
  await waitFor(() => server.stats.datagramsIn >= sizes.length);
  await waitFor(() => replies.length >= 1, 2000);
  assert.ok(replies.every((n) => n <= 1200), 'replies never larger than their triggers');
  assert.is(server.endpoint.connectionCount, 0);
  junk.close();
  await server.close();
});

test('IPv6 sockets bind as udp6', async () => {
  let driver: UdpDriver;
  try {
    driver = await UdpDriver.bind({ endpoint: new Endpoint({ crypto }), host: '::1', unref: true });
  } catch {
    return; // no IPv6 loopback here
  }
  assert.is(driver.local.address, '::1');
  await driver.close();
});

test('binding a port in use rejects', async () => {
  const a = await UdpDriver.bind({ endpoint: new Endpoint({ crypto }), host: '127.0.0.1', unref: true });
  let failed = false;
  try {
    const b = await UdpDriver.bind({ endpoint: new Endpoint({ crypto }), host: '127.0.0.1', port: a.local.port, unref: true });
    await b.close();
  } catch {
    failed = true;
  }
  assert.ok(failed);
  await a.close();
});

test.run();
