/**
 * A deterministic discrete-event simulation of two sans-IO endpoints joined by a two-way
 * simulated link. The fake clock always jumps to the earliest pending event (a datagram's
 * arrival or an endpoint's timeout), so long timers cost no real time and runs never flake.
 * Every random choice derives from one seed, which bound errors report.
 * @module
 */
import { FakeClock } from '../clock.ts';
import { SeededRandom } from '../random.ts';
import { seedHint } from '../seed.ts';
import type { SimEndpoint, SimPath } from './endpoint.ts';
import { Link } from './link.ts';
import type { LinkElementSpec } from './link/element.ts';
import type { LinkStats, TraceEvent } from './stats.ts';

export type Side = 'a' | 'b';

/** Seed used when none is given, so that a bare Pair is still reproducible. */
export const DEFAULT_SIM_SEED = 1;

export interface PairOptions<A, B, P> {
  a: A;
  b: B;
  /** Seed of every random choice (default {@link DEFAULT_SIM_SEED}). */
  seed?: number;
  /** Elements for both directions (each direction gets its own instances). */
  link?: readonly LinkElementSpec[];
  /** Elements for datagrams from a to b; replaces `link` for that direction. */
  aToB?: readonly LinkElementSpec[];
  /** Elements for datagrams from b to a; replaces `link` for that direction. */
  bToA?: readonly LinkElementSpec[];
  /** Clock to drive (default: a new FakeClock at 0). */
  clock?: FakeClock;
  /** Path passed to `a.receive` (default: a at 127.0.0.1:50000, b at 127.0.0.2:4433). */
  pathA?: P;
  /** Path passed to `b.receive`. */
  pathB?: P;
  /** Record a trace of every datagram and timer event in `pair.trace`. */
  trace?: boolean;
  /** Most datagrams taken from one endpoint in one poll before the pair gives up (default 100 000). */
  maxTransmitsPerPoll?: number;
}

export interface RunOptions {
  /** Stop as soon as this returns true (checked before every step). */
  until?: () => boolean;
  /** Most simulated milliseconds this call may advance (default one hour). */
  maxTime?: number;
  /** Most steps this call may take (default 1 000 000). */
  maxSteps?: number;
}

/** A run() bound was hit, or the simulation went idle before its goal. The message names the seed. */
export class SimulationError extends Error {
  override readonly name = 'SimulationError';
  constructor(message: string, readonly seed: number, readonly time: number, readonly steps: number) {
    super(`${message} at t=${time}ms after ${steps} steps; ${seedHint(seed)}`);
  }
}

const addressA = { address: '127.0.0.1', port: 50000 };
const addressB = { address: '127.0.0.2', port: 4433 };

export class Pair<A extends SimEndpoint<P>, B extends SimEndpoint<P> = A, P = SimPath> {
  readonly a: A;
  readonly b: B;
  readonly seed: number;
  readonly clock: FakeClock;
  /** Trace events, when the pair was created with `trace: true`. */
  readonly trace: TraceEvent[] = [];
  /** Steps taken so far. */
  steps = 0;
  readonly #links: Record<Side, Link>;
  readonly #paths: Record<Side, P>;
  readonly #holding: Record<Side, boolean> = { a: false, b: false };
  readonly #held: Record<Side, Uint8Array[]> = { a: [], b: [] };
  readonly #maxTransmits: number;
  readonly #tracing: boolean;

