import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { H3ErrorCode, type H3Event } from '@quicts/h3';
import { drainEvents, FakeQuicPair, fields, GET, pairsOf, text, utf8 } from './fake-quic.ts';

const kinds = (events: H3Event[]): string[] => events.map((e) => e.kind);

function settled(options: ConstructorParameters<typeof FakeQuicPair>[0] = {}): FakeQuicPair {
  const pair = new FakeQuicPair(options);
  pair.run();
  assert.equal(kinds(drainEvents(pair.client)), ['settings']);
  assert.equal(kinds(drainEvents(pair.server)), ['settings']);
  return pair;
}

test('SETTINGS exchange, one byte at a time', () => {
  const pair = new FakeQuicPair({ client: { settings: { h3Datagram: true } }, server: { settings: { enableConnectProtocol: true } } });
  pair.run();
  const c = drainEvents(pair.client);
  const s = drainEvents(pair.server);
  assert.is(c.length, 1);
  assert.is(s.length, 1);
  if (c[0]!.kind !== 'settings' || s[0]!.kind !== 'settings') throw new Error('expected settings');
  assert.is(c[0]!.settings.enableConnectProtocol, true);
  assert.is(c[0]!.settings.qpackMaxTableCapacity, 4096);
  assert.is(s[0]!.settings.h3Datagram, true);
  assert.is(s[0]!.settings.extra.size, 0, 'GREASE setting ignored');
  assert.is(pair.client.peerSettings?.maxFieldSectionSize, 65536);
});

test('GET request and response with body, byte at a time', () => {
  const pair = settled();
  const id = pair.client.sendRequest(GET('/index.html'), { endStream: true })!;
  assert.is(id, 0);
  pair.run();
  const req = drainEvents(pair.server);
  assert.equal(kinds(req), ['headers']);
  const h = req[0]!;
  if (h.kind !== 'headers') throw new Error();
  assert.equal(pairsOf(h.headers), pairsOf(GET('/index.html')));
  assert.is(h.endStream, true);
  pair.server.sendHeaders(id, fields([':status', '200'], ['content-length', '5']));
  pair.server.sendData(id, utf8('hel'));
  pair.server.sendData(id, utf8('lo'), { endStream: true });
  pair.run();
  const res = drainEvents(pair.client);
  assert.equal(kinds(res), ['headers', 'data', 'data', 'data', 'data', 'data']);
  const body = res.filter((e) => e.kind === 'data').map((e) => (e.kind === 'data' ? text(e.data) : '')).join('');
  assert.is(body, 'hello');
  const last = res[res.length - 1]!;
  assert.ok(last.kind === 'data' && last.endStream);
  assert.is(pair.client.activeStreamCount, 0);
  assert.is(pair.server.activeStreamCount, 0);
});

test.run();
