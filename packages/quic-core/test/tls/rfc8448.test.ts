import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadVectors } from '@quicts/testkit';
import {
  Reader, fromHex, toHex, hkdfExpandLabel, TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256,
  TlsClient, TlsServer, TlsKeySchedule, certificateVerifyContent, decodeCertificate, decodeCertificateVerify,
  decodeEncryptedExtensions, type TlsEvent, type TlsExtension, type CryptoProvider,
} from '@quicts/quic-core';
import { providers } from '../providers.ts';

const v = loadVectors('rfc/rfc8448.json');
const ch = fromHex(v.messages.client_hello);
const sh = fromHex(v.messages.server_hello);
const flight = fromHex(v.messages.server_encrypted_flight_plaintext.hex);
const clientFinished = fromHex(v.messages.client_finished);
const nst = fromHex(v.messages.new_session_ticket);

/** Splits concatenated handshake messages. */
function split(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length;) {
    const len = (bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!;
    out.push(bytes.subarray(i, i + 4 + len));
    i += 4 + len;
  }
  return out;
}
function extensionsOf(body: Uint8Array, skip: number): TlsExtension[] {
  const r = new Reader(body, skip);
  const block = new Reader(r.vec16());
  const out: TlsExtension[] = [];
  while (!block.done) out.push({ type: block.u16(), data: block.vec16() });
  return out;
}
// ClientHello extensions: after version(2) random(32) session_id(1+0) suites(2+6) compression(1+1)
const chExtensions = extensionsOf(ch.subarray(4), 2 + 32 + 1 + 2 + 6 + 2);
const [ee, certificate, certificateVerify] = split(flight);
const eeExtensions = decodeEncryptedExtensions(ee!.subarray(4)).extensions;
const certDer = decodeCertificate(certificate!.subarray(4)).entries[0]!.data;
const cv = decodeCertificateVerify(certificateVerify!.subarray(4));

function drain(session: { pollEvent(): TlsEvent | null }): TlsEvent[] {
  const out: TlsEvent[] = [];
  for (let e = session.pollEvent(); e; e = session.pollEvent()) out.push(e);
  return out;
}
function secretOf(events: TlsEvent[], level: string, direction: string): string | undefined {
  const e = events.find((x) => x.type === 'secret' && x.level === level && x.direction === direction);
  return e && e.type === 'secret' ? toHex(e.secret) : undefined;
}

const s = v.secrets;

function newClient(crypto: CryptoProvider): TlsClient {
  return new TlsClient({
    crypto, transport: 'tcp', alpnProtocols: [], now: Date.UTC(2020, 0, 1), serverName: 'server',
    cipherSuites: [TLS_AES_128_GCM_SHA256, TLS_CHACHA20_POLY1305_SHA256, TLS_AES_256_GCM_SHA384],
    verify: { mode: 'insecure-accept-any' }, keyLog: true,
    fixed: {
      random: ch.subarray(6, 38), sessionId: new Uint8Array(0),
      keyShares: [crypto.keyExchangeFromPrivate('x25519', fromHex(v.client_ephemeral_x25519.private))],
      extensions: () => chExtensions,
    },
  });
}

function newServer(crypto: CryptoProvider): TlsServer {
  return new TlsServer({
    crypto, transport: 'tcp', alpnProtocols: [], now: Date.UTC(2020, 0, 1),
    certificate: { chain: [certDer], sign: (scheme) => { assert.is(scheme, 'rsa_pss_rsae_sha256'); return cv.signature; } },
    fixed: {
      random: sh.subarray(6, 38),
      keyShares: [crypto.keyExchangeFromPrivate('x25519', fromHex(v.server_ephemeral_x25519.private))],
      extensions: () => eeExtensions,
    },
  });
}

