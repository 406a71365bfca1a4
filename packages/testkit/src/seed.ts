/**
 * Reporting the seed of a randomized test when it fails, so the run can be replayed
 * (with the SIM_SEED environment variable; see `envSeed` in node/seed-env.ts).
 * @module
 */

/** The line printed for a failing seed. */
export function seedHint(seed: number): string {
  return `seed=${seed} (replay with SIM_SEED=${seed})`;
}

/**
 * Runs `fn(seed)`. If it throws, the seed is printed and appended to the error's message, then the
 * error is rethrown. Works for synchronous and promise-returning functions.
 */
export function withSeed<T>(seed: number, fn: (seed: number) => T): T {
  const report = (e: unknown): never => {
    console.error(`failed with ${seedHint(seed)}`);
    if (e instanceof Error && !e.message.includes(`seed=${seed}`)) {
      try {
        e.message = `${e.message} [${seedHint(seed)}]`;
      } catch {
        // a frozen error keeps its message; the printed line still names the seed
      }
    }
    throw e;
  };
  let result: T;
  try {
    result = fn(seed);
  } catch (e) {
    return report(e);
  }
  if (result instanceof Promise) return result.catch(report) as T;
  return result;
}
