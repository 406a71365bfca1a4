import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CIPHER_SUITES, TlsAlert, TlsClient, TlsServer, TransportError, toHex, generateSelfSignedCertificate, derToPem,
  HELLO_RETRY_REQUEST_RANDOM, type CryptoProvider, type KeyExchangeGroup, type SignatureScheme, type TlsClientConfig,
  type TlsServerConfig, type TlsEvent,
} from '@quicts/quic-core';
import { providers } from '../providers.ts';
import { DAY, NOW, drain, keyForScheme, keys, makeCertificate, pump, type Tamper } from './helpers.ts';

const groups: KeyExchangeGroup[] = ['x25519', 'secp256r1', 'secp384r1'];
const schemes: SignatureScheme[] = ['ecdsa_secp256r1_sha256', 'ecdsa_secp384r1_sha384', 'rsa_pss_rsae_sha256', 'rsa_pss_rsae_sha384', 'rsa_pss_rsae_sha512', 'ed25519'];
const clientParams = Uint8Array.of(1, 2, 3);
const serverParams = Uint8Array.of(4, 5, 6, 7);

function setup(crypto: CryptoProvider, scheme: SignatureScheme = 'ecdsa_secp256r1_sha256') {
  const ca = makeCertificate(crypto, { subject: 'Test CA', subjectKey: keys.ca, issuer: 'Test CA', issuerKey: keys.ca, isCa: true });
  const leaf = makeCertificate(crypto, { subject: 'server', subjectKey: keyForScheme[scheme], issuer: 'Test CA', issuerKey: keys.ca, names: ['example.test', '*.wild.test'] });
  return { ca, leaf, key: keyForScheme[scheme] };
}

function clientConfig(crypto: CryptoProvider, ca: Uint8Array, extra: Partial<TlsClientConfig> = {}): TlsClientConfig {
  return {
    crypto, alpnProtocols: ['h3', 'hq-interop'], transportParameters: clientParams, now: NOW, serverName: 'example.test',
    verify: { mode: 'chain', trustAnchors: [derToPem(ca)] }, ...extra,
  };
}
function serverConfig(crypto: CryptoProvider, leaf: Uint8Array, key: Uint8Array, extra: Partial<TlsServerConfig> = {}): TlsServerConfig {
  return { crypto, alpnProtocols: ['h3'], transportParameters: serverParams, now: NOW, certificate: { chain: [leaf], privateKey: key }, ...extra };
}

function secrets(events: TlsEvent[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of events) if (e.type === 'secret') m.set(`${e.level}:${e.direction}`, toHex(e.secret));
  return m;
}

function checkPair(client: TlsClient, server: TlsServer, ce: TlsEvent[], se: TlsEvent[]): void {
  assert.not.ok(client.isHandshaking);
  assert.not.ok(server.isHandshaking);
  assert.is(client.alpnProtocol, 'h3');
  assert.is(server.alpnProtocol, 'h3');
  assert.equal(client.peerTransportParameters, serverParams);
  assert.equal(server.peerTransportParameters, clientParams);
  const c = secrets(ce);
  const s = secrets(se);
  for (const level of ['handshake', 'application']) {
    assert.ok(c.get(`${level}:write`));
    assert.is(c.get(`${level}:write`), s.get(`${level}:read`), `${level} client->server`);
    assert.is(c.get(`${level}:read`), s.get(`${level}:write`), `${level} server->client`);
  }
  assert.ok(ce.some((e) => e.type === 'handshake-complete'));
  assert.ok(se.some((e) => e.type === 'handshake-complete'));
  assert.equal(client.exportKeyingMaterial('x', Uint8Array.of(1), 16), server.exportKeyingMaterial('x', Uint8Array.of(1), 16));
}

function expectAlert(fn: () => void, code: number, what: string): TlsAlert {
  try {
    fn();
  } catch (e) {
    assert.instance(e, TlsAlert, `${what}: ${String(e)}`);
    assert.is((e as TlsAlert).code, code, `${what}: ${(e as Error).message}`);
    return e as TlsAlert;
  }
  assert.unreachable(`${what}: no alert`);
  throw new Error('unreachable');
}

