import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Pair, delay, type LinkElementSpec } from '@quicts/testkit';
import { Connection, parsePacketHeader, splitCoalescedPackets, type ConnectionEvent } from '@quicts/quic-core';
import { ServerSlot, clientPath, config } from './harness.ts';
import { blackhole, tap, type Switch } from './link-elements.ts';

function setup(aToB: LinkElementSpec[] = [delay(10)], bToA: LinkElementSpec[] = [delay(10)], handshake = true) {
  const client = Connection.connect({ config: config(), path: clientPath, now: 0 });
  const server = new ServerSlot(config());
  const pair = new Pair<Connection, ServerSlot>({ a: client, b: server, seed: 6, aToB, bToA });
  if (handshake) pair.run({ until: () => client.handshakeConfirmed && !!server.conn?.handshakeConfirmed, maxTime: 10_000 });
  return { client, server, pair };
}

function drain(conn: Connection | undefined, into: ConnectionEvent[], now: number, times: Map<string, number>): void {
  for (let e = conn?.pollEvent(); e; e = conn?.pollEvent()) {
    into.push(e);
    if (!times.has(e.type)) times.set(e.type, now);
  }
}

test('an application close: closing for 3 PTO on our side, draining on the peer, then both closed', () => {
  const { client, server, pair } = setup();
  const ce: ConnectionEvent[] = [];
  const se: ConnectionEvent[] = [];
  const ct = new Map<string, number>();
  const st = new Map<string, number>();
  drain(client, ce, pair.now, ct);
  drain(server.conn, se, pair.now, st);
  const pto = client.ptoPeriod();
  const closedAt = pair.now;
  client.close(0x42, 'done', true, pair.now);
  assert.is(client.state.kind, 'closing');
  pair.run({
    maxTime: 10_000,
    until: () => {
      drain(client, ce, pair.now, ct);
      drain(server.conn, se, pair.now, st);
      return client.isClosed && server.conn!.isClosed;
    },
  });
  // RFC 9000 §10.2: the closing and draining states last three times the PTO.
  assert.ok(Math.abs(ct.get('closed')! - closedAt - 3 * pto) < 1, `client closed after ${ct.get('closed')! - closedAt} ms, 3 PTO = ${3 * pto}`);
  const serverClosing = se.find((e) => e.type === 'closing');
  assert.ok(serverClosing?.type === 'closing' && serverClosing.reason.application && serverClosing.reason.code === 0x42);
  assert.is(serverClosing?.type === 'closing' && serverClosing.reason.reason, 'done');
  assert.is(serverClosing?.type === 'closing' && serverClosing.reason.initiator, 'remote');
  const drainTime = st.get('closed')! - st.get('closing')!;
  assert.ok(Math.abs(drainTime - 3 * server.conn!.ptoPeriod()) < 1, `server drained for ${drainTime} ms`);
  // Nothing is sent while draining.
  assert.is(server.conn!.pollTransmit(pair.now), null);
});

test('CONNECTION_CLOSE is sent again while closing, at an exponentially falling rate', () => {
  const sw: Switch = { on: false };
  let closesReceivedByServer = 0;
  const { client, server, pair } = setup([delay(10), blackhole(sw), tap(() => closesReceivedByServer++)], [delay(10)]);
  // The server keeps sending (a stream transfer) and never hears the close: the client's datagrams are lost.
  const id = server.conn!.openStream('uni')!;
  server.conn!.writeStream(id, new Uint8Array(200_000));
  pair.advance(30);
  sw.on = true;
  for (let e = client.pollEvent(); e; e = client.pollEvent());
  const sentBefore = pair.stats('a').sent;
  client.close(1, 'bye', true, pair.now);
  pair.advance(3 * client.ptoPeriod() - 1);
  const closesSent = pair.stats('a').sent - sentBefore;
  const datagramsReceived = pair.stats('b').delivered;
  assert.ok(closesSent >= 3, `${closesSent} CONNECTION_CLOSE datagrams`);
  assert.ok(closesSent <= 2 + Math.log2(datagramsReceived + 1), `${closesSent} closes for ${datagramsReceived} datagrams received`);
  const after: string[] = [];
  for (let e = client.pollEvent(); e; e = client.pollEvent()) after.push(e.type);
  assert.equal(after, ['closing'], 'stream frames are not processed while closing');
  void closesReceivedByServer;
});

