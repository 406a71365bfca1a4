/**
 * A fake QUIC transport for H3 tests: two endpoints implementing the QuicStreamsPort, joined by
 * queues of stream writes, resets, STOP_SENDINGs and datagrams that are delivered to the other
 * side's H3Connection one byte at a time (or in chosen pieces), in order, with ops selectively
 * held back to reorder streams (e.g. a request ahead of the QPACK inserts it needs).
 * @module
 */
import { H3Connection, type H3ConnectionOptions, type H3Event, type QuicStreamsPort } from '@quicts/h3';

export type FakeOp =
  | { readonly kind: 'data'; readonly streamId: number; readonly data: Uint8Array; readonly fin: boolean }
  | { readonly kind: 'reset'; readonly streamId: number; readonly code: number }
  | { readonly kind: 'stop'; readonly streamId: number; readonly code: number }
  | { readonly kind: 'datagram'; readonly payload: Uint8Array };

export class FakeQuicEndpoint implements QuicStreamsPort {
  /** Ops waiting to reach the peer, in order. */
  outbox: FakeOp[] = [];
  /** Every op ever sent, for assertions. */
  readonly sent: FakeOp[] = [];
  closed: { code: number; reason: string } | undefined;
  /** Streams we sent STOP_SENDING on: the transport discards what still arrives on them. */
  readonly stopped = new Set<number>();
  /** Bytes written per stream, fin included, for assertions. */
  readonly written = new Map<number, { bytes: number[]; fin: boolean }>();
  private nextBidi: number;
  private nextUni: number;
  bidiLimit = Infinity;
  uniLimit = Infinity;
  private bidiOpened = 0;
  private uniOpened = 0;

  constructor(readonly role: 'client' | 'server') {
    this.nextBidi = role === 'client' ? 0 : 1;
    this.nextUni = role === 'client' ? 2 : 3;
  }

  openBidiStream(): number | null {
    if (this.bidiOpened >= this.bidiLimit) return null;
    this.bidiOpened++;
    const id = this.nextBidi;
    this.nextBidi += 4;
    return id;
  }

  openUniStream(): number | null {
    if (this.uniOpened >= this.uniLimit) return null;
    this.uniOpened++;
    const id = this.nextUni;
    this.nextUni += 4;
    return id;
  }

  writeStream(streamId: number, data: Uint8Array, fin: boolean): void {
    const w = this.written.get(streamId) ?? { bytes: [], fin: false };
    if (w.fin) throw new Error(`write after FIN on stream ${streamId}`);
    w.bytes.push(...data);
    w.fin = fin;
    this.written.set(streamId, w);
    this.queue({ kind: 'data', streamId, data: data.slice(), fin });
  }

  resetStream(streamId: number, code: number): void {
    this.queue({ kind: 'reset', streamId, code });
  }

  stopSending(streamId: number, code: number): void {
    this.stopped.add(streamId);
    this.queue({ kind: 'stop', streamId, code });
  }

  sendDatagram(payload: Uint8Array): void {
    this.queue({ kind: 'datagram', payload: payload.slice() });
  }

  closeConnection(code: number, reason: string): void {
    this.closed ??= { code, reason };
  }

  private queue(op: FakeOp): void {
    this.outbox.push(op);
    this.sent.push(op);
  }

  /** The ops of a kind sent so far. */
  sentOf<K extends FakeOp['kind']>(kind: K): Extract<FakeOp, { kind: K }>[] {
    return this.sent.filter((op): op is Extract<FakeOp, { kind: K }> => op.kind === kind);
  }
}

/** Delivers `op` from a port into the receiving H3 connection, in pieces of `chunk` bytes. */
export function deliverOp(op: FakeOp, to: H3Connection, toPort: FakeQuicEndpoint, chunk: number): void {
  if (toPort.closed !== undefined) return;
  switch (op.kind) {
    case 'data': {
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
    }
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

export interface PairOptions {
  readonly client?: Partial<Omit<H3ConnectionOptions, 'role' | 'port'>>;
  readonly server?: Partial<Omit<H3ConnectionOptions, 'role' | 'port'>>;
}

/** A client and a server H3Connection over two fake endpoints. */
export class FakeQuicPair {
  readonly clientPort = new FakeQuicEndpoint('client');
  readonly serverPort = new FakeQuicEndpoint('server');
  readonly client: H3Connection;
  readonly server: H3Connection;

  constructor(options: PairOptions = {}) {
    this.client = new H3Connection({ ...options.client, role: 'client', port: this.clientPort });
    this.server = new H3Connection({ ...options.server, role: 'server', port: this.serverPort });
  }

  /**
   * Delivers queued ops both ways until nothing moves, `chunk` bytes at a time (default 1).
   * Ops for which `hold` returns true stay queued, in order.
   */
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
          deliverOp(op, to, toPort, chunk);
        }
        port.outbox = [...keep, ...port.outbox];
      }
      if (!moved) return;
    }
    throw new Error('fake QUIC did not settle');
  }
}

/** Every pending event of a connection. */
export function drainEvents(h3: H3Connection): H3Event[] {
  const out: H3Event[] = [];
  for (let e = h3.pollEvent(); e !== null; e = h3.pollEvent()) out.push(e);
  return out;
}

/** Field lines from pairs. */
export function fields(...pairs: [string, string][]): { name: string; value: string }[] {
  return pairs.map(([name, value]) => ({ name, value }));
}

/** Name/value pairs of decoded fields. */
export function pairsOf(list: readonly { name: string; value: string }[]): [string, string][] {
  return list.map((f) => [f.name, f.value]);
}

export const GET = (path = '/', authority = 'example.com'): { name: string; value: string }[] =>
  fields([':method', 'GET'], [':scheme', 'https'], [':authority', authority], [':path', path]);

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
export const text = (b: Uint8Array): string => new TextDecoder().decode(b);
