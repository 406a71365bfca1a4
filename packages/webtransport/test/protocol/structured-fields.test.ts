import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { parseProtocolItem, parseProtocolList, serializeProtocolItem, serializeProtocolList } from '@quicts/webtransport';

test('WT-Available-Protocols: strings, parameters ignored, anything else ignores the field', () => {
  assert.equal(parseProtocolList('"moq-00", "chat";v=2, "x\\"y"'), ['moq-00', 'chat', 'x"y']);
  assert.equal(parseProtocolList(''), []);
  assert.is(parseProtocolList('"a", b'), undefined, 'a token is not a String');
  assert.is(parseProtocolList('"a",'), undefined);
  assert.is(parseProtocolList('"unterminated'), undefined);
  assert.is(parseProtocolList('"a" "b"'), undefined);
  assert.is(serializeProtocolList(['a', 'b"c']), '"a", "b\\"c"');
  assert.throws(() => serializeProtocolList(['é']), RangeError);
});

test('WT-Protocol: one String item', () => {
  assert.is(parseProtocolItem('"chat"'), 'chat');
  assert.is(parseProtocolItem('"chat";q=1'), 'chat');
  assert.is(parseProtocolItem('chat'), undefined);
  assert.is(parseProtocolItem('"a", "b"'), undefined);
  assert.is(serializeProtocolItem('chat'), '"chat"');
});

test('round trip of printable ASCII names (fast-check)', () => {
  const name = fc.stringMatching(/^[\x20-\x7e]{0,12}$/);
  fc.assert(fc.property(fc.array(name, { maxLength: 5 }), (names) => {
    assert.equal(parseProtocolList(serializeProtocolList(names)), names);
    for (const n of names) assert.is(parseProtocolItem(serializeProtocolItem(n)), n);
  }));
});

test.run();
