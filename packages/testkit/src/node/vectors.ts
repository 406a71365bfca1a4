/**
 * Loads the RFC test vectors vendored in test-vectors/. Works in Node, Bun and Deno (all three
 * provide node:fs), so tests never depend on anything outside the repository.
 * @module
 */
import { readFileSync } from 'node:fs';

const root = new URL('../../../../test-vectors/', import.meta.url);

/** Parses a JSON vector file, e.g. `loadVectors('rfc/rfc9001.json')`. */
export function loadVectors<T = any>(relativePath: string): T {
  return JSON.parse(readFileSync(new URL(relativePath, root), 'utf8')) as T;
}

/** Reads a vendored binary file. */
export function loadBytes(relativePath: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(relativePath, root)));
}

/** Reads a vendored text file. */
export function loadText(relativePath: string): string {
  return readFileSync(new URL(relativePath, root), 'utf8');
}

/** Absolute URL of a vendored path, for directory listings. */
export function vectorsUrl(relativePath = ''): URL {
  return new URL(relativePath, root);
}
