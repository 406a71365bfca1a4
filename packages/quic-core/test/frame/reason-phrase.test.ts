import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fromHex, reasonPhraseBytes, reasonPhraseText, toHex } from '@quicts/quic-core';

test('reason phrase text round trips through UTF-8 bytes', () => {
  assert.is(toHex(reasonPhraseBytes('flow é')), '666c6f7720c3a9');
  assert.is(reasonPhraseText(reasonPhraseBytes('idle ✓ timeout')), 'idle ✓ timeout');
  assert.is(reasonPhraseText(new Uint8Array(0)), '');
});

test('invalid UTF-8 decodes leniently to U+FFFD', () => {
  assert.is(reasonPhraseText(fromHex('61ff62')), 'a\ufffdb');
  assert.is(reasonPhraseText(fromHex('e282')), '\ufffd');
});

test.run();
