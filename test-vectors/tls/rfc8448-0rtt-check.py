#!/usr/bin/env python3
"""Checks the RFC 8448 Section 4 (Resumed 0-RTT Handshake) values transcribed in
test-vectors/rfc/rfc8448-0rtt.json, independently of the TypeScript code: X25519, the TLS 1.3
key schedule (HKDF), the PSK binder, Finished values, traffic keys, and every protected record
(AES-128-GCM) are recomputed from the trace's private keys and messages and compared with the
transcription. Usage: python3 test-vectors/tls/rfc8448-0rtt-check.py  (needs `cryptography`)."""
import hashlib, hmac, json, pathlib, sys
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

root = pathlib.Path(__file__).resolve().parents[2]
v = json.loads((root / 'test-vectors/rfc/rfc8448-0rtt.json').read_text())
v3 = json.loads((root / 'test-vectors/rfc/rfc8448.json').read_text())
H = lambda b: hashlib.sha256(b).digest()
X = bytes.fromhex
problems = []

def check(name, got, want):
    if got != want:
        problems.append(name)
        print('MISMATCH', name, got.hex(), want.hex())

def extract(salt, ikm): return hmac.new(salt or bytes(32), ikm, hashlib.sha256).digest()
def expand(prk, info, n):
    out, t, i = b'', b'', 1
    while len(out) < n:
        t = hmac.new(prk, t + info + bytes([i]), hashlib.sha256).digest(); out += t; i += 1
    return out[:n]
def label(secret, lab, ctx, n):
    full = b'tls13 ' + lab.encode()
    return expand(secret, n.to_bytes(2, 'big') + bytes([len(full)]) + full + bytes([len(ctx)]) + ctx, n)
def derive(secret, lab, th): return label(secret, lab, th, 32)
def finished(base, th): return hmac.new(label(base, 'finished', b'', 32), th, hashlib.sha256).digest()

m, s, k, r = v['messages'], v['secrets'], v['traffic_keys'], v['records']
ch, sh, ee, sfin, eoed, cfin = (X(m[n]) for n in ('client_hello', 'server_hello', 'encrypted_extensions', 'server_finished', 'end_of_early_data', 'client_finished'))
for name in ('client_hello', 'server_hello', 'encrypted_extensions', 'server_finished', 'end_of_early_data', 'client_finished'):
    b = X(m[name])
    if int.from_bytes(b[1:4], 'big') != len(b) - 4: problems.append(name + ' length')
if len(ch) != 512: problems.append('client_hello is not 512 octets')

# the PSK from Section 3
psk = label(X(v3['secrets']['resumption_master_secret']), 'resumption', X(v3['secrets']['ticket_nonce']), 32)
check('psk', psk, X(s['psk']))
# keys
cpriv = X25519PrivateKey.from_private_bytes(X(v['client_ephemeral_x25519']['private']))
spriv = X25519PrivateKey.from_private_bytes(X(v['server_ephemeral_x25519']['private']))
check('client public', cpriv.public_key().public_bytes_raw(), X(v['client_ephemeral_x25519']['public']))
check('server public', spriv.public_key().public_bytes_raw(), X(v['server_ephemeral_x25519']['public']))
shared = spriv.exchange(cpriv.public_key())
check('ecdhe', shared, X(s['ecdhe_shared_secret']))
# early
early = extract(None, psk)
check('early_secret', early, X(s['early_secret']))
binder_key = derive(early, 'res binder', H(b''))
check('binder_key', binder_key, X(s['binder_key']))
check('binder_finished_key', label(binder_key, 'finished', b'', 32), X(s['binder_finished_key']))
prefix = ch[:len(ch) - 35]  # binders<2> || binder<1> || 32 octets
check('client_hello_prefix', prefix, X(m['client_hello_prefix']))
check('binder_hash', H(prefix), X(s['binder_hash']))
check('binder', finished(binder_key, H(prefix)), X(s['binder']))
check('binder in ClientHello', ch[-32:], X(s['binder']))
th_ch = H(ch)
check('transcript_hash_ch', th_ch, X(s['transcript_hash_ch']))
cets = derive(early, 'c e traffic', th_ch)
check('client_early_traffic_secret', cets, X(s['client_early_traffic_secret']))
check('early_exporter_master_secret', derive(early, 'e exp master', th_ch), X(s['early_exporter_master_secret']))
# handshake
d1 = derive(early, 'derived', H(b''))
check('derived_for_handshake', d1, X(s['derived_for_handshake']))
hs = extract(d1, shared)
check('handshake_secret', hs, X(s['handshake_secret']))
th_sh = H(ch + sh)
check('transcript_hash_ch_sh', th_sh, X(s['transcript_hash_ch_sh']))
chs, shs = derive(hs, 'c hs traffic', th_sh), derive(hs, 's hs traffic', th_sh)
check('client_handshake_traffic_secret', chs, X(s['client_handshake_traffic_secret']))
check('server_handshake_traffic_secret', shs, X(s['server_handshake_traffic_secret']))
check('server_finished verify_data', finished(shs, H(ch + sh + ee)), sfin[4:])
th_sf = H(ch + sh + ee + sfin)
check('transcript_hash_ch_to_server_finished', th_sf, X(s['transcript_hash_ch_to_server_finished']))
d2 = derive(hs, 'derived', H(b''))
check('derived_for_master', d2, X(s['derived_for_master']))
ms = extract(d2, bytes(32))
check('master_secret', ms, X(s['master_secret']))
cap, sap = derive(ms, 'c ap traffic', th_sf), derive(ms, 's ap traffic', th_sf)
check('client_application_traffic_secret_0', cap, X(s['client_application_traffic_secret_0']))
check('server_application_traffic_secret_0', sap, X(s['server_application_traffic_secret_0']))
check('exporter_master_secret', derive(ms, 'exp master', th_sf), X(s['exporter_master_secret']))
check('end_of_early_data', eoed, bytes([5, 0, 0, 0]))
check('client_finished verify_data', finished(chs, H(ch + sh + ee + sfin + eoed)), cfin[4:])
th_cf = H(ch + sh + ee + sfin + eoed + cfin)
check('transcript_hash_ch_to_client_finished', th_cf, X(s['transcript_hash_ch_to_client_finished']))
check('resumption_master_secret', derive(ms, 'res master', th_cf), X(s['resumption_master_secret']))
# traffic keys and records
secrets = {'client_early': cets, 'server_handshake': shs, 'client_handshake': chs, 'server_application': sap, 'client_application': cap}
for name, sec in ((n, x) for n, x in secrets.items() if n in k):
    check(name + ' key', label(sec, 'key', b'', 16), X(k[name]['key']))
    check(name + ' iv', label(sec, 'iv', b'', 12), X(k[name]['iv']))
for name, rec in r.items():
    sec = secrets[rec['key']]
    key, iv = label(sec, 'key', b'', 16), label(sec, 'iv', b'', 12)
    nonce = (int.from_bytes(iv, 'big') ^ rec['seq']).to_bytes(12, 'big')
    raw = X(rec['hex'])
    plain = AESGCM(key).decrypt(nonce, raw[5:], raw[:5])
    check(name + ' plaintext', plain, X(rec['plaintext']) + bytes([rec['inner_content_type']]))
print('problems:', problems or 'none')
sys.exit(1 if problems else 0)
