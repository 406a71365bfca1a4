/**
 * Validation of HTTP/3 field sections (RFC 9114 §4.2, §4.3, §4.4; RFC 9220 §3 for extended
 * CONNECT). A section that breaks these rules makes its message malformed: a stream error of type
 * H3_MESSAGE_ERROR (RFC 9114 §4.1.2). The same checks guard what we send, where a failure is
 * the caller's mistake and surfaces as a TypeError.
 * @module
 */
import { H3Error, H3ErrorCode } from '../errors.ts';
import type { QpackField } from '../qpack/types.ts';

/** The pseudo-header fields of a request. */
export interface H3RequestHead {
  readonly method: string;
  readonly scheme: string | undefined;
  readonly authority: string | undefined;
  readonly path: string | undefined;
  /** The `:protocol` of an extended CONNECT (RFC 9220). */
  readonly protocol: string | undefined;
  /** The content-length value, or null when absent. */
  readonly contentLength: number | null;
}

/** The pseudo-header field and content length of a response. */
export interface H3ResponseHead {
  readonly status: number;
  readonly contentLength: number | null;
}

function malformed(reason: string): H3Error {
  return new H3Error(H3ErrorCode.H3_MESSAGE_ERROR, reason, 'stream');
}

/** RFC 9110 §5.6.2 tchar, with uppercase letters excluded (RFC 9114 §4.2). */
const NAME_CHAR = (() => {
  const ok = new Uint8Array(128);
  for (let c = 0x61; c <= 0x7a; c++) ok[c] = 1;
  for (let c = 0x30; c <= 0x39; c++) ok[c] = 1;
  for (const ch of "!#$%&'*+-.^_`|~") ok[ch.charCodeAt(0)] = 1;
  return ok;
})();

/** RFC 9114 §4.2: connection-specific fields are forbidden (TE is checked separately). */
const CONNECTION_SPECIFIC: ReadonlySet<string> = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

function checkName(name: string): void {
  if (name.length === 0) throw malformed('empty field name');
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) throw malformed(`uppercase character in field name ${JSON.stringify(name)}`);
    if (c >= 128 || NAME_CHAR[c] !== 1) throw malformed(`invalid character in field name ${JSON.stringify(name)}`);
  }
}

/** RFC 9114 §10.3 and RFC 9110 §5.5: no NUL, CR or LF, and no leading or trailing whitespace. */
function checkValue(name: string, value: string): void {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0 || c === 0x0a || c === 0x0d) throw malformed(`invalid character in the value of ${name}`);
  }
  if (value.length > 0) {
    const first = value.charCodeAt(0);
    const last = value.charCodeAt(value.length - 1);
    if (first === 0x20 || first === 0x09 || last === 0x20 || last === 0x09) throw malformed(`whitespace around the value of ${name}`);
  }
}

type Kind = 'request' | 'response' | 'trailers';

const PSEUDO: Record<Kind, ReadonlySet<string>> = {
  request: new Set([':method', ':scheme', ':authority', ':path', ':protocol']),
  response: new Set([':status']),
  trailers: new Set(),
};

interface Scan {
  readonly pseudo: Map<string, string>;
  readonly contentLength: number | null;
  readonly host: string | undefined;
}

/** Checks names, values, pseudo-header placement and connection-specific fields. */
function scan(fields: readonly QpackField[], kind: Kind, allowProtocol: boolean): Scan {
  const pseudo = new Map<string, string>();
  let regularSeen = false;
  let contentLength: number | null = null;
  let host: string | undefined;
  for (const { name, value } of fields) {
    if (name.startsWith(':')) {
      // RFC 9114 §4.3: only defined pseudo-headers, each once, all before regular fields.
      if (regularSeen) throw malformed(`pseudo-header ${name} after regular fields`);
      if (!PSEUDO[kind].has(name) || (name === ':protocol' && !allowProtocol)) throw malformed(`pseudo-header ${name} not allowed in ${kind}`);
      if (pseudo.has(name)) throw malformed(`duplicate pseudo-header ${name}`);
      checkValue(name, value);
      pseudo.set(name, value);
      continue;
    }
    regularSeen = true;
    checkName(name);
    checkValue(name, value);
    if (CONNECTION_SPECIFIC.has(name)) throw malformed(`connection-specific field ${name}`);
    // RFC 9114 §4.2: TE may appear in requests, and only with "trailers".
    if (name === 'te' && (kind !== 'request' || value !== 'trailers')) throw malformed(`te: ${value} not allowed`);
    if (name === 'content-length') {
      // RFC 9110 §8.6: digits; repeated values must agree.
      const n = /^[0-9]+$/.test(value) ? Number(value) : NaN;
      if (!Number.isSafeInteger(n)) throw malformed(`invalid content-length ${JSON.stringify(value)}`);
      if (contentLength !== null && contentLength !== n) throw malformed('conflicting content-length values');
      contentLength = n;
    }
    if (name === 'host') {
      if (host !== undefined && host !== value) throw malformed('conflicting host values');
      host = value;
    }
  }
  return { pseudo, contentLength, host };
}

