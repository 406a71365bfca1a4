// Public exports of the connection module.
export {
  TransportParameterId, TRANSPORT_PARAMETER_DEFAULTS, createTransportParameters, encodeTransportParameters,
  decodeTransportParameters, isReservedTransportParameterId, greaseTransportParameter, authenticateConnectionIds,
} from './transport-params.ts';
export type {
  TransportParameters, PreferredAddress, VersionInformation, UnknownTransportParameter, ExpectedConnectionIds,
} from './transport-params.ts';
