import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { delay, loss } from '@quicts/testkit';
import {
  TlsMemoryTicketStore, TransportErrorCode, decodeTicketAppData, encodeTicketAppData, reducedLimit, type ConnectionEvent,
  type RememberedLimits,
} from '@quicts/quic-core';
import { ResumingServer, drain, firstConnection, secondConnection } from './resumption-harness.ts';
import { dropWhere } from './link-elements.ts';

const text = new TextEncoder();
const payload = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

function connected(events: readonly ConnectionEvent[]) {
  const e = events.find((x) => x.type === 'connected');
  return e && e.type === 'connected' ? e : undefined;
}

function earlyDataEvent(events: readonly ConnectionEvent[]) {
  const e = events.find((x) => x.type === 'earlyData');
  return e && e.type === 'earlyData' ? e : undefined;
}

test('first connection stores a ticket with the server transport parameters', () => {
  const server = new ResumingServer();
  const store = new TlsMemoryTicketStore();
  const { events } = firstConnection(server, store);
  const ticket = events.find((e) => e.type === 'sessionTicket');
  assert.ok(ticket && ticket.type === 'sessionTicket' && ticket.earlyData, '0-RTT capable ticket reported');
  assert.is(store.count('localhost'), 1);
  const t = store.take('localhost', Date.UTC(2026, 10, 21))!;
  assert.ok(t.transportParameters && t.transportParameters.length > 0, 'server transport parameters kept with the ticket');
  assert.is(connected(events)?.resumed, false);
});

test('resumption: the second handshake has no certificate (a verifier that refuses every certificate is never asked)', () => {
  const server = new ResumingServer();
  const store = new TlsMemoryTicketStore();
  firstConnection(server, store);
  const refuseAll = { mode: 'server-certificate-hashes' as const, hashes: [new Uint8Array(32)] };
  const { client, slot, pair, events } = secondConnection(server, store, false, { verify: refuseAll });
  pair.run({ until: () => (drain(client, events), client.handshakeConfirmed || client.isClosed), maxTime: 10_000 });
  assert.ok(client.handshakeConfirmed, 'resumed handshake completes');
  const c = connected(events)!;
  assert.is(c.resumed, true);
  assert.is(c.earlyDataAccepted, false);
  assert.is(client.earlyData, 'none');
  assert.is(connected(slot.events)?.resumed, true);
  assert.is(slot.conn!.resumed, true);
});

test('without a ticket the same refusing verifier fails the handshake (the check above is meaningful)', () => {
  const server = new ResumingServer();
  const store = new TlsMemoryTicketStore();
  const refuseAll = { mode: 'server-certificate-hashes' as const, hashes: [new Uint8Array(32)] };
  const { client, pair, events } = secondConnection(server, store, false, { verify: refuseAll });
  pair.run({ until: () => (drain(client, events), client.handshakeConfirmed || client.state.kind !== 'handshake'), maxTime: 10_000 });
  assert.not.ok(client.handshakeComplete);
});

test('0-RTT accepted: stream data and a DATAGRAM arrive before the server handshake completes', () => {
  const server = new ResumingServer();
  const store = new TlsMemoryTicketStore();
  firstConnection(server, store);
  const { client, slot, pair, events } = secondConnection(server, store, true);
  assert.ok(client.canSendEarlyData, '0-RTT keys ready right after connect');
  assert.is(client.earlyData, 'attempted');
  const id = client.openStream('bidi');
  assert.ok(id !== null, 'remembered stream limit allows opening');
  const request = text.encode('GET /index.html\r\n');
  assert.is(client.writeStream(id!, request, true), request.length);
  assert.ok(client.sendDatagram(text.encode('early datagram')), 'remembered max_datagram_frame_size allows a DATAGRAM');
  const first = pair.link('a');
  pair.run({ until: () => (drain(client, events), slot.fin.has(id!) && client.handshakeConfirmed), maxTime: 10_000 });
  assert.equal(slot.bytes(id!), request);
  assert.is(slot.firstReadable.get(id!), false, 'server read the request before its handshake completed');
  assert.is(slot.datagrams.length, 1);
  assert.is(slot.conn!.earlyData, 'accepted');
  assert.is(earlyDataEvent(slot.events)?.accepted, true);
  assert.is(earlyDataEvent(events)?.accepted, true);
  const c = connected(events)!;
  assert.is(c.resumed, true);
  assert.is(c.earlyDataAccepted, true);
  assert.ok(first.stats.sent >= 1);
  // Client discards its 0-RTT keys once it has 1-RTT keys (RFC 9001 §4.9.3); the server some 3 PTO later.
  assert.is(client.zeroRtt, undefined);
  pair.advance(5000);
  assert.is(slot.conn!.zeroRtt, undefined);
});

