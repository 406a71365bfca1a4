/**
 * Stream ID arithmetic (RFC 9000 §2.1): the two low bits of a stream ID give its initiator
 * (bit 0: 0 client, 1 server) and direction (bit 1: 0 bidirectional, 1 unidirectional); the
 * rest is the stream's index among streams of that type. IDs are at most 2^62-1; arithmetic,
 * not bitwise operators, keeps them exact above 2^31.
 * @module
 */

/** Which endpoint initiated a stream, or which endpoint we are. */
export type StreamSide = 'client' | 'server';

/** Stream direction: bidirectional or unidirectional. */
export type StreamDir = 'bidi' | 'uni';

/** RFC 9000 Table 1: the stream type in the two low bits. */
export const StreamType = {
  CLIENT_BIDI: 0x0,
  SERVER_BIDI: 0x1,
  CLIENT_UNI: 0x2,
  SERVER_UNI: 0x3,
} as const;

/** Largest stream ID a varint can carry (RFC 9000 §16), as far as a `number` holds it. */
export const MAX_STREAM_ID = Number.MAX_SAFE_INTEGER;

/** The two low bits of `id` (RFC 9000 §2.1). */
export function streamTypeBits(id: number): number {
  return id % 4;
}

/** The endpoint that initiated stream `id`. */
export function streamInitiator(id: number): StreamSide {
  return id % 2 === 0 ? 'client' : 'server';
}

/** The direction of stream `id`. */
export function streamDir(id: number): StreamDir {
  return id % 4 >= 2 ? 'uni' : 'bidi';
}

export function isBidiStream(id: number): boolean {
  return id % 4 < 2;
}

export function isUniStream(id: number): boolean {
  return id % 4 >= 2;
}

/** True when stream `id` was initiated by `side`. */
export function isLocalStream(id: number, side: StreamSide): boolean {
  return streamInitiator(id) === side;
}

/** The index of stream `id` among the streams of its type (0 for the first). */
export function streamIndex(id: number): number {
  return Math.floor(id / 4);
}

/** The ID of the `index`-th stream of the given initiator and direction. */
export function makeStreamId(initiator: StreamSide, dir: StreamDir, index: number): number {
  if (!Number.isInteger(index) || index < 0) throw new RangeError(`invalid stream index ${index}`);
  const id = index * 4 + (initiator === 'server' ? 1 : 0) + (dir === 'uni' ? 2 : 0);
  if (id > MAX_STREAM_ID) throw new RangeError(`stream index ${index} out of range`);
  return id;
}

/** The other endpoint. */
export function peerSide(side: StreamSide): StreamSide {
  return side === 'client' ? 'server' : 'client';
}

/**
 * Whether we send and/or receive on stream `id` from `side`'s point of view: bidirectional
 * streams both; a unidirectional stream only its initiator sends (RFC 9000 §2.1).
 */
export function streamParts(id: number, side: StreamSide): { send: boolean; recv: boolean } {
  if (isBidiStream(id)) return { send: true, recv: true };
  const local = isLocalStream(id, side);
  return { send: local, recv: !local };
}
