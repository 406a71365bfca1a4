export * from './varint.ts';
export { Reader } from './reader.ts';
export { Writer } from './writer.ts';
export { toHex, fromHex, bytesEqual, concatBytes } from './hex.ts';
