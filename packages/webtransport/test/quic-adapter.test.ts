/**
 * `WtQuicAdapter`: a WebTransport connection driven by HTTP/3's generic QUIC adapter. The peer's
 * max_datagram_frame_size reaches the WebTransport connection (draft -15 §3.1: no QUIC datagrams,
 * no dialect), sessions, streams and datagrams flow end to end, held writes drain, paused
 * streams wait, and closing goes through the HTTP/3 connection.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { H3ErrorCode } from '@quicts/h3';
import { joinPieces } from '@quicts/testkit';
import { WebTransportErrorCode as WT } from '@quicts/webtransport';
import type { WtAdapterEvent } from '../src/quic-adapter.ts';
import { QuicPair } from './quic-pair.ts';

const init = { authority: 'example.com', path: '/echo', origin: 'https://example.com' };
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const kinds = (events: WtAdapterEvent[]): string[] => events.map((e) => e.kind);

function of<K extends WtAdapterEvent['kind']>(events: WtAdapterEvent[], kind: K): Extract<WtAdapterEvent, { kind: K }>[] {
  return events.filter((e): e is Extract<WtAdapterEvent, { kind: K }> => e.kind === kind);
}

/** A connected pair with one established session; returns its ID. */
function session(pair: QuicPair): number {
  pair.connect();
  const id = pair.client.wt!.createSession(init)!;
  pair.run();
  const request = of(pair.take('server'), 'session-request')[0];
  assert.is(request?.sessionId, id);
  pair.server.wt!.acceptSession(id);
  pair.run();
  assert.equal(of(pair.take('client'), 'session-ready').map((e) => e.sessionId), [id]);
  return id;
}

test('the WebTransport connection appears with transport-ready, then the peer SETTINGS pick draft-15', () => {
  const pair = new QuicPair();
  assert.is(pair.client.wt, undefined);
  pair.connect();
  const events = pair.take('client');
  assert.is(events[0]?.kind, 'transport-ready');
  assert.equal(of(events, 'settings').map((e) => e.dialect), ['draft15']);
  assert.is(pair.client.wt?.negotiated?.dialect, 'draft15');
  assert.is(pair.server.wt?.negotiated?.dialect, 'draft15');
  assert.is(pair.clientQuic.closedWith, undefined);
});

test('a server without QUIC datagrams (max_datagram_frame_size 0): the client closes with WT_REQUIREMENTS_NOT_MET', () => {
  const pair = new QuicPair({ serverDatagrams: 0 });
  pair.connect();
  assert.equal(pair.client.wt?.requirementsNotMet, { dialect: 'draft15', missing: ['quic-datagram'] });
  assert.is(pair.clientQuic.closedWith?.code, WT.WT_REQUIREMENTS_NOT_MET);
  assert.match(pair.clientQuic.closedWith!.reason, /quic-datagram/);
  const closed = of(pair.take('client'), 'transport-closed');
  assert.equal(closed.map((e) => e.reason.code), [WT.WT_REQUIREMENTS_NOT_MET]);
  assert.ok(pair.client.isClosed);
});

test('a client without QUIC datagrams: the server refuses its session requests (H3_MESSAGE_ERROR) and keeps the connection', () => {
  const pair = new QuicPair({ clientDatagrams: 0 });
  pair.connect();
  assert.equal(pair.server.wt?.requirementsNotMet, { dialect: 'draft15', missing: ['quic-datagram'] });
  assert.is(pair.client.wt?.negotiated?.dialect, 'draft15');
  const id = pair.client.wt!.createSession(init)!;
  pair.run();
  assert.equal(of(pair.take('server'), 'session-request'), []);
  assert.equal(of(pair.take('client'), 'session-closed').map((e) => [e.sessionId, e.error]), [[id, H3ErrorCode.H3_MESSAGE_ERROR]]);
  assert.is(pair.clientQuic.closedWith, undefined);
  assert.is(pair.serverQuic.closedWith, undefined);
});

