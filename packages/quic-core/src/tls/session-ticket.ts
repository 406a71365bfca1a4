/**
 * Session resumption state (RFC 8446 §4.6.1, §2.2). Two views of one ticket:
 * - {@link TlsTicketState}: what the server seals inside the self-contained ticket (the
 *   resumption PSK, cipher suite, ALPN, issue time, ticket_age_add, max_early_data_size and an
 *   opaque application blob, which QUIC uses to remember transport parameters, RFC 9000 §7.4.1);
 * - {@link TlsClientTicket}: what the client keeps next to the opaque ticket bytes.
 * Plus the ticket-age arithmetic of RFC 8446 §4.2.11.1.
 * @module
 */
import { Reader } from '../codec/reader.ts';
import { Writer } from '../codec/writer.ts';
import { DecodeError } from '../errors.ts';

/** RFC 8446 §4.6.1: ticket_lifetime is at most seven days. */
export const TLS_MAX_TICKET_LIFETIME = 604800;
/** RFC 9001 §4.6.1: in QUIC a 0-RTT-capable ticket carries max_early_data_size 0xffffffff. */
export const QUIC_MAX_EARLY_DATA = 0xffffffff;

const STATE_VERSION = 1;
const text = new TextEncoder();
const untext = new TextDecoder('utf-8', { fatal: true });

/** The server's resumption state, sealed inside a ticket. Times are wall-clock milliseconds. */
export interface TlsTicketState {
  /** Cipher suite id of the handshake that issued the ticket (its hash is the PSK's hash). */
  readonly suite: number;
  /** The resumption PSK (RFC 8446 §4.6.1). */
  readonly psk: Uint8Array;
  readonly issuedAt: number;
  /** ticket_lifetime in seconds. */
  readonly lifetime: number;
  readonly ageAdd: number;
  /** max_early_data_size of the ticket's early_data extension; 0 when 0-RTT is not allowed. */
  readonly maxEarlyData: number;
  /** The ALPN protocol of the issuing connection (0-RTT requires the same one, RFC 8446 §4.2.10). */
  readonly alpn: string | undefined;
  /** The server_name of the issuing connection. */
  readonly serverName: string | undefined;
  /** Opaque application data bound to the ticket (QUIC: remembered transport parameters). */
  readonly appData: Uint8Array;
}

/** A ticket as the client stores it. Times are wall-clock milliseconds. */
export interface TlsClientTicket {
  /** The opaque ticket: the PSK identity to offer. */
  readonly ticket: Uint8Array;
  readonly psk: Uint8Array;
  /** Cipher suite id of the handshake that produced the ticket. */
  readonly suite: number;
  readonly ageAdd: number;
  /** ticket_lifetime in seconds. */
  readonly lifetime: number;
  readonly receivedAt: number;
  /** max_early_data_size; 0 when the ticket does not allow 0-RTT. */
  readonly maxEarlyData: number;
  readonly alpn: string | undefined;
  readonly serverName: string | undefined;
  /** The server's transport parameters on the issuing connection (RFC 9000 §7.4.1), QUIC only. */
  readonly transportParameters: Uint8Array | undefined;
}

function writeString(w: Writer, s: string | undefined): void {
  w.vec8(s === undefined ? new Uint8Array(0) : text.encode(s));
}

function readString(r: Reader): string | undefined {
  const b = r.vec8();
  if (b.length === 0) return undefined;
  try {
    return untext.decode(b);
  } catch {
    throw new DecodeError('ticket state: invalid UTF-8');
  }
}

/** Encodes the state sealed in a ticket. */
export function encodeTicketState(s: TlsTicketState): Uint8Array {
  if (s.psk.length === 0 || s.psk.length > 255) throw new RangeError('ticket PSK length');
  if (!Number.isSafeInteger(s.issuedAt) || s.issuedAt < 0) throw new RangeError('ticket issuedAt');
  const w = new Writer(96 + s.psk.length + s.appData.length);
  w.u8(STATE_VERSION).u16(s.suite).vec8(s.psk);
  w.u32(Math.floor(s.issuedAt / 2 ** 32)).u32(s.issuedAt % 2 ** 32);
  w.u32(s.lifetime).u32(s.ageAdd >>> 0).u32(s.maxEarlyData >>> 0);
  writeString(w, s.alpn);
  writeString(w, s.serverName);
  w.vec16(s.appData);
  return w.finish();
}

/** Decodes a ticket state; DecodeError when malformed or of an unknown version. */
export function decodeTicketState(data: Uint8Array): TlsTicketState {
  const r = new Reader(data);
  if (r.u8() !== STATE_VERSION) throw new DecodeError('ticket state: unknown version');
  const suite = r.u16();
  const psk = r.vec8().slice();
  if (psk.length === 0) throw new DecodeError('ticket state: empty PSK');
  const issuedAt = r.u32() * 2 ** 32 + r.u32();
  const lifetime = r.u32();
  const ageAdd = r.u32();
  const maxEarlyData = r.u32();
  const alpn = readString(r);
  const serverName = readString(r);
  const appData = r.vec16().slice();
  if (!r.done) throw new DecodeError('ticket state: trailing bytes');
  return { suite, psk, issuedAt, lifetime, ageAdd, maxEarlyData, alpn, serverName, appData };
}

/** obfuscated_ticket_age = (age in ms + ticket_age_add) mod 2^32 (RFC 8446 §4.2.11.1). */
export function obfuscateTicketAge(ageMs: number, ageAdd: number): number {
  return (Math.max(0, Math.floor(ageMs)) + ageAdd) % 2 ** 32;
}

/** The client's view of the ticket age in ms, from its obfuscated form. */
export function clientTicketAge(obfuscated: number, ageAdd: number): number {
  return (obfuscated - ageAdd + 2 ** 32) % 2 ** 32;
}

/** Whether a ticket is still within its lifetime at `now` (RFC 8446 §4.6.1). */
export function ticketUsable(issuedOrReceivedAt: number, lifetimeSeconds: number, now: number): boolean {
  const age = now - issuedOrReceivedAt;
  return lifetimeSeconds > 0 && age >= -1000 && age <= Math.min(lifetimeSeconds, TLS_MAX_TICKET_LIFETIME) * 1000;
}
