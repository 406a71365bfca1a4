// Public exports of the connection module.
export {
  TransportParameterId, TRANSPORT_PARAMETER_DEFAULTS, createTransportParameters, encodeTransportParameters,
  decodeTransportParameters, isReservedTransportParameterId, greaseTransportParameter, authenticateConnectionIds,
} from './transport-params.ts';
export type {
  TransportParameters, PreferredAddress, VersionInformation, UnknownTransportParameter, ExpectedConnectionIds,
} from './transport-params.ts';
export { Connection } from './connection.ts';
export type { Address, PathInfo, Transmit, ConnState, EarlyDataState, ClientConnectOptions, ServerAcceptOptions } from './connection.ts';
export { rememberedLimits, reducedLimit, encodeTicketAppData, decodeTicketAppData } from './remembered-params.ts';
export type { RememberedLimits } from './remembered-params.ts';
export { DEFAULT_TRANSPORT_CONFIG, resolveConfig } from './config.ts';
export type { ConnectionConfig, TransportConfig, ResolvedConfig } from './config.ts';
export type { ConnectionEvent, ConnectionEventType, CloseReason } from './events.ts';
export type { CryptoSession, CryptoSessionEvent, CryptoSessionFactory, CryptoSessionParams, CryptoLevel, TrafficSecret } from './crypto-session.ts';
export { tlsClientSession, tlsServerSession } from './tls-session.ts';
export type { QuicTlsClientOptions, QuicTlsServerOptions } from './tls-session.ts';
export { ConnectionInvariantError, FlowControlAudit } from './flow-audit.ts';
export { MtuProber, BASE_DATAGRAM_SIZE } from './mtu-probe.ts';
export { ConnectionIds, MAX_CID_FRAME_SIZE } from './cids.ts';
export type { ConnectionEndpointEvent, ConnectionIdsOptions } from './cids.ts';
