/**
 * Stream error codes across the WebTransport/HTTP/3 boundary (draft-ietf-webtrans-http3 §4.4):
 * application codes are mapped into the WT_APPLICATION_ERROR range for RESET_STREAM and
 * STOP_SENDING and back. draft-02 only had room for 8-bit codes (its range ends at 0x52e4a40fa9e2).
 * @module
 */
import { http3CodeToWebTransport, webTransportCodeToHttp3 } from '../errors.ts';
import type { WtDialect } from './dialect.ts';

/** The HTTP/3 code carrying application code `code` in `dialect` (RangeError when it does not fit). */
export function wtStreamCodeToH3(dialect: WtDialect | undefined, code: number): number {
  if (dialect === 'draft02' && (!Number.isInteger(code) || code < 0 || code > 0xff)) {
    throw new RangeError(`draft-02 stream error codes are 8-bit: ${code}`);
  }
  return webTransportCodeToHttp3(code);
}

/** The application code in an HTTP/3 code, or undefined when it carries none. */
export function h3StreamCodeToWt(h3Code: number): number | undefined {
  return http3CodeToWebTransport(h3Code);
}
