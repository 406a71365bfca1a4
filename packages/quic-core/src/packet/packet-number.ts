/**
 * Packet-number encoding and decoding (RFC 9000 §17.1, Appendix A.2 and A.3).
 * Packet numbers are `number`s: they are below 2^62 and a connection never gets near 2^53.
 * @module
 */

/**
 * Number of bytes (1..4) needed to send `fullPn` so the peer can decode it, given the largest
 * packet number it has acknowledged (-1 when none). RFC 9000 Appendix A.2.
 */
export function packetNumberLength(fullPn: number, largestAcked: number): 1 | 2 | 3 | 4 {
  // The sender must use enough bits to represent more than twice the number of unacknowledged packets.
  const numUnacked = largestAcked < 0 ? fullPn + 1 : fullPn - largestAcked;
  const minBits = Math.log2(numUnacked) + 1;
  const bytes = Math.ceil(minBits / 8);
  return (bytes <= 1 ? 1 : bytes >= 4 ? 4 : bytes) as 1 | 2 | 3 | 4;
}

/** The truncated value of `fullPn` sent in `length` bytes. */
export function truncatePacketNumber(fullPn: number, length: 1 | 2 | 3 | 4): number {
  return fullPn % 2 ** (length * 8);
}

/**
 * Recovers the full packet number from its truncated form (RFC 9000 Appendix A.3).
 * `largestPn` is the largest packet number successfully processed in the space (-1 when none).
 */
export function decodePacketNumber(largestPn: number, truncatedPn: number, pnNbits: number): number {
  const expectedPn = largestPn + 1;
  const pnWin = 2 ** pnNbits;
  const pnHwin = pnWin / 2;
  const pnMask = pnWin - 1;
  // candidate_pn = (expected_pn & ~pn_mask) | truncated_pn, without 32-bit bitwise operators
  const candidatePn = expectedPn - (expectedPn % pnWin) + (truncatedPn & pnMask);
  if (candidatePn <= expectedPn - pnHwin && candidatePn < 2 ** 62 - pnWin) return candidatePn + pnWin;
  if (candidatePn > expectedPn + pnHwin && candidatePn >= pnWin) return candidatePn - pnWin;
  return candidatePn;
}
