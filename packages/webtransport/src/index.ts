/** @quicts/webtransport: WebTransport over HTTP/3. @module */
export * from './errors.ts';
export {
  WT_DIALECTS, WtSettingId, WT_DEFAULT_LOCAL_SETTINGS, WT_UPGRADE_TOKENS, wtUpgradeToken, wtSettingsEntries, wtPeerDialects, negotiateWt,
  wtAnnouncedDialects, wtUnmetRequirements, wtRequirementsNotMet, wtDefinesRequirementsNotMet,
} from './protocol/dialect.ts';
export type {
  WtDialect, WtLocalSettings, WtNegotiated, WtInitialCredit, WtRequirement, WtPeerTransport,
} from './protocol/dialect.ts';
export {
  WtCapsuleType, WT_CAPSULE_TYPES, WT_MAX_CLOSE_REASON, encodeWtCapsule, decodeWtCapsule, truncateCloseReason,
} from './protocol/capsules.ts';
export type { WtCapsule } from './protocol/capsules.ts';
export { WT_UNI_STREAM_TYPE, WT_BIDI_SIGNAL, encodeWtPreface, decodeWtPreface, checkSessionId } from './protocol/preface.ts';
export { WtProtocolError } from './protocol/protocol-error.ts';
export type { WtErrorScope } from './protocol/protocol-error.ts';
export { WtSendCredit, WtRecvCredit } from './protocol/flow-control.ts';
export { wtStreamCodeToH3, h3StreamCodeToWt } from './protocol/codes.ts';
export {
  serializeProtocolList, serializeProtocolItem, parseProtocolList, parseProtocolItem,
} from './protocol/structured-fields.ts';
export { buildWtRequest, buildWtResponse, isWtRequest, readWtRequest, readWtResponse } from './protocol/headers.ts';
export type { WtRequestInit } from './protocol/headers.ts';
export { WtSession } from './protocol/session.ts';
export type { WtSessionState, WtSessionStats, WtStream, WtSessionCredit } from './protocol/session.ts';
export type * from './protocol/events.ts';
export { WtConnection } from './protocol/connection.ts';
export type { WtConnectionOptions } from './protocol/connection.ts';
