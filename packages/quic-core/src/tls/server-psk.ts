/**
 * The server's side of resumption (RFC 8446 §4.2.11, §4.6.1): finding an offered ticket it can
 * resume (sealed by us, well formed, within its lifetime, for the same server name, with a
 * cipher suite the client offers and whose hash fits), and the 0-RTT decision (§4.2.10, §8)
 * for the ticket it picked.
 * @module
 */
import { DecodeError } from '../errors.ts';
import type { CipherSuite } from '../crypto/cipher-suite.ts';
import { cipherSuiteById } from '../crypto/cipher-suite.ts';
import type { CryptoProvider } from '../crypto/provider.ts';
import type { TlsServerTicketConfig } from './config.ts';
import type { TlsOfferedPsks } from './extensions.ts';
import { clientTicketAge, decodeTicketState, ticketUsable, type TlsTicketState } from './session-ticket.ts';

export interface TlsResumableTicket {
  /** Index among the offered identities (selected_identity). */
  readonly index: number;
  readonly identity: Uint8Array;
  readonly obfuscatedAge: number;
  readonly state: TlsTicketState;
  /** The cipher suite to negotiate: the ticket's own when possible. */
  readonly suite: CipherSuite;
}

export interface TlsResumeContext {
  readonly now: number;
  readonly serverName: string | undefined;
  readonly clientSuites: readonly number[];
  readonly ourSuites: readonly CipherSuite[];
  /** Set after a HelloRetryRequest: the suite is fixed, only its hash may match. */
  readonly fixedSuite?: CipherSuite | undefined;
}

/** The first offered identity the server can resume, or undefined (then a full handshake). */
export function findResumableTicket(
  tickets: TlsServerTicketConfig, offered: TlsOfferedPsks, ctx: TlsResumeContext,
): TlsResumableTicket | undefined {
  for (let index = 0; index < offered.identities.length; index++) {
    const { identity, obfuscatedTicketAge } = offered.identities[index]!;
    const plain = tickets.protector.open(identity, ctx.now);
    if (!plain) continue;
    let state: TlsTicketState;
    try {
      state = decodeTicketState(plain);
    } catch (e) {
      if (e instanceof DecodeError) continue;
      throw e;
    }
    if (!ticketUsable(state.issuedAt, state.lifetime, ctx.now)) continue;
    if (state.serverName !== ctx.serverName) continue; // RFC 8446 §4.6.1: resumption is for the same server
    const own = cipherSuiteById(state.suite);
    if (!own) continue;
    let suite: CipherSuite | undefined;
    if (ctx.fixedSuite) suite = ctx.fixedSuite.hash === own.hash ? ctx.fixedSuite : undefined;
    else if (ctx.clientSuites.includes(own.id) && ctx.ourSuites.some((s) => s.id === own.id)) suite = own;
    else suite = ctx.ourSuites.find((s) => s.hash === own.hash && ctx.clientSuites.includes(s.id)); // §4.2.11: same hash
    if (!suite) continue;
    return { index, identity, obfuscatedAge: obfuscatedTicketAge, state, suite };
  }
  return undefined;
}

/**
 * RFC 8446 §4.2.10 and §8: 0-RTT only for the first identity, on the ticket's cipher suite and
 * ALPN, from a ticket that allows it, with a ticket age within the freshness window, when the
 * application agrees, and when the single-use check passes (asked last: it records the ticket).
 */
export function acceptEarlyData(
  crypto: CryptoProvider, tickets: TlsServerTicketConfig, t: TlsResumableTicket,
  ctx: { readonly now: number; readonly suite: CipherSuite; readonly alpn: string | undefined; readonly serverName: string | undefined },
): boolean {
  if (!tickets.earlyData || t.index !== 0 || t.state.maxEarlyData === 0) return false;
  if (ctx.suite.id !== t.state.suite || ctx.alpn !== t.state.alpn) return false;
  const window = tickets.earlyDataWindowMs ?? 10_000;
  const clientAge = clientTicketAge(t.obfuscatedAge, t.state.ageAdd);
  const serverAge = ctx.now - t.state.issuedAt;
  if (Math.abs(serverAge - clientAge) > window) return false; // RFC 8446 §8.3
  if (tickets.acceptEarlyData && !tickets.acceptEarlyData({ state: t.state, alpn: ctx.alpn, serverName: ctx.serverName, clientAge, serverAge })) {
    return false;
  }
  if (!tickets.antiReplay) return false;
  return tickets.antiReplay.accept(crypto.hash('sha256', t.identity), t.state.issuedAt + clientAge + window, ctx.now);
}
