import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import {
  webTransportCodeToHttp3, http3CodeToWebTransport, WT_APPLICATION_ERROR_FIRST, WT_APPLICATION_ERROR_LAST,
} from '@quicts/webtransport';

test('code 0 and 0xffffffff map to the ends of the range', () => {
  assert.is(webTransportCodeToHttp3(0), WT_APPLICATION_ERROR_FIRST);
  assert.is(webTransportCodeToHttp3(0xffffffff), WT_APPLICATION_ERROR_LAST);
});

test('mapped codes never land on an HTTP/3 GREASE codepoint and map back', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (code) => {
    const h3 = webTransportCodeToHttp3(code);
    assert.is.not((h3 - 0x21) % 0x1f, 0);
    assert.is(http3CodeToWebTransport(h3), code);
  }), { numRuns: 5000 });
});

test('GREASE codepoints and out-of-range codes do not map back', () => {
  assert.is(http3CodeToWebTransport(0x0100), undefined);
  assert.is(http3CodeToWebTransport(WT_APPLICATION_ERROR_LAST + 1), undefined);
  // the first GREASE codepoint inside the range
  let g = WT_APPLICATION_ERROR_FIRST;
  while ((g - 0x21) % 0x1f !== 0) g++;
  assert.is(http3CodeToWebTransport(g), undefined);
});

test.run();
