/**
 * A userspace UDP relay on loopback that stands where the interop runner's network simulator
 * stands: client -> relay -> server and back, with per-direction impairments (seeded loss with a
 * burst cap, corruption of one byte among the first 51 as ns-3 does, blackhole periods, drop
 * lists) and a log of every datagram for the trace checks.
 */
import { createSocket, type Socket, type RemoteInfo } from 'node:dgram';

export interface Impairment {
  /** Drop probability (0..1). */
  loss?: number;
  /** Corruption probability (0..1): one random byte among the first 51 replaced (VN packets spared). */
  corrupt?: number;
  /**
   * Most consecutive drops or corruptions (ns-3 'burst'), counted per flow (client address and
   * direction): with many connections sharing the relay, a cap counted over all of them would let
   * one connection see long runs of losses, which the runner's one-connection-at-a-time clients
   * never see.
   */
  maxBurst?: number;
  /** 1-based indices of datagrams to drop in this direction. */
  dropList?: number[];
}

export interface RelayOptions {
  /** Where the server listens. */
  server: { address: string; port: number };
  toServer?: Impairment;
  toClient?: Impairment;
  /**
   * Blackhole: once `afterBytes` have passed towards the client, drop everything both ways for
   * `duration` ms (once). Bytes rather than time, because loopback has no 10 Mbit/s bottleneck.
   */
  blackhole?: { afterBytes: number; duration: number };
  seed?: number;
}

export interface LoggedDatagram {
  /** ms since the relay started. */
  readonly t: number;
  readonly dir: 'c2s' | 's2c';
  readonly data: Uint8Array;
  readonly fate: 'passed' | 'dropped' | 'corrupted';
}

/** Small seeded PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Relay {
  readonly log: LoggedDatagram[] = [];
  #socket: Socket;
  /** One upstream socket per client address, as a NAT keeps one mapping per flow. */
  readonly #flows = new Map<string, Socket>();
  #start = performance.now();
  #toClientBytes = 0;
  #blackholeFrom: number | undefined;
  #random: () => number;
  #counts = { c2s: 0, s2c: 0 };
  readonly #bursts = new Map<string, number>();
  port = 0;

  constructor(private readonly options: RelayOptions) {
    this.#random = rng(options.seed ?? 1);
    this.#socket = createSocket('udp4');
  }

  async start(): Promise<number> {
    await new Promise<void>((resolve) => this.#socket.bind(0, '127.0.0.1', resolve));
    this.port = this.#socket.address().port;
    this.#socket.on('message', (msg, rinfo) => {
      const upstream = this.#flow(rinfo);
      this.#forward('c2s', `${rinfo.address}:${rinfo.port}`, msg, (data) => upstream.send(data, this.options.server.port, this.options.server.address));
    });
    return this.port;
  }

  #flow(client: RemoteInfo): Socket {
    const key = `${client.address}:${client.port}`;
    let upstream = this.#flows.get(key);
    if (!upstream) {
      const socket = createSocket('udp4');
      socket.bind(0, '127.0.0.1');
      socket.on('message', (msg) => this.#forward('s2c', key, msg, (data) => this.#socket.send(data, client.port, client.address)));
      this.#flows.set(key, socket);
      upstream = socket;
    }
    return upstream;
  }

  #forward(dir: 'c2s' | 's2c', flow: string, msg: Buffer, send: (data: Uint8Array) => void): void {
    const now = performance.now() - this.#start;
    const data = new Uint8Array(msg.buffer, msg.byteOffset, msg.length).slice();
    const index = ++this.#counts[dir];
    const imp = dir === 'c2s' ? this.options.toServer : this.options.toClient;
    let fate: LoggedDatagram['fate'] = 'passed';
    const bh = this.options.blackhole;
    if (bh && this.#blackholeFrom === undefined && this.#toClientBytes >= bh.afterBytes) this.#blackholeFrom = now;
    if (dir === 's2c') this.#toClientBytes += data.length;
    if (bh && this.#blackholeFrom !== undefined && now < this.#blackholeFrom + bh.duration) fate = 'dropped';
    else if (imp?.dropList?.includes(index)) fate = 'dropped';
    else if (imp && (imp.loss || imp.corrupt)) {
      const burstKey = `${flow}/${dir}`;
      const burst = this.#bursts.get(burstKey) ?? 0;
      const canBurst = burst < (imp.maxBurst ?? Infinity);
      if (canBurst && imp.loss && this.#random() < imp.loss) fate = 'dropped';
      else if (canBurst && imp.corrupt && this.#random() < imp.corrupt && !isVersionNegotiation(data)) fate = 'corrupted';
      this.#bursts.set(burstKey, fate === 'passed' ? 0 : burst + 1);
    }
    this.log.push({ t: now, dir, data, fate });
    if (fate === 'dropped') return;
    if (fate === 'corrupted') {
      const copy = data.slice();
      const at = Math.floor(this.#random() * Math.min(51, copy.length));
      let b = Math.floor(this.#random() * 256);
      if (b === copy[at]) b = (b + 1) & 0xff;
      copy[at] = b;
      send(copy);
      return;
    }
    send(data);
  }

  close(): void {
    this.#socket.close();
    for (const f of this.#flows.values()) f.close();
  }
}

function isVersionNegotiation(d: Uint8Array): boolean {
  return d.length >= 5 && (d[0]! & 0x80) !== 0 && d[1] === 0 && d[2] === 0 && d[3] === 0 && d[4] === 0;
}
