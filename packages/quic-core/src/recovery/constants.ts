/**
 * Packet number spaces and the constants of QUIC loss recovery (RFC 9002 Appendix A.2 and B.1).
 * All times are milliseconds, all sizes bytes.
 * @module
 */

/** The three packet number spaces (RFC 9000 §12.3); 0-RTT and 1-RTT share ApplicationData. */
export const PacketNumberSpace = {
  Initial: 0,
  Handshake: 1,
  ApplicationData: 2,
} as const;
export type PacketNumberSpace = (typeof PacketNumberSpace)[keyof typeof PacketNumberSpace];

/** Number of packet number spaces, for per-space arrays. */
export const PACKET_NUMBER_SPACES = 3;

/** kPacketThreshold: reordering in packets before a packet is declared lost (RFC 9002 §6.1.1). */
export const PACKET_THRESHOLD = 3;

/** kTimeThreshold: reordering in time, as an RTT multiplier (RFC 9002 §6.1.2). */
export const TIME_THRESHOLD = 9 / 8;

/** kGranularity: the timer granularity, 1 ms (RFC 9002 §6.1.2). */
export const GRANULARITY = 1;

/** kInitialRtt: the RTT assumed before any sample, 333 ms (RFC 9002 §6.2.2). */
export const INITIAL_RTT = 333;

/** kPersistentCongestionThreshold, as a PTO multiplier (RFC 9002 §7.6.1). */
export const PERSISTENT_CONGESTION_THRESHOLD = 3;

/** The smallest maximum datagram size a QUIC path may have (RFC 9000 §14). */
export const MIN_MAX_DATAGRAM_SIZE = 1200;

/** Default max_ack_delay transport parameter, 25 ms (RFC 9000 §18.2). */
export const DEFAULT_MAX_ACK_DELAY = 25;

/** Default ack_delay_exponent transport parameter (RFC 9000 §18.2). */
export const DEFAULT_ACK_DELAY_EXPONENT = 3;

/** N of RFC 9002 §7.7: pace at 1.25 times the congestion window per smoothed RTT. */
export const PACING_GAIN = 1.25;

/** kInitialWindow: min(10 * mds, max(14720, 2 * mds)) (RFC 9002 §7.2). */
export function initialWindow(maxDatagramSize: number): number {
  return Math.min(10 * maxDatagramSize, Math.max(14720, 2 * maxDatagramSize));
}

/** kMinimumWindow: 2 * mds (RFC 9002 §7.2). */
export function minimumWindow(maxDatagramSize: number): number {
  return 2 * maxDatagramSize;
}
