import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { RECORD_SEPARATOR, jsonSeqRecord, parseJsonSeq } from '../../src/qlog/index.ts';

test('a record is RS + one-line JSON + LF (RFC 7464)', () => {
  const r = jsonSeqRecord({ a: 1, b: 'x\ny' });
  assert.is(r[0], '\x1e');
  assert.is(r[r.length - 1], '\n');
  assert.is(r.slice(1, -1).includes('\n'), false, 'the JSON text itself stays on one line');
  assert.equal(JSON.parse(r.slice(1)), { a: 1, b: 'x\ny' });
});

test('bytes become lowercase hex, bigints decimal strings', () => {
  const r = jsonSeqRecord({ cid: Uint8Array.of(0xab, 0x01), big: 2n ** 62n });
  assert.equal(JSON.parse(r.slice(1)), { cid: 'ab01', big: '4611686018427387904' });
});

test('parseJsonSeq reads back what jsonSeqRecord wrote', () => {
  fc.assert(fc.property(fc.array(fc.jsonValue(), { maxLength: 10 }), (values) => {
    const text = values.map(jsonSeqRecord).join('');
    assert.equal(parseJsonSeq(text), values.map((v) => JSON.parse(JSON.stringify(v))));
  }));
  assert.equal(parseJsonSeq(''), []);
  assert.throws(() => parseJsonSeq('{}\n'), SyntaxError);
  assert.throws(() => parseJsonSeq(`${RECORD_SEPARATOR}{bad\n`), SyntaxError);
});

test.run();
