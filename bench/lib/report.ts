/**
 * Benchmark output (contract 3 of the design): one JSON object per line on stdout, each with the
 * bench, the metric, its value and unit, and the figure of the baseline measured in the same run.
 * @module
 */

export interface BenchRecord {
  readonly bench: string;
  readonly metric: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline?: { readonly name: string; readonly value: number };
  readonly [extra: string]: unknown;
}

/** Prints one record as one line of JSON. */
export function emit(record: BenchRecord): void {
  process.stdout.write(JSON.stringify(record) + '\n');
}

/** Rounds to `digits` decimals (figures from a noisy machine do not deserve more). */
export function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** The median of a list of numbers (NaN for an empty list). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
