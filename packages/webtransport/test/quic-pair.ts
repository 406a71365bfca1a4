/**
 * Two `WtQuicAdapter`s over an in-memory stand-in for quic-core's `Connection`: stream bytes go
 * straight to the peer's receive queue, with an optional cap on what one write accepts (to test
 * held writes), the ends we write count as acknowledged at once, and each side's
 * max_datagram_frame_size is chosen. Every loop is bounded.
 * @module
 */
import type { CloseReason, ConnectionEvent } from '@quicts/quic-core';
import { WtQuicAdapter, type WtAdapterEvent, type WtQuicAdapterOptions, type WtQuicTransport } from '../src/quic-adapter.ts';

type Side = 'client' | 'server';

interface Inbound {
  readonly chunks: Uint8Array[];
  fin: boolean;
  reset: number | undefined;
  done: boolean;
}

/** One side's QUIC connection: what the adapter needs, nothing more. */
export class MemoryQuic implements WtQuicTransport {
  peer!: MemoryQuic;
  readonly events: ConnectionEvent[] = [];
  /** Most bytes one `writeStream` takes (Infinity: all). */
  writeCap = Infinity;
  closedWith: CloseReason | undefined;
  peerMaxDatagramFrameSize = 0;
  readonly canSendEarlyData = false;
  readonly config: WtQuicTransport['config'];
  private readonly inbound = new Map<number, Inbound>();
  private readonly next = { bidi: 0, uni: 2 };

  constructor(readonly side: Side, maxDatagramFrameSize: number) {
    this.config = { transport: { maxDatagramFrameSize } } as WtQuicTransport['config'];
    if (side === 'server') this.next = { bidi: 1, uni: 3 };
  }

  openStream(dir: 'bidi' | 'uni'): number {
    const id = this.next[dir];
    this.next[dir] += 4;
    return id;
  }

  writeStream(streamId: number, data: Uint8Array, fin = false): number {
    if (this.closedWith !== undefined) throw new RangeError('connection closed');
    const n = Math.min(data.length, this.writeCap);
    const all = n === data.length;
    this.peer.receive(streamId, data.slice(0, n), fin && all);
    if (fin && all) this.events.push({ type: 'streamSendComplete', streamId });
    return n;
  }

  readStream(streamId: number, maxBytes = Infinity): ReturnType<WtQuicTransport['readStream']> {
    const s = this.inbound.get(streamId);
    if (s === undefined || s.done) return s === undefined ? { kind: 'blocked' } : { kind: 'closed' };
    if (s.reset !== undefined) {
      s.done = true;
      return { kind: 'reset', errorCode: s.reset };
    }
    const first = s.chunks[0];
    if (first === undefined) {
      if (!s.fin) return { kind: 'blocked' };
      s.done = true;
      return { kind: 'data', data: new Uint8Array(0), fin: true };
    }
    const data = first.subarray(0, maxBytes);
    if (data.length === first.length) s.chunks.shift();
    else s.chunks[0] = first.subarray(data.length);
    const fin = s.fin && s.chunks.length === 0;
    if (fin) s.done = true;
    return { kind: 'data', data, fin };
  }

  resetStream(streamId: number, errorCode: number): void {
    const s = this.peer.stream(streamId);
    if (s.fin || s.reset !== undefined) return;
    s.reset = errorCode;
    this.peer.readable(streamId);
  }

  stopSending(streamId: number, errorCode: number): void {
    this.peer.events.push({ type: 'streamStopped', streamId, errorCode });
  }

  sendDatagram(data: Uint8Array): boolean {
    if (this.peerMaxDatagramFrameSize === 0) return false;
    this.peer.events.push({ type: 'datagram', data: data.slice() });
    return true;
  }

  close(code = 0, reason = '', application = true): void {
    if (this.closedWith !== undefined) return;
    const closed = (initiator: 'local' | 'remote'): CloseReason => ({ code, application, frameType: 0, reason, initiator });
    this.closedWith = closed('local');
    this.events.push({ type: 'closing', reason: this.closedWith });
    if (this.peer.closedWith === undefined) {
      this.peer.closedWith = closed('remote');
      this.peer.events.push({ type: 'closing', reason: this.peer.closedWith });
    }
  }

  private stream(id: number): Inbound {
    let s = this.inbound.get(id);
    if (s === undefined) {
      s = { chunks: [], fin: false, reset: undefined, done: false };
      this.inbound.set(id, s);
    }
    return s;
  }

  private receive(id: number, data: Uint8Array, fin: boolean): void {
    const s = this.stream(id);
    if (data.length > 0) s.chunks.push(data);
    s.fin ||= fin;
    this.readable(id);
  }

  private readable(id: number): void {
    if (!this.events.some((e) => e.type === 'streamReadable' && e.streamId === id)) this.events.push({ type: 'streamReadable', streamId: id });
  }
}

export interface QuicPairOptions {
  /** max_datagram_frame_size each side announces (default 65535). */
  readonly clientDatagrams?: number;
  readonly serverDatagrams?: number;
  readonly client?: Omit<WtQuicAdapterOptions, 'quic'>;
  readonly server?: Omit<WtQuicAdapterOptions, 'quic'>;
}

export class QuicPair {
  readonly clientQuic: MemoryQuic;
  readonly serverQuic: MemoryQuic;
  readonly client: WtQuicAdapter;
  readonly server: WtQuicAdapter;
  readonly clientEvents: WtAdapterEvent[] = [];
  readonly serverEvents: WtAdapterEvent[] = [];

  constructor(options: QuicPairOptions = {}) {
    this.clientQuic = new MemoryQuic('client', options.clientDatagrams ?? 65535);
    this.serverQuic = new MemoryQuic('server', options.serverDatagrams ?? 65535);
    this.clientQuic.peer = this.serverQuic;
    this.serverQuic.peer = this.clientQuic;
    this.clientQuic.peerMaxDatagramFrameSize = this.serverQuic.config.transport.maxDatagramFrameSize;
    this.serverQuic.peerMaxDatagramFrameSize = this.clientQuic.config.transport.maxDatagramFrameSize;
    this.client = new WtQuicAdapter({ ...options.client, quic: this.clientQuic });
    this.server = new WtQuicAdapter({ ...options.server, quic: this.serverQuic });
  }

  /** The handshake completes on both sides. */
  connect(): void {
    this.clientQuic.events.push({ type: 'connected', alpn: 'h3', resumed: false, earlyDataAccepted: false });
    this.serverQuic.events.push({ type: 'connected', alpn: 'h3', resumed: false, earlyDataAccepted: false });
    this.run();
  }

  /** Feeds the QUIC events to the adapters and collects theirs, until nothing moves. */
  run(): void {
    for (let round = 0; round < 1000; round++) {
      let moved = false;
      for (const [quic, adapter, out] of [
        [this.clientQuic, this.client, this.clientEvents],
        [this.serverQuic, this.server, this.serverEvents],
      ] as const) {
        for (let e = quic.events.shift(); e !== undefined; e = quic.events.shift()) {
          moved = true;
          adapter.handleEvent(e);
        }
        for (let e = adapter.pollEvent(); e !== null; e = adapter.pollEvent()) {
          moved = true;
          out.push(e);
        }
      }
      if (!moved) return;
    }
    throw new Error('the pair did not settle');
  }

  /** Takes the events collected so far on one side. */
  take(side: Side): WtAdapterEvent[] {
    return (side === 'client' ? this.clientEvents : this.serverEvents).splice(0);
  }
}
