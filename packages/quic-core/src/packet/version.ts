/**
 * QUIC versions this stack speaks (RFC 9000 v1, RFC 9369 v2) and their version-specific
 * constants: long-header packet type bits, Initial salt, Retry integrity key, HKDF label prefix.
 * @module
 */

export const QUIC_V1 = 0x00000001;
/** RFC 9369 §3.1 */
export const QUIC_V2 = 0x6b3343cf;
/** Versions we can speak, in preference order. */
export const SUPPORTED_VERSIONS: readonly number[] = [QUIC_V1, QUIC_V2];

export type LongPacketType = 'initial' | '0rtt' | 'handshake' | 'retry';

export function isSupportedVersion(version: number): boolean {
  return version === QUIC_V1 || version === QUIC_V2;
}

/** RFC 9000 §8.1 / §15: versions of the form 0x?a?a?a?a are reserved to exercise negotiation. */
export function isReservedVersion(version: number): boolean {
  return (version & 0x0f0f0f0f) === 0x0a0a0a0a;
}

// RFC 9000 §17.2 Table 5 (v1) and RFC 9369 §3.2 (v2).
const V1_TYPES: readonly LongPacketType[] = ['initial', '0rtt', 'handshake', 'retry'];
const V2_TYPES: readonly LongPacketType[] = ['retry', 'initial', '0rtt', 'handshake'];

/** The long-header packet type for the two type bits of the first byte. */
export function longPacketTypeFromBits(version: number, bits: number): LongPacketType {
  return (version === QUIC_V2 ? V2_TYPES : V1_TYPES)[bits & 0x03]!;
}

/** The two type bits for a long-header packet type. */
export function longPacketTypeBits(version: number, type: LongPacketType): number {
  return (version === QUIC_V2 ? V2_TYPES : V1_TYPES).indexOf(type);
}

interface VersionConstants {
  readonly initialSalt: Uint8Array;
  readonly retryKey: Uint8Array;
  readonly retryNonce: Uint8Array;
  /** Prefix of the packet-protection HKDF labels: "quic" (v1) or "quicv2" (RFC 9369 §3.3.2). */
  readonly labelPrefix: string;
}

function hex(s: string): Uint8Array {
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.substr(i * 2, 2), 16);
  return out;
}

const V1: VersionConstants = {
  initialSalt: hex('38762cf7f55934b34d179ae6a4c80cadccbb7f0a'), // RFC 9001 §5.2
  retryKey: hex('be0c690b9f66575a1d766b54e368c84e'), // RFC 9001 §5.8
  retryNonce: hex('461599d35d632bf2239825bb'),
  labelPrefix: 'quic',
};

const V2: VersionConstants = {
  initialSalt: hex('0dede3def700a6db819381be6e269dcbf9bd2ed9'), // RFC 9369 §3.3.1
  retryKey: hex('8fb4b01b56ac48e260fbcbcead7ccc92'), // RFC 9369 §3.3.3
  retryNonce: hex('d86969bc2d7c6d9990efb04a'),
  labelPrefix: 'quicv2',
};

/** Version-specific constants; unknown versions have none. */
export function versionConstants(version: number): VersionConstants {
  if (version === QUIC_V1) return V1;
  if (version === QUIC_V2) return V2;
  throw new RangeError(`unsupported QUIC version 0x${version.toString(16)}`);
}
