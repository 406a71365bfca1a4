/**
 * Shared helpers for the QPACK tests: hex and feeding a parser its input in pieces.
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

/** Feeds pieces to an incremental parser's `push`, collecting what it returns. */
export function feedAll<T>(pieces: readonly Uint8Array[], push: (chunk: Uint8Array) => T[]): T[] {
  const out: T[] = [];
  for (const p of pieces) out.push(...push(p));
  return out;
}
