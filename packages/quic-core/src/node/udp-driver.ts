/**
 * The node:dgram driver: the one place where an endpoint meets a socket and a clock. It binds a
 * UDP socket (udp4 or udp6 by the address), feeds every datagram to the sans-IO endpoint, then
 * (once per turn of the event loop, so a burst of datagrams is read before anything is sent)
 * hands events to the application, sends until `pollTransmit` is empty while honouring send
 * completions as backpressure, and arms a single timer from `nextTimeout`. Works on Node, Bun
 * and Deno, which all provide node:dgram.
 * @module
 */
import dgram from 'node:dgram';
import { lookup as dnsLookup } from 'node:dns';
import { isIP, isIPv6 } from 'node:net';
import { setImmediate, setTimeout, clearTimeout } from 'node:timers';
import type { Address } from '../connection/connection.ts';
import type { Endpoint, EndpointEvent, ConnectionHandle } from '../endpoint/endpoint.ts';

export interface UdpDriverOptions {
  readonly endpoint: Endpoint;
  /** Address to bind (default '0.0.0.0'; an IPv6 literal binds a udp6 socket). */
  readonly host?: string;
  /** Port to bind (default 0: any free port). */
  readonly port?: number;
  /** Receives every endpoint event, synchronously, in order. */
  readonly onEvent?: (event: EndpointEvent) => void;
  /** Monotonic milliseconds (default `performance.now()`). */
  readonly clock?: () => number;
  /** Do not keep the process alive for this socket and its timer (default false). */
  readonly unref?: boolean;
  /**
   * Most datagrams handed to the socket whose send has not completed (default 64), on runtimes
   * whose node:dgram has no send-queue count; elsewhere sending pauses when the queue is non-empty.
   */
  readonly maxSendsInFlight?: number;
  /** Only for udp6 on '::': refuse IPv4-mapped traffic (default false: dual stack). */
  readonly ipv6Only?: boolean;
  /**
   * Socket buffer sizes in bytes (default 4 MiB each; the kernel caps them at its maximum). A
   * small receive buffer overflows while the event loop is busy, and the loss halves the window.
   */
  readonly receiveBufferSize?: number;
  readonly sendBufferSize?: number;
}

export interface UdpDriverStats {
  datagramsIn: number;
  datagramsOut: number;
  sendErrors: number;
  /** Times sending paused because too many sends were in flight. */
  sendPauses: number;
}

const defaultClock = (): number => performance.now();
const DEFAULT_SOCKET_BUFFER = 4 * 1024 * 1024;

type LookupCallback = (err: Error | null, address: string, family: number) => void;

/**
 * The socket's address lookup. Every address the driver sends to is an IP literal (from a
 * received datagram, or resolved by the caller), so the answer is immediate; node:dgram's
 * default resolves through dns.lookup, which costs a literal check and a nextTick per datagram.
 */
let lastLiteral = '';
let lastFamily = 0;
function literalLookup(address: string, family: unknown, callback: LookupCallback): void {
  if (address === lastLiteral) {
    callback(null, address, lastFamily);
    return;
  }
  const v = isIP(address);
  if (v !== 0) {
    lastLiteral = address;
    lastFamily = v;
  }
  if (v !== 0) callback(null, address, v);
  else dnsLookup(address, { family: family === 'udp6' || family === 6 ? 6 : 4 }, (err, a, f) => callback(err, a, f));
}

/** Sets a socket buffer size where the runtime supports it; a refusal keeps the system's size. */
function trySetBuffer(set: () => void): void {
  try {
    set();
  } catch {
    // not supported by this runtime, or above the system's limit
  }
}

export class UdpDriver {
  readonly endpoint: Endpoint;
  readonly local: Address;
  readonly stats: UdpDriverStats = { datagramsIn: 0, datagramsOut: 0, sendErrors: 0, sendPauses: 0 };
  readonly #socket: dgram.Socket;
  readonly #clock: () => number;
  readonly #onEvent: (event: EndpointEvent) => void;
  readonly #maxInFlight: number;
  readonly #unref: boolean;
  /** Sends with a completion callback still pending. */
  #inFlight = 0;
  /** Sending waits for a completion (the socket's buffer was full). */
  #paused = false;
  /** The runtime's count of datagrams waiting in the socket's send queue, where it has one. */
  readonly #queueCount: (() => number) | undefined;
  #scheduled = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt: number | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;
  #running = false;

  private constructor(socket: dgram.Socket, options: UdpDriverOptions) {
    this.#socket = socket;
    this.endpoint = options.endpoint;
    this.#clock = options.clock ?? defaultClock;
    this.#onEvent = options.onEvent ?? (() => {});
    this.#maxInFlight = options.maxSendsInFlight ?? 64;
    this.#unref = options.unref ?? false;
    const withQueue = socket as dgram.Socket & { getSendQueueCount?: () => number };
    this.#queueCount = typeof withQueue.getSendQueueCount === 'function' ? () => withQueue.getSendQueueCount!() : undefined;
    const a = socket.address();
    this.local = { address: a.address, port: a.port };
    socket.on('message', (msg, rinfo) => this.#onMessage(msg, rinfo));
    // ICMP errors and the like surface here; a datagram socket keeps working after them.
    socket.on('error', () => {});
    if (this.#unref) socket.unref();
  }

  /** Binds a socket and starts driving `endpoint`. */
  static bind(options: UdpDriverOptions): Promise<UdpDriver> {
    const host = options.host ?? '0.0.0.0';
    const type = isIPv6(host) ? 'udp6' : 'udp4';
    const socket = dgram.createSocket({ type, lookup: literalLookup, ...(type === 'udp6' && options.ipv6Only ? { ipv6Only: true } : {}) });
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => {
        socket.removeListener('listening', onListening);
        try {
          socket.close();
        } catch {
          // already closed
        }
        reject(err);
      };
      const onListening = () => {
        socket.removeListener('error', onError);
        trySetBuffer(() => socket.setRecvBufferSize(options.receiveBufferSize ?? DEFAULT_SOCKET_BUFFER));
        trySetBuffer(() => socket.setSendBufferSize(options.sendBufferSize ?? DEFAULT_SOCKET_BUFFER));
        const driver = new UdpDriver(socket, options);
        driver.#schedule();
        resolve(driver);
      };
      socket.once('error', onError);
      socket.once('listening', onListening);
      socket.bind({ port: options.port ?? 0, address: host });
    });
  }

