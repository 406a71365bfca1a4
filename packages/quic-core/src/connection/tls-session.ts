/**
 * Adapts the TLS 1.3 engine (tls/) to the connection's {@link CryptoSession} surface, with the
 * QUIC side of resumption: the client's tickets carry the server's transport parameters (RFC 9000
 * §7.4.1) and the server binds the limits it advertises into each ticket and accepts 0-RTT only
 * when it would advertise no smaller ones now.
 * @module
 */
import { TlsClient } from '../tls/client.ts';
import { TlsServer } from '../tls/server.ts';
import type { TlsClientConfig, TlsServerConfig, TlsLevel, TlsServerTicketConfig } from '../tls/config.ts';
import { TlsAlert } from '../tls/alerts.ts';
import { DecodeError, TransportError, TransportErrorCode } from '../errors.ts';
import type { CryptoLevel, CryptoSession, CryptoSessionEvent, CryptoSessionFactory, CryptoSessionParams } from './crypto-session.ts';
import { decodeTransportParameters } from './transport-params.ts';
import { decodeTicketAppData, encodeTicketAppData, reducedLimit, rememberedLimits, type RememberedLimits } from './remembered-params.ts';

const TO_TLS: Record<CryptoLevel, TlsLevel> = { initial: 'initial', handshake: 'handshake', oneRtt: 'application' };
const FROM_TLS: Record<TlsLevel, CryptoLevel> = { initial: 'initial', handshake: 'handshake', application: 'oneRtt' };
const SECRET_LEVEL = { early: 'zeroRtt', handshake: 'handshake', application: 'oneRtt' } as const;

type Engine = TlsClient | TlsServer;

class TlsCryptoSession implements CryptoSession {
  readonly #queue: CryptoSessionEvent[] = [];
  #completeSent = false;
  /**
   * The TLS engine; the server's is dropped once its handshake is complete and its tickets are
   * written, since nothing more can come from it (RFC 9001 §4.4: no post-handshake client
   * messages in QUIC). The client keeps its engine for NewSessionTicket (RFC 8446 §4.6.1), which
   * keeps only the resumption secret of its handshake state.
   */
  #engine: Engine | undefined;

  constructor(readonly isClient: boolean, engine: Engine) {
    this.#engine = engine;
  }

  start(): void {
    // The TLS client writes its ClientHello when constructed; collect it.
    this.#collect();
  }

  readHandshake(level: CryptoLevel, data: Uint8Array): void {
    const engine = this.#engine;
    if (!engine) {
      // What the server engine answers any message after its handshake.
      if (data.length > 0) throw new TlsAlert('unexpected_message', 'handshake data after the handshake').toTransportError();
      return;
    }
    this.#guard(() => engine.readHandshake(TO_TLS[level], data));
    this.#collect();
  }

  poll(): CryptoSessionEvent | null {
    return this.#queue.shift() ?? null;
  }

