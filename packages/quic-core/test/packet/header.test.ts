import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import {
  Writer, DecodeError, fromHex, toHex, parsePacketHeader, splitCoalescedPackets, peekDestinationCid, writeLongHeader,
  writeShortHeader, encodeVersionNegotiation, encodeRetryPacket, createPureCryptoProvider, longPacketTypeBits,
  QUIC_V1, QUIC_V2, isReservedVersion, type LongHeaderPacket,
} from '@quicts/quic-core';

const crypto = createPureCryptoProvider();
const cid = (max = 20) => fc.uint8Array({ minLength: 0, maxLength: max });

function longPacket(type: 'initial' | '0rtt' | 'handshake', version: number, dcid: Uint8Array, scid: Uint8Array, token: Uint8Array, pn: number, pnLength: 1 | 2 | 3 | 4, payload: number) {
  const w = new Writer(64);
  const pnOffset = writeLongHeader(w, { type, version, dcid, scid, ...(type === 'initial' ? { token } : {}) }, pn, pnLength, pnLength + payload);
  w.zeros(payload);
  return { bytes: w.finish(), pnOffset };
}

test('long header: Initial with token, field by field', () => {
  const { bytes, pnOffset } = longPacket('initial', QUIC_V1, fromHex('0102'), fromHex('0304'), fromHex('aabbcc'), 7, 1, 30);
  assert.is(toHex(bytes.subarray(0, pnOffset + 1)), 'c000000001' + '020102' + '020304' + '03aabbcc' + '1f' + '07');
  const p = parsePacketHeader(bytes, 0, { shortDcidLength: 0 }) as LongHeaderPacket;
  assert.is(p.kind, 'long');
  assert.is(p.type, 'initial');
  assert.is(toHex(p.token), 'aabbcc');
  assert.is(p.pnOffset, pnOffset);
  assert.is(p.end, bytes.length);
});

test('long header type bits differ between v1 and v2 (RFC 9369 §3.2)', () => {
  assert.equal(['initial', '0rtt', 'handshake', 'retry'].map((t) => longPacketTypeBits(QUIC_V1, t as never)), [0, 1, 2, 3]);
  assert.equal(['initial', '0rtt', 'handshake', 'retry'].map((t) => longPacketTypeBits(QUIC_V2, t as never)), [1, 2, 3, 0]);
});

test('property: long headers round trip for v1 and v2, every type', () => {
  fc.assert(
    fc.property(
      fc.constantFrom('initial', '0rtt', 'handshake'), fc.constantFrom(QUIC_V1, QUIC_V2), cid(), cid(), fc.uint8Array({ maxLength: 64 }),
      fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.constantFrom(1, 2, 3, 4), fc.integer({ min: 20, max: 1200 }),
      (type, version, dcid, scid, token, pn, pnLength, payload) => {
        const { bytes, pnOffset } = longPacket(type as 'initial', version, dcid, scid, token, pn, pnLength as 1, payload);
        const p = parsePacketHeader(bytes, 0, { shortDcidLength: 8 }) as LongHeaderPacket;
        assert.is(p.kind, 'long');
        assert.is(p.type, type);
        assert.is(p.version, version);
        assert.equal(p.dcid, dcid);
        assert.equal(p.scid, scid);
        assert.equal(p.token, type === 'initial' ? token : new Uint8Array(0));
        assert.is(p.pnOffset, pnOffset);
        assert.is(p.end, bytes.length);
      },
    ),
    { numRuns: 1000 },
  );
});

test('property: short headers round trip', () => {
  fc.assert(
    fc.property(cid(), fc.boolean(), fc.constantFrom<0 | 1>(0, 1), fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.constantFrom<1 | 2 | 3 | 4>(1, 2, 3, 4), (dcid, spin, keyPhase, pn, pnLength) => {
      const w = new Writer();
      const pnOffset = writeShortHeader(w, { dcid, spin, keyPhase }, pn, pnLength);
      w.zeros(20);
      const bytes = w.finish();
      assert.is(bytes[0]! & 0xc0, 0x40);
      assert.is((bytes[0]! >> 2) & 1, keyPhase);
      assert.is((bytes[0]! >> 5) & 1, spin ? 1 : 0);
      assert.is((bytes[0]! & 3) + 1, pnLength);
      const p = parsePacketHeader(bytes, 0, { shortDcidLength: dcid.length });
      assert.is(p.kind, 'short');
      if (p.kind !== 'short') return;
      assert.equal(p.dcid, dcid);
      assert.is(p.pnOffset, pnOffset);
      assert.is(p.end, bytes.length);
    }),
    { numRuns: 1000 },
  );
});

test('property: Version Negotiation round trip', () => {
  fc.assert(
    fc.property(cid(255), cid(255), fc.array(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { minLength: 1, maxLength: 20 }), fc.integer({ min: 0, max: 127 }), (dcid, scid, versions, bits) => {
      const bytes = encodeVersionNegotiation(dcid, scid, versions, bits);
      const p = parsePacketHeader(bytes, 0, { shortDcidLength: 0 });
      assert.is(p.kind, 'version-negotiation');
      if (p.kind !== 'version-negotiation') return;
      assert.equal(p.dcid, dcid);
      assert.equal(p.scid, scid);
      assert.equal([...p.versions], versions);
    }),
    { numRuns: 300 },
  );
});

