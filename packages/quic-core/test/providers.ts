/** The crypto providers every vector test runs through. */
import { createPureCryptoProvider, type CryptoProvider } from '@quicts/quic-core';
import { createNodeCryptoProvider } from '@quicts/quic-core/node';

export const providers: readonly CryptoProvider[] = [createNodeCryptoProvider(), createPureCryptoProvider()];
