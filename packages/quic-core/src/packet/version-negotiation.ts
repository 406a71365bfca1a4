/**
 * Version Negotiation packets (RFC 9000 §6, §17.2.1).
 * @module
 */
import { Writer } from '../codec/writer.ts';
import { MAX_INVARIANT_CID_LENGTH } from './header.ts';

/**
 * Builds a Version Negotiation packet answering a client packet: its DCID and SCID are the
 * client's SCID and DCID (RFC 9000 §17.2.1). `unusedBits` fills the 7 unused bits of the first
 * byte (the server should choose them at random; RFC 9000 §17.2.1).
 */
export function encodeVersionNegotiation(
  dcid: Uint8Array, scid: Uint8Array, versions: readonly number[], unusedBits = 0,
): Uint8Array {
  if (dcid.length > MAX_INVARIANT_CID_LENGTH || scid.length > MAX_INVARIANT_CID_LENGTH) throw new RangeError('connection ID too long');
  const w = new Writer(7 + dcid.length + scid.length + 4 * versions.length);
  w.u8(0x80 | (unusedBits & 0x7f));
  w.u32(0);
  w.vec8(dcid);
  w.vec8(scid);
  for (const v of versions) w.u32(v);
  return w.finish();
}
