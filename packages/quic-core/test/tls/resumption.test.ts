import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  TlsAlert, TransportError, TlsClient, TlsMemoryTicketStore, TlsServer, TlsTicketKeyring, TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384,
  TLS_CHACHA20_POLY1305_SHA256, derToPem, toHex, type CryptoProvider, type TlsClientConfig, type TlsClientTicket, type TlsEvent,
  type TlsServerConfig, type TlsServerTicketConfig,
} from '@quicts/quic-core';
import { providers } from '../providers.ts';
import { NOW, drain, keys, makeCertificate, pump, type Tamper } from './helpers.ts';

const clientParams = Uint8Array.of(1, 2, 3);
const serverParams = Uint8Array.of(4, 5, 6, 7);

function expectAlert(fn: () => void, code: number, what: string): void {
  try {
    fn();
  } catch (e) {
    assert.instance(e, TlsAlert, `${what}: ${String(e)}`);
    assert.is((e as TlsAlert).code, code, `${what}: ${(e as Error).message}`);
    return;
  }
  assert.unreachable(`${what}: no alert`);
}

/** Handshake messages types sent by `from` at a level, seen through a tamper hook. */
function recordTypes(log: string[]): Tamper {
  return (from, level, data) => {
    for (let i = 0; i < data.length;) {
      log.push(`${from}:${level}:${data[i]}`);
      i += 4 + ((data[i + 1]! << 16) | (data[i + 2]! << 8) | data[i + 3]!);
    }
    return data;
  };
}

function secretsOf(events: TlsEvent[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of events) if (e.type === 'secret') m.set(`${e.level}:${e.direction}`, toHex(e.secret));
  return m;
}

function world(crypto: CryptoProvider) {
  const ca = makeCertificate(crypto, { subject: 'Test CA', subjectKey: keys.ca, issuer: 'Test CA', issuerKey: keys.ca, isCa: true });
  const leaf = makeCertificate(crypto, { subject: 'server', subjectKey: keys.p256, issuer: 'Test CA', issuerKey: keys.ca, names: ['example.test'] });
  const keyring = new TlsTicketKeyring(crypto);
  const store = new TlsMemoryTicketStore();
  const tickets: TlsServerTicketConfig = { protector: keyring, appData: Uint8Array.of(9, 9) };
  const client = (extra: Partial<TlsClientConfig> = {}): TlsClient => new TlsClient({
    crypto, alpnProtocols: ['h3'], transportParameters: clientParams, now: NOW, serverName: 'example.test',
    verify: { mode: 'chain', trustAnchors: [derToPem(ca)] }, ticketStore: store, ...extra,
  });
  const server = (extra: Partial<TlsServerConfig> = {}): TlsServer => new TlsServer({
    crypto, alpnProtocols: ['h3'], transportParameters: serverParams, now: NOW, certificate: { chain: [leaf], privateKey: keys.p256.pkcs8 },
    tickets, ...extra,
  });
  /** A full handshake that leaves a ticket in the store; returns the client's ticket event. */
  const prime = (c: Partial<TlsClientConfig> = {}, s: Partial<TlsServerConfig> = {}): TlsClientTicket => {
    const cl = client(c);
    const sv = server(s);
    pump(cl, sv);
    assert.not.ok(cl.isResumed);
    const ev = drain(cl).find((e) => e.type === 'session-ticket');
    assert.ok(ev && ev.type === 'session-ticket', 'session-ticket event');
    return ev.ticket;
  };
  return { ca, leaf, keyring, store, tickets, client, server, prime };
}

