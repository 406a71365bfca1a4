/**
 * Whole-transfer scenarios over the simulated link: a client connection sends `size` bytes on one
 * stream, the server reads them and checks every byte against the source as it arrives. The
 * clock is the simulator's fake clock; every random choice derives from the seed.
 */
import { Pair, withSeed, type LinkElementSpec } from '@quicts/testkit';
import { Connection, type ConnectionConfig, type ConnectionEvent, type TransportConfig } from '@quicts/quic-core';
import { ServerSlot, clientPath, config } from './harness.ts';
import type { NullSessionOptions } from './null-session.ts';

export interface TransferOptions {
  readonly size: number;
  readonly seed: number;
  readonly link?: readonly LinkElementSpec[];
  readonly aToB?: readonly LinkElementSpec[];
  readonly bToA?: readonly LinkElementSpec[];
  readonly transport?: Partial<TransportConfig>;
  readonly session?: NullSessionOptions;
  readonly dir?: 'bidi' | 'uni';
  /** Called once per simulation step (for scenarios that change the link or act mid-transfer). */
  readonly onStep?: (ctx: TransferContext) => void;
  /** Most simulated time (ms) the transfer may take. */
  readonly maxTime?: number;
  /** Size of each application write (default 64 KiB). */
  readonly writeSize?: number;
}

export interface TransferContext {
  readonly pair: Pair<Connection, ServerSlot>;
  readonly client: Connection;
  readonly server: ServerSlot;
  /** Bytes the server application has read so far. */
  readonly received: number;
}

export interface TransferResult extends TransferContext {
  readonly clientEvents: ConnectionEvent[];
  readonly serverEvents: ConnectionEvent[];
  /** Simulated time the transfer took, ms. */
  readonly duration: number;
}

/** Deterministic source bytes: a byte pattern that differs at every offset modulo 251 * 256. */
export function sourceBytes(size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i % 251) ^ ((i >>> 8) & 0xff);
  return out;
}

const sources = new Map<number, Uint8Array>();
function source(size: number): Uint8Array {
  let s = sources.get(size);
  if (!s) {
    s = sourceBytes(size);
    sources.set(size, s);
  }
  return s;
}

export function configs(transport: Partial<TransportConfig> = {}, session: NullSessionOptions = {}): { client: ConnectionConfig; server: ConnectionConfig } {
  return { client: { ...config(transport, session), debugInvariants: true }, server: { ...config(transport, session), debugInvariants: true } };
}

/** Runs one transfer to completion; throws (naming the seed) if it does not complete intact. */
export function runTransfer(options: TransferOptions): TransferResult {
  return withSeed(options.seed, (seed) => {
    const { size } = options;
    const data = source(size);
    const cfg = configs(options.transport, options.session);
    const client = Connection.connect({ config: cfg.client, path: clientPath, now: 0 });
    const server = new ServerSlot(cfg.server);
    const pair = new Pair<Connection, ServerSlot>({
      a: client, b: server, seed,
      ...(options.link ? { link: options.link } : {}),
      ...(options.aToB ? { aToB: options.aToB } : {}),
      ...(options.bToA ? { bToA: options.bToA } : {}),
    });
    const clientEvents: ConnectionEvent[] = [];
    const serverEvents: ConnectionEvent[] = [];
    const writeSize = options.writeSize ?? 64 * 1024;
    let streamId: number | null = null;
    let written = 0;
    let received = 0;
    let fin = false;
    let start = -1;
    const write = () => {
      if (streamId === null) return;
      while (written < size) {
        const end = Math.min(size, written + writeSize);
        const n = client.writeStream(streamId, data.subarray(written, end), end === size);
        written += n;
        if (n < end - (written - n)) break;
      }
    };
    const ctx = {
      pair, client, server,
      get received() { return received; },
    };
    pair.run({
      maxTime: options.maxTime ?? 600_000,
      maxSteps: 5_000_000,
      until: () => {
        for (let e = client.pollEvent(); e; e = client.pollEvent()) {
          clientEvents.push(e);
          if (e.type === 'connected' && streamId === null) {
            streamId = client.openStream(options.dir ?? 'bidi');
            start = pair.now;
            write();
          } else if (e.type === 'streamWritable' && e.streamId === streamId) {
            write();
          }
        }
        const s = server.conn;
        if (s) {
          for (let e = s.pollEvent(); e; e = s.pollEvent()) {
            serverEvents.push(e);
            if (e.type !== 'streamReadable') continue;
            for (;;) {
              const r = s.readStream(e.streamId);
              if (r.kind !== 'data') break;
              const chunk = r.data;
              if (received + chunk.length > size) throw new Error(`received ${received + chunk.length} bytes, more than the ${size} sent`);
              for (let i = 0; i < chunk.length; i++) {
                if (chunk[i] !== data[received + i]) throw new Error(`byte ${received + i} differs: got ${chunk[i]}, sent ${data[received + i]}`);
              }
              received += chunk.length;
              if (r.fin) fin = true;
              if (r.fin || chunk.length === 0) break;
            }
          }
        }
        if (client.isClosed || s?.isClosed) {
          const reason = [...clientEvents, ...serverEvents].find((e) => e.type === 'closing');
          throw new Error(`connection closed during the transfer: ${JSON.stringify(reason)}`);
        }
        options.onStep?.(ctx);
        return fin;
      },
    });
    if (received !== size) throw new Error(`received ${received} of ${size} bytes`);
    return { ...ctx, received, clientEvents, serverEvents, duration: pair.now - start };
  });
}