test('0-RTT accepted: a response on the stream comes back', () => {
  const server = new ResumingServer();
  const store = new TlsMemoryTicketStore();
  firstConnection(server, store);
  const { client, slot, pair, events } = secondConnection(server, store, true);
  const id = client.openStream('bidi')!;
  client.writeStream(id, text.encode('ping'), true);
  pair.run({ until: () => slot.fin.has(id), maxTime: 10_000 });
  slot.conn!.writeStream(id, text.encode('pong'), true);
  const got: Uint8Array[] = [];
  pair.run({
    until: () => {
      drain(client, events);
      for (let r = client.readStream(id); r.kind === 'data'; r = client.readStream(id)) {
        got.push(r.data.slice());
        if (r.fin) return true;
      }
      return false;
    },
    maxTime: 10_000,
  });
  assert.is(new TextDecoder().decode(got.length === 1 ? got[0] : new Uint8Array(0)), 'pong');
});

for (const [name, server] of [
  ['the application refuses', { acceptEarlyData: () => false }],
  ['no replay protection', { antiReplay: false }],
] as const) {
  test(`0-RTT rejected (${name}): stream data and DATAGRAM still arrive, exactly once, without the application doing anything`, () => {
    const srv = new ResumingServer();
    const store = new TlsMemoryTicketStore();
    firstConnection(srv, store);
    const { client, slot, pair, events } = secondConnection(srv, store, true, { server });
    const data = payload(6000);
    const id = client.openStream('bidi')!;
    assert.is(client.writeStream(id, data, true), data.length);
    assert.ok(client.sendDatagram(text.encode('dgram')));
    pair.run({ until: () => (drain(client, events), slot.fin.has(id) && client.handshakeConfirmed), maxTime: 10_000 });
    pair.advance(1000);
    drain(client, events);
    assert.equal(slot.bytes(id), data, 'stream bytes intact');
    assert.is(slot.firstReadable.get(id), true, 'nothing was read from 0-RTT');
    assert.is(slot.datagrams.length, 1, 'the DATAGRAM arrived once');
    assert.is(slot.conn!.earlyData, 'rejected');
    assert.is(client.earlyData, 'rejected');
    assert.is(earlyDataEvent(events)?.accepted, false);
    const c = connected(events)!;
    assert.is(c.resumed, true);
    assert.is(c.earlyDataAccepted, false);
    assert.ok(!events.some((e) => e.type === 'closing'), 'no close');
  });
}

test('0-RTT rejected because the server now advertises smaller limits: the server refuses; the client cannot resend within them and closes', () => {
  const srv = new ResumingServer();
  const store = new TlsMemoryTicketStore();
  firstConnection(srv, store);
  const { client, slot, pair, events } = secondConnection(srv, store, true, { server: { transport: { initialMaxStreamsBidi: 10 } } });
  const id = client.openStream('bidi')!;
  client.writeStream(id, text.encode('x'), true);
  pair.run({ until: () => (drain(client, events), client.isClosed || client.state.kind !== 'handshake'), maxTime: 10_000 });
  assert.is(slot.conn!.earlyData, 'rejected');
  const closing = events.find((e) => e.type === 'closing');
  assert.ok(closing && closing.type === 'closing' && closing.reason.code === TransportErrorCode.INTERNAL_ERROR);
});

test('0-RTT accepted with larger limits now: accepted, and the new limits apply', () => {
  const srv = new ResumingServer();
  const store = new TlsMemoryTicketStore();
  firstConnection(srv, store);
  const { client, slot, pair, events } = secondConnection(srv, store, true, { server: { transport: { initialMaxStreamsBidi: 500 } } });
  const id = client.openStream('bidi')!;
  client.writeStream(id, text.encode('x'), true);
  pair.run({ until: () => (drain(client, events), slot.fin.has(id) && client.handshakeConfirmed), maxTime: 10_000 });
  assert.is(slot.conn!.earlyData, 'accepted');
  assert.is(client.peerParams!.initialMaxStreamsBidi, 500);
});

