/**
 * One direction of a simulated link: a chain of link elements, the datagrams in flight ordered
 * by arrival time, and the direction's statistics.
 * @module
 */
import type { SeededRandom } from '../random.ts';
import type { InFlight, LinkContext, LinkElement, LinkElementSpec } from './link/element.ts';
import { emptyStats, type DropCause, type LinkStats, type TraceEvent } from './stats.ts';

interface Queued extends InFlight {
  /** Tie-breaker: datagrams due at the same time arrive in the order they were scheduled. */
  order: number;
}

export class Link {
  readonly stats: LinkStats = emptyStats();
  readonly elements: readonly LinkElement[];
  readonly #queue: Queued[] = [];
  readonly #ctx: LinkContext;
  #seq = 0;
  #order = 0;
  #highestDelivered = -1;

  /**
   * @param where label used in traces, e.g. 'a->b'
   * @param trace array that receives the trace events, if tracing
   */
  constructor(specs: readonly LinkElementSpec[], rng: SeededRandom, readonly where: string, private readonly trace?: TraceEvent[]) {
    this.elements = specs.map((spec) => spec.create(rng.fork()));
    const stats = this.stats;
    this.#ctx = {
      drop: (p: InFlight, cause: DropCause) => {
        stats.dropped++;
        stats.droppedBy[cause] = (stats.droppedBy[cause] ?? 0) + 1;
        this.#record(p.time, 'drop', p, cause);
      },
      note: (p: InFlight, event: 'duplicate' | 'corrupt') => {
        if (event === 'duplicate') stats.duplicated++;
        else stats.corrupted++;
        this.#record(p.time, event, p);
      },
    };
  }

  #record(time: number, event: TraceEvent['event'], p: InFlight, cause?: DropCause): void {
    if (this.trace === undefined) return;
    const e: TraceEvent = { time, where: this.where, event, seq: p.seq, bytes: p.data.length };
    if (cause !== undefined) e.cause = cause;
    this.trace.push(e);
  }

  /** Sends a datagram at `now`. The link keeps its own copy, so the caller may reuse `data`. */
  send(data: Uint8Array, now: number): void {
    this.stats.sent++;
    this.stats.bytesSent += data.length;
    let packets: InFlight[] = [{ data: data.slice(), time: now, seq: this.#seq++ }];
    this.#record(now, 'send', packets[0]!);
    for (const element of this.elements) {
      const next: InFlight[] = [];
      for (const p of packets) for (const out of element.process(p, this.#ctx)) next.push(out);
      packets = next;
    }
    for (const p of packets) this.#schedule({ ...p, time: Math.max(p.time, now), order: this.#order++ });
  }

  /** Records a datagram that was dropped before entering the link (e.g. discarded while held). */
  dropBeforeSend(data: Uint8Array, now: number, cause: DropCause): void {
    this.stats.sent++;
    this.stats.bytesSent += data.length;
    this.#ctx.drop({ data, time: now, seq: this.#seq++ }, cause);
  }

  #schedule(q: Queued): void {
    // Binary search for the first queued datagram that arrives strictly later.
    let lo = 0;
    let hi = this.#queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = this.#queue[mid]!;
      if (m.time < q.time || (m.time === q.time && m.order < q.order)) lo = mid + 1;
      else hi = mid;
    }
    this.#queue.splice(lo, 0, q);
  }

  /** Arrival time of the next datagram, or undefined when nothing is in flight. */
  nextArrival(): number | undefined {
    return this.#queue[0]?.time;
  }

  /** Number of datagrams in flight. */
  get inFlight(): number {
    return this.#queue.length;
  }

  /** Removes and returns the next datagram if it has arrived by `now`; counts it as delivered. */
  takeDue(now: number): InFlight | undefined {
    const head = this.#queue[0];
    if (head === undefined || head.time > now) return undefined;
    this.#queue.shift();
    this.stats.delivered++;
    this.stats.bytesDelivered += head.data.length;
    if (head.seq < this.#highestDelivered) this.stats.reordered++;
    else this.#highestDelivered = head.seq;
    this.#record(head.time, 'deliver', head);
    return { data: head.data, time: head.time, seq: head.seq };
  }
}
