import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findStaticField, findStaticName, STATIC_TABLE, STATIC_TABLE_LENGTH } from '@quicts/h3';

test('RFC 9204 Appendix A: 99 entries, spot checks at both ends and in the middle', () => {
  assert.is(STATIC_TABLE_LENGTH, 99);
  assert.equal(STATIC_TABLE[0], [':authority', '']);
  assert.equal(STATIC_TABLE[1], [':path', '/']);
  assert.equal(STATIC_TABLE[17], [':method', 'GET']);
  assert.equal(STATIC_TABLE[25], [':status', '200']);
  assert.equal(STATIC_TABLE[31], ['accept-encoding', 'gzip, deflate, br']);
  assert.equal(STATIC_TABLE[62], ['x-xss-protection', '1; mode=block']);
  assert.equal(STATIC_TABLE[85], ['content-security-policy', "script-src 'none'; object-src 'none'; base-uri 'none'"]);
  assert.equal(STATIC_TABLE[95], ['user-agent', '']);
  assert.equal(STATIC_TABLE[98], ['x-frame-options', 'sameorigin']);
});

test('names are lower case ASCII; pseudo-headers first in each group', () => {
  for (const [name, value] of STATIC_TABLE) {
    assert.ok(/^:?[a-z0-9-]+$/.test(name), name);
    assert.ok(/^[\x20-\x7e]*$/.test(value), value);
  }
});

test('lookups: exact field and lowest index for a name', () => {
  for (let i = 0; i < STATIC_TABLE.length; i++) {
    const [name, value] = STATIC_TABLE[i]!;
    assert.is(findStaticField(name, value), i);
    assert.ok(findStaticName(name) <= i);
    assert.is(STATIC_TABLE[findStaticName(name)]![0], name);
  }
  assert.is(findStaticName(':status'), 24);
  assert.is(findStaticField(':status', '418'), -1);
  assert.is(findStaticName('x-unknown'), -1);
  assert.is(findStaticField('x-unknown', ''), -1);
});

test.run();
