/** @quicts/webtransport: WebTransport over HTTP/3. @module */
export * from './errors.ts';
