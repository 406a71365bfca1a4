/**
 * Builds a client and a server connection for simulated-link tests. The server side is a tiny
 * stand-in for the endpoint: the first client Initial creates the server connection.
 */
import {
  Connection, parsePacketHeader, type ConnectionConfig, type ConnectionEvent, type PathInfo, type Transmit,
  type TransportConfig,
} from '@quicts/quic-core';
import { createNodeCryptoProvider } from '@quicts/quic-core/node';
import { nullSession, type NullSessionOptions } from './null-session.ts';

export const crypto = createNodeCryptoProvider();
export const clientPath: PathInfo = { local: { address: '127.0.0.1', port: 50000 }, remote: { address: '127.0.0.2', port: 4433 } };
export const serverPath: PathInfo = { local: { address: '127.0.0.2', port: 4433 }, remote: { address: '127.0.0.1', port: 50000 } };

export function config(transport: Partial<TransportConfig> = {}, session: NullSessionOptions = {}): ConnectionConfig {
  return { crypto, cryptoSession: nullSession(session), transport };
}

/** The server half: creates its connection on the first datagram. */
export class ServerSlot {
  conn: Connection | undefined;
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

/** Drains a connection's events into a list. */
export function drainEvents(conn: Connection | undefined, into: ConnectionEvent[]): void {
  if (!conn) return;
  for (let e = conn.pollEvent(); e; e = conn.pollEvent()) into.push(e);
}
