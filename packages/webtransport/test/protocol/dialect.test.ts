import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { settingsFromEntries } from '@quicts/h3';
import {
  negotiateWt, WT_DEFAULT_LOCAL_SETTINGS, type WtDialect, type WtLocalSettings, WtSettingId, wtPeerDialects, wtSettingsEntries, wtUpgradeToken,
} from '@quicts/webtransport';

const local = (dialects: WtDialect[], more: Partial<WtLocalSettings> = {}): WtLocalSettings => ({ ...WT_DEFAULT_LOCAL_SETTINGS, dialects, ...more });
/** The peer's SETTINGS as our H3 layer would see them. */
const peerOf = (l: WtLocalSettings, h3Datagram = true) =>
  settingsFromEntries([...(h3Datagram ? [{ id: 0x33, value: 1 }] : []), { id: 0x08, value: 1 }, ...wtSettingsEntries(l)]);

test('settings per dialect: the codepoints of each draft, INITIAL_* only from draft-13 on', () => {
  const ids = (d: WtDialect[]): number[] => wtSettingsEntries(local(d)).map((e) => e.id);
  assert.equal(ids(['draft02']), [0x2b603742, 0xffd277]);
  assert.equal(ids(['draft07']), [0xc671706a]);
  assert.equal(ids(['draft13']), [0x14e9cd29, 0x2b61, 0x2b64, 0x2b65]);
  assert.equal(ids(['draft15']), [0x2c7cf000, 0x2b61, 0x2b64, 0x2b65]);
  const all = wtSettingsEntries(WT_DEFAULT_LOCAL_SETTINGS);
  assert.ok(all.every((e) => e.value > 0), 'non-zero credit and limits');
  assert.is(all.find((e) => e.id === WtSettingId.ENABLED_DRAFT15)?.value, 1);
  assert.is(wtUpgradeToken('draft15'), 'webtransport-h3');
  assert.is(wtUpgradeToken('draft02'), 'webtransport');
});

test('Chromium 156 settings select draft-02', () => {
  const chrome = settingsFromEntries([
    { id: 0x01, value: 65536 }, { id: 0x06, value: 16384 }, { id: 0x07, value: 100 }, { id: 0x33, value: 1 },
    { id: 0xffd277, value: 1 }, { id: 0x2b603742, value: 1 }, { id: 0x1f * 3 + 0x21, value: 9 },
  ]);
  assert.equal(wtPeerDialects(chrome), ['draft02']);
  const n = negotiateWt('server', WT_DEFAULT_LOCAL_SETTINGS, chrome)!;
  assert.is(n.dialect, 'draft02');
  assert.is(n.flowControl, false);
  assert.is(n.maxSessions, 16);
});

test('the highest common dialect wins, whatever each side offers', () => {
  const all: WtDialect[] = ['draft02', 'draft07', 'draft13', 'draft15'];
  for (let a = 1; a < 16; a++) {
    for (let b = 1; b < 16; b++) {
      const da = all.filter((_, i) => (a >> i) & 1);
      const db = all.filter((_, i) => (b >> i) & 1);
      const common = da.filter((d) => db.includes(d));
      const want = common[common.length - 1];
      const server = negotiateWt('server', local(da), peerOf(local(db)));
      const client = negotiateWt('client', local(db), peerOf(local(da)));
      assert.is(server?.dialect, want);
      assert.is(client?.dialect, want, 'both ends agree');
      assert.is(server?.flowControl, client?.flowControl);
    }
  }
});

test('draft-07 and later need RFC 9297 datagrams from the peer', () => {
  assert.equal(wtPeerDialects(peerOf(WT_DEFAULT_LOCAL_SETTINGS, false)), ['draft02']);
});

test('flow control: on when both sides announce credit; session limits follow', () => {
  const fc = negotiateWt('client', local(['draft15']), peerOf(local(['draft15'], { maxSessions: 4 })))!;
  assert.is(fc.flowControl, true);
  assert.is(fc.maxSessions, Infinity);
  assert.equal(fc.sendInitial, { maxData: WT_DEFAULT_LOCAL_SETTINGS.initialMaxData, maxStreamsUni: 128, maxStreamsBidi: 128 });
  const none = { initialMaxData: 0, initialMaxStreamsUni: 0, initialMaxStreamsBidi: 0 };
  const off = negotiateWt('server', local(['draft15']), peerOf(local(['draft15'], none)))!;
  assert.is(off.flowControl, false);
  assert.is(off.maxSessions, 1, 'one session without flow control (draft -15 §5.1)');
  // draft-14: MAX_SESSIONS > 1 alone declares flow control.
  const d13 = negotiateWt('client', local(['draft13'], { ...none, maxSessions: 2 }), peerOf(local(['draft13'], { maxSessions: 3 })))!;
  assert.is(d13.flowControl, true);
  assert.is(d13.maxSessions, 3, "the server's WT_MAX_SESSIONS");
  const d13off = negotiateWt('client', local(['draft13'], { ...none, maxSessions: 1 }), peerOf(local(['draft13'], { maxSessions: 3 })))!;
  assert.is(d13off.flowControl, false);
  assert.is(d13off.maxSessions, 1);
  const d07 = negotiateWt('client', local(['draft07']), peerOf(local(['draft07'], { maxSessions: 5 })))!;
  assert.equal([d07.dialect, d07.flowControl, d07.maxSessions], ['draft07', false, 5]);
});

test.run();
