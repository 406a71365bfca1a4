/**
 * The session-ticket configuration of a node server (QUIC, HTTP/3, WebTransport alike): tickets
 * sealed with a keyring that rotates every 12 hours, and, for 0-RTT, single-use tickets checked
 * by a replay filter (docs/TLS.md).
 * @module
 */
import type { CryptoProvider } from '../crypto/provider.ts';
import type { TlsServerTicketConfig } from '../tls/config.ts';
import { TlsTicketKeyring } from '../tls/ticket-keys.ts';
import { TlsReplayFilter } from '../tls/anti-replay.ts';

export interface ServerTicketOptions {
  /** Issue TLS session tickets so clients can resume (RFC 8446 §4.6.1; default false). */
  readonly sessionTickets?: boolean;
  /**
   * Issue 0-RTT tickets and accept 0-RTT (RFC 9001 §4.6; implies `sessionTickets`; default false),
   * with single-use tickets against replay (docs/TLS.md). 0-RTT requests can still be replayed
   * across servers: serve only idempotent ones from them.
   */
  readonly earlyData?: boolean;
}

const ROTATION_INTERVAL_MS = 12 * 3600_000;

/** The `tickets` of a TLS server configuration, or undefined when tickets are off. */
export function serverTicketConfig(crypto: CryptoProvider, options: ServerTicketOptions): TlsServerTicketConfig | undefined {
  if (!options.sessionTickets && !options.earlyData) return undefined;
  return {
    protector: new TlsTicketKeyring(crypto, { rotationIntervalMs: ROTATION_INTERVAL_MS }),
    ...(options.earlyData ? { earlyData: true, antiReplay: new TlsReplayFilter() } : {}),
  };
}
