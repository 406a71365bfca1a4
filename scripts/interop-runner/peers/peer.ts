/**
 * What the interop runner needs from a peer implementation: its application protocol (our
 * endpoint is asked for the same), what it cannot take part in, and how to start its server and
 * its client for a test case in a prepared work directory.
 * @module
 */
import type { TestCase } from '../cases.ts';
import type { Running } from '../process.ts';

/** Whose client talks to whose server; 'peer-peer' checks the runner itself. */
export type Direction = 'ours-client' | 'peer-client' | 'ours-ours' | 'peer-peer';

/** A test case's files, certificate and logs on disk. */
export interface Workdir {
  dir: string;
  www: string;
  downloads: string;
  certs: string;
  keylog: string;
  qlog: string;
  files: Array<{ name: string; sha256: string; size: number }>;
  /** SHA-256 of the certificate (DER), base64. */
  certHash: string;
}

export type PeerServer = { running: Running; port: number } | { running: Running | undefined; error: string };

export interface Peer {
  readonly name: string;
  /** The ALPN every case runs over with this peer. */
  readonly application: 'hq-interop' | 'h3';
  /**
   * Installs the peer when it is missing. Resolves undefined when it is ready, or why it cannot run
   * on this machine (the matrix is then skipped); rejects when an install that should work failed.
   */
  prepare?(): Promise<string | undefined>;
  /** Why the peer cannot take part in `tc` in direction `dir` (either of its roles), or undefined. */
  unsupported(tc: TestCase, dir: Direction): string | undefined;
  /** Starts the peer's server for `tc`, resolving once it listens. */
  server(tc: TestCase, w: Workdir): Promise<PeerServer>;
  /** Starts the peer's client fetching every file of `w` through the relay on `relayPort`. */
  client(tc: TestCase, w: Workdir, relayPort: number): Running;
}