  #guard(fn: () => unknown): void {
    try {
      fn();
    } catch (e) {
      if (e instanceof TlsAlert) throw e.toTransportError();
      if (e instanceof TransportError) throw e;
      throw new TransportError(TransportErrorCode.INTERNAL_ERROR, `TLS failure: ${(e as Error)?.message ?? String(e)}`, 0x06, { cause: e });
    }
  }

  #collect(): void {
    const engine = this.#engine;
    if (!engine) return;
    // Secrets first: data of a level must not be sent before its keys exist, and the connection
    // installs keys as it reads them.
    for (let e = engine.pollEvent(); e !== null; e = engine.pollEvent()) {
      switch (e.type) {
        case 'secret':
          if (e.level === 'early' && e.direction === 'write' && engine instanceof TlsClient) {
            this.#queue.push({ kind: 'earlyDataOffered', rememberedParameters: engine.offeredTicket?.transportParameters });
          }
          this.#queue.push({ kind: 'secret', secret: { level: SECRET_LEVEL[e.level], direction: e.direction, suite: e.suite, secret: e.secret } });
          break;
        case 'transport-parameters':
          this.#queue.push({ kind: 'peerTransportParameters', bytes: e.parameters });
          break;
        case 'keylog':
          this.#queue.push({ kind: 'keylog', line: e.line });
          break;
        case 'handshake-complete':
          this.#completeSent = true;
          this.#queue.push({ kind: 'handshakeComplete', alpn: engine.alpnProtocol, resumed: e.resumed, earlyDataAccepted: e.earlyData === 'accepted' });
          break;
        case 'early-data':
          this.#queue.push({ kind: 'earlyData', accepted: e.accepted });
          break;
        case 'session-ticket':
          this.#queue.push({ kind: 'sessionTicket', lifetime: e.ticket.lifetime, earlyData: e.ticket.maxEarlyData > 0 });
          break;
        default:
          break;
      }
    }
    for (let out = engine.writeHandshake(); out !== null; out = engine.writeHandshake()) {
      this.#queue.push({ kind: 'data', level: FROM_TLS[out.level], data: out.data });
    }
    if (engine instanceof TlsServer && !engine.isHandshaking) this.#engine = undefined;
    // Keep 'handshakeComplete' after the data it completes (the client's Finished).
    if (this.#completeSent) {
      const i = this.#queue.findIndex((e) => e.kind === 'handshakeComplete');
      if (i >= 0 && i < this.#queue.length - 1) this.#queue.push(...this.#queue.splice(i, 1));
      this.#completeSent = false;
    }
  }
}

export type QuicTlsClientOptions = Omit<TlsClientConfig, 'transportParameters' | 'transport'>;
export type QuicTlsServerOptions = Omit<TlsServerConfig, 'transportParameters' | 'transport'>;

/**
 * A factory of TLS client sessions. `options()` is called per connection (e.g. to read the wall
 * clock for `now`). Its `ticketStore` and `earlyData`, when set, take precedence over the
 * connection config's.
 */
export function tlsClientSession(options: () => QuicTlsClientOptions): CryptoSessionFactory {
  return (params: CryptoSessionParams) => {
    const o = options();
    const ticketStore = o.ticketStore ?? params.ticketStore;
    const earlyData = o.earlyData ?? params.earlyData;
    return new TlsCryptoSession(true, new TlsClient({
      ...o, ...(ticketStore ? { ticketStore } : {}), ...(earlyData !== undefined ? { earlyData } : {}),
      transportParameters: params.transportParameters, transport: 'quic',
    }));
  };
}

/**
 * A factory of TLS server sessions. With `tickets`, every ticket also carries the limits of our
 * transport parameters (ahead of any `tickets.appData`, which the application still sees alone in
 * `acceptEarlyData`), and 0-RTT is accepted only when none of them is smaller now (RFC 9000
 * §7.4.1: a server accepting 0-RTT must not reduce them).
 */
export function tlsServerSession(options: () => QuicTlsServerOptions): CryptoSessionFactory {
  return (params: CryptoSessionParams) => {
    const o = options();
    const tickets = o.tickets ? bindTransportParameters(o.tickets, rememberedLimits(decodeTransportParameters(params.transportParameters, 'server'))) : undefined;
    return new TlsCryptoSession(false, new TlsServer({
      ...o, ...(tickets ? { tickets } : {}), transportParameters: params.transportParameters, transport: 'quic',
    }));
  };
}

function bindTransportParameters(t: TlsServerTicketConfig, current: RememberedLimits): TlsServerTicketConfig {
  const user = t.acceptEarlyData;
  return {
    ...t,
    appData: encodeTicketAppData(current, t.appData),
    acceptEarlyData: (info) => {
      let bound: { limits: RememberedLimits; rest: Uint8Array };
      try {
        bound = decodeTicketAppData(info.state.appData);
      } catch (e) {
        if (e instanceof DecodeError) return false; // a ticket without the limits: no 0-RTT
        throw e;
      }
      if (reducedLimit(bound.limits, current) !== undefined) return false;
      return user ? user({ ...info, state: { ...info.state, appData: bound.rest } }) : true;
    },
  };
}
