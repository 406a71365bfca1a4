import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import {
  H3UniStreamType, h3UniStreamTypeName, isBidiStreamId, isClientInitiatedStream, isLocalStreamOf, isRequestStreamId,
  isServerInitiatedStream, isUniStreamId,
} from '@quicts/h3';

test('stream ID low bits (RFC 9000 §2.1)', () => {
  const rows: [number, boolean, boolean, boolean][] = [
    // id, client-initiated, bidirectional, request stream
    [0, true, true, true], [1, false, true, false], [2, true, false, false], [3, false, false, false],
    [4, true, true, true], [7, false, false, false], [2 ** 52, true, true, true], [2 ** 52 + 3, false, false, false],
  ];
  for (const [id, client, bidi, request] of rows) {
    assert.is(isClientInitiatedStream(id), client, `${id}`);
    assert.is(isServerInitiatedStream(id), !client);
    assert.is(isBidiStreamId(id), bidi);
    assert.is(isUniStreamId(id), !bidi);
    assert.is(isRequestStreamId(id), request);
    assert.is(isLocalStreamOf(id, 'client'), client);
    assert.is(isLocalStreamOf(id, 'server'), !client);
  }
});

test('exactly one of the four stream types holds (fast-check)', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (id) => {
    const types = [isClientInitiatedStream(id) && isBidiStreamId(id), isServerInitiatedStream(id) && isBidiStreamId(id), isClientInitiatedStream(id) && isUniStreamId(id), isServerInitiatedStream(id) && isUniStreamId(id)];
    return types.filter(Boolean).length === 1 && types[id % 4] === true;
  }));
});

test('unidirectional stream type names', () => {
  assert.equal(Object.values(H3UniStreamType), [0, 1, 2, 3]);
  assert.is(h3UniStreamTypeName(0), 'control');
  assert.is(h3UniStreamTypeName(2), 'QPACK encoder');
  assert.is(h3UniStreamTypeName(0x21), 'reserved(0x21)');
  assert.is(h3UniStreamTypeName(0x54), 'unknown(0x54)');
});

test.run();
