/**
 * A WebTransport client and server (sans-IO `WtConnection`s) over the HTTP/3 tests' fake QUIC
 * endpoints: operations are delivered in order, one byte at a time unless told otherwise, and
 * chosen operations can be held back to reorder streams.
 * @module
 */
import { FakeQuicEndpoint, type FakeOp } from '../../../h3/test/fake-quic.ts';
import { WtConnection, type WtConnectionOptions, type WtEvent } from '@quicts/webtransport';

export type PairSide = Partial<Omit<WtConnectionOptions, 'role' | 'port'>>;

export function deliver(op: FakeOp, to: WtConnection, toPort: FakeQuicEndpoint, chunk: number): void {
  if (toPort.closed !== undefined) return;
  switch (op.kind) {
    case 'data':
      if (toPort.stopped.has(op.streamId)) return;
      if (op.data.length === 0) {
        to.handleStreamData(op.streamId, op.data, op.fin);
        return;
      }
      for (let i = 0; i < op.data.length; i += chunk) {
        if (toPort.stopped.has(op.streamId) || toPort.closed !== undefined) return;
        const end = Math.min(op.data.length, i + chunk);
        to.handleStreamData(op.streamId, op.data.slice(i, end), op.fin && end === op.data.length);
      }
      return;
    case 'reset':
      to.handleStreamReset(op.streamId, op.code);
      return;
    case 'stop':
      to.handleStopSending(op.streamId, op.code);
      return;
    case 'datagram':
      to.handleDatagram(op.payload);
      return;
  }
}

export class WtPair {
  readonly clientPort = new FakeQuicEndpoint('client');
  readonly serverPort = new FakeQuicEndpoint('server');
  readonly client: WtConnection;
  readonly server: WtConnection;
  /** Every event seen, per side, in order. */
  readonly clientEvents: WtEvent[] = [];
  readonly serverEvents: WtEvent[] = [];

  constructor(options: { client?: PairSide; server?: PairSide } = {}) {
    this.client = new WtConnection({ ...options.client, role: 'client', port: this.clientPort });
    this.server = new WtConnection({ ...options.server, role: 'server', port: this.serverPort });
  }

  /** Delivers queued operations both ways until nothing moves; held ones stay queued. */
  run(options: { readonly chunk?: number; readonly hold?: (op: FakeOp, from: 'client' | 'server') => boolean } = {}): void {
    const chunk = options.chunk ?? 1;
    for (let rounds = 0; rounds < 10000; rounds++) {
      let moved = false;
      for (const [from, port, to, toPort] of [
        ['client', this.clientPort, this.server, this.serverPort],
        ['server', this.serverPort, this.client, this.clientPort],
      ] as const) {
        const keep: FakeOp[] = [];
        const ops = port.outbox;
        port.outbox = [];
        for (const op of ops) {
          if (options.hold?.(op, from)) {
            keep.push(op);
            continue;
          }
          moved = true;
          deliver(op, to, toPort, chunk);
        }
        port.outbox = [...keep, ...port.outbox];
      }
      if (!moved) return;
    }
    throw new Error('fake QUIC did not settle');
  }

  /** New events of a side since the last call (all of them are also kept in `*Events`). */
  take(side: 'client' | 'server'): WtEvent[] {
    const conn = side === 'client' ? this.client : this.server;
    const all = side === 'client' ? this.clientEvents : this.serverEvents;
    const out: WtEvent[] = [];
    for (let e = conn.pollEvent(); e !== null; e = conn.pollEvent()) out.push(e);
    all.push(...out);
    return out;
  }
}

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
export const text = (b: Uint8Array): string => new TextDecoder().decode(b);

export function only<K extends WtEvent['kind']>(events: WtEvent[], kind: K): Extract<WtEvent, { kind: K }>[] {
  return events.filter((e): e is Extract<WtEvent, { kind: K }> => e.kind === kind);
}

/** Joined stream data per stream and whether it ended. */
export function streamText(events: WtEvent[], streamId: number): { data: string; fin: boolean } {
  let data = '';
  let fin = false;
  for (const e of events) {
    if (e.kind === 'stream-data' && e.streamId === streamId) {
      data += text(e.data);
      fin ||= e.fin;
    }
  }
  return { data, fin };
}
