/**
 * The Endpoint, which routes datagrams to connections, and its connection-free machinery:
 * stateless reset (RFC 9000 §10.3), Retry and NEW_TOKEN address-validation tokens (§8.1) with a
 * replay filter, and Version Negotiation decisions (§6).
 * @module
 */
export {
  MIN_STATELESS_RESET_LENGTH, STATELESS_RESET_SMALL_TRIGGER, MIN_STATELESS_RESET_KEY_LENGTH,
  createStatelessResetTokens, buildStatelessReset, isStatelessReset,
} from './stateless-reset.ts';
export type { StatelessResetTokens, StatelessResetOptions } from './stateless-reset.ts';
export { StatelessResetLimiter } from './reset-limiter.ts';
export type { StatelessResetLimiterOptions } from './reset-limiter.ts';
export { TokenReplayFilter } from './token-replay.ts';
export {
  AddressTokenKind, AddressTokenKeys, MIN_ADDRESS_TOKEN_SECRET_LENGTH, addressTokenKind,
} from './address-token.ts';
export type { ClientAddress } from './address-token.ts';
export { RetryTokens, DEFAULT_RETRY_TOKEN_LIFETIME_MS, DEFAULT_TOKEN_CLOCK_SKEW_MS } from './retry-token.ts';
export type { RetryTokenValidation, RetryTokenOptions } from './retry-token.ts';
export { NewTokens, DEFAULT_NEW_TOKEN_LIFETIME_MS } from './new-token.ts';
export type { NewTokenValidation, NewTokenOptions } from './new-token.ts';
export {
  MIN_INITIAL_DATAGRAM_SIZE, greaseVersion, decideServerVersion, handleVersionNegotiation,
} from './version-negotiation.ts';
export type {
  ServerVersionDecision, ServerVersionOptions, ClientVersionNegotiationOutcome, ClientVersionState,
} from './version-negotiation.ts';
export { Endpoint } from './endpoint.ts';
export type { EndpointConfig, EndpointServerConfig, EndpointEvent, EndpointStats, ConnectionHandle } from './endpoint.ts';
export { AddressValidator } from './incoming.ts';
export type { AddressValidationOptions, IncomingDecision } from './incoming.ts';
export { TimerHeap } from './timer-heap.ts';
