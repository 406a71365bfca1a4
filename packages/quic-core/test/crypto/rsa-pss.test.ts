import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { constants, generateKeyPairSync, sign, verify } from 'node:crypto';
import { createPureCryptoProvider, type HashAlgorithm } from '@quicts/quic-core';

const pure = createPureCryptoProvider();
const t = suite('RSA (pure bigint) against node:crypto');
const hashes: HashAlgorithm[] = ['sha256', 'sha384', 'sha512'];
const message = new TextEncoder().encode('abc');

// Odd sizes exercise emLen = k - 1 (RFC 8017 §9.1.1 with modBits - 1 a multiple of 8) where the
// runtime honours them.
for (const bits of [1025, 2048, 2049, 3072]) {
  const kp = generateKeyPairSync('rsa', { modulusLength: bits });
  const pkcs8 = new Uint8Array(kp.privateKey.export({ format: 'der', type: 'pkcs8' }));
  const spki = new Uint8Array(kp.publicKey.export({ format: 'der', type: 'spki' }));
  for (const hash of hashes) {
    const scheme = `rsa_pss_rsae_${hash}` as const;
    if (bits < 1100 && hash === 'sha512') continue; // too small for PSS-SHA512 with a 64-byte salt
    t(`PSS ${bits} bits ${hash}: pure -> node, node -> pure`, () => {
      const ours = pure.sign(scheme, pkcs8, message);
      assert.is(ours.length, Math.ceil(kp.publicKey.asymmetricKeyDetails!.modulusLength! / 8));
      const options = { key: kp.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST };
      assert.ok(verify(hash, message, options, ours), 'node verifies ours');
      const theirs = sign(hash, message, { key: kp.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST });
      assert.ok(pure.verify(scheme, spki, message, new Uint8Array(theirs)), 'we verify node');
      // a different salt length is refused (RFC 8446 §4.2.3)
      const otherSalt = sign(hash, message, { key: kp.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 10 });
      assert.not.ok(pure.verify(scheme, spki, message, new Uint8Array(otherSalt)), 'salt length 10 refused');
      assert.not.ok(pure.verify(scheme, spki, new Uint8Array([1]), ours));
    });
    t(`PKCS#1 v1.5 ${bits} bits ${hash}: node signs, pure verifies`, () => {
      const theirs = new Uint8Array(sign(hash, message, kp.privateKey));
      assert.ok(pure.verify(`rsa_pkcs1_${hash}`, spki, message, theirs));
      assert.not.ok(pure.verify(`rsa_pkcs1_${hash}`, spki, new Uint8Array([1]), theirs));
      assert.not.ok(pure.verify(`rsa_pss_rsae_${hash}`, spki, message, theirs));
    });
  }
}
t.run();
