/**
 * WebTransport over HTTP/3 dialects (draft-ietf-webtrans-http3 -02 to -16) and their negotiation
 * through HTTP/3 SETTINGS. Each endpoint announces every dialect it speaks, each with its own
 * setting; the highest dialect both announced wins (draft -15 §7.1). The dialect fixes the
 * upgrade token, whether session flow control and several sessions per connection are possible,
 * and which request headers are sent.
 * @module
 */
import type { H3SettingEntry, H3Settings } from '@quicts/h3';

/** The dialects, oldest first: draft-02 (Chrome's default), -07 to -12, -13/-14, -15/-16. */
export type WtDialect = 'draft02' | 'draft07' | 'draft13' | 'draft15';

/** Every dialect, oldest first (the order of preference is the reverse). */
export const WT_DIALECTS: readonly WtDialect[] = Object.freeze(['draft02', 'draft07', 'draft13', 'draft15']);

/** SETTINGS identifiers of the drafts (and the HTTP datagram draft Chromium still announces). */
export const WtSettingId = {
  /** draft-02 SETTINGS_ENABLE_WEBTRANSPORT (1 = on). */
  ENABLE_WEBTRANSPORT_DRAFT02: 0x2b603742,
  /** draft-07..-12 SETTINGS_WEBTRANSPORT_MAX_SESSIONS. */
  MAX_SESSIONS_DRAFT07: 0xc671706a,
  /** draft-13/-14 SETTINGS_WT_MAX_SESSIONS. */
  MAX_SESSIONS_DRAFT13: 0x14e9cd29,
  /** draft-15/-16 SETTINGS_WT_ENABLED (1 = on). */
  ENABLED_DRAFT15: 0x2c7cf000,
  /** draft-12+ SETTINGS_WT_INITIAL_MAX_DATA. */
  INITIAL_MAX_DATA: 0x2b61,
  /** draft-12+ SETTINGS_WT_INITIAL_MAX_STREAMS_UNI. */
  INITIAL_MAX_STREAMS_UNI: 0x2b64,
  /** draft-12+ SETTINGS_WT_INITIAL_MAX_STREAMS_BIDI. */
  INITIAL_MAX_STREAMS_BIDI: 0x2b65,
  /** draft-ietf-masque-h3-datagram-04 SETTINGS_H3_DATAGRAM, still sent by Chromium. */
  H3_DATAGRAM_DRAFT04: 0xffd277,
} as const;

/** What we offer on a connection. */
export interface WtLocalSettings {
  /** Dialects we speak (default: all). */
  readonly dialects: readonly WtDialect[];
  /** Sessions we accept (server) or announce (client) per connection. */
  readonly maxSessions: number;
  /** Session data credit we give the peer at the start of each session (draft-13+). */
  readonly initialMaxData: number;
  /** Unidirectional streams the peer may open in each session at first (draft-13+). */
  readonly initialMaxStreamsUni: number;
  /** Bidirectional streams the peer may open in each session at first (draft-13+). */
  readonly initialMaxStreamsBidi: number;
}

export const WT_DEFAULT_LOCAL_SETTINGS: WtLocalSettings = Object.freeze({
  dialects: WT_DIALECTS,
  maxSessions: 16,
  initialMaxData: 16 * 1024 * 1024,
  initialMaxStreamsUni: 128,
  initialMaxStreamsBidi: 128,
});

/** The upgrade token (`:protocol`) of a dialect. */
export function wtUpgradeToken(dialect: WtDialect): 'webtransport' | 'webtransport-h3' {
  return dialect === 'draft15' ? 'webtransport-h3' : 'webtransport';
}

/** Every upgrade token some dialect uses. */
export const WT_UPGRADE_TOKENS: readonly string[] = Object.freeze(['webtransport', 'webtransport-h3']);

/**
 * The WebTransport entries of our SETTINGS frame (the HTTP/3 connection adds
 * ENABLE_CONNECT_PROTOCOL and H3_DATAGRAM itself). Session credit (INITIAL_*) goes out only for
 * the dialects that define it, with non-zero values so that flow-controlled peers can send at once.
 */
