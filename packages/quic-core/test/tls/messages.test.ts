import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import {
  TlsAlert, TlsHandshakeBuffer, decodeCertificate, decodeCertificateRequest, decodeCertificateVerify, decodeClientHello,
  decodeEncryptedExtensions, decodeNewSessionTicket, decodeServerHello, encodeCertificate, encodeCertificateRequest,
  encodeCertificateVerify, encodeClientHello, encodeEncryptedExtensions, encodeNewSessionTicket, encodeServerHello,
  encodeAlpn, decodeAlpn, encodeKeyShareClient, decodeKeyShareClient, encodeOfferedPsks, decodeOfferedPsks,
  encodeServerName, decodeServerName, parseExtensionBlock,
} from '@quicts/quic-core';

const t = suite('TLS messages and extensions');
const rec = <T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }) => fc.record(model, { noNullPrototype: true });
const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });
const ext = rec({ type: fc.integer({ min: 0, max: 0xffff }), data: bytes(0, 40) });
const exts = fc.array(ext, { maxLength: 5 });
const body = (m: Uint8Array) => m.subarray(4);

const cases: [string, fc.Arbitrary<unknown>, (v: never) => Uint8Array, (b: Uint8Array) => unknown][] = [
  ['ClientHello', rec({ random: bytes(32, 32), sessionId: bytes(0, 32), cipherSuites: fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 1, maxLength: 5 }), compressionMethods: bytes(1, 3), extensions: exts }), encodeClientHello as never, decodeClientHello],
  ['ServerHello', rec({ random: bytes(32, 32), sessionId: bytes(0, 32), cipherSuite: fc.integer({ min: 0, max: 0xffff }), compressionMethod: fc.integer({ min: 0, max: 255 }), extensions: exts }), encodeServerHello as never, (b) => { const { legacyVersion: _v, ...rest } = decodeServerHello(b); return rest; }],
  ['EncryptedExtensions', rec({ extensions: exts }), encodeEncryptedExtensions as never, decodeEncryptedExtensions],
  ['Certificate', rec({ context: bytes(0, 4), entries: fc.array(rec({ data: bytes(1, 50), extensions: exts }), { maxLength: 3 }) }), encodeCertificate as never, decodeCertificate],
  ['CertificateRequest', rec({ context: bytes(0, 4), extensions: exts }), encodeCertificateRequest as never, decodeCertificateRequest],
  ['CertificateVerify', rec({ scheme: fc.integer({ min: 0, max: 0xffff }), signature: bytes(0, 80) }), encodeCertificateVerify as never, decodeCertificateVerify],
  ['NewSessionTicket', rec({ lifetime: fc.integer({ min: 0, max: 0xffffffff }), ageAdd: fc.integer({ min: 0, max: 0xffffffff }), nonce: bytes(0, 8), ticket: bytes(1, 60), extensions: exts }), encodeNewSessionTicket as never, decodeNewSessionTicket],
];

for (const [name, arb, encode, decode] of cases) {
  t(`${name}: round trip, every truncation is decode_error, one byte at a time through the buffer`, () => {
    fc.assert(fc.property(arb, (value) => {
      const wire = encode(value as never);
      assert.equal(decode(body(wire)), value);
      for (let cut = 0; cut < wire.length - 4; cut++) {
        try {
          decode(wire.subarray(4, 4 + cut));
        } catch (e) {
          assert.instance(e, TlsAlert);
          assert.is((e as TlsAlert).code, 50);
        }
      }
      const buf = new TlsHandshakeBuffer();
      for (let i = 0; i < wire.length; i++) {
        assert.is(buf.next(), null);
        buf.push(wire.subarray(i, i + 1));
      }
      assert.equal(buf.next()?.raw, wire);
    }), { numRuns: 50 });
  });
}

t('extension bodies round trip', () => {
  assert.equal(decodeAlpn(encodeAlpn(['h3', 'hq-interop'])), ['h3', 'hq-interop']);
  assert.is(decodeServerName(encodeServerName('example.com')), 'example.com');
  const shares = [{ group: 0x1d, keyExchange: new Uint8Array(32).fill(7) }];
  assert.equal(decodeKeyShareClient(encodeKeyShareClient(shares)), shares);
  const psks = { identities: [{ identity: Uint8Array.of(1, 2), obfuscatedTicketAge: 99 }], binders: [new Uint8Array(32).fill(3)] };
  assert.equal(decodeOfferedPsks(encodeOfferedPsks(psks)), psks);
});

t('extension block rules (RFC 8446 §4.2)', () => {
  const e = (type: number) => ({ type, data: new Uint8Array(0) });
  const code = (fn: () => unknown) => { try { fn(); } catch (x) { return (x as TlsAlert).code; } return -1; };
  assert.is(code(() => parseExtensionBlock([e(0), e(0)], 'CH')), 47, 'duplicate');
  assert.is(code(() => parseExtensionBlock([e(45)], 'EE', new Set([45]))), 47, 'psk_key_exchange_modes in EE');
  assert.is(code(() => parseExtensionBlock([e(16)], 'EE', new Set([0]))), 110, 'unsolicited ALPN');
  assert.is(code(() => parseExtensionBlock([e(0x1234)], 'EE', new Set())), 110, 'unknown in EE');
  assert.is(parseExtensionBlock([e(0x1234), e(0)], 'CH').has(0x1234), false, 'unknown in CH ignored');
  assert.is(parseExtensionBlock([e(44)], 'HRR', new Set()).has(44), true, 'cookie in HRR needs no offer');
});

t.run();