test('property: Retry round trip (v1 and v2)', () => {
  fc.assert(
    fc.property(fc.constantFrom(QUIC_V1, QUIC_V2), cid(), cid(), fc.uint8Array({ minLength: 1, maxLength: 100 }), (version, dcid, scid, token) => {
      const bytes = encodeRetryPacket(crypto, { version, dcid, scid, token }, fromHex('0011223344556677'));
      const p = parsePacketHeader(bytes, 0, { shortDcidLength: 0 });
      assert.is(p.kind, 'retry');
      if (p.kind !== 'retry') return;
      assert.is(p.version, version);
      assert.equal(p.token, token);
      assert.is(p.integrityTag.length, 16);
    }),
    { numRuns: 200 },
  );
});

test('unknown versions parse only their invariant fields', () => {
  const bytes = fromHex('c01a2a3a4a' + '03010203' + '00' + 'ffff');
  const p = parsePacketHeader(bytes, 0, { shortDcidLength: 0 });
  assert.is(p.kind, 'unsupported-version');
  if (p.kind === 'unsupported-version') {
    assert.is(p.version, 0x1a2a3a4a);
    assert.is(toHex(p.dcid), '010203');
    assert.ok(isReservedVersion(p.version));
  }
});

test('connection IDs over 20 bytes are rejected for v1 but allowed for unknown versions', () => {
  const long = new Uint8Array(21).fill(1);
  const v1 = new Writer().u8(0xc0).u32(QUIC_V1).vec8(long).vec8(new Uint8Array(0)).zeros(40).finish();
  assert.throws(() => parsePacketHeader(v1, 0, { shortDcidLength: 0 }), (e: unknown) => e instanceof DecodeError);
  const other = new Writer().u8(0xc0).u32(0x12345678).vec8(long).vec8(new Uint8Array(0)).zeros(40).finish();
  assert.is(parsePacketHeader(other, 0, { shortDcidLength: 0 }).kind, 'unsupported-version');
});

test('fixed bit zero is dropped unless grease_quic_bit allows it', () => {
  const { bytes } = longPacket('handshake', QUIC_V1, fromHex('01'), fromHex('02'), new Uint8Array(0), 1, 1, 30);
  bytes[0] = bytes[0]! & ~0x40;
  assert.throws(() => parsePacketHeader(bytes, 0, { shortDcidLength: 0 }), (e: unknown) => e instanceof DecodeError);
  assert.is(parsePacketHeader(bytes, 0, { shortDcidLength: 0, allowZeroFixedBit: true }).kind, 'long');
});

test('a Length running past the datagram is rejected', () => {
  const { bytes } = longPacket('handshake', QUIC_V1, fromHex('01'), fromHex('02'), new Uint8Array(0), 1, 1, 30);
  assert.throws(() => parsePacketHeader(bytes.subarray(0, bytes.length - 1), 0, { shortDcidLength: 0 }), (e: unknown) => e instanceof DecodeError);
});

test('coalesced Initial + Handshake + short packets split at the Length boundaries', () => {
  const a = longPacket('initial', QUIC_V1, fromHex('aa'), fromHex('bb'), new Uint8Array(0), 0, 1, 40).bytes;
  const b = longPacket('handshake', QUIC_V1, fromHex('aa'), fromHex('bb'), new Uint8Array(0), 0, 2, 25).bytes;
  const w = new Writer();
  writeShortHeader(w, { dcid: fromHex('aa'), keyPhase: 0 }, 0, 1);
  w.zeros(30);
  const c = w.finish();
  const datagram = new Uint8Array([...a, ...b, ...c]);
  const { packets, error } = splitCoalescedPackets(datagram, { shortDcidLength: 1 });
  assert.is(error, undefined);
  assert.equal(packets.map((p) => p.kind === 'long' ? p.type : p.kind), ['initial', 'handshake', 'short']);
  assert.equal(packets.map((p) => [p.start, p.end]), [[0, a.length], [a.length, a.length + b.length], [a.length + b.length, datagram.length]]);
  assert.equal(peekDestinationCid(datagram, 1), fromHex('aa'));
});

test('a bad packet after good ones: the good ones are kept', () => {
  const a = longPacket('initial', QUIC_V1, fromHex('aa'), fromHex('bb'), new Uint8Array(0), 0, 1, 40).bytes;
  const datagram = new Uint8Array([...a, 0xc0, 0x00]);
  const { packets, error } = splitCoalescedPackets(datagram, { shortDcidLength: 1 });
  assert.is(packets.length, 1);
  assert.instance(error, DecodeError);
});

test('fuzz: random bytes never throw anything but DecodeError', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 0, maxLength: 200 }), fc.integer({ min: 0, max: 20 }), (bytes, shortLen) => {
      try {
        splitCoalescedPackets(bytes, { shortDcidLength: shortLen });
        if (bytes.length) parsePacketHeader(bytes, 0, { shortDcidLength: shortLen });
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
      }
      peekDestinationCid(bytes, shortLen);
    }),
    { numRuns: 5000 },
  );
});

test('fuzz: every truncation of valid packets parses or throws DecodeError', () => {
  const samples = [
    longPacket('initial', QUIC_V1, fromHex('0102030405060708'), fromHex('0a0b'), fromHex('cafe'), 5, 2, 40).bytes,
    longPacket('handshake', QUIC_V2, fromHex('01'), fromHex('02'), new Uint8Array(0), 5, 4, 30).bytes,
    encodeVersionNegotiation(fromHex('0102'), fromHex('0304'), [1, QUIC_V2]),
    encodeRetryPacket(crypto, { version: QUIC_V1, dcid: fromHex('01'), scid: fromHex('02'), token: fromHex('abcdef') }, fromHex('0102')),
  ];
  for (const s of samples) {
    for (let n = 0; n < s.length; n++) {
      try {
        parsePacketHeader(s.subarray(0, n), 0, { shortDcidLength: 1 });
      } catch (e) {
        assert.instance(e, DecodeError);
      }
    }
  }
});

test.run();
