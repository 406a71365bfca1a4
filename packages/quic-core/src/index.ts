/**
 * @quicts/quic-core: a sans-IO QUIC transport. This file is the package's whole public surface.
 * @module
 */
export * from './codec/index.ts';
export * from './errors.ts';
