/**
 * Two TLS connections in a row over the simulated link, sharing a client ticket store and a server
 * ticket keyring, for resumption and 0-RTT tests. The server side records, for each stream it
 * reads, whether its handshake had completed when the data arrived.
 */
import { Pair, delay, type LinkElementSpec } from '@quicts/testkit';
import {
  Connection, TlsMemoryTicketStore, TlsReplayFilter, TlsTicketKeyring, generateSelfSignedCertificate, parsePacketHeader,
  tlsClientSession, tlsServerSession, type ConnectionConfig, type ConnectionEvent, type PathInfo, type TlsCertificateVerification,
  type Transmit, type TransportConfig,
} from '@quicts/quic-core';
import { clientPath, crypto } from './harness.ts';

export const WALL = Date.UTC(2026, 10, 21);
export const cert = generateSelfSignedCertificate(crypto, { now: WALL, names: ['localhost'] });

export interface ServerOptions {
  readonly transport?: Partial<TransportConfig>;
  /** Issue 0-RTT tickets and consider 0-RTT (default true). */
  readonly earlyData?: boolean;
  /** Keep a replay filter, without which 0-RTT is always refused (default true). */
  readonly antiReplay?: boolean;
  readonly acceptEarlyData?: () => boolean;
}

/** Shared state of a server across connections: the ticket keys and the replay filter. */
export class ResumingServer {
  readonly keyring = new TlsTicketKeyring(crypto);
  readonly replay = new TlsReplayFilter();

  config(o: ServerOptions = {}): ConnectionConfig {
    return {
      crypto,
      transport: { maxDatagramFrameSize: 1200, ...o.transport },
      cryptoSession: tlsServerSession(() => ({
        crypto, now: WALL, alpnProtocols: ['hq-interop'], certificate: { chain: [cert.certificateDer], privateKey: cert.privateKeyPkcs8 },
        tickets: {
          protector: this.keyring, earlyData: o.earlyData ?? true, ...(o.antiReplay === false ? {} : { antiReplay: this.replay }),
          ...(o.acceptEarlyData ? { acceptEarlyData: o.acceptEarlyData } : {}),
        },
      })),
    };
  }
}

/** A client config sharing `store`; `verify` defaults to the test certificate's hash. */
export function clientConfig(store: TlsMemoryTicketStore, earlyData: boolean, verify?: TlsCertificateVerification): ConnectionConfig {
  return {
    crypto,
    ticketStore: store,
    earlyData,
    transport: { maxDatagramFrameSize: 1200 },
    cryptoSession: tlsClientSession(() => ({
      crypto, now: WALL, alpnProtocols: ['hq-interop'], serverName: 'localhost',
      verify: verify ?? { mode: 'server-certificate-hashes', hashes: [cert.sha256] },
    })),
  };
}

/** The server half: the first client Initial creates the connection; events are drained at once. */
export class RecordingServer {
  conn: Connection | undefined;
  readonly events: ConnectionEvent[] = [];
  /** Stream ID -> whether the handshake had completed when it first became readable. */
  readonly firstReadable = new Map<number, boolean>();
  readonly received = new Map<number, Uint8Array[]>();
  readonly datagrams: Uint8Array[] = [];
  readonly fin = new Set<number>();

  constructor(private readonly cfg: ConnectionConfig) {}

  receive(datagram: Uint8Array, path: PathInfo, now: number): void {
    if (!this.conn) {
      const h = parsePacketHeader(datagram, 0, { shortDcidLength: 0 });
      if (h.kind !== 'long' || h.type !== 'initial') return;
      this.conn = Connection.accept({
        config: this.cfg, path, now, initialDcid: h.dcid.slice(), originalDcid: h.dcid.slice(), clientCid: h.scid.slice(), version: h.version,
      });
    }
    this.conn.receive(datagram, path, now);
    this.drain();
  }

  drain(): void {
    const conn = this.conn;
    if (!conn) return;
    for (let e = conn.pollEvent(); e; e = conn.pollEvent()) {
      this.events.push(e);
      if (e.type === 'datagram') this.datagrams.push(e.data);
      if (e.type !== 'streamReadable') continue;
      if (!this.firstReadable.has(e.streamId)) this.firstReadable.set(e.streamId, conn.handshakeComplete);
      for (;;) {
        const r = conn.readStream(e.streamId);
        if (r.kind !== 'data') break;
        const list = this.received.get(e.streamId) ?? [];
        list.push(r.data.slice());
        this.received.set(e.streamId, list);
        if (r.fin) {
          this.fin.add(e.streamId);
          break;
        }
      }
    }
  }

  bytes(streamId: number): Uint8Array {
    const parts = this.received.get(streamId) ?? [];
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  handleTimeout(now: number): void {
    this.conn?.handleTimeout(now);
    this.drain();
  }

  nextTimeout(): number | undefined {
    return this.conn?.nextTimeout();
  }

  pollTransmit(now: number): Transmit | null {
    const t = this.conn?.pollTransmit(now) ?? null;
    this.drain();
    return t;
  }
}

/** Drains a client's events. */
export function drain(conn: Connection, into: ConnectionEvent[]): void {
  for (let e = conn.pollEvent(); e; e = conn.pollEvent()) into.push(e);
}

/** A first, full handshake that leaves a ticket in `store`. */
export function firstConnection(server: ResumingServer, store: TlsMemoryTicketStore, o: ServerOptions = {}) {
  const client = Connection.connect({ config: clientConfig(store, false), path: clientPath, now: 0 });
  const slot = new RecordingServer(server.config(o));
  const pair = new Pair({ a: client, b: slot, seed: 3, link: [delay(10)] });
  const events: ConnectionEvent[] = [];
  pair.run({ until: () => (drain(client, events), events.some((e) => e.type === 'sessionTicket') && client.handshakeConfirmed), maxTime: 10_000 });
  client.close(0, '', true, pair.now);
  pair.drive({ maxTime: 10_000 });
  return { client, events };
}

/** Starts a second connection (0-RTT when `earlyData` and the ticket allow it); the caller writes, then runs the pair. */
export function secondConnection(
  server: ResumingServer, store: TlsMemoryTicketStore, earlyData: boolean,
  o: { server?: ServerOptions; link?: readonly LinkElementSpec[]; aToB?: readonly LinkElementSpec[]; bToA?: readonly LinkElementSpec[]; seed?: number; verify?: TlsCertificateVerification } = {},
) {
  const client = Connection.connect({ config: clientConfig(store, earlyData, o.verify), path: clientPath, now: 0 });
  const slot = new RecordingServer(server.config(o.server));
  const link = o.link ?? [delay(10)];
  const pair = new Pair({ a: client, b: slot, seed: o.seed ?? 5, aToB: o.aToB ?? link, bToA: o.bToA ?? link });
  return { client, slot, pair, events: [] as ConnectionEvent[] };
}
