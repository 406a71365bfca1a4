import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadVectors } from '@quicts/testkit';
import {
  Writer, fromHex, toHex, deriveInitialSecrets, deriveInitialKeys, derivePacketKeyMaterial, preparePacketKeys,
  packetKeysFromSecret, nextKeyUpdateSecret, hkdfLabelInfo, parsePacketHeader, writeLongHeader, writeShortHeader,
  protectPacket, unprotectPacket, encodeRetryPacket, verifyRetryIntegrity, retryIntegrityTag, packetNonce,
  TLS_CHACHA20_POLY1305_SHA256, QUIC_V1, QUIC_V2, type LongHeaderPacket, type RetryPacket, type ShortHeaderPacket,
} from '@quicts/quic-core';
import { providers } from '../providers.ts';

for (const [rfc, version] of [['rfc9001', QUIC_V1], ['rfc9369', QUIC_V2]] as const) {
  const v = loadVectors(`rfc/${rfc}.json`);
  const dcid = fromHex(v.client_dcid);

  for (const crypto of providers) {
    const t = suite(`${rfc} Appendix A [${crypto.name}]`);

    t('HKDF labels', () => {
      for (const [label, hex] of Object.entries(v.hkdf_labels.hkdf_label_info_hex as Record<string, string>)) {
        const length = label.endsWith('iv') ? 12 : label.endsWith(' in') ? 32 : 16;
        assert.is(toHex(hkdfLabelInfo(label, new Uint8Array(0), length)), hex, label);
      }
    });

    t('Initial secrets and keys', () => {
      const s = deriveInitialSecrets(crypto, version, dcid);
      assert.is(toHex(s.initialSecret), v.initial_keys.initial_secret);
      assert.is(toHex(s.client), v.initial_keys.client.initial_secret);
      assert.is(toHex(s.server), v.initial_keys.server.initial_secret);
      for (const side of ['client', 'server'] as const) {
        const m = derivePacketKeyMaterial(crypto, { id: 0x1301, name: 'TLS_AES_128_GCM_SHA256', aead: 'aes-128-gcm', hash: 'sha256' }, s[side], version);
        assert.is(toHex(m.key), v.initial_keys[side].key, `${side} key`);
        assert.is(toHex(m.iv), v.initial_keys[side].iv, `${side} iv`);
        assert.is(toHex(m.hp), v.initial_keys[side].hp, `${side} hp`);
      }
    });

    t('client Initial: protect byte for byte', () => {
      const c = v.client_initial;
      const keys = deriveInitialKeys(crypto, version, dcid).client;
      const frames = fromHex(c.crypto_frame);
      const payloadLength = c.payload_length_with_padding as number;
      const buf = new Uint8Array(2000);
      const w = Writer.into(buf);
      const pnOffset = writeLongHeader(w, { type: 'initial', version, dcid, scid: new Uint8Array(0) }, c.packet_number, 4, 4 + payloadLength + 16, 2);
      assert.is(toHex(buf.subarray(0, w.pos)), c.unprotected_header);
      assert.is(toHex(packetNonce(keys.iv, c.packet_number)), c.nonce);
      buf.set(frames, w.pos); // the rest is zero padding
      const end = protectPacket(keys, buf, 0, pnOffset, 4, c.packet_number, w.pos + payloadLength);
      assert.is(toHex(buf.subarray(pnOffset + 4, pnOffset + 20)), c.sample);
      assert.is(toHex(buf.subarray(0, end)), c.protected_packet);
    });

    t('client Initial: parse and unprotect', () => {
      const c = v.client_initial;
      const keys = deriveInitialKeys(crypto, version, dcid).client;
      const datagram = fromHex(c.protected_packet);
      const p = parsePacketHeader(datagram, 0, { shortDcidLength: 8 }) as LongHeaderPacket;
      assert.is(p.kind, 'long');
      assert.is(p.type, 'initial');
      assert.is(p.version, version);
      assert.is(toHex(p.dcid), v.client_dcid);
      assert.is(p.end, datagram.length);
      const out = unprotectPacket(keys, datagram, p.start, p.pnOffset, p.end, -1);
      assert.ok(out);
      assert.is(out!.pn, c.packet_number);
      assert.is(out!.pnLength, 4);
      assert.is(toHex(datagram.subarray(0, p.pnOffset + 4)), c.unprotected_header);
      assert.is(out!.payload.length, c.payload_length_with_padding);
      assert.is(toHex(out!.payload.subarray(0, c.crypto_frame.length / 2)), c.crypto_frame);
      assert.ok(out!.payload.subarray(c.crypto_frame.length / 2).every((b) => b === 0));
    });

    t('server Initial: protect byte for byte, then unprotect', () => {
      const s = v.server_initial;
      const keys = deriveInitialKeys(crypto, version, dcid).server;
      const payload = fromHex(s.payload);
      const buf = new Uint8Array(400);
      const w = Writer.into(buf);
      const pnOffset = writeLongHeader(w, { type: 'initial', version, dcid: new Uint8Array(0), scid: fromHex(s.scid) }, s.packet_number, 2, 2 + payload.length + 16, 2);
      assert.is(toHex(buf.subarray(0, w.pos)), s.unprotected_header);
      buf.set(payload, w.pos);
      const end = protectPacket(keys, buf, 0, pnOffset, 2, s.packet_number, w.pos + payload.length);
      assert.is(toHex(buf.subarray(0, end)), s.protected_packet);

      const datagram = fromHex(s.protected_packet);
      const p = parsePacketHeader(datagram, 0, { shortDcidLength: 0 }) as LongHeaderPacket;
      const out = unprotectPacket(keys, datagram, p.start, p.pnOffset, p.end, 0);
      assert.ok(out);
      assert.is(out!.pn, s.packet_number);
      assert.is(toHex(out!.payload), s.payload);
    });

    t('Retry: build byte for byte and verify the integrity tag', () => {
      const r = v.retry;
      const odcid = fromHex(r.original_dcid);
      const packet = fromHex(r.packet);
      const built = encodeRetryPacket(crypto, { version, dcid: new Uint8Array(0), scid: fromHex(r.scid), token: fromHex(r.token), unusedBits: packet[0]! & 0x0f }, odcid);
      assert.is(toHex(built), r.packet);
      assert.is(toHex(retryIntegrityTag(crypto, version, odcid, packet.subarray(0, packet.length - 16))), r.integrity_tag);
      const p = parsePacketHeader(packet, 0, { shortDcidLength: 0 }) as RetryPacket;
      assert.is(p.kind, 'retry');
      assert.is(toHex(p.token), r.token);
      assert.ok(verifyRetryIntegrity(crypto, packet, p, odcid));
      assert.not.ok(verifyRetryIntegrity(crypto, packet, p, fromHex('0000000000000000')));
      const tampered = packet.slice();
      tampered[tampered.length - 20]! ^= 1;
      const pt = parsePacketHeader(tampered, 0, { shortDcidLength: 0 }) as RetryPacket;
      assert.not.ok(verifyRetryIntegrity(crypto, tampered, pt, odcid));
    });

    if (v.chacha20_short_header) {
      t('ChaCha20-Poly1305 short header: keys, key update, protect and unprotect', () => {
        const c = v.chacha20_short_header;
        const suiteInfo = TLS_CHACHA20_POLY1305_SHA256;
        const m = derivePacketKeyMaterial(crypto, suiteInfo, fromHex(c.secret), version);
        assert.is(toHex(m.key), c.key);
        assert.is(toHex(m.iv), c.iv);
        assert.is(toHex(m.hp), c.hp);
        assert.is(toHex(nextKeyUpdateSecret(crypto, 'sha256', fromHex(c.secret), version)), c.ku_next_secret);
        const keys = preparePacketKeys(crypto, suiteInfo, m);
        const buf = new Uint8Array(64);
        const w = Writer.into(buf);
        const pnOffset = writeShortHeader(w, { dcid: new Uint8Array(0), keyPhase: 0 }, c.packet_number, c.packet_number_length);
        assert.is(toHex(buf.subarray(0, w.pos)), c.unprotected_header);
        buf.set(fromHex(c.payload_plaintext), w.pos);
        const end = protectPacket(keys, buf, 0, pnOffset, c.packet_number_length, c.packet_number, w.pos + 1);
        assert.is(toHex(buf.subarray(0, end)), c.protected_packet);

        const datagram = fromHex(c.protected_packet);
        const p = parsePacketHeader(datagram, 0, { shortDcidLength: 0 }) as ShortHeaderPacket;
        assert.is(p.kind, 'short');
        const out = unprotectPacket(keys, datagram, 0, p.pnOffset, p.end, c.packet_number - 1);
        assert.ok(out);
        assert.is(out!.pn, c.packet_number);
        assert.is(toHex(out!.payload), c.payload_plaintext);
      });
    }

    t('a flipped bit anywhere in the client Initial fails authentication', () => {
      const keys = deriveInitialKeys(crypto, version, dcid).client;
      const original = fromHex(v.client_initial.protected_packet);
      for (const index of [0, 30, 100, 600, original.length - 1]) {
        const datagram = original.slice();
        datagram[index]! ^= 0x10;
        let parsed;
        try {
          parsed = parsePacketHeader(datagram, 0, { shortDcidLength: 8 });
        } catch {
          continue; // the header itself no longer parses: also a drop
        }
        if (parsed.kind !== 'long') continue; // now reads as another packet kind: not decryptable either
        const p = parsed;
        assert.is(unprotectPacket(keys, datagram, p.start, p.pnOffset, p.end, -1), null, `bit flip at ${index}`);
      }
    });

    t('key update keys differ and keep the header-protection key', () => {
      const keys = packetKeysFromSecret(crypto, TLS_CHACHA20_POLY1305_SHA256, fromHex('9ac312a7f877468ebe69422748ad00a15443f18203a07d6060f688f30f21632b'), version);
      const nextSecret = nextKeyUpdateSecret(crypto, 'sha256', fromHex('9ac312a7f877468ebe69422748ad00a15443f18203a07d6060f688f30f21632b'), version);
      const next = derivePacketKeyMaterial(crypto, TLS_CHACHA20_POLY1305_SHA256, nextSecret, version);
      assert.is.not(toHex(next.iv), toHex(keys.iv));
    });

    t.run();
  }
}