for (const crypto of providers) {
  const t = suite(`TLS session resumption [${crypto.name}]`);

  t('the server issues a ticket; the client stores it with its data', () => {
    const w = world(crypto);
    const ticket = w.prime();
    assert.is(w.store.count('example.test'), 1);
    assert.is(ticket.alpn, 'h3');
    assert.is(ticket.serverName, 'example.test');
    assert.equal(ticket.transportParameters, serverParams);
    assert.is(ticket.suite, TLS_AES_128_GCM_SHA256.id);
    assert.is(ticket.lifetime, 86400);
    assert.is(ticket.receivedAt, NOW);
    assert.is(ticket.maxEarlyData, 0);
    assert.is(ticket.psk.length, 32);
  });

  for (const cs of [TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256]) {
    t(`resumes with ${cs.name}: no certificate, same secrets, resumed on both sides`, () => {
      const w = world(crypto);
      w.prime({ cipherSuites: [cs] });
      const client = w.client({ cipherSuites: [cs], now: NOW + 60_000 });
      const server = w.server({ now: NOW + 60_000 });
      const log: string[] = [];
      pump(client, server, { tamper: recordTypes(log) });
      assert.ok(client.isResumed);
      assert.ok(server.isResumed);
      assert.not.ok(log.includes('server:handshake:11'), 'no Certificate');
      assert.not.ok(log.includes('server:handshake:15'), 'no CertificateVerify');
      const ce = drain(client);
      const se = drain(server);
      const done = ce.find((e) => e.type === 'handshake-complete');
      assert.equal(done, { type: 'handshake-complete', resumed: true, earlyData: 'none' });
      assert.ok(se.some((e) => e.type === 'handshake-complete' && e.resumed));
      const c = secretsOf(ce);
      const s = secretsOf(se);
      assert.is(c.get('application:write'), s.get('application:read'));
      assert.is(c.get('application:read'), s.get('application:write'));
      assert.is(client.cipherSuite, cs);
      assert.equal(server.resumedSession?.appData, Uint8Array.of(9, 9));
      assert.equal(client.exportKeyingMaterial('x', new Uint8Array(0), 16), server.exportKeyingMaterial('x', new Uint8Array(0), 16));
      assert.ok(ce.some((e) => e.type === 'session-ticket'), 'a new ticket after resumption');
      assert.is(w.store.count('example.test'), 1, 'the offered ticket was taken, the new one stored');
    });
  }

  t('the handshake state is released at completion; later tickets are still issued and stored', () => {
    const w = world(crypto);
    const client = w.client();
    const server = w.server();
    pump(client, server);
    assert.ok(client.handshakeStateReleased, 'client');
    assert.ok(server.handshakeStateReleased, 'server');
    drain(client);
    assert.is(w.store.count('example.test'), 1);
    server.issueSessionTicket(Uint8Array.of(7));
    pump(client, server);
    const ev = drain(client).find((e) => e.type === 'session-ticket');
    assert.ok(ev && ev.type === 'session-ticket', 'a ticket issued after the release');
    assert.is(w.store.count('example.test'), 2);
    // The released client still resumes with it.
    const again = w.client();
    const sv = w.server();
    pump(again, sv);
    assert.ok(again.isResumed);
    assert.equal(client.exportKeyingMaterial('x', new Uint8Array(0), 16), server.exportKeyingMaterial('x', new Uint8Array(0), 16));
  });

  t('the server resumes with the ticket suite even when it prefers another', () => {
    const w = world(crypto);
    w.prime({ cipherSuites: [TLS_CHACHA20_POLY1305_SHA256] });
    const client = w.client();
    const server = w.server();
    pump(client, server);
    assert.ok(server.isResumed);
    assert.is(server.cipherSuite, TLS_CHACHA20_POLY1305_SHA256);
  });

  t('resumption one byte at a time', () => {
    const w = world(crypto);
    w.prime();
    const client = w.client();
    const server = w.server();
    pump(client, server, { bytewise: true });
    assert.ok(client.isResumed && server.isResumed);
  });

  t('a ticket from another server (unknown key): full handshake', () => {
    const w = world(crypto);
    w.prime();
    const client = w.client();
    const server = w.server({ tickets: { protector: new TlsTicketKeyring(crypto) } });
    pump(client, server);
    assert.not.ok(client.isResumed);
    assert.not.ok(server.isResumed);
    assert.not.ok(client.isHandshaking);
  });

  t('expired ticket: the server falls back to a full handshake; the client does not offer it', () => {
    const w = world(crypto);
    const ticket = w.prime();
    const late = NOW + 86400_000 + 5000;
    const client = w.client({ sessionTicket: ticket, now: NOW + 1000 });
    const server = w.server({ now: late });
    pump(client, server);
    assert.not.ok(server.isResumed);
    const stale = w.client({ sessionTicket: ticket, now: late });
    assert.is(stale.offeredTicket, undefined);
  });

  t('key rotation: current and previous keys open tickets, older ones do not', () => {
    const w = world(crypto);
    const ticket = w.prime();
    w.keyring.rotate(NOW);
    let client = w.client({ sessionTicket: ticket });
    let server = w.server();
    pump(client, server);
    assert.ok(server.isResumed, 'previous key still opens');
    w.keyring.rotate(NOW);
    client = w.client({ sessionTicket: ticket });
    server = w.server();
    pump(client, server);
    assert.not.ok(server.isResumed, 'dropped after a second rotation');
  });

  t('automatic rotation by interval', () => {
    const keyring = new TlsTicketKeyring(crypto, { rotationIntervalMs: 1000 });
    const a = keyring.seal(Uint8Array.of(1), 0);
    const b = keyring.seal(Uint8Array.of(2), 1500); // rotates first
    assert.not.equal(a.subarray(0, 4), b.subarray(0, 4));
    assert.equal(keyring.open(a, 1500), Uint8Array.of(1));
    keyring.seal(Uint8Array.of(3), 3000);
    assert.is(keyring.open(a, 3000), undefined);
    assert.equal(keyring.open(b, 3000), Uint8Array.of(2));
    const tampered = b.slice();
    tampered[tampered.length - 1]! ^= 1;
    assert.is(keyring.open(tampered, 3000), undefined);
    assert.is(keyring.open(new Uint8Array(10), 3000), undefined);
  });

  t('a wrong binder aborts with decrypt_error', () => {
    const w = world(crypto);
    w.prime();
    const client = w.client();
    const server = w.server();
    const tamper: Tamper = (from, level, data) => {
      if (from !== 'client' || level !== 'initial') return data;
      const c = data.slice();
      c[c.length - 1]! ^= 1; // the binder is the last byte of the ClientHello
      return c;
    };
    expectAlert(() => pump(client, server, { tamper }), 51, 'binder');
  });

  t('a changed identity with its old binder: the server ignores the ticket (full handshake)', () => {
    const w = world(crypto);
    const ticket = w.prime();
    const forged = { ...ticket, ticket: ticket.ticket.map((b, i) => (i === 20 ? b ^ 1 : b)) };
    const client = w.client({ sessionTicket: forged });
    const server = w.server();
    pump(client, server);
    assert.not.ok(server.isResumed);
  });

  t('HelloRetryRequest keeps the PSK (binder over the new transcript)', () => {
    const w = world(crypto);
    w.prime();
    const client = w.client({ groups: ['secp384r1', 'x25519'], keyShareGroups: ['secp384r1'] });
    const server = w.server({ groups: ['x25519'] });
    pump(client, server);
    assert.ok(client.isResumed && server.isResumed);
  });

  t('psk_ke only: full handshake; pre_shared_key without psk_key_exchange_modes: missing_extension', () => {
    const w = world(crypto);
    w.prime();
    const pskKeOnly = w.client({ fixed: { extensions: (_m, b) => b.map((e) => (e.type === 45 ? { type: 45, data: Uint8Array.of(1, 0) } : e)) } });
    const server = w.server();
    pump(pskKeOnly, server);
    assert.not.ok(server.isResumed);
    while (w.store.take('example.test', NOW));
    w.prime();
    const noModes = w.client({ fixed: { extensions: (_m, b) => b.filter((e) => e.type !== 45) } });
    expectAlert(() => pump(noModes, w.server()), 109, 'modes');
  });

  t('another server name: full handshake', () => {
    const w = world(crypto);
    const ticket = w.prime();
    const client = w.client({ sessionTicket: ticket, serverName: 'example.test', fixed: { extensions: (_m, b) => b.filter((e) => e.type !== 0) } });
    const server = w.server();
    pump(client, server);
    assert.not.ok(server.isResumed);
  });

  t('a ticket with a hash the client no longer offers is not offered', () => {
    const w = world(crypto);
    const ticket = w.prime({ cipherSuites: [TLS_AES_256_GCM_SHA384] });
    const client = w.client({ sessionTicket: ticket, cipherSuites: [TLS_AES_128_GCM_SHA256] });
    assert.is(client.offeredTicket, undefined);
  });

  t('ticket lifetime 0 is discarded; more tickets on demand; none before completion', () => {
    const w = world(crypto);
    const client = w.client({ ticketStore: new TlsMemoryTicketStore() });
    pump(client, w.server({ tickets: { ...w.tickets, lifetime: 0 } }));
    assert.not.ok(drain(client).some((e) => e.type === 'session-ticket'));
    assert.throws(() => w.server().issueSessionTicket(), (e: unknown) => e instanceof RangeError);
    const c2 = w.client();
    const s2 = w.server({ tickets: { ...w.tickets, count: 0 } });
    pump(c2, s2);
    assert.not.ok(drain(c2).some((e) => e.type === 'session-ticket'));
    s2.issueSessionTicket();
    s2.issueSessionTicket(Uint8Array.of(7));
    pump(c2, s2);
    const got = drain(c2).filter((e) => e.type === 'session-ticket');
    assert.is(got.length, 2);
    const resumed = w.server();
    pump(w.client(), resumed);
    assert.equal(resumed.resumedSession?.appData, Uint8Array.of(7), 'the newest ticket is offered first');
  });

  t('a PSK selected in ServerHello that was not offered: unsupported_extension', () => {
    const w = world(crypto);
    w.prime();
    const offering = w.client();
    const server = w.server();
    server.readHandshake('initial', offering.writeHandshake()!.data);
    const sh = server.writeHandshake()!.data;
    const plain = w.client({ ticketStore: new TlsMemoryTicketStore() });
    plain.writeHandshake();
    expectAlert(() => plain.readHandshake('initial', sh), 110, 'unsolicited psk');
  });

  t('fuzz: truncated and bit-flipped PSK ClientHellos give only typed errors or a full handshake', () => {
    const w = world(crypto);
    const ticket = w.prime();
    const ch = w.client({ sessionTicket: ticket }).writeHandshake()!.data;
    const typed = (e: unknown) => e instanceof TlsAlert || e instanceof TransportError;
    for (let cut = 1; cut < ch.length - 4; cut += 3) {
      const body = ch.subarray(4, 4 + cut);
      try {
        w.server().readHandshake('initial', Uint8Array.from([1, 0, body.length >> 8, body.length & 0xff, ...body]));
      } catch (e) {
        assert.ok(typed(e), `cut ${cut}: ${String(e)}`);
      }
    }
    let seed = 99;
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 8;
    for (let i = 0; i < 300; i++) {
      const m = ch.slice();
      const at = ch.length - 1 - (rnd() % 260); // the tail holds pre_shared_key and the extensions before it
      m[at]! ^= 1 << (rnd() % 8);
      try {
        w.server().readHandshake('initial', m);
      } catch (e) {
        assert.ok(typed(e), `flip at ${at}: ${String(e)}`);
      }
    }
  });

  t('the client store hands out each ticket once and skips expired ones', () => {
    const store = new TlsMemoryTicketStore(2);
    const mk = (receivedAt: number, n: number): TlsClientTicket => ({
      ticket: Uint8Array.of(n), psk: new Uint8Array(32), suite: 0x1301, ageAdd: 0, lifetime: 10, receivedAt, maxEarlyData: 0,
      alpn: undefined, serverName: undefined, transportParameters: undefined,
    });
    store.put('a', mk(0, 1));
    store.put('a', mk(0, 2));
    store.put('a', mk(0, 3));
    assert.is(store.count('a'), 2);
    assert.equal(store.take('a', 1000)?.ticket, Uint8Array.of(3));
    assert.equal(store.take('a', 1000)?.ticket, Uint8Array.of(2));
    assert.is(store.take('a', 1000), undefined);
    store.put('b', mk(0, 4));
    assert.is(store.take('b', 11_000), undefined, 'expired');
  });

  t.run();
}

