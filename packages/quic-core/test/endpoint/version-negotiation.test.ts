import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { SeededRandom } from '@quicts/testkit';
import {
  QUIC_V1, QUIC_V2, Writer, parsePacketHeader, isReservedVersion, bytesEqual, type VersionNegotiationPacket,
} from '@quicts/quic-core';
import {
  decideServerVersion, handleVersionNegotiation, greaseVersion, MIN_INITIAL_DATAGRAM_SIZE,
} from '../../src/endpoint/index.ts';

const dcid = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
const scid = Uint8Array.of(9, 10, 11, 12);

function longHeaderDatagram(version: number, size: number, d = dcid, s = scid): Uint8Array {
  const w = new Writer(size);
  w.u8(0xc0).u32(version).vec8(d).vec8(s);
  const out = new Uint8Array(size);
  out.set(w.finish().subarray(0, Math.min(size, 7 + d.length + s.length)));
  return out;
}

const rng = new SeededRandom(21);
const random = (n: number) => rng.bytes(n);

test('GREASE versions have the 0x?a?a?a?a form (RFC 9000 §15)', () => {
  for (let i = 0; i < 100; i++) assert.ok(isReservedVersion(greaseVersion(random)));
});

test('unknown version in a 1200-byte datagram gets a Version Negotiation packet', () => {
  const d = decideServerVersion(longHeaderDatagram(0x1a2b3c4d, 1200), { random });
  assert.is(d.kind, 'send-version-negotiation');
  if (d.kind !== 'send-version-negotiation') return;
  assert.is(d.version, 0x1a2b3c4d);
  const vn = parsePacketHeader(d.packet, 0, { shortDcidLength: 0 }) as VersionNegotiationPacket;
  assert.is(vn.kind, 'version-negotiation');
  assert.ok(bytesEqual(vn.dcid, scid), 'echoes the client SCID as DCID');
  assert.ok(bytesEqual(vn.scid, dcid), 'echoes the client DCID as SCID');
  assert.equal(vn.versions.slice(0, 2), [QUIC_V1, QUIC_V2]);
  assert.is(vn.versions.length, 3);
  assert.ok(isReservedVersion(vn.versions[2]!), 'one GREASE version');
  assert.is(d.packet[0]! & 0x80, 0x80);
});

test('unused bits of the first byte vary', () => {
  const seen = new Set<number>();
  for (let i = 0; i < 50; i++) {
    const d = decideServerVersion(longHeaderDatagram(7, 1300), { random });
    if (d.kind === 'send-version-negotiation') seen.add(d.packet[0]!);
  }
  assert.ok(seen.size > 10);
});

test('configured versions, without GREASE', () => {
  const d = decideServerVersion(longHeaderDatagram(QUIC_V2, 1200), { random, supportedVersions: [QUIC_V1], grease: false });
  assert.is(d.kind, 'send-version-negotiation');
  if (d.kind === 'send-version-negotiation') {
    const vn = parsePacketHeader(d.packet, 0, { shortDcidLength: 0 }) as VersionNegotiationPacket;
    assert.equal(vn.versions, [QUIC_V1]);
  }
});

test('datagrams under 1200 bytes with unknown versions are dropped (RFC 9000 §14.1)', () => {
  const d = decideServerVersion(longHeaderDatagram(0x1a2b3c4d, MIN_INITIAL_DATAGRAM_SIZE - 1), { random });
  assert.equal(d, { kind: 'drop', reason: 'too-small' });
});

test('a Version Negotiation packet is never answered (RFC 9000 §6.1)', () => {
  assert.equal(decideServerVersion(longHeaderDatagram(0, 1500), { random }), { kind: 'drop', reason: 'version-negotiation-packet' });
});

test('supported versions proceed whatever the size; short headers are not concerned', () => {
  assert.equal(decideServerVersion(longHeaderDatagram(QUIC_V1, 60), { random }), { kind: 'proceed', version: QUIC_V1 });
  assert.equal(decideServerVersion(longHeaderDatagram(QUIC_V2, 1200), { random }), { kind: 'proceed', version: QUIC_V2 });
  assert.equal(decideServerVersion(Uint8Array.of(0x40, 1, 2, 3), { random }), { kind: 'short-header' });
});

