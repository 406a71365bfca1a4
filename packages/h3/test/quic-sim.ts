/**
 * Two quic-core Connections with real TLS (ALPN h3) over the testkit's simulated link, each
 * driven into an H3QuicAdapter: the whole stack below the node driver, deterministic and fast.
 * @module
 */
import {
  Connection, generateSelfSignedCertificate, parsePacketHeader, tlsClientSession, tlsServerSession, type ConnectionConfig,
  type PathInfo, type Transmit, type TransportConfig,
} from '@quicts/quic-core';
import { createNodeCryptoProvider } from '@quicts/quic-core/node';
import { delay, Pair, type LinkElementSpec } from '@quicts/testkit';
import { H3QuicAdapter, type H3AdapterEvent, type H3QuicAdapterOptions } from '@quicts/h3';

const crypto = createNodeCryptoProvider();
const WALL = Date.UTC(2026, 0, 10);
const cert = generateSelfSignedCertificate(crypto, { now: WALL, names: ['localhost'] });
const clientPath: PathInfo = { local: { address: '127.0.0.1', port: 50000 }, remote: { address: '127.0.0.2', port: 443 } };

type H3Opts = Omit<H3QuicAdapterOptions, 'quic'>;

export interface SimOptions {
  readonly clientTransport?: Partial<TransportConfig>;
  readonly serverTransport?: Partial<TransportConfig>;
  readonly client?: H3Opts;
  readonly server?: H3Opts;
  readonly link?: readonly LinkElementSpec[];
  readonly seed?: number;
}

/** The server half: its connection (and adapter) appear with the first client Initial. */
class ServerSlot {
  conn: Connection | undefined;
  adapter: H3QuicAdapter | undefined;
  constructor(private readonly cfg: ConnectionConfig, private readonly h3: H3Opts) {}

  receive(datagram: Uint8Array, path: PathInfo, now: number): void {
    if (this.conn === undefined) {
      const h = parsePacketHeader(datagram, 0, { shortDcidLength: 0 });
      if (h.kind !== 'long' || h.type !== 'initial') return;
      this.conn = Connection.accept({
        config: this.cfg, path, now, initialDcid: h.dcid.slice(), originalDcid: h.dcid.slice(), clientCid: h.scid.slice(), version: h.version,
      });
      this.adapter = new H3QuicAdapter({ ...this.h3, quic: this.conn });
    }
    this.conn.receive(datagram, path, now);
  }

  handleTimeout(now: number): void {
    this.conn?.handleTimeout(now);
  }

  nextTimeout(): number | undefined {
    return this.conn?.nextTimeout();
  }

  pollTransmit(now: number): Transmit | null {
    return this.conn?.pollTransmit(now) ?? null;
  }
}

export class H3Sim {
  readonly client: Connection;
  readonly clientAdapter: H3QuicAdapter;
  readonly slot: ServerSlot;
  readonly pair: Pair<Connection, ServerSlot>;
  readonly clientEvents: H3AdapterEvent[] = [];
  readonly serverEvents: H3AdapterEvent[] = [];
  /** Called for each event as it is pulled (to react, e.g. a server answering a request). */
  onClientEvent: ((e: H3AdapterEvent) => void) | undefined;
  onServerEvent: ((e: H3AdapterEvent, adapter: H3QuicAdapter) => void) | undefined;

  constructor(options: SimOptions = {}) {
    const alpn = ['h3'];
    const clientConfig: ConnectionConfig = {
      crypto, transport: options.clientTransport ?? {},
      cryptoSession: tlsClientSession(() => ({
        crypto, now: WALL, alpnProtocols: alpn, serverName: 'localhost', verify: { mode: 'server-certificate-hashes', hashes: [cert.sha256] },
      })),
    };
    const serverConfig: ConnectionConfig = {
      crypto, transport: options.serverTransport ?? {},
      cryptoSession: tlsServerSession(() => ({
        crypto, now: WALL, alpnProtocols: alpn, certificate: { chain: [cert.certificateDer], privateKey: cert.privateKeyPkcs8 },
      })),
    };
    this.client = Connection.connect({ config: clientConfig, path: clientPath, now: 0 });
    this.clientAdapter = new H3QuicAdapter({ ...options.client, quic: this.client });
    this.slot = new ServerSlot(serverConfig, options.server ?? {});
    this.pair = new Pair({ a: this.client, b: this.slot, seed: options.seed ?? 3, link: options.link ?? [delay(5)] });
  }

  get server(): H3QuicAdapter {
    if (this.slot.adapter === undefined) throw new Error('no server connection yet');
    return this.slot.adapter;
  }

  /** Moves QUIC events into the adapters and adapter events into the lists. */
  pump(): void {
    for (let e = this.client.pollEvent(); e !== null; e = this.client.pollEvent()) this.clientAdapter.handleEvent(e);
    for (let e = this.clientAdapter.pollEvent(); e !== null; e = this.clientAdapter.pollEvent()) {
      this.clientEvents.push(e);
      this.onClientEvent?.(e);
    }
    const conn = this.slot.conn;
    const adapter = this.slot.adapter;
    if (conn === undefined || adapter === undefined) return;
    for (let e = conn.pollEvent(); e !== null; e = conn.pollEvent()) adapter.handleEvent(e);
    for (let e = adapter.pollEvent(); e !== null; e = adapter.pollEvent()) {
      this.serverEvents.push(e);
      this.onServerEvent?.(e, adapter);
    }
  }

  /** Runs until `done` holds (checked after every pump), within `maxTime` simulated ms. */
  runUntil(done: () => boolean, maxTime = 60_000): void {
    this.pair.run({
      until: () => {
        this.pump();
        return done();
      },
      maxTime,
    });
    this.pump();
  }

  /** Runs until both H3 connections exist and have each other's SETTINGS. */
  settle(): void {
    this.runUntil(() => this.clientAdapter.h3?.peerSettings !== undefined && this.slot.adapter?.h3?.peerSettings !== undefined);
  }
}
