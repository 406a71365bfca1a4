import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Pair, delay, loss } from '@quicts/testkit';
import { Connection, type TransportConfig } from '@quicts/quic-core';
import { ServerSlot, clientPath, config } from './harness.ts';

function setup(client: Partial<TransportConfig>, server: Partial<TransportConfig>, lossRate = 0) {
  const c = Connection.connect({ config: config(client), path: clientPath, now: 0 });
  const s = new ServerSlot(config(server));
  const pair = new Pair<Connection, ServerSlot>({ a: c, b: s, seed: 8, link: [delay(10), loss(lossRate)] });
  pair.run({ until: () => c.handshakeConfirmed && !!s.conn?.handshakeConfirmed, maxTime: 20_000 });
  return { client: c, server: s.conn!, pair };
}

function datagrams(conn: Connection): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let e = conn.pollEvent(); e; e = conn.pollEvent()) if (e.type === 'datagram') out.push(e.data);
  return out;
}

test('DATAGRAM frames both ways (RFC 9221)', () => {
  const { client, server, pair } = setup({ maxDatagramFrameSize: 1200 }, { maxDatagramFrameSize: 1200 });
  datagrams(client);
  datagrams(server);
  assert.ok(client.sendDatagram(new TextEncoder().encode('ping')));
  assert.ok(server.sendDatagram(new TextEncoder().encode('pong')));
  pair.advance(100);
  assert.equal(datagrams(server).map((d) => new TextDecoder().decode(d)), ['ping']);
  assert.equal(datagrams(client).map((d) => new TextDecoder().decode(d)), ['pong']);
});

test('the size limit: the peer\'s max_datagram_frame_size and the packet size', () => {
  const { client, server, pair } = setup({ maxDatagramFrameSize: 1200 }, { maxDatagramFrameSize: 300 });
  datagrams(server);
  const max = client.maxDatagramPayload;
  assert.ok(max > 0 && max <= 300, `client may send ${max}`);
  assert.not.ok(client.sendDatagram(new Uint8Array(max + 1)));
  assert.ok(client.sendDatagram(new Uint8Array(max).fill(7)));
  const serverMax = server.maxDatagramPayload;
  assert.ok(serverMax > 300 && serverMax < 1200, `server may send ${serverMax} (bounded by the datagram size)`);
  assert.ok(server.sendDatagram(new Uint8Array(serverMax)));
  pair.advance(100);
  const got = datagrams(server);
  assert.is(got.length, 1);
  assert.is(got[0]!.length, max);
  assert.is(datagrams(client).length, 1);
});

test('the outgoing queue is bounded', () => {
  const { client } = setup({ maxDatagramFrameSize: 1200, datagramSendQueue: 4 }, { maxDatagramFrameSize: 1200 });
  for (let i = 0; i < 4; i++) assert.ok(client.sendDatagram(new Uint8Array([i])));
  assert.not.ok(client.sendDatagram(new Uint8Array([9])), 'the fifth waits for room');
});

test('the incoming queue is bounded: beyond it new datagrams are dropped and counted', () => {
  const { client, server, pair } = setup({ maxDatagramFrameSize: 1200, datagramSendQueue: 64 }, { maxDatagramFrameSize: 1200, datagramReceiveQueue: 5 });
  datagrams(server);
  for (let i = 0; i < 20; i++) client.sendDatagram(new Uint8Array([i]));
  pair.advance(200);
  assert.is(datagrams(server).length, 5);
  assert.is(server.stats.datagramsDropped, 15);
});

test('without the peer\'s support nothing can be sent', () => {
  const { client } = setup({ maxDatagramFrameSize: 1200 }, {});
  assert.is(client.maxDatagramPayload, 0);
  assert.not.ok(client.sendDatagram(new Uint8Array(1)));
});

test('datagrams are not retransmitted; most arrive over 10% loss', () => {
  const { client, server, pair } = setup({ maxDatagramFrameSize: 1200 }, { maxDatagramFrameSize: 1200 }, 0.1);
  datagrams(server);
  let sent = 0;
  for (let round = 0; round < 20; round++) {
    for (let i = 0; i < 10; i++) if (client.sendDatagram(new Uint8Array(500).fill(round))) sent++;
    pair.advance(50);
  }
  const got = datagrams(server).length;
  assert.is(sent, 200);
  assert.ok(got < sent && got > sent * 0.7, `${got} of ${sent}`);
  // Every DATAGRAM that did not arrive is counted lost once its loss is declared (RFC 9221 §5.2).
  pair.advance(2000);
  assert.is(client.stats.datagramsLost, sent - got - server.stats.datagramsDropped);
});

test('a lost packet counts each DATAGRAM frame it carried; acknowledged ones do not count', () => {
  const { client, server, pair } = setup({ maxDatagramFrameSize: 1200 }, { maxDatagramFrameSize: 1200 });
  pair.advance(100);
  datagrams(server);
  assert.is(client.stats.datagramsLost, 0);
  pair.holdOutbound('a');
  for (let i = 0; i < 3; i++) assert.ok(client.sendDatagram(new Uint8Array(50).fill(i)));
  assert.is(pair.held('a').length, 1, 'the three DATAGRAM frames share one packet');
  pair.discardHeld('a');
  pair.holdOutbound('a', false);
  const lostBefore = client.stats.packetsLost;
  assert.ok(client.sendDatagram(new Uint8Array(50).fill(9)));
  pair.advance(500);
  assert.is(client.stats.packetsLost, lostBefore + 1);
  assert.is(client.stats.datagramsLost, 3);
  assert.equal(datagrams(server).map((d) => d[0]), [9]);
  for (let i = 0; i < 2; i++) assert.ok(client.sendDatagram(new Uint8Array(50).fill(i)));
  pair.advance(500);
  assert.is(datagrams(server).length, 2);
  assert.is(client.stats.datagramsLost, 3, 'acknowledged datagrams are not counted');
  assert.is(server.stats.datagramsLost, 0);
});

test.run();
