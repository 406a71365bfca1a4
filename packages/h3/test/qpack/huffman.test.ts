import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { loadVectors } from '@quicts/testkit';
import {
  HUFFMAN_CODES, HUFFMAN_EOS, HUFFMAN_LENGTHS, huffmanDecode, huffmanDecodeInto, huffmanEncode, huffmanEncodedLength,
  huffmanMaxDecodedLength,
} from '@quicts/h3';
import { hex, unhex } from './helpers.ts';

const v = loadVectors('rfc/rfc7541.json');
const utf8 = new TextEncoder();
const text = new TextDecoder();

test('RFC 7541 C.4/C.6 Huffman strings encode and decode exactly', () => {
  assert.ok(v.huffman_strings.cases.length >= 12);
  for (const c of v.huffman_strings.cases) {
    assert.is(hex(huffmanEncode(utf8.encode(c.plain))), c.huffman, c.plain);
    assert.is(huffmanEncodedLength(utf8.encode(c.plain)), c.huffman.length / 2);
    assert.is(text.decode(huffmanDecode(unhex(c.huffman))!), c.plain);
  }
});

test('the code table is a complete canonical prefix code (Kraft sum 1, codes ordered by length then symbol)', () => {
  assert.is(HUFFMAN_CODES.length, 257);
  assert.is(HUFFMAN_LENGTHS.length, 257);
  let kraft = 0;
  for (let s = 0; s <= HUFFMAN_EOS; s++) kraft += 2 ** -HUFFMAN_LENGTHS[s]!;
  assert.is(kraft, 1);
  const order = [...Array(257).keys()].sort((a, b) => HUFFMAN_LENGTHS[a]! - HUFFMAN_LENGTHS[b]! || a - b);
  let code = 0;
  for (let i = 0; i < order.length; i++) {
    const s = order[i]!;
    if (i > 0) code = (code + 1) * 2 ** (HUFFMAN_LENGTHS[s]! - HUFFMAN_LENGTHS[order[i - 1]!]!);
    assert.is(HUFFMAN_CODES[s], code, `symbol ${s}`);
  }
  // RFC 7541 Appendix B spot values
  assert.is(HUFFMAN_CODES[48], 0x0);
  assert.is(HUFFMAN_LENGTHS[48], 5);
  assert.is(HUFFMAN_CODES[HUFFMAN_EOS], 0x3fffffff);
  assert.is(HUFFMAN_LENGTHS[HUFFMAN_EOS], 30);
});

test('every byte value round-trips, alone and in a run', () => {
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  assert.equal(huffmanDecode(huffmanEncode(all)), all);
  for (let b = 0; b < 256; b++) assert.equal(huffmanDecode(huffmanEncode(Uint8Array.of(b))), Uint8Array.of(b));
  assert.equal(huffmanDecode(new Uint8Array(0)), new Uint8Array(0));
});

test('RFC 7541 §5.2: padding longer than 7 bits is an error', () => {
  // 'a' = 00011 then 1111111 1 ... : a full byte of ones after the symbol's padding
  const a = huffmanEncode(utf8.encode('a')); // 00011111
  assert.is(hex(a), '1f');
  assert.is(huffmanDecode(Uint8Array.of(0x1f, 0xff)), null);
  assert.is(huffmanDecode(Uint8Array.of(0xff)), null);
});

test('RFC 7541 §5.2: padding that is not a prefix of EOS (not all ones) is an error', () => {
  // '0' = 00000, padded with 110 instead of 111
  assert.is(huffmanDecode(Uint8Array.of(0b00000110)), null);
  assert.is(huffmanDecode(Uint8Array.of(0b00000111))!.length, 1);
});

test('RFC 7541 §5.2: an EOS symbol inside the string is an error', () => {
  // EOS = 30 ones, then 2 bits of padding: ff ff ff ff
  assert.is(huffmanDecode(unhex('ffffffff')), null);
  // 'a' (00011) + EOS (30 ones) + padding: 00011111 11111111 11111111 11111111 11111000 ... use 5+30=35 bits -> 5 bytes
  assert.is(huffmanDecode(unhex('1fffffffff')), null);
});

test('fast-check: encode then decode returns the input; length bound holds', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      const enc = huffmanEncode(bytes);
      assert.is(enc.length, huffmanEncodedLength(bytes));
      assert.ok(huffmanMaxDecodedLength(enc.length) >= bytes.length);
      assert.equal(huffmanDecode(enc), bytes);
    }),
    { numRuns: 400 },
  );
});

test('fast-check: text strings round-trip through UTF-8 and Huffman', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (s) => {
      const bytes = utf8.encode(s);
      assert.is(text.decode(huffmanDecode(huffmanEncode(bytes))!), text.decode(bytes));
    }),
    { numRuns: 300 },
  );
});

test('fuzz: random bytes decode or return null, never throw, never overrun the bound', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      const out = new Uint8Array(huffmanMaxDecodedLength(bytes.length));
      const n = huffmanDecodeInto(bytes, 0, bytes.length, out, 0);
      assert.ok(n >= -1 && n <= out.length);
      if (n >= 0) assert.equal(huffmanEncode(out.subarray(0, n)).length <= bytes.length, true);
    }),
    { numRuns: 1000 },
  );
});

test.run();
