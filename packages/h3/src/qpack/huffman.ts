/**
 * Huffman coding of string literals (RFC 7541 §5.2 and Appendix B; RFC 9204 §4.1.2).
 *
 * Decoding runs a table-driven state machine that consumes four bits per step: each state is an
 * internal node of the code tree (there are 256), and each of the 16 transitions out of a state
 * says which state follows, whether a symbol was completed on the way (at most one can be, since
 * the shortest code is 5 bits) and whether the bits since the last symbol are a valid end of
 * string. The table is derived from the code table once, when the module loads.
 * @module
 */
import { HUFFMAN_CODES, HUFFMAN_EOS, HUFFMAN_LENGTHS } from './huffman-table.ts';

const EMIT = 1 << 16;
const FAIL = 1 << 17;
const ACCEPT = 1 << 18;

/** transitions[(state << 4) | nibble] = next | symbol << 8 | flags */
const transitions = buildTransitions();

function buildTransitions(): Uint32Array {
  // Tree nodes: left/right child, >= 0 an internal node, < 0 a leaf holding symbol -(child + 1).
  const left: number[] = [0];
  const right: number[] = [0];
  let nodes = 1;
  for (let sym = 0; sym <= HUFFMAN_EOS; sym++) {
    const code = HUFFMAN_CODES[sym]!;
    const len = HUFFMAN_LENGTHS[sym]!;
    let node = 0;
    for (let bit = len - 1; bit >= 0; bit--) {
      const side = (code >>> bit) & 1 ? right : left;
      if (bit === 0) {
        side[node] = -(sym + 1);
      } else {
        if (!(side[node]! > 0)) {
          side[node] = nodes;
          left.push(0);
          right.push(0);
          nodes++;
        }
        node = side[node]!;
      }
    }
  }
  // RFC 7541 §5.2: a string may end only after padding that is a prefix of EOS (all ones)
  // shorter than 8 bits; these are the nodes reached from the root by at most seven 1-bits.
  const accepting = new Uint8Array(nodes);
  for (let node = 0, depth = 0; depth <= 7; depth++) {
    accepting[node] = 1;
    node = right[node]!;
  }
  const table = new Uint32Array(nodes * 16);
  for (let state = 0; state < nodes; state++) {
    for (let nibble = 0; nibble < 16; nibble++) {
      let node = state;
      let entry = 0;
      for (let bit = 3; bit >= 0; bit--) {
        const child = (nibble >>> bit) & 1 ? right[node]! : left[node]!;
        if (child >= 0) {
          node = child;
          continue;
        }
        const sym = -child - 1;
        if (sym === HUFFMAN_EOS) {
          entry |= FAIL; // RFC 7541 §5.2: EOS inside the string is an error
          break;
        }
        entry |= EMIT | (sym << 8);
        node = 0;
      }
      if (accepting[node]) entry |= ACCEPT;
      table[(state << 4) | nibble] = entry | node;
    }
  }
  return table;
}

/**
 * Decodes `src[start..end)` into `out` from `outPos`; `out` needs room for
 * `huffmanMaxDecodedLength(end - start)` bytes. Returns the end position in `out`, or -1 when the
 * input is not a valid Huffman string (EOS symbol, or padding longer than 7 bits or not all ones).
 */
export function huffmanDecodeInto(src: Uint8Array, start: number, end: number, out: Uint8Array, outPos: number): number {
  const t = transitions;
  let state = 0;
  let entry = ACCEPT;
  for (let i = start; i < end; i++) {
    const b = src[i]!;
    entry = t[(state << 4) | (b >>> 4)]!;
    if (entry & FAIL) return -1;
    if (entry & EMIT) out[outPos++] = (entry >>> 8) & 0xff;
    state = entry & 0xff;
    entry = t[(state << 4) | (b & 0x0f)]!;
    if (entry & FAIL) return -1;
    if (entry & EMIT) out[outPos++] = (entry >>> 8) & 0xff;
    state = entry & 0xff;
  }
  return entry & ACCEPT ? outPos : -1;
}

/** Upper bound of the decoded length of `encodedLength` Huffman bytes (5-bit shortest code). */
export function huffmanMaxDecodedLength(encodedLength: number): number {
  return Math.floor((encodedLength * 8) / 5);
}

/** Decodes a Huffman string into a new array, or returns null when it is invalid. */
export function huffmanDecode(src: Uint8Array): Uint8Array | null {
  const out = new Uint8Array(huffmanMaxDecodedLength(src.length));
  const n = huffmanDecodeInto(src, 0, src.length, out, 0);
  return n < 0 ? null : out.subarray(0, n);
}

/** Length in bytes of the Huffman encoding of `src[start..end)`. */
export function huffmanEncodedLength(src: Uint8Array, start = 0, end = src.length): number {
  const lengths = HUFFMAN_LENGTHS;
  let bits = 0;
  for (let i = start; i < end; i++) bits += lengths[src[i]!]!;
  return (bits + 7) >>> 3;
}

/**
 * Huffman-encodes `src[start..end)` into `out` at `pos`, padding the last byte with the most
 * significant bits of EOS (ones). `out` needs `huffmanEncodedLength` bytes. Returns the end.
 */
export function huffmanEncodeInto(src: Uint8Array, start: number, end: number, out: Uint8Array, pos: number): number {
  const codes = HUFFMAN_CODES;
  const lengths = HUFFMAN_LENGTHS;
  let cur = 0; // pending bits, fewer than 8
  let n = 0; // how many
  for (let i = start; i < end; i++) {
    const sym = src[i]!;
    let code = codes[sym]!;
    let len = lengths[sym]!;
    while (len > 0) {
      const room = 8 - n;
      if (len < room) {
        cur = (cur << len) | code;
        n += len;
        break;
      }
      len -= room;
      out[pos++] = (cur << room) | (code >>> len);
      code &= (1 << len) - 1;
      cur = 0;
      n = 0;
    }
  }
  if (n > 0) out[pos++] = (cur << (8 - n)) | (0xff >>> n);
  return pos;
}

/** Huffman-encodes bytes into a new array. */
export function huffmanEncode(src: Uint8Array): Uint8Array {
  const out = new Uint8Array(huffmanEncodedLength(src));
  huffmanEncodeInto(src, 0, src.length, out, 0);
  return out;
}
