/**
 * An SSLKEYLOGFILE writer: appends the TLS engine's `keylog` lines (NSS key log format, as
 * Wireshark reads it) to a file, so captures of our QUIC or TLS traffic can be decrypted.
 * Opt-in: nothing is written unless a path is given (or SSLKEYLOGFILE is set).
 * @module
 */
import { closeSync, openSync, writeSync } from 'node:fs';

export interface TlsKeyLogFile {
  readonly path: string;
  /** Appends one line (a newline is added). */
  write(line: string): void;
  close(): void;
}

/** Opens `path` for appending (created with mode 0600: the file holds secrets). */
export function openKeyLogFile(path: string): TlsKeyLogFile {
  let fd: number | undefined = openSync(path, 'a', 0o600);
  return {
    path,
    write(line) {
      if (fd === undefined) return;
      try {
        writeSync(fd, line.endsWith('\n') ? line : `${line}\n`);
      } catch {
        // A logging failure must not take the connection down; later lines are dropped.
        closeSync(fd);
        fd = undefined;
      }
    },
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}

/** A writer for the file named by SSLKEYLOGFILE in `env`, or undefined when it is not set. */
export function keyLogFileFromEnv(env: Readonly<Record<string, string | undefined>>): TlsKeyLogFile | undefined {
  const path = env['SSLKEYLOGFILE'];
  return path ? openKeyLogFile(path) : undefined;
}
