import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadVectors } from '@quicts/testkit';
import { fromHex, toHex, type KeyExchangeGroup } from '@quicts/quic-core';
import { providers } from '../providers.ts';

const groups: KeyExchangeGroup[] = ['x25519', 'secp256r1', 'secp384r1'];
const rfc8448 = loadVectors('rfc/rfc8448.json');

// RFC 7748 §6.1
const alicePriv = fromHex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
const alicePub = '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a';
const bobPriv = fromHex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb');
const bobPub = 'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f';
const shared = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';

for (const crypto of providers) {
  const t = suite(`key exchange [${crypto.name}]`);

  t('RFC 7748 §6.1 x25519', () => {
    const a = crypto.keyExchangeFromPrivate('x25519', alicePriv);
    const b = crypto.keyExchangeFromPrivate('x25519', bobPriv);
    assert.is(toHex(a.publicKey), alicePub);
    assert.is(toHex(b.publicKey), bobPub);
    assert.is(toHex(crypto.keyExchangeSecret('x25519', alicePriv, b.publicKey)!), shared);
    assert.is(toHex(crypto.keyExchangeSecret('x25519', bobPriv, a.publicKey)!), shared);
  });

  t('RFC 8448 §3 x25519 keys and shared secret', () => {
    const c = crypto.keyExchangeFromPrivate('x25519', fromHex(rfc8448.client_ephemeral_x25519.private));
    assert.is(toHex(c.publicKey), rfc8448.client_ephemeral_x25519.public);
    const s = crypto.keyExchangeFromPrivate('x25519', fromHex(rfc8448.server_ephemeral_x25519.private));
    assert.is(toHex(s.publicKey), rfc8448.server_ephemeral_x25519.public);
    assert.is(toHex(crypto.keyExchangeSecret('x25519', c.privateKey, s.publicKey)!), rfc8448.secrets.ecdhe_shared_secret);
  });

  for (const group of groups) {
    t(`${group}: generate, agree, cross-check with every provider`, () => {
      const a = crypto.keyExchangeGenerate(group);
      assert.is(a.group, group);
      assert.is(a.publicKey.length, { x25519: 32, secp256r1: 65, secp384r1: 97 }[group]);
      assert.is(toHex(crypto.keyExchangeFromPrivate(group, a.privateKey).publicKey), toHex(a.publicKey));
      for (const other of providers) {
        const b = other.keyExchangeGenerate(group);
        const s1 = crypto.keyExchangeSecret(group, a.privateKey, b.publicKey);
        const s2 = other.keyExchangeSecret(group, b.privateKey, a.publicKey);
        assert.ok(s1 && s2);
        assert.is(s1.length, group === 'secp384r1' ? 48 : 32);
        assert.is(toHex(s1), toHex(s2));
        assert.is(toHex(other.keyExchangeFromPrivate(group, a.privateKey).publicKey), toHex(a.publicKey));
      }
    });

    t(`${group}: invalid peer keys give null (RFC 8446 §4.2.8.2)`, () => {
      const a = crypto.keyExchangeGenerate(group);
      const b = crypto.keyExchangeGenerate(group);
      assert.is(crypto.keyExchangeSecret(group, a.privateKey, b.publicKey.subarray(1)), null, 'short');
      assert.is(crypto.keyExchangeSecret(group, a.privateKey, new Uint8Array([...b.publicKey, 0])), null, 'long');
      if (group === 'x25519') {
        // low-order points give an all-zero shared secret (RFC 8446 §7.4.2, RFC 7748 §6.1)
        assert.is(crypto.keyExchangeSecret(group, a.privateKey, new Uint8Array(32)), null, 'zero point');
        const order8 = fromHex('e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800');
        assert.is(crypto.keyExchangeSecret(group, a.privateKey, order8), null, 'order-8 point');
      } else {
        assert.is(crypto.keyExchangeSecret(group, a.privateKey, new Uint8Array(b.publicKey.length).fill(0, 1).fill(4, 0, 1)), null, 'infinity-like');
        const offCurve = b.publicKey.slice();
        offCurve[offCurve.length - 1]! ^= 1;
        assert.is(crypto.keyExchangeSecret(group, a.privateKey, offCurve), null, 'off curve');
        const compressed = b.publicKey.slice();
        compressed[0] = 2;
        assert.is(crypto.keyExchangeSecret(group, a.privateKey, compressed), null, 'bad prefix');
      }
    });

    t(`${group}: bad private keys are RangeErrors`, () => {
      assert.throws(() => crypto.keyExchangeFromPrivate(group, new Uint8Array(5)), RangeError);
      if (group !== 'x25519') {
        assert.throws(() => crypto.keyExchangeFromPrivate(group, new Uint8Array(group === 'secp384r1' ? 48 : 32)), RangeError);
        assert.throws(() => crypto.keyExchangeFromPrivate(group, new Uint8Array(group === 'secp384r1' ? 48 : 32).fill(0xff)), RangeError);
      }
    });
  }
  t.run();
}