for (const crypto of providers) {
  const t = suite(`RFC 8448 §3 simple 1-RTT [${crypto.name}]`);

  t('key schedule', () => {
    const ks = new TlsKeySchedule(crypto, 'sha256');
    assert.is(toHex(ks.currentSecret), s.early_secret);
    assert.is(toHex(ks.toHandshake(fromHex(s.ecdhe_shared_secret))), s.handshake_secret);
    const hs = ks.handshakeTrafficSecrets(fromHex(s.transcript_hash_ch_sh));
    assert.is(toHex(hs.client), s.client_handshake_traffic_secret);
    assert.is(toHex(hs.server), s.server_handshake_traffic_secret);
    assert.is(toHex(ks.finishedKey(hs.server)), v.finished.server_finished_key);
    assert.is(toHex(ks.finishedKey(hs.client)), v.finished.client_finished_key);
    assert.is(toHex(ks.toMaster()), s.master_secret);
    const app = ks.applicationSecrets(fromHex(s.transcript_hash_ch_to_server_finished));
    assert.is(toHex(app.client), s.client_application_traffic_secret_0);
    assert.is(toHex(app.server), s.server_application_traffic_secret_0);
    assert.is(toHex(app.exporter), s.exporter_master_secret);
    const res = ks.resumptionMasterSecret(fromHex(s.transcript_hash_ch_to_client_finished));
    assert.is(toHex(res), s.resumption_master_secret);
    assert.is(toHex(TlsKeySchedule.ticketPsk(crypto, 'sha256', res, fromHex(s.ticket_nonce))), s.resumption_psk);
    for (const [name, secret] of [['server_handshake', hs.server], ['client_handshake', hs.client], ['server_application', app.server], ['client_application', app.client]] as const) {
      assert.is(toHex(hkdfExpandLabel(crypto, 'sha256', secret, 'key', new Uint8Array(0), 16)), v.traffic_keys[name].key, name);
      assert.is(toHex(hkdfExpandLabel(crypto, 'sha256', secret, 'iv', new Uint8Array(0), 12)), v.traffic_keys[name].iv, name);
    }
  });

  t("the trace's CertificateVerify signature verifies (RSA-PSS, 1024-bit key)", () => {
    const transcript = crypto.hashInit('sha256');
    for (const m of [ch, sh, ee!, certificate!]) transcript.update(m);
    assert.ok(crypto.verify('rsa_pss_rsae_sha256', parseSpkiOf(certDer), certificateVerifyContent('server', transcript.digest()), cv.signature));
  });

  for (const bytewise of [false, true]) {
    t(`client reproduces the trace${bytewise ? ', fed one byte at a time' : ''}`, () => {
      const client = newClient(crypto);
      const hello = client.writeHandshake();
      assert.equal(hello?.level, 'initial');
      assert.is(toHex(hello!.data), v.messages.client_hello);
      assert.is(client.writeHandshake(), null);
      const feed = (level: 'initial' | 'handshake' | 'application', bytes: Uint8Array) => {
        if (!bytewise) return client.readHandshake(level, bytes);
        for (let i = 0; i < bytes.length; i++) client.readHandshake(level, bytes.subarray(i, i + 1));
      };
      feed('initial', sh);
      let events = drain(client);
      assert.is(secretOf(events, 'handshake', 'read'), s.server_handshake_traffic_secret);
      assert.is(secretOf(events, 'handshake', 'write'), s.client_handshake_traffic_secret);
      assert.ok(client.isHandshaking);
      feed('handshake', flight);
      const fin = client.writeHandshake();
      assert.equal(fin?.level, 'handshake');
      assert.is(toHex(fin!.data), toHex(clientFinished));
      events = drain(client);
      assert.is(secretOf(events, 'application', 'read'), s.server_application_traffic_secret_0);
      assert.is(secretOf(events, 'application', 'write'), s.client_application_traffic_secret_0);
      assert.ok(events.some((e) => e.type === 'handshake-complete'));
      assert.not.ok(client.isHandshaking);
      assert.is(toHex(client.resumptionMasterSecret!), s.resumption_master_secret);
      const keylog = events.filter((e) => e.type === 'keylog').map((e) => (e.type === 'keylog' ? e.line : ''));
      assert.ok(keylog.includes(`SERVER_TRAFFIC_SECRET_0 ${toHex(ch.subarray(6, 38))} ${s.server_application_traffic_secret_0}`));
      assert.ok(keylog.includes(`EXPORTER_SECRET ${toHex(ch.subarray(6, 38))} ${s.exporter_master_secret}`));
      feed('application', nst); // accepted
    });
  }

  t('server reproduces the trace', () => {
    const server = newServer(crypto);
    server.readHandshake('initial', ch);
    const hello = server.writeHandshake();
    assert.equal(hello?.level, 'initial');
    assert.is(toHex(hello!.data), v.messages.server_hello);
    const out = server.writeHandshake();
    assert.equal(out?.level, 'handshake');
    assert.is(toHex(out!.data), v.messages.server_encrypted_flight_plaintext.hex);
    let events = drain(server);
    assert.is(secretOf(events, 'handshake', 'read'), s.client_handshake_traffic_secret);
    assert.is(secretOf(events, 'handshake', 'write'), s.server_handshake_traffic_secret);
    assert.is(secretOf(events, 'application', 'write'), s.server_application_traffic_secret_0);
    assert.is(secretOf(events, 'application', 'read'), undefined, 'client 1-RTT keys only after its Finished');
    server.readHandshake('handshake', clientFinished);
    events = drain(server);
    assert.is(secretOf(events, 'application', 'read'), s.client_application_traffic_secret_0);
    assert.ok(events.some((e) => e.type === 'handshake-complete'));
    assert.is(toHex(server.resumptionMasterSecret!), s.resumption_master_secret);
  });

  t('client and server from the trace talk to each other', () => {
    const client = newClient(crypto);
    const server = newServer(crypto);
    pump(client, server);
    assert.not.ok(client.isHandshaking);
    assert.not.ok(server.isHandshaking);
    assert.equal(client.exportKeyingMaterial('EXPORTER-test', new Uint8Array(0), 32), server.exportKeyingMaterial('EXPORTER-test', new Uint8Array(0), 32));
  });

  t.run();
}

function pump(a: TlsClient | TlsServer, b: TlsClient | TlsServer): void {
  for (let moved = true; moved;) {
    moved = false;
    for (const [from, to] of [[a, b], [b, a]] as const) {
      for (let o = from.writeHandshake(); o; o = from.writeHandshake()) {
        to.readHandshake(o.level, o.data);
        moved = true;
      }
    }
  }
}

function parseSpkiOf(der: Uint8Array): Uint8Array {
  // tbsCertificate's 7th element (with the [0] version) is the SubjectPublicKeyInfo
  const r = new Reader(der);
  const readTlv = (reader: Reader) => {
    const tag = reader.u8();
    let len = reader.u8();
    if (len & 0x80) len = reader.uint(len & 0x7f);
    return { tag, start: reader.pos, body: reader.bytes(len) };
  };
  const cert = readTlv(r);
  const tbs = readTlv(new Reader(cert.body));
  const tr = new Reader(tbs.body);
  for (let i = 0; i < 6; i++) readTlv(tr);
  const start = tr.pos;
  readTlv(tr);
  return tbs.body.subarray(start, tr.pos);
}