test('after PTO backoff (the peer silent), the closing period is three PTOs without the backoff', () => {
  const sw: Switch = { on: false };
  const { client, pair } = setup([delay(10), blackhole(sw)], [delay(10)]);
  for (let e = client.pollEvent(); e; e = client.pollEvent());
  const basePto = client.ptoPeriod();
  sw.on = true;
  const id = client.openStream('uni')!;
  client.writeStream(id, new Uint8Array(1000));
  // Four probe timeouts without an acknowledgement: the PTO has backed off (16-fold, over an RTT estimate that may have moved).
  pair.advance(basePto * (1 + 2 + 4 + 8) + 5);
  assert.ok(client.ptoPeriod() >= 8 * basePto, `PTO ${client.ptoPeriod()} vs ${basePto}`);
  const closedAt = pair.now;
  client.close(0, '', true, pair.now);
  pair.run({ maxTime: 60_000, until: () => client.isClosed });
  const closing = pair.now - closedAt;
  assert.ok(closing <= 3 * basePto + 1, `closing lasted ${closing} ms; 3 PTO = ${3 * basePto}`);
});

test('an application close before the handshake goes out as APPLICATION_ERROR in an Initial', () => {
  const client = Connection.connect({ config: config(), path: clientPath, now: 0 });
  client.close(0x1234, 'secret reason', true, 0);
  const t = client.pollTransmit(0)!;
  assert.ok(t);
  assert.is(t.data.length, 1200, 'a client Initial is padded');
  assert.is(parsePacketHeader(t.data, 0, { shortDcidLength: 8 }).kind, 'long');
  const server = new ServerSlot(config());
  server.receive(t.data, { local: clientPath.remote, remote: clientPath.local }, 5);
  const events: ConnectionEvent[] = [];
  for (let e = server.conn!.pollEvent(); e; e = server.conn!.pollEvent()) events.push(e);
  const closing = events.find((e) => e.type === 'closing');
  assert.ok(closing?.type === 'closing');
  if (closing?.type === 'closing') {
    assert.is(closing.reason.code, 0x0c, 'APPLICATION_ERROR');
    assert.is(closing.reason.application, false);
    assert.is(closing.reason.reason, '', 'the application\'s reason is not revealed');
  }
});

test('a server\'s application close during the handshake goes out in Initial and Handshake packets', () => {
  const client = Connection.connect({ config: config(), path: clientPath, now: 0 });
  const server = new ServerSlot(config());
  const serverPath = { local: clientPath.remote, remote: clientPath.local };
  server.receive(client.pollTransmit(0)!.data, serverPath, 10);
  server.conn!.close(7, 'no', true, 10);
  const t = server.conn!.pollTransmit(10)!;
  const kinds = splitCoalescedPackets(t.data, { shortDcidLength: 8 }).packets.map((p) => (p.kind === 'long' ? p.type : p.kind));
  assert.equal(kinds, ['initial', 'handshake']);
  client.receive(t.data, clientPath, 20);
  const ce: ConnectionEvent[] = [];
  for (let e = client.pollEvent(); e; e = client.pollEvent()) ce.push(e);
  const closing = ce.find((e) => e.type === 'closing');
  assert.ok(closing?.type === 'closing' && closing.reason.code === 0x0c && !closing.reason.application);
  assert.is(client.state.kind, 'draining');
});

test('closing twice is harmless; commands after close throw', () => {
  const { client } = setup();
  client.close(0, '', true, 100);
  client.close(1, 'again', true, 100);
  assert.is(client.state.kind === 'closing' && client.state.reason.code, 0);
  assert.throws(() => client.openStream('bidi'));
});

test.run();
