/**
 * qlog files on disk: one JSON-SEQ file per connection in a directory (the QLOGDIR of the
 * interop runner), named after the Original Destination Connection ID and the vantage point
 * (draft-ietf-quic-qlog-quic-events suggests "<odcid>_<vantage point>"), with the ".sqlog"
 * extension the main schema gives JSON-SEQ qlog.
 * @module
 */
import { mkdirSync, createWriteStream } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { toHex } from '../codec/hex.ts';
import type { QlogSink } from '../qlog/json-seq.ts';
import { QlogTrace } from '../qlog/trace.ts';
import type { Address, Connection } from '../connection/connection.ts';

export interface QlogFile {
  /** Where the records go. */
  readonly path: string;
  /** Hand this to `QlogTrace`. */
  readonly sink: QlogSink;
  /** Flushes and closes the file. */
  close(): Promise<void>;
}

/** Opens (creating the directory if needed) the qlog file of one connection. */
export function openQlogFile(dir: string, odcid: Uint8Array, vantagePoint: 'client' | 'server'): QlogFile {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${toHex(odcid) || 'empty'}_${vantagePoint}.sqlog`);
  const stream = createWriteStream(path, { flags: 'a' });
  let closed = false;
  stream.on('error', () => {
    // A logging failure must not take the connection down; later records are dropped.
    closed = true;
  });
  return {
    path,
    sink: (line) => {
      if (!closed) stream.write(line);
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (closed) {
          resolve();
          return;
        }
        closed = true;
        stream.end(() => resolve());
      }),
  };
}

/** A connection's qlog trace on disk, started. */
export interface ConnectionQlog {
  readonly trace: QlogTrace;
  /** Flushes and closes the file (after the connection closed). */
  close(): Promise<void>;
}

/**
 * Opens `dir`'s qlog file for `conn`, attaches the trace to the engine (packets, recovery,
 * keys, the close) and logs connection_started with the UDP addresses. Undefined when the file
 * cannot be opened: logging never stops a connection.
 */
export function startConnectionQlog(dir: string, conn: Connection, local: Address, remote: Address, now: number): ConnectionQlog | undefined {
  try {
    const file = openQlogFile(dir, conn.originalDcid, conn.side);
    const trace = new QlogTrace({
      sink: file.sink, vantagePoint: conn.side, vantagePointName: `quicts ${conn.side}`, referenceNow: now, referenceTime: Date.now(), odcid: conn.originalDcid,
    });
    conn.attachQlog(trace);
    trace.connectionStarted(now, {
      ipVersion: isIP(remote.address) === 6 ? 'ipv6' : 'ipv4',
      srcIp: local.address, srcPort: local.port, dstIp: remote.address, dstPort: remote.port,
      srcCid: conn.localCid, dstCid: conn.peerCid,
    });
    return { trace, close: file.close };
  } catch {
    return undefined;
  }
}
