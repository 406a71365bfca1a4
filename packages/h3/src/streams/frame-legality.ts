/**
 * Which frames may appear on which stream (RFC 9114 §7.2, Table 1). A frame on a stream where it
 * is not allowed is a connection error of type H3_FRAME_UNEXPECTED. Reserved and unknown frame
 * types are allowed everywhere (§9).
 * @module
 */
import { H3Error, H3ErrorCode } from '../errors.ts';
import { H3FrameType, h3FrameTypeName } from '../frames/types.ts';

/** The HTTP/3 stream kinds that carry frames. */
export type H3FrameStreamKind = 'control' | 'request' | 'push';

/** RFC 9114 Table 1. PUSH_PROMISE is further limited to the server-to-client direction. */
const LEGAL: ReadonlyMap<number, ReadonlySet<H3FrameStreamKind>> = new Map<number, ReadonlySet<H3FrameStreamKind>>([
  [H3FrameType.DATA, new Set(['request', 'push'])],
  [H3FrameType.HEADERS, new Set(['request', 'push'])],
  [H3FrameType.CANCEL_PUSH, new Set(['control'])],
  [H3FrameType.SETTINGS, new Set(['control'])],
  [H3FrameType.PUSH_PROMISE, new Set(['request'])],
  [H3FrameType.GOAWAY, new Set(['control'])],
  [H3FrameType.MAX_PUSH_ID, new Set(['control'])],
]);

/**
 * Throws H3_FRAME_UNEXPECTED unless a frame of `type` may arrive on a stream of `kind`.
 * `receivingAsServer` excludes PUSH_PROMISE, which only servers send (RFC 9114 §7.2.5).
 */
export function checkH3FrameAllowed(type: number, kind: H3FrameStreamKind, receivingAsServer: boolean): void {
  const allowed = LEGAL.get(type);
  if (allowed === undefined) return;
  if (!allowed.has(kind) || (type === H3FrameType.PUSH_PROMISE && receivingAsServer)) {
    throw new H3Error(H3ErrorCode.H3_FRAME_UNEXPECTED, `${h3FrameTypeName(type)} frame on a ${kind} stream`);
  }
}