  constructor(options: PairOptions<A, B, P>) {
    this.a = options.a;
    this.b = options.b;
    this.seed = options.seed ?? DEFAULT_SIM_SEED;
    this.clock = options.clock ?? new FakeClock();
    this.#tracing = options.trace ?? false;
    const rng = new SeededRandom(this.seed);
    const trace = this.#tracing ? this.trace : undefined;
    // Each direction draws from its own fork, so changing one direction never shifts the other.
    const rngAB = rng.fork();
    const rngBA = rng.fork();
    this.#links = {
      a: new Link(options.aToB ?? options.link ?? [], rngAB, 'a->b', trace),
      b: new Link(options.bToA ?? options.link ?? [], rngBA, 'b->a', trace),
    };
    this.#paths = {
      a: options.pathA ?? ({ local: addressA, remote: addressB } as unknown as P),
      b: options.pathB ?? ({ local: addressB, remote: addressA } as unknown as P),
    };
    this.#maxTransmits = options.maxTransmitsPerPoll ?? 100_000;
  }

  /** Current simulated time in ms. */
  get now(): number {
    return this.clock.now;
  }

  /** The link carrying datagrams sent by `from`. */
  link(from: Side): Link {
    return this.#links[from];
  }

  /** Statistics of datagrams sent by `from`. */
  stats(from: Side): LinkStats {
    return this.#links[from].stats;
  }

  #endpoint(side: Side): SimEndpoint<P> {
    return side === 'a' ? this.a : this.b;
  }

  /** Collects everything both endpoints want to send now. */
  #flush(): void {
    for (const side of ['a', 'b'] as const) {
      const endpoint = this.#endpoint(side);
      for (let n = 0; ; n++) {
        if (n >= this.#maxTransmits) throw this.#error(`endpoint ${side} produced more than ${this.#maxTransmits} datagrams in one poll`);
        const t = endpoint.pollTransmit(this.now);
        if (t === null) break;
        if (this.#holding[side]) this.#held[side].push(t.data.slice());
        else this.#links[side].send(t.data, this.now);
      }
    }
  }

  /** Time of the next event after flushing pending transmissions, or undefined when idle. */
  nextEventTime(): number | undefined {
    this.#flush();
    let t: number | undefined;
    for (const v of [this.#links.a.nextArrival(), this.#links.b.nextArrival(), this.a.nextTimeout(), this.b.nextTimeout()]) {
      if (v !== undefined && (t === undefined || v < t)) t = v;
    }
    return t === undefined ? undefined : Math.max(t, this.now);
  }

  /**
   * Processes the earliest pending instant: moves the clock to it, delivers every datagram due
   * by then (in arrival order), fires due timers, then collects new transmissions.
   * Returns false, without doing anything, when nothing is pending.
   */
  step(): boolean {
    const t = this.nextEventTime();
    if (t === undefined) return false;
    this.clock.jumpTo(t);
    this.#deliverDue();
    for (const side of ['a', 'b'] as const) {
      const endpoint = this.#endpoint(side);
      const deadline = endpoint.nextTimeout();
      if (deadline !== undefined && deadline <= this.now) {
        if (this.#tracing) this.trace.push({ time: this.now, where: side, event: 'timeout', seq: 0, bytes: 0 });
        endpoint.handleTimeout(this.now);
      }
    }
    this.#flush();
    this.steps++;
    return true;
  }

  #deliverDue(): void {
    for (;;) {
      const ta = this.#links.a.nextArrival();
      const tb = this.#links.b.nextArrival();
      // The link whose head arrives first; a->b wins ties.
      const from: Side | undefined =
        ta !== undefined && ta <= this.now && (tb === undefined || ta <= tb) ? 'a'
        : tb !== undefined && tb <= this.now ? 'b'
        : undefined;
      if (from === undefined) return;
      const p = this.#links[from].takeDue(this.now)!;
      const to: Side = from === 'a' ? 'b' : 'a';
      this.#endpoint(to).receive(p.data, this.#paths[to], this.now);
    }
  }

  /**
   * Steps until `until()` holds, or (without `until`) until nothing is pending. Throws a
   * {@link SimulationError} naming the seed when a bound is hit, or when the simulation goes
   * idle before `until()` holds. Returns the number of steps taken.
   */
  run(options: RunOptions = {}): number {
    const { until, maxTime = 3_600_000, maxSteps = 1_000_000 } = options;
    const deadline = this.now + maxTime;
    let taken = 0;
    for (;;) {
      if (until?.()) return taken;
      const t = this.nextEventTime();
      if (t === undefined) {
        if (until !== undefined) throw this.#error('simulation went idle before the run condition held');
        return taken;
      }
      if (t > deadline) throw this.#error(`run exceeded maxTime=${maxTime}ms (next event at t=${t}ms)`);
      if (taken >= maxSteps) throw this.#error(`run exceeded maxSteps=${maxSteps}`);
      this.step();
      taken++;
    }
  }

  /** Runs until nothing is pending (no datagram in flight, no timer armed). */
  drive(options: Omit<RunOptions, 'until'> = {}): number {
    return this.run(options);
  }

  /** Processes every event up to `now + ms`, then leaves the clock exactly there. */
  advance(ms: number, options: Pick<RunOptions, 'maxSteps'> = {}): number {
    const target = this.now + ms;
    const maxSteps = options.maxSteps ?? 1_000_000;
    let taken = 0;
    for (;;) {
      const t = this.nextEventTime();
      if (t === undefined || t > target) break;
      if (taken >= maxSteps) throw this.#error(`advance exceeded maxSteps=${maxSteps}`);
      this.step();
      taken++;
    }
    this.clock.jumpTo(target);
    this.#flush();
    return taken;
  }

  /**
   * Holds (or, with `hold = false`, stops holding) datagrams sent by `from`: they are kept aside
   * instead of entering the link, for a test to release with {@link deliver} in any order.
   * Datagrams the endpoint has not yet handed out are held too. Stopping does not release what
   * is already held.
   */
  holdOutbound(from: Side, hold = true): void {
    this.#holding[from] = hold;
  }

  /** Datagrams currently held from `from`, oldest first. */
  held(from: Side): readonly Uint8Array[] {
    this.#flush();
    return this.#held[from];
  }

  /**
   * Sends held datagrams from `from` into the link now, in the order of `indices` (default: all,
   * oldest first). Released datagrams leave the held list; holding stays on.
   */
  deliver(from: Side, indices?: readonly number[]): void {
    for (const data of this.#take(from, indices)) this.#links[from].send(data, this.now);
  }

  /** Drops held datagrams (default: all); they count as dropped with cause 'held'. */
  discardHeld(from: Side, indices?: readonly number[]): void {
    for (const data of this.#take(from, indices)) this.#links[from].dropBeforeSend(data, this.now, 'held');
  }

  #take(from: Side, indices?: readonly number[]): Uint8Array[] {
    this.#flush();
    const held = this.#held[from];
    const pick = indices ?? held.map((_, i) => i);
    if (new Set(pick).size !== pick.length || pick.some((i) => !Number.isInteger(i) || i < 0 || i >= held.length)) {
      throw new RangeError(`invalid held indices [${pick.join(', ')}] for ${held.length} held datagrams`);
    }
    const out = pick.map((i) => held[i]!);
    const remove = new Set(pick);
    this.#held[from] = held.filter((_, i) => !remove.has(i));
    return out;
  }

  /** Sends hand-made bytes from `from` through its link, as if the endpoint had sent them. */
  inject(from: Side, data: Uint8Array): void {
    this.#links[from].send(data, this.now);
  }

  #error(message: string): SimulationError {
    return new SimulationError(message, this.seed, this.now, this.steps);
  }
}
