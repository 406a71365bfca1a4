/**
 * Peer violations found by the WebTransport layer. `scope` says what they end: the stream they
 * arose on, the session (its CONNECT stream is reset with `code`), or the whole connection
 * (CONNECTION_CLOSE with `code`). `code` is always an HTTP/3 error code.
 * @module
 */
import { h3ErrorName } from '@quicts/h3';
import { WebTransportErrorCode } from '../errors.ts';

export type WtErrorScope = 'stream' | 'session' | 'connection';

function nameOf(code: number): string {
  for (const [name, value] of Object.entries(WebTransportErrorCode)) if (value === code) return name;
  return h3ErrorName(code);
}

export class WtProtocolError extends Error {
  override readonly name = 'WtProtocolError';
  constructor(
    readonly code: number,
    readonly reason: string,
    readonly scope: WtErrorScope,
  ) {
    super(`${nameOf(code)}: ${reason}`);
  }
}
