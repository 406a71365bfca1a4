/**
 * @quicts/quic-core/node: the Node-runtime adapters: the crypto provider over node:crypto, the
 * node:dgram driver of an endpoint, and the small public API (`listen`, `connect`) with WHATWG
 * streams. Works on Node, Bun and Deno.
 * @module
 */
export { createNodeCryptoProvider } from './crypto-provider.ts';
export { openQlogFile, startConnectionQlog } from './qlog-writer.ts';
export type { QlogFile, ConnectionQlog } from './qlog-writer.ts';
export { UdpDriver } from './udp-driver.ts';
export type { UdpDriverOptions, UdpDriverStats } from './udp-driver.ts';
export { listen, connect, QuicServer } from './api.ts';
export { serverTicketConfig } from './server-tickets.ts';
export type { ServerTicketOptions } from './server-tickets.ts';
export type { CommonOptions, ListenOptions, ConnectOptions } from './api.ts';
export { QuicConnection } from './quic-connection.ts';
export type {
  QuicBidirectionalStream, QuicSendStream, QuicReceiveStream, QuicCloseInfo, ConnectionCarrier,
} from './quic-connection.ts';
export { QuicStreamError } from './quic-stream.ts';
export { AsyncQueue } from './async-queue.ts';
export { QuicSessionCache, defaultSessionCache } from './session-cache.ts';
export { certificateKey, certificateVerification, keylogWriter } from './tls-options.ts';
export type { CertificateOptions, VerifyOptions } from './tls-options.ts';