export function wtSettingsEntries(local: WtLocalSettings): H3SettingEntry[] {
  const has = (d: WtDialect): boolean => local.dialects.includes(d);
  const out: H3SettingEntry[] = [];
  if (has('draft02')) {
    out.push({ id: WtSettingId.ENABLE_WEBTRANSPORT_DRAFT02, value: 1 });
    out.push({ id: WtSettingId.H3_DATAGRAM_DRAFT04, value: 1 });
  }
  if (has('draft07')) out.push({ id: WtSettingId.MAX_SESSIONS_DRAFT07, value: local.maxSessions });
  // draft-14: both endpoints send a non-zero WT_MAX_SESSIONS.
  if (has('draft13')) out.push({ id: WtSettingId.MAX_SESSIONS_DRAFT13, value: local.maxSessions });
  if (has('draft15')) out.push({ id: WtSettingId.ENABLED_DRAFT15, value: 1 });
  if (has('draft13') || has('draft15')) {
    out.push({ id: WtSettingId.INITIAL_MAX_DATA, value: local.initialMaxData });
    out.push({ id: WtSettingId.INITIAL_MAX_STREAMS_UNI, value: local.initialMaxStreamsUni });
    out.push({ id: WtSettingId.INITIAL_MAX_STREAMS_BIDI, value: local.initialMaxStreamsBidi });
  }
  return out;
}

/** The dialects whose own setting a peer's SETTINGS carry, whatever else they lack. */
export function wtAnnouncedDialects(settings: H3Settings): WtDialect[] {
  const x = settings.extra;
  const out: WtDialect[] = [];
  if (x.get(WtSettingId.ENABLE_WEBTRANSPORT_DRAFT02) === 1) out.push('draft02');
  if ((x.get(WtSettingId.MAX_SESSIONS_DRAFT07) ?? 0) > 0) out.push('draft07');
  if ((x.get(WtSettingId.MAX_SESSIONS_DRAFT13) ?? 0) > 0) out.push('draft13');
  if (x.get(WtSettingId.ENABLED_DRAFT15) === 1) out.push('draft15');
  return out;
}

/** The dialects a peer's SETTINGS announce with the HTTP/3 datagrams they need. */
export function wtPeerDialects(settings: H3Settings): WtDialect[] {
  // From draft-07 on, WebTransport requires RFC 9297 datagrams (draft -07 §3.1).
  return wtAnnouncedDialects(settings).filter((d) => d === 'draft02' || settings.h3Datagram);
}

/** Something a dialect needs of the peer besides its own setting. */
export type WtRequirement =
  /** The server's SETTINGS_ENABLE_CONNECT_PROTOCOL = 1 (RFC 9220 §3). */
  | 'enable-connect-protocol'
  /** SETTINGS_H3_DATAGRAM = 1 (RFC 9297 §2.1.1), from draft-07 on. */
  | 'h3-datagram'
  /** A max_datagram_frame_size transport parameter above 0 (RFC 9221 §3). */
  | 'quic-datagram';

/** The peer's transport parameters WebTransport depends on, when the transport knows them. */
export interface WtPeerTransport {
  /** The peer's max_datagram_frame_size (0 when it sent none). */
  readonly maxDatagramFrameSize: number;
}

/**
 * What the peer's SETTINGS (and transport parameters, when given) lack for `dialect`, seen from
 * `role` (draft -15 §3.1 lists what servers and clients send). The reset_stream_at transport
 * parameter of draft -15 is not checked: our transport does not offer RESET_STREAM_AT either.
 */
export function wtUnmetRequirements(role: 'client' | 'server', dialect: WtDialect, peer: H3Settings, transport?: WtPeerTransport): WtRequirement[] {
  const out: WtRequirement[] = [];
  // Only servers announce extended CONNECT; a client may not send one without it (RFC 9220 §3).
  if (role === 'client' && !peer.enableConnectProtocol) out.push('enable-connect-protocol');
  // draft-02 used the datagram draft's own codepoint; from draft-07 on, RFC 9297's.
  if (dialect !== 'draft02' && !peer.h3Datagram) out.push('h3-datagram');
  if (transport !== undefined && !(transport.maxDatagramFrameSize > 0)) out.push('quic-datagram');
  return out;
}

/** Whether a dialect defines WT_REQUIREMENTS_NOT_MET: draft -15 §9.5 adds it; -14 §9.5 has no such code. */
export function wtDefinesRequirementsNotMet(dialect: WtDialect): boolean {
  return dialect === 'draft15';
}

/**
 * Why no dialect could be picked although the peer announced one we speak: the highest such
 * dialect and what the peer lacks for it. Undefined when a dialect is usable or none is shared.
 */
