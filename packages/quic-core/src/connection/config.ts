/**
 * Connection configuration with documented defaults. Everything a peer can make us buffer has a
 * bound here.
 * @module
 */
import type { CryptoProvider } from '../crypto/provider.ts';
import type { CongestionConfig } from '../recovery/congestion/controller.ts';
import { QUIC_V1 } from '../packet/version.ts';
import type { CryptoSessionFactory } from './crypto-session.ts';
import type { QlogTrace } from '../qlog/trace.ts';
import { TlsMemoryTicketStore, type TlsTicketStore } from '../tls/ticket-store.ts';

export interface TransportConfig {
  /** max_idle_timeout we advertise, ms (0 disables; default 30 000). */
  maxIdleTimeout: number;
  /** initial_max_data (default 1 MiB), tuned up to `maxConnectionWindow`. */
  initialMaxData: number;
  /** initial_max_stream_data_* (default 256 KiB each), tuned up to `maxStreamWindow`. */
  initialMaxStreamDataBidiLocal: number;
  initialMaxStreamDataBidiRemote: number;
  initialMaxStreamDataUni: number;
  /** Largest window auto-tuning may reach per stream (default 16 MiB). */
  maxStreamWindow: number;
  /** Largest connection window auto-tuning may reach (default 24 MiB). */
  maxConnectionWindow: number;
  /** initial_max_streams_bidi / _uni (default 100 each). */
  initialMaxStreamsBidi: number;
  initialMaxStreamsUni: number;
  /** Most unacknowledged bytes one stream / all streams hold for sending (1 MiB / 16 MiB). */
  sendBufferPerStream: number;
  sendBufferTotal: number;
  /** max_ack_delay we advertise, ms (default 25). */
  maxAckDelay: number;
  /** ack_delay_exponent we advertise (default 3). */
  ackDelayExponent: number;
  /** active_connection_id_limit we advertise (default 4). */
  activeConnectionIdLimit: number;
  /** Length of the connection IDs we issue (default 8). */
  connectionIdLength: number;
  /** max_datagram_frame_size we advertise; 0 disables DATAGRAM (RFC 9221; default 0). */
  maxDatagramFrameSize: number;
  /** Most outgoing datagrams queued before `sendDatagram` refuses more (default 64). */
  datagramSendQueue: number;
  /** Most incoming datagrams held for the application before the oldest is dropped (default 256). */
  datagramReceiveQueue: number;
  /** Largest UDP payload we are willing to receive (max_udp_payload_size; default 65527). */
  maxUdpPayloadSize: number;
  /** UDP payload size we send after the handshake, if the peer allows it (default 1452). */
  maxSendUdpPayloadSize: number;
  /** Most CRYPTO bytes buffered out of order per level (RFC 9000 §7.5; default 64 KiB). */
  maxCryptoBuffer: number;
  /** Packets sent with one key before initiating a key update (RFC 9001 §6; default 2^22). */
  keyUpdateInterval: number;
  /** Congestion controller (default CUBIC) and pacing (default on). */
  congestion: CongestionConfig;
  pacing: boolean;
  /** Send an ack-eliciting packet when idle this long (ms, 0 = never; default 0). */
  keepAliveInterval: number;
  /** Initial RTT estimate, ms (RFC 9002 §6.2.2; default 333). */
  initialRtt: number;
  /** disable_active_migration (default false). */
  disableActiveMigration: boolean;
}

export const DEFAULT_TRANSPORT_CONFIG: Readonly<TransportConfig> = Object.freeze({
  maxIdleTimeout: 30_000,
  initialMaxData: 1024 * 1024,
  initialMaxStreamDataBidiLocal: 256 * 1024,
  initialMaxStreamDataBidiRemote: 256 * 1024,
  initialMaxStreamDataUni: 256 * 1024,
  maxStreamWindow: 16 * 1024 * 1024,
  maxConnectionWindow: 24 * 1024 * 1024,
  initialMaxStreamsBidi: 100,
  initialMaxStreamsUni: 100,
  sendBufferPerStream: 1024 * 1024,
  sendBufferTotal: 16 * 1024 * 1024,
  maxAckDelay: 25,
  ackDelayExponent: 3,
  activeConnectionIdLimit: 4,
  connectionIdLength: 8,
  maxDatagramFrameSize: 0,
  datagramSendQueue: 64,
  datagramReceiveQueue: 256,
  maxUdpPayloadSize: 65527,
  maxSendUdpPayloadSize: 1452,
  maxCryptoBuffer: 64 * 1024,
  keyUpdateInterval: 1 << 22,
  congestion: {},
  pacing: true,
  keepAliveInterval: 0,
  initialRtt: 333,
  disableActiveMigration: false,
});