test('0-RTT with loss: the first 0-RTT-only datagrams are dropped, the data still arrives once', () => {
  const srv = new ResumingServer();
  const store = new TlsMemoryTicketStore();
  firstConnection(srv, store);
  const { client, slot, pair, events } = secondConnection(srv, store, true, {
    aToB: [dropWhere((i) => i === 1 || i === 2), delay(10)], bToA: [delay(10)],
  });
  const data = payload(8000, 7);
  const id = client.openStream('bidi')!;
  client.writeStream(id, data, true);
  pair.run({ until: () => (drain(client, events), slot.fin.has(id) && client.handshakeConfirmed), maxTime: 30_000 });
  assert.equal(slot.bytes(id), data);
  assert.is(slot.conn!.earlyData, 'accepted');
  assert.ok(pair.link('a').stats.dropped >= 2);
});

for (const seed of [1, 2, 3, 4, 5, 6]) {
  test(`0-RTT over a 25% lossy link (seed ${seed}): the data arrives intact`, () => {
    const srv = new ResumingServer();
    const store = new TlsMemoryTicketStore();
    firstConnection(srv, store);
    const { client, slot, pair, events } = secondConnection(srv, store, true, { link: [loss(0.25), delay(15)], seed });
    const data = payload(20_000, seed);
    const ids = [client.openStream('bidi')!, client.openStream('uni')!];
    for (const id of ids) client.writeStream(id, data, true);
    pair.run({ until: () => (drain(client, events), ids.every((id) => slot.fin.has(id)) && client.handshakeConfirmed), maxTime: 120_000 });
    for (const id of ids) assert.equal(slot.bytes(id), data, `stream ${id}`);
  });
}

test('a client without earlyData resumes but sends no 0-RTT', () => {
  const srv = new ResumingServer();
  const store = new TlsMemoryTicketStore();
  firstConnection(srv, store);
  const { client, pair, events } = secondConnection(srv, store, false);
  assert.not.ok(client.canSendEarlyData);
  assert.is(client.openStream('bidi'), null, 'no remembered limits: streams wait for the handshake');
  pair.run({ until: () => (drain(client, events), client.handshakeConfirmed), maxTime: 10_000 });
  assert.is(connected(events)?.resumed, true);
  assert.is(client.earlyData, 'none');
});

test('a ticket is offered once: the third connection has none left and does a full handshake', () => {
  const srv = new ResumingServer();
  const store = new TlsMemoryTicketStore();
  firstConnection(srv, store);
  store.take('localhost', Date.UTC(2026, 10, 21));
  const { client, pair, events } = secondConnection(srv, store, true);
  assert.not.ok(client.canSendEarlyData);
  pair.run({ until: () => (drain(client, events), client.handshakeConfirmed), maxTime: 10_000 });
  assert.is(connected(events)?.resumed, false);
});

test('ticket application data: limits round-trip with the application part; reducedLimit names the first smaller one', () => {
  const limits: RememberedLimits = {
    activeConnectionIdLimit: 4, initialMaxData: 1 << 20, initialMaxStreamDataBidiLocal: 1000, initialMaxStreamDataBidiRemote: 2000,
    initialMaxStreamDataUni: 3000, initialMaxStreamsBidi: 100, initialMaxStreamsUni: 3, maxDatagramFrameSize: 0,
  };
  const rest = text.encode('h3 settings');
  const back = decodeTicketAppData(encodeTicketAppData(limits, rest));
  assert.equal(back.limits, limits);
  assert.equal(back.rest, rest);
  assert.is(reducedLimit(limits, limits), undefined);
  assert.is(reducedLimit(limits, { ...limits, initialMaxStreamsUni: 2 }), 'initialMaxStreamsUni');
  assert.is(reducedLimit(limits, { ...limits, initialMaxData: 2 << 20 }), undefined);
  const enc = encodeTicketAppData(limits);
  for (let n = 0; n < enc.length; n++) {
    try {
      decodeTicketAppData(enc.subarray(0, n));
      assert.unreachable(`truncation to ${n} decoded`);
    } catch (e) {
      assert.is((e as Error).name, 'DecodeError');
    }
  }
});

test.run();
