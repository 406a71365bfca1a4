/**
 * Version Negotiation decisions (RFC 9000 §5.2.2, §6, §14.1, §17.2.1): when a server answers a
 * long-header packet of an unknown version with a Version Negotiation packet, and what a client
 * does with one it receives. The packet itself is built by `packet/version-negotiation.ts`.
 * @module
 */
import { Reader } from '../codec/reader.ts';
import { bytesEqual } from '../codec/hex.ts';
import { encodeVersionNegotiation } from '../packet/version-negotiation.ts';
import { SUPPORTED_VERSIONS, isReservedVersion } from '../packet/version.ts';
import type { RandomSource } from '../cid/generator.ts';

/** RFC 9000 §14.1: the smallest datagram a client's first Initial arrives in. */
export const MIN_INITIAL_DATAGRAM_SIZE = 1200;

/** A random reserved version of the form 0x?a?a?a?a (RFC 9000 §15), to keep negotiation exercised. */
export function greaseVersion(random: RandomSource): number {
  const b = random(4);
  const v = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
  return ((v & 0xf0f0f0f0) | 0x0a0a0a0a) >>> 0;
}

export type ServerVersionDecision =
  /** A short-header packet: version negotiation does not apply. */
  | { readonly kind: 'short-header' }
  /** A long-header packet of a version we speak. */
  | { readonly kind: 'proceed'; readonly version: number }
  /** Send `packet` back to the datagram's source. */
  | { readonly kind: 'send-version-negotiation'; readonly version: number; readonly packet: Uint8Array }
  /** Drop the datagram silently. */
  | { readonly kind: 'drop'; readonly reason: 'version-negotiation-packet' | 'too-small' | 'malformed' };

export interface ServerVersionOptions {
  /** Randomness for the unused bits of the first byte and the GREASE version. */
  readonly random: RandomSource;
  /** Versions to offer, in preference order (default: every version this stack speaks). */
  readonly supportedVersions?: readonly number[];
  /** Add a reserved version to the list (default true, RFC 9000 §6.3). */
  readonly grease?: boolean;
}

/**
 * Decides how a server treats the first packet of a datagram: a long header with an unsupported
 * version gets a Version Negotiation packet listing our versions (plus a GREASE one) only when
 * the datagram could carry a client's first Initial, at least 1200 bytes (RFC 9000 §5.2.2,
 * §14.1: smaller ones are dropped), and a Version Negotiation packet is never answered (§6.1).
 */
export function decideServerVersion(datagram: Uint8Array, options: ServerVersionOptions): ServerVersionDecision {
  const supported = options.supportedVersions ?? SUPPORTED_VERSIONS;
  if (datagram.length === 0) return { kind: 'drop', reason: 'malformed' };
  if ((datagram[0]! & 0x80) === 0) return { kind: 'short-header' };
  const header = readInvariantLongHeader(datagram);
  if (header === null) return { kind: 'drop', reason: 'malformed' };
  if (header.version === 0) return { kind: 'drop', reason: 'version-negotiation-packet' };
  if (supported.includes(header.version)) return { kind: 'proceed', version: header.version };
  if (datagram.length < MIN_INITIAL_DATAGRAM_SIZE) return { kind: 'drop', reason: 'too-small' };
  const versions = options.grease === false ? [...supported] : [...supported, greaseVersion(options.random)];
  const unusedBits = options.random(1)[0]! & 0x7f;
  // RFC 9000 §17.2.1: the client's SCID becomes our DCID and the client's DCID our SCID.
  const packet = encodeVersionNegotiation(header.scid, header.dcid, versions, unusedBits);
  return { kind: 'send-version-negotiation', version: header.version, packet };
}

interface InvariantLongHeader {
  readonly version: number;
  readonly dcid: Uint8Array;
  readonly scid: Uint8Array;
}

/** The version-independent fields of a long header (RFC 8999 §5.1), or null when truncated. */
function readInvariantLongHeader(datagram: Uint8Array): InvariantLongHeader | null {
  try {
    const r = new Reader(datagram);
    r.u8();
    const version = r.u32();
    const dcid = r.vec8();
    const scid = r.vec8();
    return { version, dcid, scid };
  } catch {
    return null;
  }
}

export type ClientVersionNegotiationOutcome =
  /** Discard the packet and carry on with the connection attempt. */
  | { readonly kind: 'ignore'; readonly reason: 'already-processed' | 'lists-chosen-version' | 'connection-id-mismatch' }
  /**
   * Abandon this attempt and start a new one with `version`, a version we also speak but did not
   * choose first (RFC 9368 §2.1; the new attempt's version_information must confirm it, §5).
   */
  | { readonly kind: 'downgrade'; readonly version: number; readonly offered: readonly number[] }
  /** No version in common: abandon the connection attempt (RFC 9000 §6.2). */
  | { readonly kind: 'no-common-version'; readonly offered: readonly number[] };

export interface ClientVersionState {
  /** The version of our Initial packets. */
  readonly chosenVersion: number;
  /** Versions we speak, in preference order (default: every version this stack speaks). */
  readonly supportedVersions?: readonly number[];
  /** True once we have processed any other packet, including an earlier Version Negotiation. */
  readonly processedOtherPacket: boolean;
  /** Our Source Connection ID: the packet's DCID must echo it (RFC 9000 §17.2.1). */
  readonly localCid?: Uint8Array;
  /** The Destination Connection ID we chose: the packet's SCID must echo it. */
  readonly remoteCid?: Uint8Array;
}

/**
 * What a client does with a Version Negotiation packet (RFC 9000 §6.2): discard it when any
 * other packet was processed first or when it lists the version we chose (a forgery or a stale
 * reply), and when it does not echo our connection IDs; otherwise switch to the most preferred
 * common version, or give up when there is none. Reserved (GREASE) versions never match.
 */
export function handleVersionNegotiation(
  packet: { readonly dcid: Uint8Array; readonly scid: Uint8Array; readonly versions: readonly number[] },
  state: ClientVersionState,
): ClientVersionNegotiationOutcome {
  if (state.processedOtherPacket) return { kind: 'ignore', reason: 'already-processed' };
  if (
    (state.localCid !== undefined && !bytesEqual(packet.dcid, state.localCid)) ||
    (state.remoteCid !== undefined && !bytesEqual(packet.scid, state.remoteCid))
  ) {
    return { kind: 'ignore', reason: 'connection-id-mismatch' };
  }
  if (packet.versions.includes(state.chosenVersion)) return { kind: 'ignore', reason: 'lists-chosen-version' };
  const offered = [...packet.versions];
  const supported = state.supportedVersions ?? SUPPORTED_VERSIONS;
  for (const version of supported) {
    if (version !== state.chosenVersion && !isReservedVersion(version) && offered.includes(version)) {
      return { kind: 'downgrade', version, offered };
    }
  }
  return { kind: 'no-common-version', offered };
}
