/**
 * What a sent packet carried, as information to requeue if it is lost (STYLE lesson 8: retransmit
 * information, not packets). Each entry is acted on when its packet is acknowledged or lost.
 * @module
 */
import type { StreamsControlFrame } from '../streams/streams.ts';

export type SentFrame =
  | { readonly kind: 'crypto'; readonly offset: number; readonly length: number }
  | { readonly kind: 'stream'; readonly streamId: number; readonly offset: number; readonly length: number; readonly fin: boolean }
  | { readonly kind: 'control'; readonly frame: StreamsControlFrame }
  | { readonly kind: 'ack'; readonly largest: number }
  | { readonly kind: 'handshakeDone' }
  | { readonly kind: 'newConnectionId'; readonly sequence: number }
  | { readonly kind: 'retireConnectionId'; readonly sequence: number }
  | { readonly kind: 'newToken'; readonly token: Uint8Array }
  | { readonly kind: 'ping' }
  /** A DATAGRAM; 0-RTT packets keep the payload, to send again if 0-RTT is rejected. */
  | { readonly kind: 'datagram'; readonly data?: Uint8Array }
  | { readonly kind: 'pathResponse' }
  /** A PMTU probe of this datagram size (RFC 9000 §14.4). */
  | { readonly kind: 'mtuProbe'; readonly size: number }
  | { readonly kind: 'connectionClose' };

export type SentFrames = SentFrame[];
