import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import {
  StreamType, isBidiStream, isLocalStream, isUniStream, makeStreamId, peerSide, streamDir, streamIndex,
  streamInitiator, streamParts, streamTypeBits,
} from '../../src/streams/index.ts';

test('RFC 9000 Table 1: the four stream types', () => {
  assert.is(makeStreamId('client', 'bidi', 0), StreamType.CLIENT_BIDI);
  assert.is(makeStreamId('server', 'bidi', 0), StreamType.SERVER_BIDI);
  assert.is(makeStreamId('client', 'uni', 0), StreamType.CLIENT_UNI);
  assert.is(makeStreamId('server', 'uni', 0), StreamType.SERVER_UNI);
  assert.equal([0, 1, 2, 3].map(streamInitiator), ['client', 'server', 'client', 'server']);
  assert.equal([0, 1, 2, 3].map(streamDir), ['bidi', 'bidi', 'uni', 'uni']);
});

test('RFC 9000 §19.11 example: a server with a unidirectional limit of 3 may open 3, 7 and 11', () => {
  assert.equal([0, 1, 2].map((i) => makeStreamId('server', 'uni', i)), [3, 7, 11]);
  assert.is(makeStreamId('server', 'uni', 3), 15);
});

test('index, direction and initiator round-trip, including IDs above 2^32', () => {
  fc.assert(fc.property(
    fc.constantFrom('client' as const, 'server' as const), fc.constantFrom('bidi' as const, 'uni' as const),
    fc.integer({ min: 0, max: Math.floor(Number.MAX_SAFE_INTEGER / 4) - 1 }),
    (who, dir, index) => {
      const id = makeStreamId(who, dir, index);
      assert.is(streamIndex(id), index);
      assert.is(streamDir(id), dir);
      assert.is(streamInitiator(id), who);
      assert.is(isBidiStream(id), dir === 'bidi');
      assert.is(isUniStream(id), dir === 'uni');
      assert.is(isLocalStream(id, who), true);
      assert.is(isLocalStream(id, peerSide(who)), false);
      assert.is(streamTypeBits(id), id % 4);
    },
  ));
  assert.is(streamIndex(2 ** 40 + 3), 2 ** 38);
  assert.is(streamDir(2 ** 40 + 3), 'uni');
});

test('stream parts: bidi both ways, uni only the initiator sends', () => {
  assert.equal(streamParts(0, 'client'), { send: true, recv: true });
  assert.equal(streamParts(2, 'client'), { send: true, recv: false });
  assert.equal(streamParts(2, 'server'), { send: false, recv: true });
  assert.equal(streamParts(3, 'client'), { send: false, recv: true });
});

test('invalid indexes are RangeErrors', () => {
  assert.throws(() => makeStreamId('client', 'bidi', -1), RangeError);
  assert.throws(() => makeStreamId('client', 'bidi', 1.5), RangeError);
  assert.throws(() => makeStreamId('client', 'bidi', Number.MAX_SAFE_INTEGER), RangeError);
});

test.run();
