/** @quicts/h3: sans-IO HTTP/3 and QPACK. @module */
export * from './errors.ts';
export * from './qpack/index.ts';
export {
  H3FrameType, H3_HTTP2_FRAME_TYPES, isH3Reserved, h3ReservedCode, h3FrameTypeName,
} from './frames/types.ts';
export type {
  H3Frame, H3DataFrame, H3HeadersFrame, H3CancelPushFrame, H3SettingsFrame, H3PushPromiseFrame, H3GoawayFrame,
  H3MaxPushIdFrame, H3UnknownFrame, H3SettingEntry,
} from './frames/types.ts';
export { encodeH3Frame, encodeH3FrameHeader, decodeH3Frame, decodeH3FramePayload } from './frames/codec.ts';
export { H3FrameReader } from './frames/reader.ts';
export type { H3FrameReaderItem, H3FrameReaderOptions } from './frames/reader.ts';
export {
  H3SettingId, H3_HTTP2_SETTING_IDS, H3_DEFAULT_SETTINGS, encodeSettingsPayload, decodeSettingsPayload, settingsFromEntries,
  settingsToEntries, settingsPayloadLength,
} from './settings.ts';
export type { H3Settings, H3SettingsInit } from './settings.ts';
export {
  isClientInitiatedStream, isServerInitiatedStream, isBidiStreamId, isUniStreamId, isRequestStreamId,
  isLocalStream as isLocalStreamOf,
} from './quic-port.ts';
export type { QuicStreamsPort, QuicStreamsInputs } from './quic-port.ts';
export { H3UniStreamType, h3UniStreamTypeName } from './streams/stream-types.ts';
export { checkH3FrameAllowed } from './streams/frame-legality.ts';
export type { H3FrameStreamKind } from './streams/frame-legality.ts';
export {
  validateRequestHeaders, validateResponseHeaders, validateTrailers, fieldSectionSize,
} from './streams/headers-validation.ts';
export type { H3RequestHead, H3ResponseHead } from './streams/headers-validation.ts';
export { MessageReceiver as H3MessageReceiver, MessageSender as H3MessageSender } from './streams/message.ts';
export type { H3MessageRole, H3HeadersKind } from './streams/message.ts';
export { ControlStreamReader as H3ControlStreamReader } from './streams/control-stream.ts';
export { GoawayState as H3GoawayState } from './goaway.ts';
export { PushState as H3PushState } from './push.ts';
export { encodeH3Datagram, decodeH3Datagram } from './h3-datagram.ts';
export type { H3Datagram } from './h3-datagram.ts';
export { CapsuleType, CapsuleParser, encodeCapsule, encodeDatagramCapsule } from './capsules.ts';
export type { Capsule, CapsuleParserOptions } from './capsules.ts';
export type * from './events.ts';
export { H3Connection } from './connection.ts';
export type { H3ConnectionOptions } from './connection.ts';
export { H3QuicAdapter, QuicStreamsAdapter } from './quic-adapter.ts';
export type { H3QuicAdapterOptions, H3QuicTransport, H3AdapterEvent, H3TransportEvent } from './quic-adapter.ts';
export type {
  QuicStreamsAdapterOptions, QuicStreamsProtocol, QuicStreamsDriven, QuicStreamsClosable, QuicStreamsStart, QuicStreamsTransport,
  QuicStreamsTransportEvent, QuicStreamsEventOf,
} from './quic-adapter.ts';
export type { H3Extension } from './streams/extension.ts';