  /** Monotonic time of the driver's clock, in ms. */
  now(): number {
    return this.#clock();
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Something changed outside the driver (an application command): process soon. */
  flush(): void {
    this.#schedule();
  }

  /** Marks a connection as having work after an application command, and processes soon. */
  wake(handle: ConnectionHandle): void {
    if (this.#closed) return;
    this.endpoint.wake(handle);
    this.#schedule();
  }

  /** Processes at once (events, transmits, timer), e.g. before closing. */
  runNow(): void {
    this.#run();
  }

  /**
   * Stops: sends what the endpoint has ready (a CONNECTION_CLOSE, say), then closes the socket
   * and clears the timer. Connections still open are simply abandoned.
   */
  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    this.#run();
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#closing = new Promise((resolve) => {
      const done = () => {
        try {
          this.#socket.close(() => resolve());
        } catch {
          resolve();
        }
      };
      // Let the last datagrams leave before the socket goes.
      const idle = () => this.#inFlight === 0 && (this.#queueCount === undefined || this.#queueCount() === 0);
      if (idle()) done();
      else {
        const started = this.#clock();
        const wait = () => (idle() || this.#clock() - started > 200 ? done() : setImmediate(wait));
        wait();
      }
    });
    return this.#closing;
  }

  #onMessage(msg: Uint8Array, rinfo: { address: string; port: number }): void {
    if (this.#closed) return;
    this.stats.datagramsIn++;
    const data = new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength);
    this.endpoint.receive(data, { address: rinfo.address, port: rinfo.port }, this.local, this.#clock());
    this.#schedule();
  }

  #schedule(): void {
    if (this.#scheduled || this.#closed) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#run();
    });
  }

  #run(): void {
    if (this.#closed || this.#running) return;
    this.#running = true;
    try {
      // Events first: the application's reactions (writes, closes) then leave in the same turn.
      this.#drainEvents();
      this.#send();
      this.#drainEvents();
      this.#send();
      this.#armTimer();
    } finally {
      this.#running = false;
    }
  }

  #drainEvents(): void {
    const ep = this.endpoint;
    for (let e = ep.pollEvent(); e; e = ep.pollEvent()) {
      try {
        this.#onEvent(e);
      } catch {
        // An application handler's failure must not stop the driver.
      }
    }
  }

  /**
   * Sends until `pollTransmit` is empty. Datagrams the kernel takes at once need no completion
   * callback (a callback costs a nextTick per datagram); once the runtime reports a send queue
   * (the socket buffer is full), the next send carries a callback and sending pauses until it
   * completes. Runtimes without a send-queue count get a callback on every send and a bound on
   * the sends in flight.
   */
  #send(): void {
    const ep = this.endpoint;
    const sock = this.#socket;
    const now = this.#clock();
    const queued = this.#queueCount;
    while (!this.#paused) {
      if (queued === undefined && this.#inFlight >= this.#maxInFlight) {
        this.#paused = true;
        break;
      }
      const t = ep.pollTransmit(now);
      if (!t) return;
      this.stats.datagramsOut++;
      const pause = queued === undefined || queued() > 0;
      try {
        if (pause) {
          this.#inFlight++;
          if (queued !== undefined) this.#paused = true;
          sock.send(t.data, t.remote.port, t.remote.address, this.#onSent);
        } else {
          sock.send(t.data, t.remote.port, t.remote.address);
        }
      } catch {
        if (pause) this.#sent(new Error('send failed'));
        else this.stats.sendErrors++;
      }
    }
    this.stats.sendPauses++;
  }

  readonly #onSent = (err: Error | null): void => this.#sent(err);

  #sent(err: Error | null): void {
    this.#inFlight--;
    if (err) this.stats.sendErrors++;
    if (this.#paused && (this.#queueCount !== undefined || this.#inFlight < this.#maxInFlight)) {
      // Sending was paused for the socket: resume now that it has room.
      this.#paused = false;
      this.#schedule();
    }
  }

  #armTimer(): void {
    const at = this.endpoint.nextTimeout();
    if (at === this.#timerAt && this.#timer !== undefined) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = at;
    if (at === undefined) return;
    const delay = Math.max(0, at - this.#clock());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = undefined;
      if (this.#closed) return;
      this.endpoint.handleTimeout(this.#clock());
      this.#run();
    }, Math.ceil(delay));
    if (this.#unref) this.#timer.unref?.();
  }
}