/**
 * Validates a request header section. `allowProtocol` says whether `:protocol` is acceptable
 * (SETTINGS_ENABLE_CONNECT_PROTOCOL=1 from the server, RFC 9220 §3).
 */
export function validateRequestHeaders(fields: readonly QpackField[], allowProtocol: boolean): H3RequestHead {
  const { pseudo, contentLength, host } = scan(fields, 'request', allowProtocol);
  const method = pseudo.get(':method');
  const scheme = pseudo.get(':scheme');
  const authority = pseudo.get(':authority');
  const path = pseudo.get(':path');
  const protocol = pseudo.get(':protocol');
  if (method === undefined || method === '') throw malformed('missing :method');
  if (method === 'CONNECT' && protocol === undefined) {
    // RFC 9114 §4.4: CONNECT carries :authority only.
    if (scheme !== undefined || path !== undefined) throw malformed('CONNECT with :scheme or :path');
    if (authority === undefined || authority === '') throw malformed('CONNECT without :authority');
    return { method, scheme, authority, path, protocol, contentLength };
  }
  if (protocol !== undefined) {
    // RFC 9220 §3 (RFC 8441 §4): extended CONNECT needs :scheme, :path and :authority.
    if (method !== 'CONNECT') throw malformed(`:protocol with method ${method}`);
    if (protocol === '') throw malformed('empty :protocol');
  }
  // RFC 9114 §4.3.1: exactly one :method, :scheme and :path.
  if (scheme === undefined || scheme === '') throw malformed('missing :scheme');
  if (path === undefined || path === '') throw malformed('missing or empty :path');
  if (scheme === 'http' || scheme === 'https') {
    if (path !== '*' && !path.startsWith('/')) throw malformed(`invalid :path ${JSON.stringify(path)}`);
    if (path === '*' && method !== 'OPTIONS') throw malformed(':path * outside OPTIONS');
    // RFC 9114 §4.3.1: :authority or Host, not empty, and equal when both are present.
    if ((authority === undefined || authority === '') && (host === undefined || host === '')) throw malformed('missing :authority and host');
    if (authority !== undefined && host !== undefined && authority !== host) throw malformed(':authority and host differ');
  }
  if (protocol !== undefined && (authority === undefined || authority === '')) throw malformed('extended CONNECT without :authority');
  return { method, scheme, authority, path, protocol, contentLength };
}

/** Validates a response header section (final or interim). */
export function validateResponseHeaders(fields: readonly QpackField[]): H3ResponseHead {
  const { pseudo, contentLength } = scan(fields, 'response', false);
  const status = pseudo.get(':status');
  // RFC 9114 §4.3.2: :status is required; RFC 9110 §15: three digits.
  if (status === undefined || !/^[1-5][0-9][0-9]$/.test(status)) throw malformed(`invalid :status ${JSON.stringify(status)}`);
  const code = Number(status);
  // RFC 9114 §4.5: HTTP/3 has no Upgrade, hence no 101.
  if (code === 101) throw malformed('101 Switching Protocols in HTTP/3');
  return { status: code, contentLength };
}

/** Validates a trailer section: no pseudo-headers (RFC 9114 §4.3). */
export function validateTrailers(fields: readonly QpackField[]): void {
  scan(fields, 'trailers', false);
}

/** Size of a field section as RFC 9114 §4.2.2 counts it: name + value + 32 per line. */
export function fieldSectionSize(fields: readonly QpackField[]): number {
  let n = 0;
  for (const { name, value } of fields) n += utf8Length(name) + utf8Length(value) + 32;
  return n;
}

function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) n += c >= 0x800 && (c < 0xd800 || c > 0xdfff) ? 2 : 1;
  }
  return n;
}
