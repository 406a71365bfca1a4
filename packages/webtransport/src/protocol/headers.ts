/**
 * The header sections of session establishment (draft-ietf-webtrans-http3 §3.2, §3.3): the
 * extended CONNECT request (RFC 9220) a client sends in each dialect, what a server reads from
 * it, and the response.
 * @module
 */
import type { QpackField } from '@quicts/h3';
import { type WtDialect, wtUpgradeToken, WT_UPGRADE_TOKENS } from './dialect.ts';
import type { WtSessionRequest } from './events.ts';
import { parseProtocolItem, parseProtocolList, serializeProtocolItem, serializeProtocolList } from './structured-fields.ts';

export interface WtRequestInit {
  readonly authority: string;
  readonly path: string;
  readonly origin?: string;
  /** WT-Available-Protocols, most preferred first. */
  readonly protocols?: readonly string[];
  /** More request fields (lowercase names). */
  readonly headers?: readonly QpackField[];
}

/** The CONNECT request of `dialect` (draft-02 adds `sec-webtransport-http3-draft02: 1`, as Chromium does). */
export function buildWtRequest(dialect: WtDialect, init: WtRequestInit): QpackField[] {
  const out: QpackField[] = [
    { name: ':method', value: 'CONNECT' },
    { name: ':protocol', value: wtUpgradeToken(dialect) },
    { name: ':scheme', value: 'https' },
    { name: ':authority', value: init.authority },
    { name: ':path', value: init.path },
  ];
  if (dialect === 'draft02') out.push({ name: 'sec-webtransport-http3-draft02', value: '1' });
  if (init.origin !== undefined) out.push({ name: 'origin', value: init.origin });
  if (init.protocols !== undefined && init.protocols.length > 0) {
    out.push({ name: 'wt-available-protocols', value: serializeProtocolList(init.protocols) });
  }
  for (const f of init.headers ?? []) out.push(f);
  return out;
}

const field = (headers: readonly QpackField[], name: string): string | undefined => headers.find((f) => f.name === name)?.value;

/** Whether a request header section asks for a WebTransport session. */
export function isWtRequest(headers: readonly QpackField[]): boolean {
  const protocol = field(headers, ':protocol');
  return field(headers, ':method') === 'CONNECT' && protocol !== undefined && WT_UPGRADE_TOKENS.includes(protocol);
}

/** What a server needs from the request (HTTP/3 already checked the pseudo-header fields). */
export function readWtRequest(headers: readonly QpackField[]): WtSessionRequest {
  const offered = field(headers, 'wt-available-protocols');
  return {
    authority: field(headers, ':authority') ?? '',
    path: field(headers, ':path') ?? '',
    origin: field(headers, 'origin'),
    protocols: offered === undefined ? [] : parseProtocolList(offered) ?? [],
    headers,
  };
}

/** A 2xx response; draft-02 echoes `sec-webtransport-http3-draft: draft02` as quiche does. */
export function buildWtResponse(dialect: WtDialect, protocol: string | undefined, extra: readonly QpackField[] = []): QpackField[] {
  const out: QpackField[] = [{ name: ':status', value: '200' }];
  if (dialect === 'draft02') out.push({ name: 'sec-webtransport-http3-draft', value: 'draft02' });
  if (protocol !== undefined) out.push({ name: 'wt-protocol', value: serializeProtocolItem(protocol) });
  for (const f of extra) out.push(f);
  return out;
}

/** The status and WT-Protocol of a response (WT-Protocol undefined when absent or malformed). */
export function readWtResponse(headers: readonly QpackField[]): { status: number; protocol: string | undefined } {
  const status = Number(field(headers, ':status') ?? '0');
  const p = field(headers, 'wt-protocol');
  return { status, protocol: p === undefined ? undefined : parseProtocolItem(p) };
}
