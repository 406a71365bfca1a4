// Public exports of the crypto module.
export * from './provider.ts';
export { createPureCryptoProvider } from './pure-provider.ts';
export * from './cipher-suite.ts';
export * from './hkdf-label.ts';
export * from './packet-keys.ts';
