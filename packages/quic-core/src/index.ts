/**
 * @quicts/quic-core: a sans-IO QUIC transport. This file is the package's whole public surface.
 * @module
 */
export * from './codec/index.ts';
export * from './errors.ts';
export * from './crypto/index.ts';
export * from './packet/index.ts';
export * from './frame/index.ts';
export * from './recovery/index.ts';
export * from './flow/index.ts';
export * from './streams/index.ts';
export * from './cid/index.ts';
export * from './endpoint/index.ts';
export * from './qlog/index.ts';
export * from './connection/index.ts';
export * from './tls/index.ts';
