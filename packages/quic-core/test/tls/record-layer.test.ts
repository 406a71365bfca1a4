import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadVectors } from '@quicts/testkit';
import {
  TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256, TlsAlert, TlsClient, TlsMemoryTicketStore,
  TlsReplayFilter, TlsServer, TlsTicketKeyring, derToPem, fromHex, toHex, type CryptoProvider,
} from '@quicts/quic-core';
import { providers } from '../providers.ts';
import { NOW, keys, makeCertificate } from './helpers.ts';
import { RecordProtection, TlsRecordLayer, type RecordEvent } from './record-layer.ts';

const v3 = loadVectors('rfc/rfc8448.json');
const v4 = loadVectors('rfc/rfc8448-0rtt.json');

/** Moves bytes between two record layers until both are quiet; returns what each received. */
function run(a: TlsRecordLayer, b: TlsRecordLayer): void {
  for (let moved = true; moved;) {
    moved = false;
    for (const [from, to] of [[a, b], [b, a]] as const) {
      const bytes = from.takeOutput();
      if (bytes.length && !to.closed) {
        to.receive(bytes);
        moved = true;
      }
    }
  }
}
function events(l: TlsRecordLayer): RecordEvent[] {
  const out: RecordEvent[] = [];
  for (let e = l.pollEvent(); e; e = l.pollEvent()) out.push(e);
  return out;
}
const text = (s: string) => new TextEncoder().encode(s);

function world(crypto: CryptoProvider) {
  const ca = makeCertificate(crypto, { subject: 'CA', subjectKey: keys.ca, issuer: 'CA', issuerKey: keys.ca, isCa: true });
  const leaf = makeCertificate(crypto, { subject: 'server', subjectKey: keys.rsa, issuer: 'CA', issuerKey: keys.ca, names: ['localhost'] });
  const store = new TlsMemoryTicketStore();
  const protector = new TlsTicketKeyring(crypto);
  const antiReplay = new TlsReplayFilter();
  const pair = (suite = TLS_AES_128_GCM_SHA256, earlyData = false) => {
    const client = new TlsClient({
      crypto, transport: 'tcp', alpnProtocols: [], now: NOW, serverName: 'localhost', cipherSuites: [suite], ticketStore: store,
      verify: { mode: 'chain', trustAnchors: [derToPem(ca)] }, earlyData,
    });
    const server = new TlsServer({
      crypto, transport: 'tcp', alpnProtocols: [], now: NOW, certificate: { chain: [leaf], privateKey: keys.rsa.pkcs8 },
      tickets: { protector, earlyData: true, antiReplay },
    });
    return { client, server, c: new TlsRecordLayer(client, crypto), s: new TlsRecordLayer(server, crypto) };
  };
  return { pair, store };
}

for (const crypto of providers) {
  const t = suite(`TLS record layer (test harness) [${crypto.name}]`);

  t('record protection reproduces the RFC 8448 §3 and §4 records', () => {
    const secrets = { ...v3.secrets };
    const byKey3: Record<string, string> = {
      server_handshake: secrets.server_handshake_traffic_secret, client_handshake: secrets.client_handshake_traffic_secret,
      server_application: secrets.server_application_traffic_secret_0, client_application: secrets.client_application_traffic_secret_0,
    };
    const byKey4: Record<string, string> = {
      client_early: v4.secrets.client_early_traffic_secret, server_handshake: v4.secrets.server_handshake_traffic_secret,
      client_handshake: v4.secrets.client_handshake_traffic_secret, server_application: v4.secrets.server_application_traffic_secret_0,
      client_application: v4.secrets.client_application_traffic_secret_0,
    };
    const plaintextOf3: Record<string, string> = {
      server_handshake_flight_record: v3.messages.server_encrypted_flight_plaintext.hex, client_finished_record: v3.messages.client_finished,
      new_session_ticket_record: v3.messages.new_session_ticket,
    };
    const check = (records: Record<string, { hex: string; key?: string; seq: number; inner_content_type?: number; plaintext?: string }>, byKey: Record<string, string>, plain: Record<string, string>) => {
      for (const [name, r] of Object.entries(records)) {
        if (!r.key) continue; // the plaintext hello records
        const p = new RecordProtection(crypto, TLS_AES_128_GCM_SHA256, fromHex(byKey[r.key!]!));
        p.seq = BigInt(r.seq);
        const content = fromHex(r.plaintext ?? plain[name]!);
        const type = r.inner_content_type ?? (name.includes('alert') ? 21 : 23);
        assert.is(toHex(p.seal(type, content)), r.hex, name);
        const q = new RecordProtection(crypto, TLS_AES_128_GCM_SHA256, fromHex(byKey[r.key!]!));
        q.seq = BigInt(r.seq);
        const opened = q.open(fromHex(r.hex));
        assert.is(opened?.type, type);
        assert.is(toHex(opened!.content), toHex(content));
      }
    };
    check(v3.records, byKey3, plaintextOf3);
    check(v4.records, byKey4, {});
  });

  for (const suite of [TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256]) {
    t(`engine to engine over records (${suite.name}): data both ways, tickets, resumption, close`, () => {
      const w = world(crypto);
      const first = w.pair(suite);
      run(first.c, first.s);
      assert.not.ok(first.client.isHandshaking);
      first.c.write(text('ping'));
      first.s.write(new Uint8Array(40_000).fill(7)); // spans three records
      run(first.c, first.s);
      const got = events(first.s).filter((e) => e.type === 'data').map((e) => (e.type === 'data' ? new TextDecoder().decode(e.data) : ''));
      assert.equal(got, ['ping']);
      const back = events(first.c);
      assert.is(back.filter((e) => e.type === 'data').reduce((n, e) => n + (e.type === 'data' ? e.data.length : 0), 0), 40_000);
      assert.ok(back.some((e) => e.type === 'tls' && e.event.type === 'session-ticket'));
      first.c.close();
      run(first.c, first.s);
      assert.ok(first.s.closed);

      const second = w.pair(suite);
      run(second.c, second.s);
      assert.ok(second.client.isResumed && second.server.isResumed);
    });
  }

  t('0-RTT accepted over records: EndOfEarlyData travels under the early key', () => {
    const w = world(crypto);
    const first = w.pair(TLS_AES_128_GCM_SHA256, true);
    run(first.c, first.s);
    const second = w.pair(TLS_AES_128_GCM_SHA256, true);
    run(second.c, second.s);
    assert.is(second.server.earlyDataStatus, 'accepted');
    assert.not.ok(second.server.isHandshaking);
    second.c.write(text('after'));
    run(second.c, second.s);
    assert.ok(events(second.s).some((e) => e.type === 'data'));
  });

  t('a corrupted record: bad_record_mac, and an alert goes back', () => {
    const w = world(crypto);
    const { c, s } = w.pair();
    s.receive(c.takeOutput());
    const flight = s.takeOutput();
    flight[flight.length - 1]! ^= 1;
    assert.throws(() => c.receive(flight), (e: unknown) => e instanceof TlsAlert && e.code === 20);
    const alert = c.takeOutput();
    assert.ok(alert.length > 0);
    assert.throws(() => s.receive(alert), (e: unknown) => e instanceof TlsAlert && e.code === 20);
  });

  t.run();
}