export interface ConnectionConfig {
  /** Packet-protection crypto. */
  readonly crypto: CryptoProvider;
  /** Creates the TLS session (or a test session) of each connection. */
  readonly cryptoSession: CryptoSessionFactory;
  /** QUIC version to start with (client) (default v1). */
  readonly version?: number;
  /** Transport settings; unspecified fields take {@link DEFAULT_TRANSPORT_CONFIG}. */
  readonly transport?: Partial<TransportConfig>;
  /**
   * Check internal invariants on every packet (flow-control limits of every STREAM frame sent)
   * and throw `ConnectionInvariantError` out of the engine calls on a breach. For tests; costs time.
   */
  readonly debugInvariants?: boolean;
  /**
   * Makes the connection IDs this connection issues (RFC 9000 §5.1), all of one length; the
   * endpoint supplies it so that IDs are unique and routable. Default: random IDs of
   * `transport.connectionIdLength` bytes.
   */
  readonly connectionIdGenerator?: () => Uint8Array;
  /**
   * The stateless reset token of a connection ID we issue (RFC 9000 §10.3.2; the endpoint derives
   * it from a static key so it can reset after losing state). Default: random tokens.
   */
  readonly resetTokenFor?: (cid: Uint8Array) => Uint8Array;
  /** A qlog trace for this connection's packet, recovery, key and close events (off by default). */
  readonly qlog?: QlogTrace;
  /**
   * Receives an SSLKEYLOGFILE line whenever the TLS session derives a secret (only when the
   * session logs keys). Without a sink, lines collect in `Connection.keylog`.
   */
  readonly keylog?: (line: string) => void;
  /**
   * Client: where session tickets, with the server's transport parameters remembered for 0-RTT
   * (RFC 9000 §7.4.1), are kept between connections; the next connection to the same server name
   * offers one. Default: one in-memory store shared by the connections made with this config object.
   */
  readonly ticketStore?: TlsTicketStore;
  /**
   * Client: send 0-RTT (stream data and DATAGRAMs written before the handshake completes) when
   * the offered ticket allows it (RFC 9001 §4.6; default false). 0-RTT data can be replayed by an
   * attacker: only idempotent requests belong there.
   */
  readonly earlyData?: boolean;
}

export interface ResolvedConfig {
  readonly crypto: CryptoProvider;
  readonly cryptoSession: CryptoSessionFactory;
  readonly version: number;
  readonly transport: Readonly<TransportConfig>;
  readonly debugInvariants: boolean;
  readonly connectionIdGenerator: () => Uint8Array;
  readonly resetTokenFor: (cid: Uint8Array) => Uint8Array;
  readonly qlog: QlogTrace | undefined;
  readonly keylog: ((line: string) => void) | undefined;
  readonly ticketStore: TlsTicketStore;
  readonly earlyData: boolean;
}

/** Default ticket stores, one per config object. */
const defaultTicketStores = new WeakMap<ConnectionConfig, TlsTicketStore>();

function ticketStoreOf(config: ConnectionConfig): TlsTicketStore {
  if (config.ticketStore) return config.ticketStore;
  let store = defaultTicketStores.get(config);
  if (!store) defaultTicketStores.set(config, (store = new TlsMemoryTicketStore()));
  return store;
}

export function resolveConfig(config: ConnectionConfig): ResolvedConfig {
  const transport = { ...DEFAULT_TRANSPORT_CONFIG, ...config.transport };
  if (transport.connectionIdLength < 0 || transport.connectionIdLength > 20) throw new RangeError('connectionIdLength must be 0..20');
  if (transport.activeConnectionIdLimit < 2) throw new RangeError('activeConnectionIdLimit must be at least 2');
  if (transport.maxSendUdpPayloadSize < 1200) throw new RangeError('maxSendUdpPayloadSize must be at least 1200');
  return Object.freeze({ crypto: config.crypto, cryptoSession: config.cryptoSession, version: config.version ?? QUIC_V1, transport: Object.freeze(transport),
    debugInvariants: config.debugInvariants ?? false,
    connectionIdGenerator: config.connectionIdGenerator ?? (() => config.crypto.randomBytes(transport.connectionIdLength)),
    resetTokenFor: config.resetTokenFor ?? (() => config.crypto.randomBytes(16)),
    qlog: config.qlog,
    keylog: config.keylog,
    ticketStore: ticketStoreOf(config),
    earlyData: config.earlyData ?? false,
  });
}
