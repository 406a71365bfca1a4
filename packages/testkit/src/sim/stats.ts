/**
 * Per-direction link statistics and the trace of what happened to each datagram.
 * @module
 */

/** Why a datagram did not arrive. */
export type DropCause = 'loss' | 'burst-loss' | 'mtu' | 'queue' | 'held';

export interface LinkStats {
  /** Datagrams handed to the link. */
  sent: number;
  /** Bytes handed to the link. */
  bytesSent: number;
  /** Datagrams handed to the receiver (duplicates included). */
  delivered: number;
  /** Bytes handed to the receiver. */
  bytesDelivered: number;
  /** Datagrams dropped, total and by cause. */
  dropped: number;
  droppedBy: Partial<Record<DropCause, number>>;
  /** Extra copies created. */
  duplicated: number;
  /** Datagrams whose bits were flipped. */
  corrupted: number;
  /** Datagrams delivered after one that was sent later than them. */
  reordered: number;
}

export function emptyStats(): LinkStats {
  return { sent: 0, bytesSent: 0, delivered: 0, bytesDelivered: 0, dropped: 0, droppedBy: {}, duplicated: 0, corrupted: 0, reordered: 0 };
}

/** One line of a simulation trace; equal seeds and inputs give equal traces. */
export interface TraceEvent {
  time: number;
  /** 'a->b' or 'b->a' for datagrams, 'a' or 'b' for timer events. */
  where: string;
  event: 'send' | 'deliver' | 'drop' | 'duplicate' | 'corrupt' | 'timeout';
  /** Datagram sequence number within its direction (0 for timer events). */
  seq: number;
  bytes: number;
  cause?: DropCause;
}
