/**
 * @quicts/webtransport/node: WebTransport on the node runtime (Node, Bun, Deno) over the
 * quic-core UDP driver: `createWebTransportServer(...)` with routing by path and a request hook,
 * sessions with WHATWG streams and datagrams; `connectWebTransport(url)` and the W3C `WebTransport`
 * class as clients.
 * @module
 */
export { createWebTransportServer, WebTransportServer, WT_ALPN, WT_SERVER_TRANSPORT_DEFAULTS } from './server.ts';
export type {
  WebTransportRequest, WebTransportRequestDecision, WebTransportRequestHook, WebTransportSessionHandler, WebTransportServerOptions,
} from './server.ts';
export { WebTransportSession } from './session.ts';
export type { WebTransportCloseInfo, WebTransportCloseOptions, WebTransportDatagramDuplex, WebTransportSessionStats } from './session.ts';
export { WtNodeConnection, SessionRejectedError } from './connection.ts';
export { StreamReader } from './streams.ts';
export type { WebTransportBidirectionalStream } from './streams.ts';
export { Router } from './routes.ts';
export type { RouteMatch } from './routes.ts';
export { connectWebTransport, WebTransportTimeoutError } from './client.ts';
export type { WebTransportClientOptions } from './client.ts';
export { WebTransport } from './w3c.ts';
export type { WebTransportOptions, WebTransportHash } from './w3c.ts';
export { WebTransportConnection } from './web-transport-connection.ts';
export type { CreateSessionOptions, CloseConnectionOptions, GracefulShutdownOptions } from './web-transport-connection.ts';
export type { ConnectionDiagnostics, WebTransportConnectionState } from './diagnostics.ts';
export { CLIENT_CONFIG_DEFAULTS, SERVER_CONFIG_DEFAULTS, clientConfig, serverConfig, clientOptionsOf, serverOptionsOf } from './config.ts';
export type { ClientConfig, ServerConfig, CommonConfig } from './config.ts';
export { dialWebTransport } from './client.ts';
export { ConnectionLoadBalancer } from './load-balancer.ts';
export type {
  ConnectionFactory, ConnectionLoadBalancerOptions, HealthChecker, LoadBalancerStats, LoadBalancerTargetInit, LoadBalancingStrategy, TargetStats,
} from './load-balancer.ts';
