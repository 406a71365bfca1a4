// Toy sans-IO endpoints for testing the simulator itself.
import { Pair } from '@quicts/testkit';
import type { LinkElementSpec, SimEndpoint, SimPath, SimTransmit } from '@quicts/testkit';

/** Reads the 4-byte big-endian sequence number at the start of a toy datagram. */
export function seqOf(data: Uint8Array): number {
  return ((data[0]! << 24) | (data[1]! << 16) | (data[2]! << 8) | data[3]!) >>> 0;
}

/** A datagram of `size` bytes carrying `seq` in its first four bytes and a fill pattern after. */
export function numbered(seq: number, size: number): Uint8Array {
  const d = new Uint8Array(Math.max(4, size));
  d[0] = seq >>> 24; d[1] = (seq >>> 16) & 0xff; d[2] = (seq >>> 8) & 0xff; d[3] = seq & 0xff;
  for (let i = 4; i < d.length; i++) d[i] = (seq + i) & 0xff;
  return d;
}

export interface Arrival {
  time: number;
  seq: number;
  data: Uint8Array;
  path: SimPath;
}

/** Records every datagram it receives; never sends and has no timers. */
export class Recorder implements SimEndpoint {
  readonly arrivals: Arrival[] = [];
  receive(datagram: Uint8Array, path: SimPath, now: number): void {
    this.arrivals.push({ time: now, seq: seqOf(datagram), data: datagram, path });
  }
  handleTimeout(_now: number): void {}
  nextTimeout(): number | undefined {
    return undefined;
  }
  pollTransmit(_now: number): SimTransmit | null {
    return null;
  }
  get seqs(): number[] {
    return this.arrivals.map((a) => a.seq);
  }
}

export interface PingerOptions {
  count: number;
  /** Time between sends in ms; 0 sends them all at `start`. */
  interval?: number;
  size?: number;
  start?: number;
}

/** Sends `count` numbered datagrams at fixed intervals, driven by its own timer. Also records what it receives. */
export class Pinger extends Recorder {
  readonly sendTimes: number[] = [];
  /** The exact buffers handed out by pollTransmit, to check the link never touches them. */
  readonly sentBuffers: Uint8Array[] = [];
  #next = 0;
  #due: number;
  readonly #count: number;
  readonly #interval: number;
  readonly #size: number;

  constructor(options: PingerOptions) {
    super();
    this.#count = options.count;
    this.#interval = options.interval ?? 0;
    this.#size = options.size ?? 100;
    this.#due = options.start ?? 0;
  }

  override nextTimeout(): number | undefined {
    return this.#next < this.#count ? this.#due : undefined;
  }

  override pollTransmit(now: number): SimTransmit | null {
    if (this.#next >= this.#count || now < this.#due) return null;
    const data = numbered(this.#next++, this.#size);
    this.sendTimes.push(now);
    this.sentBuffers.push(data);
    if (this.#interval > 0) this.#due += this.#interval;
    return { data };
  }
}

/** Sends back every datagram it receives, unchanged. */
export class Echo extends Recorder {
  readonly #queue: Uint8Array[] = [];
  override receive(datagram: Uint8Array, path: SimPath, now: number): void {
    super.receive(datagram, path, now);
    this.#queue.push(datagram);
  }
  override pollTransmit(_now: number): SimTransmit | null {
    const data = this.#queue.shift();
    return data === undefined ? null : { data };
  }
}

/** An idle timer: expires `timeout` ms after the last datagram received (or after creation). */
export class IdleTimer extends Recorder {
  firedAt: number | undefined;
  handleTimeoutCalls = 0;
  #deadline: number | undefined;
  constructor(readonly timeout: number, now = 0) {
    super();
    this.#deadline = now + timeout;
  }
  override receive(datagram: Uint8Array, path: SimPath, now: number): void {
    super.receive(datagram, path, now);
    if (this.firedAt === undefined) this.#deadline = now + this.timeout;
  }
  override handleTimeout(now: number): void {
    this.handleTimeoutCalls++;
    if (this.#deadline !== undefined && now >= this.#deadline) {
      this.firedAt = now;
      this.#deadline = undefined;
    }
  }
  override nextTimeout(): number | undefined {
    return this.#deadline;
  }
}

/** A timer that re-arms itself forever: the pair never goes idle. */
export class Ticker extends Recorder {
  #due = 0;
  override handleTimeout(now: number): void {
    if (now >= this.#due) this.#due = now + 10;
  }
  override nextTimeout(): number {
    return this.#due;
  }
}

/** Sends datagrams from a Pinger through `link` to a Recorder and runs until idle. */
export function pingThrough(link: readonly LinkElementSpec[], options: PingerOptions, seed = 1): { a: Pinger; b: Recorder; pair: Pair<Recorder> } {
  const a = new Pinger(options);
  const b = new Recorder();
  const pair = new Pair<Recorder>({ a, b, aToB: link, seed, trace: true });
  pair.drive();
  return { a, b, pair };
}
