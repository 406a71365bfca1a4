/**
 * @quicts/quic-core/node: the Node-runtime adapters (crypto provider over node:crypto; the UDP
 * driver joins it later). Works on Node, Bun and Deno.
 * @module
 */
export { createNodeCryptoProvider } from './crypto-provider.ts';
export { openQlogFile } from './qlog-writer.ts';
export type { QlogFile } from './qlog-writer.ts';