for (const crypto of providers) {
  const t = suite(`TLS handshake [${crypto.name}]`);

  for (const scheme of schemes) {
    const { ca, leaf, key } = setup(crypto, scheme);
    for (const cs of CIPHER_SUITES) {
      for (const group of groups) {
        t(`${cs.name} x ${group} x ${scheme}`, () => {
          const client = new TlsClient(clientConfig(crypto, ca, { cipherSuites: [cs], groups: [group], signatureSchemes: [scheme] }));
          const server = new TlsServer(serverConfig(crypto, leaf, key.pkcs8));
          pump(client, server);
          checkPair(client, server, drain(client), drain(server));
          assert.is(client.cipherSuite, cs);
        });
      }
    }
  }

  const { ca, leaf, key } = setup(crypto);

  t('byte-at-a-time handshake, with key log', () => {
    const client = new TlsClient(clientConfig(crypto, ca, { keyLog: true }));
    const server = new TlsServer(serverConfig(crypto, leaf, key.pkcs8, { keyLog: true }));
    pump(client, server, { bytewise: true });
    const ce = drain(client);
    checkPair(client, server, ce, drain(server));
    const labels = ce.filter((e) => e.type === 'keylog').map((e) => (e.type === 'keylog' ? e.line.split(' ')[0] : ''));
    assert.equal(labels.sort(), ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'EXPORTER_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_TRAFFIC_SECRET_0']);
  });

  t('HelloRetryRequest when the key share group does not match', () => {
    const client = new TlsClient(clientConfig(crypto, ca, { groups: ['secp384r1', 'x25519'], keyShareGroups: ['secp384r1'] }));
    const server = new TlsServer(serverConfig(crypto, leaf, key.pkcs8, { groups: ['x25519', 'secp256r1'] }));
    let sawHrr = false;
    pump(client, server, {
      tamper: (from, _level, data) => {
        if (from === 'server' && toHex(data.subarray(6, 38)) === toHex(HELLO_RETRY_REQUEST_RANDOM)) sawHrr = true;
        return data;
      },
    });
    assert.ok(sawHrr);
    checkPair(client, server, drain(client), drain(server));
  });

  t('no common group: handshake_failure', () => {
    const client = new TlsClient(clientConfig(crypto, ca, { groups: ['secp384r1'] }));
    const server = new TlsServer(serverConfig(crypto, leaf, key.pkcs8, { groups: ['x25519'] }));
    expectAlert(() => pump(client, server), 40, 'no group');
  });

  t('ALPN mismatch: no_application_protocol (CRYPTO_ERROR 0x178)', () => {
    const client = new TlsClient(clientConfig(crypto, ca, { alpnProtocols: ['hq-interop'] }));
    const server = new TlsServer(serverConfig(crypto, leaf, key.pkcs8));
    const alert = expectAlert(() => pump(client, server), 120, 'alpn');
    const te = alert.toTransportError();
    assert.instance(te, TransportError);
    assert.is(te.code, 0x178);
  });

  const tamperServerFlight = (pick: (msgs: Uint8Array[]) => Uint8Array): Tamper => (from, level, data) => {
    if (from !== 'server' || level !== 'handshake') return data;
    const copy = data.slice();
    const msgs: Uint8Array[] = [];
    for (let i = 0; i < copy.length;) {
      const len = (copy[i + 1]! << 16) | (copy[i + 2]! << 8) | copy[i + 3]!;
      msgs.push(copy.subarray(i, i + 4 + len));
      i += 4 + len;
    }
    const m = pick(msgs);
    m[m.length - 1]! ^= 0x01;
    return copy;
  };

  t('bad server Finished: decrypt_error', () => {
    const client = new TlsClient(clientConfig(crypto, ca));
    const server = new TlsServer(serverConfig(crypto, leaf, key.pkcs8));
    expectAlert(() => pump(client, server, { tamper: tamperServerFlight((m) => m.find((x) => x[0] === 20)!) }), 51, 'finished');
  });

  t('bad client Finished: decrypt_error', () => {
    const client = new TlsClient(clientConfig(crypto, ca));
    const server = new TlsServer(serverConfig(crypto, leaf, key.pkcs8));
    const tamper: Tamper = (from, level, data) => {
      if (from !== 'client' || level !== 'handshake') return data;
      const c = data.slice();
      c[c.length - 1]! ^= 0x80;
      return c;
    };
    expectAlert(() => pump(client, server, { tamper }), 51, 'client finished');
  });

  t('tampered CertificateVerify: decrypt_error', () => {
    const client = new TlsClient(clientConfig(crypto, ca));
    const server = new TlsServer(serverConfig(crypto, leaf, key.pkcs8));
    expectAlert(() => pump(client, server, { tamper: tamperServerFlight((m) => m.find((x) => x[0] === 15)!) }), 51, 'cv');
  });

  t('expired certificate: certificate_expired', () => {
    const client = new TlsClient(clientConfig(crypto, ca, { now: NOW + 400 * DAY }));
    expectAlert(() => pump(client, new TlsServer(serverConfig(crypto, leaf, key.pkcs8))), 45, 'expired');
  });

  t('wrong host: certificate_unknown; wildcard and IP handling', () => {
    expectAlert(() => pump(new TlsClient(clientConfig(crypto, ca, { serverName: 'other.test' })), new TlsServer(serverConfig(crypto, leaf, key.pkcs8))), 46, 'host');
    expectAlert(() => pump(new TlsClient(clientConfig(crypto, ca, { serverName: 'a.b.wild.test' })), new TlsServer(serverConfig(crypto, leaf, key.pkcs8))), 46, 'deep wildcard');
    expectAlert(() => pump(new TlsClient(clientConfig(crypto, ca, { serverName: '127.0.0.1' })), new TlsServer(serverConfig(crypto, leaf, key.pkcs8))), 46, 'ip');
    const client = new TlsClient(clientConfig(crypto, ca, { serverName: 'x.wild.test' }));
    const server = new TlsServer(serverConfig(crypto, leaf, key.pkcs8));
    pump(client, server);
    assert.not.ok(client.isHandshaking);
    assert.is(server.serverName, 'x.wild.test');
  });

  t('unknown CA: unknown_ca; forged signature: bad_certificate', () => {
    const other = makeCertificate(crypto, { subject: 'Other CA', subjectKey: keys.otherCa, issuer: 'Other CA', issuerKey: keys.otherCa, isCa: true });
    expectAlert(() => pump(new TlsClient(clientConfig(crypto, other)), new TlsServer(serverConfig(crypto, leaf, key.pkcs8))), 48, 'unknown ca');
    const forged = makeCertificate(crypto, { subject: 'server', subjectKey: keys.p256, issuer: 'Test CA', issuerKey: keys.otherCa, names: ['example.test'] });
    expectAlert(() => pump(new TlsClient(clientConfig(crypto, ca)), new TlsServer(serverConfig(crypto, forged, keys.p256.pkcs8))), 42, 'forged');
  });

  t('intermediate CA chain verifies', () => {
    const inter = makeCertificate(crypto, { subject: 'Inter', subjectKey: keys.otherCa, issuer: 'Test CA', issuerKey: keys.ca, isCa: true });
    const leaf2 = makeCertificate(crypto, { subject: 'server', subjectKey: keys.p256, issuer: 'Inter', issuerKey: keys.otherCa, names: ['example.test'] });
    const client = new TlsClient(clientConfig(crypto, ca));
    const server = new TlsServer({ ...serverConfig(crypto, leaf2, keys.p256.pkcs8), certificate: { chain: [leaf2, inter], privateKey: keys.p256.pkcs8 } });
    pump(client, server);
    assert.not.ok(client.isHandshaking);
  });

  t('serverCertificateHashes: accept, wrong hash, too long validity', () => {
    const cert = generateSelfSignedCertificate(crypto, { now: NOW, names: ['localhost', '127.0.0.1'] });
    const good = new TlsClient(clientConfig(crypto, ca, { serverName: 'anything', verify: { mode: 'server-certificate-hashes', hashes: [cert.sha256] } }));
    const server = new TlsServer(serverConfig(crypto, cert.certificateDer, cert.privateKeyPkcs8));
    pump(good, server);
    assert.not.ok(good.isHandshaking);
    const wrong = new TlsClient(clientConfig(crypto, ca, { verify: { mode: 'server-certificate-hashes', hashes: [new Uint8Array(32)] } }));
    expectAlert(() => pump(wrong, new TlsServer(serverConfig(crypto, cert.certificateDer, cert.privateKeyPkcs8))), 42, 'hash');
    const longLived = makeCertificate(crypto, { subject: 's', subjectKey: keys.p256, issuer: 's', issuerKey: keys.p256, notBefore: NOW - DAY, notAfter: NOW + 20 * DAY });
    const h = crypto.hash('sha256', longLived);
    expectAlert(() => pump(new TlsClient(clientConfig(crypto, ca, { verify: { mode: 'server-certificate-hashes', hashes: [h] } })),
      new TlsServer(serverConfig(crypto, longLived, keys.p256.pkcs8))), 42, 'validity');
    const late = new TlsClient(clientConfig(crypto, ca, { now: NOW + 15 * DAY, verify: { mode: 'server-certificate-hashes', hashes: [cert.sha256] } }));
    expectAlert(() => pump(late, new TlsServer(serverConfig(crypto, cert.certificateDer, cert.privateKeyPkcs8))), 45, 'expired hash cert');
    const rsaLeaf = makeCertificate(crypto, { subject: 's', subjectKey: keys.rsa, issuer: 'Test CA', issuerKey: keys.ca, notBefore: NOW - DAY, notAfter: NOW + 5 * DAY });
    expectAlert(() => pump(new TlsClient(clientConfig(crypto, ca, { verify: { mode: 'server-certificate-hashes', hashes: [crypto.hash('sha256', rsaLeaf)] } })),
      new TlsServer(serverConfig(crypto, rsaLeaf, keys.rsa.pkcs8))), 43, 'rsa key');
  });

  t('mutual TLS: required client certificate', () => {
    const clientLeaf = makeCertificate(crypto, { subject: 'client', subjectKey: keys.ed25519, issuer: 'Test CA', issuerKey: keys.ca });
    const clientAuth = { verify: { mode: 'chain' as const, trustAnchors: [ca] }, required: true };
    const client = new TlsClient(clientConfig(crypto, ca, { certificate: { chain: [clientLeaf], privateKey: keys.ed25519.pkcs8 } }));
    const server = new TlsServer(serverConfig(crypto, leaf, key.pkcs8, { clientAuth }));
    pump(client, server);
    assert.ok(drain(server).some((e) => e.type === 'peer-certificates'));
    assert.not.ok(server.isHandshaking);
    const anonymous = new TlsClient(clientConfig(crypto, ca));
    expectAlert(() => pump(anonymous, new TlsServer(serverConfig(crypto, leaf, key.pkcs8, { clientAuth }))), 116, 'certificate_required');
  });

  t('KeyUpdate and EndOfEarlyData are refused in QUIC: unexpected_message', () => {
    for (const type of [24, 5]) {
      const client = new TlsClient(clientConfig(crypto, ca));
      const server = new TlsServer(serverConfig(crypto, leaf, key.pkcs8));
      pump(client, server);
      expectAlert(() => client.readHandshake('application', Uint8Array.of(type, 0, 0, 1, 0)), 10, `type ${type}`);
      expectAlert(() => client.readHandshake('application', new Uint8Array(0)), 10, 'stays failed');
    }
  });

  t('data at the wrong level: unexpected_message', () => {
    const server = new TlsServer(serverConfig(crypto, leaf, key.pkcs8));
    expectAlert(() => server.readHandshake('handshake', Uint8Array.of(1)), 10, 'level');
  });

  t('QUIC: non-empty legacy_session_id is PROTOCOL_VIOLATION (RFC 9001 §8.4)', () => {
    const client = new TlsClient(clientConfig(crypto, ca, { fixed: { sessionId: new Uint8Array(32).fill(1) } }));
    const server = new TlsServer(serverConfig(crypto, leaf, key.pkcs8));
    try {
      pump(client, server);
      assert.unreachable('accepted');
    } catch (e) {
      assert.instance(e, TransportError);
      assert.is((e as TransportError).code, 0x0a);
    }
  });

  t('missing transport parameters: missing_extension; duplicate extension: illegal_parameter', () => {
    const noParams = new TlsClient(clientConfig(crypto, ca, { fixed: { extensions: (_m, b) => b.filter((e) => e.type !== 0x39) } }));
    expectAlert(() => pump(noParams, new TlsServer(serverConfig(crypto, leaf, key.pkcs8))), 109, 'params');
    const dup = new TlsClient(clientConfig(crypto, ca, { fixed: { extensions: (_m, b) => [...b, b[0]!] } }));
    expectAlert(() => pump(dup, new TlsServer(serverConfig(crypto, leaf, key.pkcs8))), 47, 'duplicate');
    const noAlpn = new TlsClient(clientConfig(crypto, ca, { fixed: { extensions: (_m, b) => b.filter((e) => e.type !== 16) } }));
    expectAlert(() => pump(noAlpn, new TlsServer(serverConfig(crypto, leaf, key.pkcs8))), 120, 'missing alpn');
    // the server omits ALPN: the client refuses (RFC 9001 §8.1)
    const server = new TlsServer(serverConfig(crypto, leaf, key.pkcs8, { fixed: { extensions: (_m, b) => b.filter((e) => e.type !== 16) } }));
    expectAlert(() => pump(new TlsClient(clientConfig(crypto, ca)), server), 120, 'server without alpn');
  });

  t('downgrade sentinel and TLS 1.2 ServerHello', () => {
    for (const [sentinel, code] of [[true, 47], [false, 70]] as const) {
      const client = new TlsClient(clientConfig(crypto, ca));
      client.writeHandshake();
      const random = new Uint8Array(32);
      if (sentinel) random.set([0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01], 24);
      const body = Uint8Array.from([0x03, 0x03, ...random, 0, 0x13, 0x01, 0, 0, 0]);
      expectAlert(() => client.readHandshake('initial', Uint8Array.from([2, 0, 0, body.length, ...body])), code, `sentinel ${sentinel}`);
    }
  });

  t('truncations of a ClientHello give only typed errors; oversized message: decode_error', () => {
    const client = new TlsClient(clientConfig(crypto, ca));
    const ch = client.writeHandshake()!.data;
    for (let cut = 1; cut < ch.length - 4; cut++) {
      const body = ch.subarray(4, 4 + cut);
      const msg = Uint8Array.from([1, 0, body.length >> 8, body.length & 0xff, ...body]);
      try {
        new TlsServer(serverConfig(crypto, leaf, key.pkcs8)).readHandshake('initial', msg);
        assert.unreachable(`cut ${cut} accepted`);
      } catch (e) {
        assert.ok(e instanceof TlsAlert || e instanceof TransportError, `cut ${cut}: ${String(e)}`);
      }
    }
    expectAlert(() => new TlsServer(serverConfig(crypto, leaf, key.pkcs8)).readHandshake('initial', Uint8Array.of(1, 0xff, 0xff, 0xff)), 50, 'oversized');
  });

  t('random bytes give only typed errors', () => {
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    for (let i = 0; i < 300; i++) {
      const len = 4 + (rnd() % 60);
      const data = Uint8Array.from({ length: len }, rnd);
      data[0] = i % 3 === 0 ? 1 : data[0]!;
      data[1] = 0;
      const server = new TlsServer(serverConfig(crypto, leaf, key.pkcs8));
      try {
        server.readHandshake('initial', data);
      } catch (e) {
        assert.ok(e instanceof TlsAlert || e instanceof TransportError, String(e));
      }
    }
  });

  t.run();
}
