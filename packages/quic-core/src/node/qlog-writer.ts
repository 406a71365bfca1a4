/**
 * qlog files on disk: one JSON-SEQ file per connection in a directory (the QLOGDIR of the
 * interop runner), named after the Original Destination Connection ID and the vantage point
 * (draft-ietf-quic-qlog-quic-events suggests "<odcid>_<vantage point>"), with the ".sqlog"
 * extension the main schema gives JSON-SEQ qlog.
 * @module
 */
import { mkdirSync, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { toHex } from '../codec/hex.ts';
import type { QlogSink } from '../qlog/json-seq.ts';

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
