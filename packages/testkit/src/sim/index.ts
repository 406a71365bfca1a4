/** The deterministic link simulator: endpoints, link elements, links and the Pair. @module */
export type { SimAddress, SimPath, SimTransmit, SimEndpoint } from './endpoint.ts';
export type { DropCause, LinkStats, TraceEvent } from './stats.ts';
export { emptyStats } from './stats.ts';
export { Link } from './link.ts';
export * from './link/index.ts';
export { Pair, SimulationError, DEFAULT_SIM_SEED, type Side, type PairOptions, type RunOptions } from './pair.ts';
