/**
 * Transport parameters remembered for 0-RTT (RFC 9000 §7.4.1, RFC 9221 §3): the limits a client
 * may use before the handshake completes, the check that a server accepting 0-RTT advertises no
 * smaller values now, and the compact form a server seals into its session tickets (the
 * "integrity-protected copy of the values in the ticket" of §7.4.1).
 * @module
 */
import { Reader } from '../codec/reader.ts';
import { Writer } from '../codec/writer.ts';
import { DecodeError } from '../errors.ts';
import type { TransportParameters } from './transport-params.ts';

/**
 * The remembered values a server must not reduce when it accepts 0-RTT (RFC 9000 §7.4.1; RFC
 * 9221 §3 for max_datagram_frame_size, 0 when absent).
 */
export interface RememberedLimits {
  readonly activeConnectionIdLimit: number;
  readonly initialMaxData: number;
  readonly initialMaxStreamDataBidiLocal: number;
  readonly initialMaxStreamDataBidiRemote: number;
  readonly initialMaxStreamDataUni: number;
  readonly initialMaxStreamsBidi: number;
  readonly initialMaxStreamsUni: number;
  readonly maxDatagramFrameSize: number;
}

const FIELDS = [
  'activeConnectionIdLimit', 'initialMaxData', 'initialMaxStreamDataBidiLocal', 'initialMaxStreamDataBidiRemote',
  'initialMaxStreamDataUni', 'initialMaxStreamsBidi', 'initialMaxStreamsUni', 'maxDatagramFrameSize',
] as const satisfies readonly (keyof RememberedLimits)[];

const FORMAT_VERSION = 1;

/** The limits of a server's transport parameters that 0-RTT relies on. */
export function rememberedLimits(p: TransportParameters): RememberedLimits {
  return {
    activeConnectionIdLimit: p.activeConnectionIdLimit,
    initialMaxData: p.initialMaxData,
    initialMaxStreamDataBidiLocal: p.initialMaxStreamDataBidiLocal,
    initialMaxStreamDataBidiRemote: p.initialMaxStreamDataBidiRemote,
    initialMaxStreamDataUni: p.initialMaxStreamDataUni,
    initialMaxStreamsBidi: p.initialMaxStreamsBidi,
    initialMaxStreamsUni: p.initialMaxStreamsUni,
    maxDatagramFrameSize: p.maxDatagramFrameSize ?? 0,
  };
}

/** The first limit that is smaller in `now` than in `remembered`, or undefined when none is. */
export function reducedLimit(remembered: RememberedLimits, now: RememberedLimits): keyof RememberedLimits | undefined {
  for (const f of FIELDS) if (now[f] < remembered[f]) return f;
  return undefined;
}

/**
 * Encodes the limits followed by opaque application data, as a server binds them into a ticket:
 * a format byte, one varint per limit, then `rest`.
 */
export function encodeTicketAppData(limits: RememberedLimits, rest: Uint8Array = new Uint8Array(0)): Uint8Array {
  const w = new Writer(1 + FIELDS.length * 8 + rest.length);
  w.u8(FORMAT_VERSION);
  for (const f of FIELDS) w.varint(limits[f]);
  w.bytes(rest);
  return w.finish();
}

/** Decodes {@link encodeTicketAppData}; DecodeError when malformed or of another format. */
export function decodeTicketAppData(data: Uint8Array): { limits: RememberedLimits; rest: Uint8Array } {
  const r = new Reader(data);
  if (r.u8() !== FORMAT_VERSION) throw new DecodeError('ticket application data: unknown format');
  const out: Record<string, number> = {};
  for (const f of FIELDS) out[f] = r.varint();
  return { limits: out as unknown as RememberedLimits, rest: r.rest().slice() };
}
