import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  TransportError, TlsMemoryTicketStore, TlsTicketKeyring, generateSelfSignedCertificate, tlsClientSession, tlsServerSession,
  type CryptoSession, type CryptoSessionEvent,
} from '@quicts/quic-core';
import { crypto } from './harness.ts';

const WALL = Date.UTC(2026, 10, 21);
const cert = generateSelfSignedCertificate(crypto, { now: WALL, names: ['localhost'] });
const params = Uint8Array.of(0x0f, 0x00); // initial_source_connection_id, empty

function sessions(store = new TlsMemoryTicketStore()) {
  const client = tlsClientSession(() => ({
    crypto, now: WALL, alpnProtocols: ['hq-interop'], serverName: 'localhost', ticketStore: store,
    verify: { mode: 'server-certificate-hashes', hashes: [cert.sha256] },
  }))({ isClient: true, transportParameters: params, version: 1 });
  const server = tlsServerSession(() => ({
    crypto, now: WALL, alpnProtocols: ['hq-interop'], certificate: { chain: [cert.certificateDer], privateKey: cert.privateKeyPkcs8 },
    tickets: { protector: new TlsTicketKeyring(crypto), count: 2 },
  }))({ isClient: false, transportParameters: params, version: 1 });
  return { client, server, store };
}

/** Moves handshake data both ways until nothing moves; returns the events of each side. */
function pump(client: CryptoSession, server: CryptoSession): { client: CryptoSessionEvent[]; server: CryptoSessionEvent[] } {
  const seen = { client: [] as CryptoSessionEvent[], server: [] as CryptoSessionEvent[] };
  for (let moved = true, rounds = 0; moved && rounds < 20; rounds++) {
    moved = false;
    for (const [from, to, name] of [[client, server, 'client'], [server, client, 'server']] as const) {
      for (let e = from.poll(); e !== null; e = from.poll()) {
        seen[name].push(e);
        if (e.kind === 'data') {
          to.readHandshake(e.level, e.data);
          moved = true;
        }
      }
    }
  }
  return seen;
}

test('the server session lets go of its TLS engine after the handshake; the client still takes tickets', () => {
  const { client, server, store } = sessions();
  client.start();
  server.start();
  const seen = pump(client, server);
  assert.ok(seen.client.some((e) => e.kind === 'handshakeComplete'));
  assert.ok(seen.server.some((e) => e.kind === 'handshakeComplete'));
  // Both tickets, written with the handshake's last flight, reached the client.
  assert.is(seen.client.filter((e) => e.kind === 'sessionTicket').length, 2);
  assert.is(store.count('localhost'), 2);
  // Nothing may follow the handshake from a QUIC client (RFC 9001 §4.4): unexpected_message.
  server.readHandshake('oneRtt', new Uint8Array(0));
  try {
    server.readHandshake('oneRtt', Uint8Array.of(4, 0, 0, 0));
    assert.unreachable('no error');
  } catch (e) {
    assert.instance(e, TransportError);
    assert.is((e as TransportError).code, 0x100 + 10);
  }
});

test.run();
