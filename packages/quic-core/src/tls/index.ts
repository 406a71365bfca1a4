/**
 * The TLS 1.3 handshake engine for QUIC (RFC 8446 as used by RFC 9001): sans-IO client and
 * server, messages, extensions, key schedule, certificates.
 * @module
 */
export { TlsAlert, TlsAlertDescription, tlsAlertName, type TlsAlertName } from './alerts.ts';
export * from './messages.ts';
export {
  TlsExtensionType, TLS_GROUP_CODES, TLS_SIGNATURE_CODES, TlsPskMode, parseExtensionBlock, tlsGroupByCode, tlsSignatureByCode,
  encodeServerName, decodeServerName, encodeSupportedGroups, decodeSupportedGroups, encodeSignatureAlgorithms,
  decodeSignatureAlgorithms, encodeAlpn, decodeAlpn, encodeSupportedVersionsClient, decodeSupportedVersionsClient,
  encodeSupportedVersionsServer, decodeSupportedVersionsServer, encodeKeyShareClient, decodeKeyShareClient,
  encodeKeyShareServer, decodeKeyShareServer, encodeKeyShareHrr, decodeKeyShareHrr, encodePskModes, decodePskModes,
  encodeOfferedPsks, decodeOfferedPsks, encodeSelectedPsk, decodeSelectedPsk, encodeEarlyDataTicket, decodeEarlyDataTicket,
  encodeCookie, decodeCookie, decodeEmptyExtension, offeredPsksBindersLength,
  type TlsExtensionContext, type TlsKeyShareEntry, type TlsPskIdentity, type TlsOfferedPsks,
} from './extensions.ts';
export { TlsHandshakeBuffer, TLS_MAX_HANDSHAKE_MESSAGE, type TlsHandshakeMessage } from './handshake-buffer.ts';
export { TlsTranscript } from './transcript.ts';
export { TlsKeySchedule } from './key-schedule.ts';
export { parseX509, pemToDerList, derToPem, type X509Certificate } from './x509.ts';
export {
  verifyCertificateChain, certificateMatchesName, parseIpAddress, SERVER_CERTIFICATE_HASHES_MAX_VALIDITY_MS,
  type TlsCertificateVerification, type TlsVerifyContext,
} from './cert-verify.ts';
export { generateSelfSignedCertificate, type TlsSelfSignedOptions, type TlsSelfSignedCertificate } from './self-signed.ts';
export { certificateVerifyContent } from './endpoint-base.ts';
export type {
  TlsLevel, TlsSecretLevel, TlsTransport, TlsCertificateKey, TlsCommonConfig, TlsFixedInputs, TlsClientConfig,
  TlsServerConfig, TlsEvent, TlsOutput, TlsServerTicketConfig, TlsEarlyDataInfo, TlsEarlyDataStatus,
} from './config.ts';
export {
  TLS_MAX_TICKET_LIFETIME, QUIC_MAX_EARLY_DATA, encodeTicketState, decodeTicketState, obfuscateTicketAge, clientTicketAge,
  ticketUsable, type TlsTicketState, type TlsClientTicket,
} from './session-ticket.ts';
export { TlsTicketKeyring, type TlsTicketProtector, type TlsTicketKeyringOptions } from './ticket-keys.ts';
export { TlsMemoryTicketStore, type TlsTicketStore } from './ticket-store.ts';
export { TlsReplayFilter, type TlsAntiReplay } from './anti-replay.ts';
export { TlsClient } from './client.ts';
export { TlsServer } from './server.ts';
