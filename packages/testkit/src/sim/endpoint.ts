/**
 * The shape of anything the simulator can drive: the sans-IO engine's inputs and outputs
 * (receive, handleTimeout, nextTimeout, pollTransmit). It is structural, so a QUIC connection,
 * an endpoint or a toy test peer fits without depending on this package.
 * @module
 */

/** A transport address. */
export interface SimAddress {
  address: string;
  port: number;
}

/** The path a datagram arrived on, as seen by the receiving endpoint. */
export interface SimPath {
  local: SimAddress;
  remote: SimAddress;
}

/** What an endpoint hands to the network: at least the datagram's bytes. */
export interface SimTransmit {
  readonly data: Uint8Array;
}

/**
 * A sans-IO endpoint. `now` is in milliseconds of the simulator's fake clock. Method syntax keeps
 * the parameter check bivariant, so engines with a richer path type still fit.
 */
export interface SimEndpoint<P = SimPath> {
  /** A datagram arrived. */
  receive(datagram: Uint8Array, path: P, now: number): void;
  /** The deadline from `nextTimeout()` was reached (spurious calls must be harmless). */
  handleTimeout(now: number): void;
  /** When `handleTimeout` should next be called, or undefined when no timer is armed. */
  nextTimeout(): number | undefined;
  /** The next datagram to send now, or null when there is nothing. */
  pollTransmit(now: number): SimTransmit | null;
}
