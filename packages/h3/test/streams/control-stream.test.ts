import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chunksOf, joinPieces } from '@quicts/testkit';
import { encodeH3Frame, H3ControlStreamReader, H3Error, H3ErrorCode, type H3FrameReaderItem } from '@quicts/h3';

const code = (c: number) => (e: unknown): boolean => e instanceof H3Error && e.code === c && e.scope === 'connection';
const feed = (r: H3ControlStreamReader, bytes: Uint8Array): H3FrameReaderItem[] => chunksOf(bytes, 1).flatMap((p) => r.push(p));
const settings = encodeH3Frame({ kind: 'settings', entries: [{ id: 6, value: 100 }] });

test('SETTINGS first, then control frames and reserved ones, one byte at a time', () => {
  const r = new H3ControlStreamReader();
  const items = feed(r, joinPieces([
    settings, Uint8Array.of(0x21, 0x01, 0x00), encodeH3Frame({ kind: 'goaway', id: 4 }), encodeH3Frame({ kind: 'max-push-id', pushId: 9 }),
    encodeH3Frame({ kind: 'cancel-push', pushId: 1 }),
  ]));
  assert.equal(items.map((i) => (i.kind === 'frame' ? i.frame.kind : i.kind)), ['settings', 'skipped', 'goaway', 'max-push-id', 'cancel-push']);
});

test('anything before SETTINGS is H3_MISSING_SETTINGS, known before its payload', () => {
  for (const first of [encodeH3Frame({ kind: 'goaway', id: 0 }), Uint8Array.of(0x21, 0x00), Uint8Array.of(0x00, 0x05), Uint8Array.of(0x01, 0x05)]) {
    const r = new H3ControlStreamReader();
    assert.throws(() => feed(r, first), code(H3ErrorCode.H3_MISSING_SETTINGS));
  }
});

test('a second SETTINGS, DATA, HEADERS or PUSH_PROMISE is H3_FRAME_UNEXPECTED', () => {
  for (const next of [settings, Uint8Array.of(0x00, 0x01), Uint8Array.of(0x01, 0x01), Uint8Array.of(0x05, 0x01)]) {
    const r = new H3ControlStreamReader();
    feed(r, settings);
    assert.throws(() => feed(r, next), code(H3ErrorCode.H3_FRAME_UNEXPECTED));
  }
});

test('an oversized SETTINGS frame is H3_EXCESSIVE_LOAD', () => {
  const r = new H3ControlStreamReader({ maxSettingsFrame: 4 });
  assert.throws(() => feed(r, Uint8Array.of(0x04, 0x05)), code(H3ErrorCode.H3_EXCESSIVE_LOAD));
});

test.run();
