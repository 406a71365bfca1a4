import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { qpackFindStaticField, qpackFindStaticName, QPACK_STATIC_TABLE, QPACK_STATIC_TABLE_LENGTH } from '@quicts/h3';

test('RFC 9204 Appendix A: 99 entries, spot checks at both ends and in the middle', () => {
  assert.is(QPACK_STATIC_TABLE_LENGTH, 99);
  assert.equal(QPACK_STATIC_TABLE[0], [':authority', '']);
  assert.equal(QPACK_STATIC_TABLE[1], [':path', '/']);
  assert.equal(QPACK_STATIC_TABLE[17], [':method', 'GET']);
  assert.equal(QPACK_STATIC_TABLE[25], [':status', '200']);
  assert.equal(QPACK_STATIC_TABLE[31], ['accept-encoding', 'gzip, deflate, br']);
  assert.equal(QPACK_STATIC_TABLE[62], ['x-xss-protection', '1; mode=block']);
  assert.equal(QPACK_STATIC_TABLE[85], ['content-security-policy', "script-src 'none'; object-src 'none'; base-uri 'none'"]);
  assert.equal(QPACK_STATIC_TABLE[95], ['user-agent', '']);
  assert.equal(QPACK_STATIC_TABLE[98], ['x-frame-options', 'sameorigin']);
});

test('names are lower case ASCII; pseudo-headers first in each group', () => {
  for (const [name, value] of QPACK_STATIC_TABLE) {
    assert.ok(/^:?[a-z0-9-]+$/.test(name), name);
    assert.ok(/^[\x20-\x7e]*$/.test(value), value);
  }
});

test('lookups: exact field and lowest index for a name', () => {
  for (let i = 0; i < QPACK_STATIC_TABLE.length; i++) {
    const [name, value] = QPACK_STATIC_TABLE[i]!;
    assert.is(qpackFindStaticField(name, value), i);
    assert.ok(qpackFindStaticName(name) <= i);
    assert.is(QPACK_STATIC_TABLE[qpackFindStaticName(name)]![0], name);
  }
  assert.is(qpackFindStaticName(':status'), 24);
  assert.is(qpackFindStaticField(':status', '418'), -1);
  assert.is(qpackFindStaticName('x-unknown'), -1);
  assert.is(qpackFindStaticField('x-unknown', ''), -1);
});

test.run();
