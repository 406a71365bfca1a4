/**
 * The test cases of the QUIC interop runner (its testcases_quic.py, summarised in the project's
 * conformance notes), with their files, network conditions and pass predicates. Checks read the
 * downloaded files and the facts extracted from the relay's datagram log.
 */
import type { ConnectionFacts } from './trace.ts';
import type { RelayOptions } from './relay.ts';

export interface CaseContext {
  readonly facts: ConnectionFacts[];
  /** Which side is ours in this run. */
  readonly ours: { client: boolean; server: boolean };
}

export interface TestCase {
  readonly name: string;
  /** TESTCASE given to the client and to the server. */
  readonly clientCase: string;
  readonly serverCase: string;
  /** File sizes to serve and fetch (bytes). */
  readonly files: readonly number[];
  readonly relay?: Omit<RelayOptions, 'server'>;
  /** Seconds before the run is a failure. */
  readonly timeout: number;
  /** How a client fetches: one connection (default), one per file, or resume / 0-RTT for the rest. */
  readonly mode?: 'single' | 'connection-per-file' | 'resume' | 'zerortt';
  /** Extra checks beyond "every file arrived intact"; return a failure reason or undefined. */
  check?(ctx: CaseContext): string | undefined;
}

const KiB = 1024;
const MiB = 1024 * 1024;

function handshakes(ctx: CaseContext): number {
  const scids = new Set<string>();
  for (const f of ctx.facts) for (const s of f.serverScids) scids.add(s);
  return scids.size;
}

export function expectHandshakes(n: number) {
  return (ctx: CaseContext): string | undefined => {
    const h = handshakes(ctx);
    return h === n ? undefined : `expected ${n} handshake(s), saw ${h}`;
  };
}

/**
 * One handshake per file, plus one for each connection the server ended with a transport error
 * (the client then fetches that file again on a new connection): with corruption, a peer may
 * treat a corrupted packet as a protocol violation (e.g. a client long header whose type bits
 * now read Retry) instead of dropping it.
 */
export function expectHandshakesPerFile(n: number) {
  return (ctx: CaseContext): string | undefined => {
    const h = handshakes(ctx);
    const aborted = ctx.facts.filter((f) => f.serverScids.size > 0 && f.serverTransportError !== undefined);
    if (h === n + aborted.length) return undefined;
    const codes = aborted.map((f) => `0x${f.serverTransportError!.toString(16)}`).join(', ');
    return `expected ${n} handshake(s)${aborted.length ? ` + ${aborted.length} aborted by the server (${codes})` : ''}, saw ${h}`;
  };
}

export function versionOne(ctx: CaseContext): string | undefined {
  for (const f of ctx.facts) for (const v of f.serverVersions) if (v !== 1) return `server Initial with version 0x${v.toString(16)}`;
  return undefined;
}

export function all(...checks: Array<(ctx: CaseContext) => string | undefined>) {
  return (ctx: CaseContext) => {
    for (const c of checks) {
      const r = c(ctx);
      if (r) return r;
    }
    return undefined;
  };
}

const noRetry = (ctx: CaseContext) => (ctx.facts.some((f) => f.retries > 0) ? 'a Retry was sent' : undefined);

