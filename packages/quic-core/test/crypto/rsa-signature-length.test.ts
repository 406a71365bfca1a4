import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { generateKeyPairSync } from 'node:crypto';
import { providers } from '../providers.ts';

// RFC 8017 §8.1.2 step 1: a signature shorter than the modulus is invalid, even when it equals a
// valid signature with its leading zero byte removed (OpenSSL alone would accept it).
test('an RSA-PSS signature with its leading zero byte removed is rejected by every provider', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const pkcs8 = new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' }));
  const spki = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }));
  const data = new TextEncoder().encode('leading zero');
  const signer = providers[0]!;
  let sig: Uint8Array | undefined;
  for (let i = 0; i < 5000 && !sig; i++) {
    const s = signer.sign('rsa_pss_rsae_sha256', pkcs8, data);
    if (s[0] === 0) sig = s;
  }
  assert.ok(sig, 'found a signature starting with a zero byte');
  for (const p of providers) {
    assert.ok(p.verify('rsa_pss_rsae_sha256', spki, data, sig!), `${p.name} accepts the full signature`);
    assert.not.ok(p.verify('rsa_pss_rsae_sha256', spki, data, sig!.subarray(1)), `${p.name} rejects the shortened one`);
  }
});

test.run();