export function wtRequirementsNotMet(
  role: 'client' | 'server', local: WtLocalSettings, peer: H3Settings, transport?: WtPeerTransport,
): { readonly dialect: WtDialect; readonly missing: readonly WtRequirement[] } | undefined {
  const common = wtAnnouncedDialects(peer).filter((d) => local.dialects.includes(d));
  if (common.some((d) => wtUnmetRequirements(role, d, peer, transport).length === 0)) return undefined;
  const dialect = common[common.length - 1];
  return dialect === undefined ? undefined : { dialect, missing: wtUnmetRequirements(role, dialect, peer, transport) };
}

/** What both SETTINGS frames decided for a connection. */
export interface WtNegotiated {
  readonly dialect: WtDialect;
  /** Session-level flow control is on (draft -15 §5.1; draft-14 also with MAX_SESSIONS > 1). */
  readonly flowControl: boolean;
  /** Sessions allowed at once on the connection (Infinity when only rate limits apply). */
  readonly maxSessions: number;
  /** Credit the peer gives us per session (zero when flow control is off: then unused). */
  readonly sendInitial: WtInitialCredit;
  /** Credit we give the peer per session. */
  readonly recvInitial: WtInitialCredit;
}

export interface WtInitialCredit {
  readonly maxData: number;
  readonly maxStreamsUni: number;
  readonly maxStreamsBidi: number;
}

function initialOf(x: ReadonlyMap<number, number>): WtInitialCredit {
  return {
    maxData: x.get(WtSettingId.INITIAL_MAX_DATA) ?? 0,
    maxStreamsUni: x.get(WtSettingId.INITIAL_MAX_STREAMS_UNI) ?? 0,
    maxStreamsBidi: x.get(WtSettingId.INITIAL_MAX_STREAMS_BIDI) ?? 0,
  };
}

const declaresFlowControl = (c: WtInitialCredit): boolean => c.maxData > 0 || c.maxStreamsUni > 0 || c.maxStreamsBidi > 0;

/**
 * Picks the highest dialect both endpoints announced whose requirements the peer meets (see
 * {@link wtUnmetRequirements}) and the rules that follow from it, or undefined when there is none.
 * `role` is ours; the server's session limit is the one that counts. `transport` (the peer's
 * transport parameters) is checked when given.
 */
export function negotiateWt(role: 'client' | 'server', local: WtLocalSettings, peer: H3Settings, transport?: WtPeerTransport): WtNegotiated | undefined {
  const offered = wtAnnouncedDialects(peer).filter((d) => wtUnmetRequirements(role, d, peer, transport).length === 0);
  let dialect: WtDialect | undefined;
  for (const d of WT_DIALECTS) if (local.dialects.includes(d) && offered.includes(d)) dialect = d;
  if (dialect === undefined) return undefined;
  const x = peer.extra;
  const localCredit: WtInitialCredit = {
    maxData: local.initialMaxData, maxStreamsUni: local.initialMaxStreamsUni, maxStreamsBidi: local.initialMaxStreamsBidi,
  };
  const peerCredit = initialOf(x);
  const serverMaxSessions = (id: number): number => (role === 'server' ? local.maxSessions : x.get(id) ?? 0);
  let flowControl = false;
  let maxSessions: number;
  switch (dialect) {
    case 'draft02':
      maxSessions = role === 'server' ? local.maxSessions : Infinity;
      break;
    case 'draft07':
      maxSessions = serverMaxSessions(WtSettingId.MAX_SESSIONS_DRAFT07);
      break;
    case 'draft13': {
      // draft-14 (PR #228): flow control when MAX_SESSIONS > 1 or any INITIAL_* is non-zero, on both sides.
      const intent = (sessions: number, c: WtInitialCredit): boolean => sessions > 1 || declaresFlowControl(c);
      flowControl = intent(local.maxSessions, localCredit) && intent(x.get(WtSettingId.MAX_SESSIONS_DRAFT13) ?? 0, peerCredit);
      maxSessions = flowControl ? serverMaxSessions(WtSettingId.MAX_SESSIONS_DRAFT13) : 1;
      break;
    }
    case 'draft15':
      // draft -15 §5.1: flow control when both endpoints send a non-zero INITIAL_*; otherwise one session.
      flowControl = declaresFlowControl(localCredit) && declaresFlowControl(peerCredit);
      maxSessions = flowControl ? (role === 'server' ? local.maxSessions : Infinity) : 1;
      break;
  }
  return {
    dialect,
    flowControl,
    maxSessions,
    sendInitial: flowControl ? peerCredit : { maxData: 0, maxStreamsUni: 0, maxStreamsBidi: 0 },
    recvInitial: flowControl ? localCredit : { maxData: 0, maxStreamsUni: 0, maxStreamsBidi: 0 },
  };
}
