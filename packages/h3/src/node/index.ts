/**
 * @quicts/h3/node: HTTP/3 client and server on the node runtime (Node, Bun, Deno) over the
 * quic-core UDP driver: `request(url, init)`, `H3Client.connect(origin)`, `createH3Server(...)`.
 * @module
 */
export { request, H3Client } from './client.ts';
export type { H3ClientOptions, H3RequestInit, H3Response } from './client.ts';
export { createH3Server, H3Server } from './server.ts';
export type { H3Handler, H3ServerOptions, H3ServerRequest, H3ServerResponse } from './server.ts';
export { H3RequestError } from './errors.ts';
export type { H3RequestErrorCode } from './errors.ts';
export { H3Session, MessageState as H3MessageState } from './session.ts';
export type { SessionCarrier as H3SessionCarrier } from './session.ts';
export type { H3BodyInit, H3HeadersInit } from './body.ts';
export { H3_ALPN } from './options.ts';
export type { H3CommonOptions, CertificateOptions, VerifyOptions } from './options.ts';
export { fileHandler, downloadFiles, downloadOn } from './files.ts';
export type { DownloadResult } from './files.ts';