test('a session carries a bidirectional stream and datagrams both ways', () => {
  const pair = new QuicPair();
  const sid = session(pair);
  const stream = pair.client.wt!.openStream(sid, 'bidi')!;
  pair.client.wt!.writeStream(stream, utf8('ping'), true);
  pair.client.wt!.sendDatagram(sid, utf8('dgram up'));
  pair.run();
  const up = pair.take('server');
  assert.equal(of(up, 'stream-opened').map((e) => [e.sessionId, e.streamId, e.bidi]), [[sid, stream, true]]);
  assert.equal(joinPieces(of(up, 'stream-data').map((e) => e.data)), utf8('ping'));
  assert.equal(of(up, 'datagram').map((e) => e.payload), [utf8('dgram up')]);
  pair.server.wt!.writeStream(stream, utf8('pong'), true);
  pair.server.wt!.sendDatagram(sid, utf8('dgram down'));
  pair.run();
  const down = pair.take('client');
  const data = of(down, 'stream-data').filter((e) => e.streamId === stream);
  assert.equal(joinPieces(data.map((e) => e.data)), utf8('pong'));
  assert.ok(data.at(-1)?.fin);
  assert.equal(of(down, 'datagram').map((e) => e.payload), [utf8('dgram down')]);
});

test('writes the transport cannot take are held, drained on streamWritable, then acknowledged', () => {
  const pair = new QuicPair();
  const sid = session(pair);
  pair.take('client');
  const stream = pair.client.wt!.openStream(sid, 'uni')!;
  pair.clientQuic.writeCap = 100;
  const body = new Uint8Array(1000).map((_, i) => i & 0xff);
  pair.client.wt!.writeStream(stream, body, true);
  assert.ok(pair.client.bufferedAmount(stream) > 0);
  assert.is(pair.client.unacknowledgedStreams, 1);
  for (let i = 0; i < 20 && pair.client.bufferedAmount(stream) > 0; i++) {
    pair.clientQuic.events.push({ type: 'streamWritable', streamId: stream });
    pair.run();
  }
  assert.is(pair.client.bufferedAmount(stream), 0);
  assert.is(pair.client.unacknowledgedStreams, 0);
  const events = pair.take('client');
  assert.equal(of(events, 'send-drained').map((e) => e.streamId), [stream]);
  assert.ok(kinds(events).indexOf('sends-acknowledged') > kinds(events).indexOf('send-drained'));
  const received = of(pair.take('server'), 'stream-data').filter((e) => e.streamId === stream);
  assert.ok(received.at(-1)?.fin);
  assert.equal(joinPieces(received.map((e) => e.data)), body);
});

test('a paused stream keeps its bytes in the transport until reading resumes', () => {
  const pair = new QuicPair();
  const sid = session(pair);
  const stream = pair.client.wt!.openStream(sid, 'bidi')!;
  pair.client.wt!.writeStream(stream, utf8('hello'));
  pair.run();
  assert.equal(joinPieces(of(pair.take('server'), 'stream-data').map((e) => e.data)), utf8('hello'));
  pair.server.pauseReading(stream);
  pair.client.wt!.writeStream(stream, utf8(' world'), true);
  pair.run();
  assert.equal(of(pair.take('server'), 'stream-data'), []);
  pair.server.resumeReading(stream);
  pair.run();
  const after = of(pair.take('server'), 'stream-data');
  assert.equal(joinPieces(after.map((e) => e.data)), utf8(' world'));
  assert.ok(after.at(-1)?.fin);
});

test('close goes through the HTTP/3 connection; before the handshake, straight to QUIC', () => {
  const pair = new QuicPair();
  session(pair);
  pair.client.close(H3ErrorCode.H3_NO_ERROR, 'bye');
  pair.run();
  assert.ok(pair.client.wt!.h3.isClosed);
  assert.equal([pair.clientQuic.closedWith?.code, pair.clientQuic.closedWith?.reason], [H3ErrorCode.H3_NO_ERROR, 'bye']);
  assert.equal(of(pair.take('server'), 'transport-closed').map((e) => [e.reason.initiator, e.reason.reason]), [['remote', 'bye']]);
  assert.ok(pair.server.isClosed);

  const early = new QuicPair();
  early.client.close(H3ErrorCode.H3_INTERNAL_ERROR, 'no');
  assert.is(early.client.wt, undefined);
  assert.is(early.clientQuic.closedWith?.code, H3ErrorCode.H3_INTERNAL_ERROR);
});

test.run();
