/**
 * Shared helpers for the QPACK tests: hex, and feeding a parser in pieces.
 * @module
 */
export function hex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

export function unhex(s: string): Uint8Array {
  const clean = s.replace(/\s+/g, '');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

/** Feeds `bytes` one byte at a time to `push`, collecting everything it returns. */
export function feedBytewise<T>(bytes: Uint8Array, push: (chunk: Uint8Array) => T[]): T[] {
  const out: T[] = [];
  for (let i = 0; i < bytes.length; i++) out.push(...push(bytes.subarray(i, i + 1)));
  return out;
}

/** Feeds `bytes` in two pieces split at `at`. */
export function feedSplit<T>(bytes: Uint8Array, at: number, push: (chunk: Uint8Array) => T[]): T[] {
  return [...push(bytes.subarray(0, at)), ...push(bytes.subarray(at))];
}

/** A small deterministic PRNG (mulberry32) for fuzz-style loops. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
