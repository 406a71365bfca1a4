import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { decodeH3Datagram, encodeH3Datagram, H3Error } from '@quicts/h3';
import { drainEvents, fields, utf8, text } from './fake-quic.ts';
import { E, expectConnectionError, kinds, only, settled, lone } from './h3-helpers.ts';

const hex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
const datagramError = (e: unknown): boolean => e instanceof H3Error && e.code === E.H3_DATAGRAM_ERROR && e.scope === 'connection';

const wtConnect = (path = '/wt'): { name: string; value: string }[] =>
  fields([':method', 'CONNECT'], [':protocol', 'webtransport'], [':scheme', 'https'], [':authority', 'example.com'], [':path', path]);

test('quarter stream ID framing: hand-derived bytes', () => {
  assert.is(hex(encodeH3Datagram(0, Uint8Array.of(0xaa))), '00aa');
  assert.is(hex(encodeH3Datagram(4, new Uint8Array(0))), '01');
  assert.is(hex(encodeH3Datagram(256, Uint8Array.of(1, 2))), '40400102'); // quarter 64: two-byte varint
  const d = decodeH3Datagram(Uint8Array.of(0x40, 0x40, 1, 2));
  assert.is(d.streamId, 256);
  assert.equal([...d.payload], [1, 2]);
  assert.throws(() => encodeH3Datagram(1, new Uint8Array(0)), RangeError);
  assert.throws(() => encodeH3Datagram(2, new Uint8Array(0)), RangeError);
});

test('quarter stream ID round trip (fast-check)', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 40 }), fc.uint8Array({ maxLength: 64 }), (q, payload) => {
    const d = decodeH3Datagram(encodeH3Datagram(q * 4, payload));
    return d.streamId === q * 4 && hex(d.payload) === hex(payload);
  }));
});

test('empty datagrams and quarter stream IDs of 2^60 and above are H3_DATAGRAM_ERROR', () => {
  assert.throws(() => decodeH3Datagram(new Uint8Array(0)), datagramError);
  assert.throws(() => decodeH3Datagram(Uint8Array.of(0x40)), datagramError);
  assert.throws(() => decodeH3Datagram(Uint8Array.of(0xd0, 0, 0, 0, 0, 0, 0, 0)), datagramError); // 2^60
  const max = decodeH3Datagram(Uint8Array.of(0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 9)); // 2^60-1
  assert.is(max.streamId, -1, 'valid, but beyond exact numbers: no stream of ours');
  assert.equal([...max.payload], [9]);
});

test('extended CONNECT with datagrams both ways', () => {
  const pair = settled({ client: { settings: { h3Datagram: true } }, server: { settings: { h3Datagram: true, enableConnectProtocol: true } } });
  const id = pair.client.sendRequest(wtConnect())!;
  pair.run();
  const h = only(drainEvents(pair.server), 'headers')[0]!;
  assert.equal(h.headers.find((f) => f.name === ':protocol')?.value, 'webtransport');
  assert.is(h.endStream, false);
  pair.server.sendHeaders(id, fields([':status', '200']));
  pair.server.sendDatagram(id, utf8('from server'));
  pair.run();
  const c = drainEvents(pair.client);
  assert.equal(kinds(c), ['headers', 'datagram']);
  const dg = only(c, 'datagram')[0]!;
  assert.is(dg.streamId, id);
  assert.is(text(dg.payload), 'from server');
  pair.client.sendDatagram(id, utf8('from client'));
  pair.client.sendData(id, Uint8Array.of(0x00, 0x02, 0x68, 0x69)); // a DATAGRAM capsule on the data stream
  pair.run();
  const s = drainEvents(pair.server);
  assert.equal([...new Set(kinds(s))], ['datagram', 'data'], 'datagrams are not ordered behind stream bytes');
  assert.is(text(only(s, 'datagram')[0]!.payload), 'from client');
});

test('datagrams need H3_DATAGRAM=1 from both sides before sending', () => {
  const pair = settled({ client: { settings: { h3Datagram: true } }, server: { settings: { enableConnectProtocol: true } } });
  const id = pair.client.sendRequest(wtConnect())!;
  assert.throws(() => pair.client.sendDatagram(id, utf8('x')), TypeError);
  const both = settled({ client: { settings: { h3Datagram: true } }, server: { settings: { h3Datagram: true } } });
  assert.throws(() => both.client.sendDatagram(0, utf8('no such stream')), TypeError);
});

test('datagrams for unknown or closed streams are dropped; without our setting all are dropped', () => {
  const pair = settled({ client: { settings: { h3Datagram: true } }, server: { settings: { h3Datagram: true, enableConnectProtocol: true } } });
  pair.clientPort.sendDatagram(encodeH3Datagram(40, utf8('unknown')));
  pair.run();
  assert.equal(drainEvents(pair.server), []);
  const id = pair.client.sendRequest(wtConnect(), { endStream: true })!;
  pair.run();
  drainEvents(pair.server);
  pair.server.sendHeaders(id, fields([':status', '200']), { endStream: true });
  pair.run();
  drainEvents(pair.client);
  // The request stream is finished both ways: datagrams for it are dropped.
  pair.serverPort.sendDatagram(encodeH3Datagram(id, utf8('late')));
  pair.run();
  assert.equal(drainEvents(pair.client), []);
  assert.is(pair.clientPort.closed, undefined);
  const off = lone('server');
  off.h3.handleDatagram(encodeH3Datagram(0, utf8('x')));
  off.h3.handleDatagram(new Uint8Array(0));
  assert.equal(drainEvents(off.h3), []);
  assert.is(off.port.closed, undefined);
});

test('a malformed datagram is an H3_DATAGRAM_ERROR connection error', () => {
  const l = lone('server', { settings: { h3Datagram: true } });
  l.h3.handleDatagram(Uint8Array.of(0x80, 0x01));
  expectConnectionError(l, E.H3_DATAGRAM_ERROR);
});

test('extended CONNECT needs the server setting: refused locally, malformed remotely', () => {
  const pair = settled();
  assert.throws(() => pair.client.sendRequest(wtConnect()), TypeError);
  // Plain CONNECT has :authority only.
  const id = pair.client.sendRequest(fields([':method', 'CONNECT'], [':authority', 'proxy.example:443']))!;
  pair.run();
  const h = only(drainEvents(pair.server), 'headers')[0]!;
  assert.is(h.streamId, id);
  assert.throws(() => pair.client.sendRequest(fields([':method', 'CONNECT'], [':authority', 'a:1'], [':path', '/'])), TypeError);
  assert.throws(() => pair.client.sendRequest(fields([':method', 'CONNECT'], [':scheme', 'https'], [':path', '/'])), TypeError);
});

test('extended CONNECT without :path or :scheme is malformed', () => {
  const pair = settled({ server: { settings: { enableConnectProtocol: true } } });
  assert.throws(() => pair.client.sendRequest(fields([':method', 'CONNECT'], [':protocol', 'webtransport'], [':scheme', 'https'], [':authority', 'a'])), TypeError);
  assert.throws(() => pair.client.sendRequest(fields([':method', 'CONNECT'], [':protocol', 'webtransport'], [':authority', 'a'], [':path', '/'])), TypeError);
  assert.throws(() => pair.client.sendRequest(fields([':method', 'GET'], [':protocol', 'webtransport'], [':scheme', 'https'], [':authority', 'a'], [':path', '/'])), TypeError);
});

test.run();
