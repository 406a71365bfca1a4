/**
 * The sender's record of packets sent in one packet number space and not yet acknowledged,
 * declared lost or discarded (RFC 9002 Appendix A.1). Each record carries an opaque `frames`
 * payload: what the packet contained, so the connection can requeue that information when the
 * packet is lost instead of resending the packet.
 *
 * Records sit in packet-number order in one array; removals leave holes that are skipped and
 * compacted away as the oldest packets leave, so acknowledging a range is a binary search plus
 * a walk over the packets it covers.
 * @module
 */

/** One sent packet (RFC 9002 Appendix A.1.1). */
export interface SentPacket<F = unknown> {
  /** Packet number. */
  readonly pn: number;
  /** Time the packet was sent, in ms. */
  readonly timeSent: number;
  /** Bytes of the packet, QUIC header and AEAD tag included, UDP/IP headers excluded. */
  readonly size: number;
  /** Contains a frame other than ACK, PADDING and CONNECTION_CLOSE. */
  readonly ackEliciting: boolean;
  /** Counts toward bytes in flight: ack-eliciting or padded (RFC 9002 §2). */
  readonly inFlight: boolean;
  /** Largest Acknowledged of the ACK frame this packet carried, or -1 (RFC 9000 §13.2.4). */
  readonly largestAcked: number;
  /** What the packet carried, for the connection to requeue on loss. */
  readonly frames: F;
}

const COMPACT_MIN = 64;

export class SentPacketList<F = unknown> {
  #items: (SentPacket<F> | undefined)[] = [];
  /** Packet numbers parallel to #items, kept for holes too so binary search still works. */
  #pns: number[] = [];
  #head = 0;
  #live = 0;
  #largestSent = -1;
  #ackElicitingInFlight = 0;
  #bytesInFlight = 0;

  /** Number of packets held. */
  get size(): number {
    return this.#live;
  }

  /** Largest packet number ever added, or -1. */
  get largestSent(): number {
    return this.#largestSent;
  }

  /** Ack-eliciting packets held (all of them count as in flight). */
  get ackElicitingInFlight(): number {
    return this.#ackElicitingInFlight;
  }

  /** Bytes of the in-flight packets held. */
  get bytesInFlight(): number {
    return this.#bytesInFlight;
  }

  /** Appends a packet; packet numbers must increase (RFC 9000 §12.3). */
  add(p: SentPacket<F>): void {
    if (p.pn <= this.#largestSent) throw new RangeError(`packet number ${p.pn} is not above ${this.#largestSent}`);
    this.#compactIfWorthIt();
    this.#items.push(p);
    this.#pns.push(p.pn);
    this.#largestSent = p.pn;
    this.#live++;
    if (p.inFlight) {
      this.#bytesInFlight += p.size;
      if (p.ackEliciting) this.#ackElicitingInFlight++;
    }
  }

  /** The packet with number `pn`, if still held. */
  get(pn: number): SentPacket<F> | undefined {
    const i = this.#lowerBound(pn);
    return i < this.#items.length && this.#pns[i] === pn ? this.#items[i] : undefined;
  }

  /** The oldest packet held. */
  oldest(): SentPacket<F> | undefined {
    return this.#items[this.#head];
  }

  /**
   * Removes the packets numbered within `[lo, hi]`, appending them to `out` in ascending order.
   * Returns how many were removed.
   */
  removeRange(lo: number, hi: number, out: SentPacket<F>[]): number {
    let i = this.#lowerBound(lo);
    const items = this.#items;
    let n = 0;
    for (; i < items.length && this.#pns[i]! <= hi; i++) {
      const p = items[i];
      if (p === undefined) continue;
      this.#take(i, p);
      out.push(p);
      n++;
    }
    this.#advanceHead();
    return n;
  }

  /** Removes every packet, appending them to `out` in ascending order. */
  drain(out: SentPacket<F>[]): void {
    const items = this.#items;
    for (let i = this.#head; i < items.length; i++) {
      const p = items[i];
      if (p !== undefined) out.push(p);
    }
    this.#items = [];
    this.#pns = [];
    this.#head = 0;
    this.#live = 0;
    this.#ackElicitingInFlight = 0;
    this.#bytesInFlight = 0;
  }

  // Index-based walk for loss detection: indices stay valid until the next add/removeRange/drain.

  /** First index of the walk. */
  get start(): number {
    return this.#head;
  }

  /** End (exclusive) of the walk. */
  get end(): number {
    return this.#items.length;
  }

  /** The packet at index `i`, or undefined for a hole. */
  at(i: number): SentPacket<F> | undefined {
    return this.#items[i];
  }

  /** Removes the packet at index `i` (as returned by {@link at}). */
  removeAt(i: number): void {
    const p = this.#items[i];
    if (p === undefined) return;
    this.#take(i, p);
    if (i === this.#head) this.#advanceHead();
  }

  #take(i: number, p: SentPacket<F>): void {
    this.#items[i] = undefined;
    this.#live--;
    if (p.inFlight) {
      this.#bytesInFlight -= p.size;
      if (p.ackEliciting) this.#ackElicitingInFlight--;
    }
  }

  #advanceHead(): void {
    const items = this.#items;
    let h = this.#head;
    while (h < items.length && items[h] === undefined) h++;
    this.#head = h;
  }

  #compactIfWorthIt(): void {
    const h = this.#head;
    if (h >= COMPACT_MIN && h * 2 >= this.#items.length) {
      this.#items = this.#items.slice(h);
      this.#pns = this.#pns.slice(h);
      this.#head = 0;
    }
  }

  /** First index whose packet number is >= pn. */
  #lowerBound(pn: number): number {
    const pns = this.#pns;
    let a = this.#head;
    let b = pns.length;
    while (a < b) {
      const m = (a + b) >> 1;
      if (pns[m]! < pn) a = m + 1;
      else b = m;
    }
    return a;
  }
}