test('long CIDs of unknown versions (up to 255 bytes, RFC 8999) are echoed', () => {
  const longD = new Uint8Array(200).fill(1);
  const d = decideServerVersion(longHeaderDatagram(5, 1400, longD, scid), { random });
  assert.is(d.kind, 'send-version-negotiation');
  if (d.kind === 'send-version-negotiation') {
    const vn = parsePacketHeader(d.packet, 0, { shortDcidLength: 0 }) as VersionNegotiationPacket;
    assert.ok(bytesEqual(vn.scid, longD));
  }
});

test('truncated headers and empty datagrams are dropped as malformed, never thrown', () => {
  assert.equal(decideServerVersion(new Uint8Array(0), { random }), { kind: 'drop', reason: 'malformed' });
  const full = longHeaderDatagram(5, 20);
  for (let n = 1; n < 7 + dcid.length + scid.length; n++) {
    assert.equal(decideServerVersion(full.subarray(0, n), { random }), { kind: 'drop', reason: 'malformed' }, `length ${n}`);
  }
  fc.assert(fc.property(fc.uint8Array({ maxLength: 1500 }), (bytes) => {
    decideServerVersion(bytes, { random });
  }), { numRuns: 300 });
});

const state = { chosenVersion: QUIC_V1, processedOtherPacket: false, localCid: scid, remoteCid: dcid };
const vnFrom = (versions: number[]) => ({ dcid: scid, scid: dcid, versions });

test('client: a VN listing our version is ignored (RFC 9000 §6.2)', () => {
  assert.equal(handleVersionNegotiation(vnFrom([0x0a0a0a0a, QUIC_V1]), state), { kind: 'ignore', reason: 'lists-chosen-version' });
});

test('client: a VN after any other processed packet is ignored (RFC 9000 §6.2)', () => {
  assert.equal(handleVersionNegotiation(vnFrom([7]), { ...state, processedOtherPacket: true }), { kind: 'ignore', reason: 'already-processed' });
});

test('client: a VN that does not echo our connection IDs is ignored', () => {
  assert.equal(handleVersionNegotiation({ dcid, scid, versions: [7] }, state), { kind: 'ignore', reason: 'connection-id-mismatch' });
  assert.equal(handleVersionNegotiation({ dcid: scid, scid: scid, versions: [7] }, state), { kind: 'ignore', reason: 'connection-id-mismatch' });
});

test('client: no common version abandons the attempt', () => {
  assert.equal(handleVersionNegotiation(vnFrom([7, 0x1a2a3a4a]), state), { kind: 'no-common-version', offered: [7, 0x1a2a3a4a] });
  assert.equal(
    handleVersionNegotiation(vnFrom([QUIC_V2]), { ...state, supportedVersions: [QUIC_V1] }),
    { kind: 'no-common-version', offered: [QUIC_V2] },
  );
});

test('client: another version in common means a downgrade to it', () => {
  assert.equal(handleVersionNegotiation(vnFrom([0x2a2a2a2a, QUIC_V2]), state), { kind: 'downgrade', version: QUIC_V2, offered: [0x2a2a2a2a, QUIC_V2] });
  assert.equal(
    handleVersionNegotiation(vnFrom([QUIC_V1]), { chosenVersion: QUIC_V2, processedOtherPacket: false }),
    { kind: 'downgrade', version: QUIC_V1, offered: [QUIC_V1] },
  );
});

test('client: reserved versions never match, even if we claimed to support one', () => {
  assert.equal(
    handleVersionNegotiation(vnFrom([0x0a0a0a0a]), { ...state, supportedVersions: [QUIC_V1, 0x0a0a0a0a] }),
    { kind: 'no-common-version', offered: [0x0a0a0a0a] },
  );
});

test.run();
