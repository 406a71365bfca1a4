import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { generateKeyPairSync } from 'node:crypto';
import type { SignatureScheme } from '@quicts/quic-core';
import { providers } from '../providers.ts';

type KeyPair = { pkcs8: Uint8Array; spki: Uint8Array };
function der(kp: { privateKey: { export(o: object): unknown }; publicKey: { export(o: object): unknown } }): KeyPair {
  return {
    pkcs8: new Uint8Array(kp.privateKey.export({ format: 'der', type: 'pkcs8' }) as Uint8Array),
    spki: new Uint8Array(kp.publicKey.export({ format: 'der', type: 'spki' }) as Uint8Array),
  };
}
const p256 = der(generateKeyPairSync('ec', { namedCurve: 'P-256' }));
const p384 = der(generateKeyPairSync('ec', { namedCurve: 'P-384' }));
const rsa = der(generateKeyPairSync('rsa', { modulusLength: 2048 }));
const ed = der(generateKeyPairSync('ed25519'));

const cases: [SignatureScheme, KeyPair][] = [
  ['ecdsa_secp256r1_sha256', p256], ['ecdsa_secp384r1_sha384', p384],
  ['rsa_pss_rsae_sha256', rsa], ['rsa_pss_rsae_sha384', rsa], ['rsa_pss_rsae_sha512', rsa], ['ed25519', ed],
];
const data = new TextEncoder().encode('TLS 1.3, server CertificateVerify' + ' '.repeat(64));

for (const crypto of providers) {
  const t = suite(`signatures [${crypto.name}]`);
  for (const [scheme, key] of cases) {
    t(`${scheme}: sign here, verify with every provider`, () => {
      const sig = crypto.sign(scheme, key.pkcs8, data);
      for (const other of providers) {
        assert.ok(other.verify(scheme, key.spki, data, sig), `verify by ${other.name}`);
        const bad = sig.slice();
        bad[bad.length >> 1]! ^= 0x10;
        assert.not.ok(other.verify(scheme, key.spki, data, bad), `tampered signature, ${other.name}`);
        const badData = data.slice();
        badData[0]! ^= 1;
        assert.not.ok(other.verify(scheme, key.spki, badData, sig), `tampered data, ${other.name}`);
        assert.not.ok(other.verify(scheme, key.spki, data, sig.subarray(1)), `truncated, ${other.name}`);
        assert.not.ok(other.verify(scheme, key.spki, data, new Uint8Array(0)), `empty, ${other.name}`);
      }
    });
    t(`${scheme}: wrong key type is refused`, () => {
      for (const [otherScheme, otherKey] of cases) {
        if (otherKey === key) continue;
        assert.throws(() => crypto.sign(scheme, otherKey.pkcs8, data), TypeError, `${scheme} with ${otherScheme} key`);
        const sig = crypto.sign(otherScheme, otherKey.pkcs8, data);
        assert.not.ok(crypto.verify(scheme, otherKey.spki, data, sig));
      }
      assert.throws(() => crypto.sign(scheme, new Uint8Array([0x30, 0x00]), data), TypeError);
      assert.not.ok(crypto.verify(scheme, new Uint8Array([0x30, 0x00]), data, new Uint8Array(64)));
    });
  }
  t('ECDSA certificate algorithms accept either curve', () => {
    const s256 = crypto.sign('ecdsa_secp256r1_sha256', p256.pkcs8, data);
    assert.ok(crypto.verify('ecdsa_sha256', p256.spki, data, s256));
    assert.not.ok(crypto.verify('ecdsa_sha384', p256.spki, data, s256));
    const s384 = crypto.sign('ecdsa_secp384r1_sha384', p384.pkcs8, data);
    assert.ok(crypto.verify('ecdsa_sha384', p384.spki, data, s384));
    assert.not.ok(crypto.verify('ecdsa_secp256r1_sha256', p384.spki, data, s384));
  });
  t.run();
}
