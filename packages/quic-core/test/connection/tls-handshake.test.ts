import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Pair, delay } from '@quicts/testkit';
import {
  Connection, generateSelfSignedCertificate, tlsClientSession, tlsServerSession, TLS_CHACHA20_POLY1305_SHA256,
  TLS_AES_256_GCM_SHA384, type ConnectionConfig, type ConnectionEvent, type CipherSuite,
} from '@quicts/quic-core';
import { ServerSlot, clientPath, crypto, drainEvents } from './harness.ts';

const WALL = Date.UTC(2026, 10, 21);
const cert = generateSelfSignedCertificate(crypto, { now: WALL, names: ['localhost', '127.0.0.1'] });

function configs(suites?: CipherSuite[], clientAlpn = ['hq-interop'], serverAlpn = ['hq-interop']) {
  const client: ConnectionConfig = {
    crypto,
    cryptoSession: tlsClientSession(() => ({
      crypto, now: WALL, alpnProtocols: clientAlpn, serverName: 'localhost',
      verify: { mode: 'server-certificate-hashes', hashes: [cert.sha256] }, ...(suites ? { cipherSuites: suites } : {}),
    })),
  };
  const server: ConnectionConfig = {
    crypto,
    cryptoSession: tlsServerSession(() => ({
      crypto, now: WALL, alpnProtocols: serverAlpn, certificate: { chain: [cert.certificateDer], privateKey: cert.privateKeyPkcs8 },
    })),
  };
  return { client, server };
}

function handshake(suites?: CipherSuite[], clientAlpn?: string[], serverAlpn?: string[]) {
  const c = configs(suites, clientAlpn, serverAlpn);
  const client = Connection.connect({ config: c.client, path: clientPath, now: 0 });
  const server = new ServerSlot(c.server);
  const pair = new Pair({ a: client, b: server, seed: 7, link: [delay(10)] });
  const ce: ConnectionEvent[] = [];
  const se: ConnectionEvent[] = [];
  pair.run({
    until: () => {
      drainEvents(client, ce);
      drainEvents(server.conn, se);
      return (client.handshakeConfirmed && !!server.conn?.handshakeConfirmed) || client.isClosed || !!server.conn?.isClosed;
    },
    maxTime: 20_000,
  });
  pair.advance(2000);
  drainEvents(client, ce);
  drainEvents(server.conn, se);
  return { client, server: server.conn!, ce, se };
}

test('TLS 1.3 handshake over the simulated link (AES-128-GCM, x25519, ECDSA P-256)', () => {
  const { client, server, ce } = handshake();
  assert.ok(client.handshakeConfirmed, 'client confirmed');
  assert.ok(server.handshakeConfirmed, 'server confirmed');
  const connected = ce.find((e) => e.type === 'connected');
  assert.equal(connected && connected.type === 'connected' && connected.alpn, 'hq-interop');
});

for (const suite of [TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256]) {
  test(`TLS 1.3 handshake restricted to ${suite.name}`, () => {
    const { client, server } = handshake([suite]);
    assert.ok(client.handshakeConfirmed && server.handshakeConfirmed);
    assert.is(client.oneRtt!.cipherSuite.id, suite.id);
    assert.is(server.oneRtt!.cipherSuite.id, suite.id);
  });
}

test('ALPN mismatch closes with CRYPTO_ERROR no_application_protocol (0x178)', () => {
  const { client, server, ce } = handshake(undefined, ['h3'], ['hq-interop']);
  assert.ok(server.isClosed || server.state.kind !== 'established');
  const closing = ce.find((e) => e.type === 'closing' || e.type === 'closed');
  assert.ok(closing, 'client learns of the close');
  if (closing && (closing.type === 'closing' || closing.type === 'closed')) {
    assert.is(closing.reason.code, 0x178);
    assert.is(closing.reason.initiator, 'remote');
  }
  assert.not.ok(client.handshakeComplete);
});

test.run();
