/**
 * Connection IDs (RFC 9000 §5.1): generation, the IDs we issued, and the IDs the peer issued.
 * @module
 */
export { createConnectionIdGenerator, connectionIdKey } from './generator.ts';
export type { ConnectionIdGenerator, RandomSource } from './generator.ts';
export { LocalConnectionIds } from './local-cids.ts';
export type { LocalConnectionId, LocalCidEvent, LocalConnectionIdsOptions } from './local-cids.ts';
export { PeerConnectionIds } from './peer-cids.ts';
export type { PeerConnectionId, PeerConnectionIdsOptions } from './peer-cids.ts';