export const CASES: readonly TestCase[] = [
  { name: 'handshake', clientCase: 'handshake', serverCase: 'handshake', files: [1 * KiB], timeout: 60, check: all(expectHandshakes(1), versionOne, noRetry) },
  { name: 'transfer', clientCase: 'transfer', serverCase: 'transfer', files: [1 * MiB, 5 * MiB, 10 * MiB], timeout: 60, check: all(expectHandshakes(1), versionOne) },
  { name: 'multiplexing', clientCase: 'transfer', serverCase: 'transfer', files: Array.from({ length: 1999 }, () => 32), timeout: 60, check: all(expectHandshakes(1), versionOne) },
  {
    name: 'chacha20', clientCase: 'chacha20', serverCase: 'chacha20', files: [3 * MiB], timeout: 60,
    check: all(expectHandshakes(1), versionOne, (ctx) => {
      for (const f of ctx.facts) {
        if (f.serverCipherSuite !== 0x1303) return `server chose cipher 0x${(f.serverCipherSuite ?? 0).toString(16)}`;
        if (ctx.ours.client && (f.clientCipherSuites?.length !== 1 || f.clientCipherSuites[0] !== 0x1303)) return `client offered ${f.clientCipherSuites?.map((c) => c.toString(16))}`;
      }
      return undefined;
    }),
  },
  {
    name: 'retry', clientCase: 'retry', serverCase: 'retry', files: [10 * KiB], timeout: 60,
    check: all(expectHandshakes(1), versionOne, (ctx) => {
      const f = ctx.facts[0];
      if (!f || f.retries === 0) return 'no Retry seen';
      if (!f.retryTokenUsed) return 'the Retry token was not used';
      const before = Math.max(-1, ...f.pnsBeforeRetry);
      if (f.pnsAfterRetry.some((pn) => pn <= before)) return 'client packet numbers were reset after the Retry';
      return undefined;
    }),
  },
  {
    name: 'resumption', clientCase: 'resumption', serverCase: 'resumption', files: [5 * KiB, 10 * KiB], timeout: 60, mode: 'resume',
    check: all(expectHandshakes(2), versionOne, (ctx) => {
      const [first, second] = ctx.facts;
      if (!first || !second) return 'fewer than two connections';
      if (first.serverSentCertificate === undefined || second.serverSentCertificate === undefined) return 'no key log to inspect the handshakes';
      if (!first.serverSentCertificate) return 'first handshake had no Certificate';
      if (second.serverSentCertificate) return 'second handshake was not resumed (Certificate sent)';
      return undefined;
    }),
  },
  {
    name: 'zerortt', clientCase: 'zerortt', serverCase: 'zerortt', files: Array.from({ length: 40 }, () => 32), timeout: 60, mode: 'zerortt',
    check: all(expectHandshakes(2), versionOne, (ctx) => {
      const second = ctx.facts[1];
      if (!second) return 'fewer than two connections';
      if (second.zeroRttBytes === 0) return 'no 0-RTT packets on the second connection';
      return undefined;
    }),
  },
  {
    // The client starts with a reserved version (RFC 9000 §15), the server answers with Version
    // Negotiation (§6.1), and the client then connects with QUIC v1.
    name: 'versionnegotiation', clientCase: 'versionnegotiation', serverCase: 'transfer', files: [1 * KiB], timeout: 60,
    check: all(expectHandshakes(1), versionOne, (ctx) => {
      const tried = ctx.facts.find((f) => [...f.clientVersions].some((v) => v !== 1));
      if (!tried) return 'the client never offered a version other than v1';
      if (tried.versionNegotiations === 0) return 'no Version Negotiation packet from the server';
      return undefined;
    }),
  },
  { name: 'http3', clientCase: 'http3', serverCase: 'http3', files: [5 * KiB, 10 * KiB, 500 * KiB], timeout: 60, check: all(expectHandshakes(1), versionOne) },
  {
    name: 'keyupdate', clientCase: 'keyupdate', serverCase: 'transfer', files: [3 * MiB], timeout: 60,
    check: all(expectHandshakes(1), versionOne, (ctx) => {
      const f = ctx.facts[0];
      if (!f) return 'no connection';
      if (f.clientKeyPhases.size === 0) return 'no key log to read key phases';
      if (!f.clientKeyPhases.has(1)) return 'no client 1-RTT packet with key phase 1';
      if (!f.serverKeyPhases.has(1)) return 'no server 1-RTT packet with key phase 1';
      return undefined;
    }),
  },
  {
    name: 'multiconnect', clientCase: 'multiconnect', serverCase: 'transfer', files: Array.from({ length: 20 }, () => KiB), timeout: 120, mode: 'connection-per-file',
    check: all(expectHandshakes(20), versionOne),
  },
  {
    name: 'handshakeloss', clientCase: 'multiconnect', serverCase: 'transfer', files: Array.from({ length: 50 }, () => KiB), timeout: 300, mode: 'connection-per-file',
    relay: { toServer: { loss: 0.3, maxBurst: 3 }, toClient: { loss: 0.3, maxBurst: 3 } }, check: all(expectHandshakesPerFile(50), versionOne),
  },
  {
    name: 'transferloss', clientCase: 'transfer', serverCase: 'transfer', files: [2 * MiB], timeout: 60,
    relay: { toServer: { loss: 0.02, maxBurst: 3 }, toClient: { loss: 0.02, maxBurst: 3 } }, check: all(expectHandshakes(1), versionOne),
  },
  {
    name: 'handshakecorruption', clientCase: 'multiconnect', serverCase: 'transfer', files: Array.from({ length: 50 }, () => KiB), timeout: 300, mode: 'connection-per-file',
    relay: { toServer: { corrupt: 0.3, maxBurst: 3 }, toClient: { corrupt: 0.3, maxBurst: 3 } }, check: all(expectHandshakesPerFile(50), versionOne),
  },
  {
    name: 'transfercorruption', clientCase: 'transfer', serverCase: 'transfer', files: [2 * MiB], timeout: 60,
    relay: { toServer: { corrupt: 0.02, maxBurst: 3 }, toClient: { corrupt: 0.02, maxBurst: 3 } }, check: all(expectHandshakes(1), versionOne),
  },
  {
    name: 'blackhole', clientCase: 'transfer', serverCase: 'transfer', files: [10 * MiB], timeout: 60,
    relay: { blackhole: { afterBytes: 2 * MiB, duration: 2000 } }, check: all(expectHandshakes(1), versionOne),
  },
];
