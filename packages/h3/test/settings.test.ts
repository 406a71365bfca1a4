import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { chunksOf } from '@quicts/testkit';
import {
  decodeSettingsPayload, encodeH3Frame, encodeSettingsPayload, H3_DEFAULT_SETTINGS, H3Error, H3ErrorCode, H3FrameReader, H3SettingId,
  h3ReservedCode, settingsFromEntries, settingsPayloadLength, settingsToEntries,
} from '@quicts/h3';

const hex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
const isCode = (code: number) => (e: unknown): boolean => e instanceof H3Error && e.code === code && e.scope === 'connection';

test('payload bytes derived by hand', () => {
  const entries = [{ id: 0x01, value: 4096 }, { id: 0x06, value: 16384 }, { id: 0x07, value: 100 }, { id: 0x08, value: 1 }, { id: 0x33, value: 1 }];
  const bytes = '01 5000 06 80004000 07 4064 08 01 33 01'.replace(/ /g, '');
  assert.is(hex(encodeSettingsPayload(entries)), bytes);
  assert.equal(decodeSettingsPayload(encodeSettingsPayload(entries)), entries);
  assert.is(settingsPayloadLength(entries), bytes.length / 2);
});

test('typed view: defaults, known settings, extras, GREASE ignored', () => {
  assert.equal(settingsFromEntries([]), H3_DEFAULT_SETTINGS);
  assert.is(H3_DEFAULT_SETTINGS.maxFieldSectionSize, Infinity);
  const s = settingsFromEntries([
    { id: H3SettingId.QPACK_MAX_TABLE_CAPACITY, value: 4096 }, { id: H3SettingId.QPACK_BLOCKED_STREAMS, value: 16 },
    { id: H3SettingId.MAX_FIELD_SECTION_SIZE, value: 8192 }, { id: H3SettingId.ENABLE_CONNECT_PROTOCOL, value: 1 },
    { id: H3SettingId.H3_DATAGRAM, value: 1 }, { id: 0x2b603742, value: 1 }, { id: h3ReservedCode(4), value: 9 }, { id: 0xc671706a, value: 5 },
  ]);
  assert.is(s.qpackMaxTableCapacity, 4096);
  assert.is(s.qpackBlockedStreams, 16);
  assert.is(s.maxFieldSectionSize, 8192);
  assert.ok(s.enableConnectProtocol && s.h3Datagram);
  assert.equal([...s.extra], [[0x2b603742, 1], [0xc671706a, 5]]);
});

test('what we send: non-defaults, extras in order, one GREASE setting', () => {
  const entries = settingsToEntries({
    qpackMaxTableCapacity: 4096, qpackBlockedStreams: 0, maxFieldSectionSize: 65536, enableConnectProtocol: true, h3Datagram: false,
    extra: [[0x2b603742, 1], [0x14e9cd29, 16]],
  }, h3ReservedCode(1), 3);
  assert.equal(entries, [
    { id: 0x01, value: 4096 }, { id: 0x06, value: 65536 }, { id: 0x08, value: 1 }, { id: 0x2b603742, value: 1 }, { id: 0x14e9cd29, value: 16 },
    { id: 0x40, value: 3 },
  ]);
  assert.equal(settingsToEntries({}), []);
  assert.equal(settingsToEntries({ extra: [{ id: 0x2b61, value: 1 }] }), [{ id: 0x2b61, value: 1 }]);
  assert.throws(() => settingsToEntries({ extra: [[0x33, 1]] }), RangeError, 'extra may not shadow a known setting');
  assert.throws(() => settingsToEntries({ extra: [[0x04, 1]] }), RangeError, 'nor an HTTP/2 one');
  assert.throws(() => settingsToEntries({ extra: [[0x2b61, 1], [0x2b61, 2]] }), RangeError);
  assert.throws(() => settingsToEntries({}, 0x22), RangeError, 'GREASE must be reserved');
  assert.throws(() => settingsToEntries({ qpackMaxTableCapacity: -1 }), RangeError);
});

test('duplicates and HTTP/2 identifiers are H3_SETTINGS_ERROR; invalid booleans too', () => {
  assert.throws(() => decodeSettingsPayload(Uint8Array.of(0x01, 0x00, 0x01, 0x00)), isCode(H3ErrorCode.H3_SETTINGS_ERROR));
  for (const id of [0x02, 0x03, 0x04, 0x05]) assert.throws(() => decodeSettingsPayload(Uint8Array.of(id, 0x00)), isCode(H3ErrorCode.H3_SETTINGS_ERROR));
  assert.throws(() => settingsFromEntries([{ id: 0x08, value: 2 }]), isCode(H3ErrorCode.H3_SETTINGS_ERROR));
  assert.throws(() => settingsFromEntries([{ id: 0x33, value: 2 }]), isCode(H3ErrorCode.H3_SETTINGS_ERROR));
});

test('truncated payloads are H3_FRAME_ERROR', () => {
  const bytes = encodeSettingsPayload([{ id: 0x06, value: 1 << 20 }, { id: 0x2b603742, value: 1 }]);
  for (let i = 1; i < bytes.length; i++) {
    if (i === 5) continue; // a whole pair
    assert.throws(() => decodeSettingsPayload(bytes.subarray(0, i)), isCode(H3ErrorCode.H3_FRAME_ERROR), `cut at ${i}`);
  }
});

test('a SETTINGS frame read one byte at a time', () => {
  const entries = settingsToEntries({ qpackMaxTableCapacity: 65536, enableConnectProtocol: true, h3Datagram: true, extra: [[0x2c7cf000, 1], [0x2b64, 1], [0x2b65, 1]] }, h3ReservedCode(100));
  const reader = new H3FrameReader();
  const items = chunksOf(encodeH3Frame({ kind: 'settings', entries }), 1).flatMap((p) => reader.push(p));
  assert.is(items.length, 1);
  const item = items[0]!;
  assert.ok(item.kind === 'frame' && item.frame.kind === 'settings');
  if (item.kind === 'frame' && item.frame.kind === 'settings') assert.equal(item.frame.entries, entries);
});

const arbVarint = fc.oneof(fc.integer({ min: 0, max: 63 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));

test('payload round trip (fast-check)', () => {
  fc.assert(fc.property(fc.uniqueArray(fc.record({ id: arbVarint.filter((id) => id < 2 || id > 5), value: arbVarint }), { selector: (e) => e.id, maxLength: 20 }), (entries) => {
    return JSON.stringify(decodeSettingsPayload(encodeSettingsPayload(entries))) === JSON.stringify(entries);
  }));
});

test('random payloads only ever throw H3Error (fuzz)', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
    try {
      settingsFromEntries(decodeSettingsPayload(bytes));
    } catch (e) {
      return e instanceof H3Error;
    }
    return true;
  }), { numRuns: 2000 });
});

test.run();
