import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Pair, SeededRandom, delay, loss, type LinkElementSpec } from '@quicts/testkit';
import {
  Connection, buildStatelessReset, createStatelessResetTokens, toHex, type ConnectionConfig, type ConnectionEndpointEvent,
} from '@quicts/quic-core';
import { ServerSlot, clientPath, config, crypto } from './harness.ts';

function endpointConfig(tag: number, transport = {}): ConnectionConfig & { issued: Uint8Array[] } {
  let n = 0;
  const issued: Uint8Array[] = [];
  const tokens = createStatelessResetTokens(crypto, new Uint8Array(32).fill(tag));
  return {
    ...config(transport),
    issued,
    connectionIdGenerator: () => {
      const cid = new Uint8Array(8);
      cid[0] = tag;
      cid[7] = n++;
      issued.push(cid);
      return cid;
    },
    resetTokenFor: (cid) => tokens.tokenFor(cid),
  };
}

function setup(link: readonly LinkElementSpec[] = [delay(10)], seed = 1, transport = {}) {
  const cc = endpointConfig(0xc1, transport);
  const sc = endpointConfig(0x5e, transport);
  const client = Connection.connect({ config: cc, path: clientPath, now: 0 });
  const server = new ServerSlot(sc);
  const pair = new Pair<Connection, ServerSlot>({ a: client, b: server, seed, link });
  pair.run({ until: () => client.handshakeConfirmed && !!server.conn?.handshakeConfirmed, maxTime: 60_000 });
  pair.advance(1000);
  return { client, server: server.conn!, pair, cc, sc };
}

function events(conn: Connection): ConnectionEndpointEvent[] {
  const out: ConnectionEndpointEvent[] = [];
  for (let e = conn.pollEndpointEvent(); e; e = conn.pollEndpointEvent()) out.push(e);
  return out;
}

const hex = (b: Uint8Array) => toHex(b);

test('each side issues connection IDs up to the peer\'s active_connection_id_limit, with derived tokens', () => {
  const { client, server, sc } = setup();
  const tokens = createStatelessResetTokens(crypto, new Uint8Array(32).fill(0x5e));
  const se = events(server);
  const issued = se.filter((e) => e.type === 'cidIssued');
  assert.is(issued.length, 4, 'sequence 0 and three more (default limit 4)');
  for (const e of issued) {
    assert.is(e.type === 'cidIssued' && hex(e.resetToken), hex(tokens.tokenFor(e.cid)));
  }
  assert.equal(issued.map((e) => hex(e.cid)), sc.issued.map(hex));
  // The client holds all four and knows every token; the server's handshake token came in its transport parameters.
  const peer = client.cids.peer!;
  assert.is(peer.active().length, 4);
  assert.is(hex(peer.active()[0]!.resetToken!), hex(tokens.tokenFor(sc.issued[0]!)));
  assert.is(hex(server.localParams.statelessResetToken!), hex(tokens.tokenFor(server.localCid)));
  assert.is(events(client).filter((e) => e.type === 'cidIssued').length, 4);
  // Both sides route by any active ID.
  for (const cid of sc.issued) assert.ok(server.isLocalCid(cid));
  assert.is(server.localConnectionIds().length, 5, 'four issued and the client-chosen Initial DCID');
});

test('a smaller limit from the peer is respected', () => {
  const { client } = setup([delay(10)], 1, { activeConnectionIdLimit: 2 });
  assert.is(client.cids.peer!.active().length, 2);
});

test('lost NEW_CONNECTION_ID frames are sent again', () => {
  const { client, server } = setup([delay(10), loss(0.4)], 9);
  assert.is(client.cids.peer!.active().length, 4);
  assert.is(server.cids.peer!.active().length, 4);
});

test('Retire Prior To: the peer switches, retires the old IDs; the endpoint hears of retirement and replacements', () => {
  const { client, server, pair, sc } = setup();
  events(server);
  const before = hex(client.peerCid);
  assert.ok(server.cids.local.requestRetirement(2));
  pair.advance(1000);
  const ev = events(server);
  const retired = ev.filter((e) => e.type === 'cidRetired').map((e) => hex(e.cid)).sort();
  assert.equal(retired, [hex(sc.issued[0]!), hex(sc.issued[1]!)].sort(), 'sequences 0 and 1 retired');
  assert.is(server.cids.local.get(0), undefined);
  assert.is(ev.filter((e) => e.type === 'cidIssued').length, 2, 'two replacements');
  assert.is.not(hex(client.peerCid), before);
  assert.ok(server.isLocalCid(client.peerCid));
  // Data still flows over the new connection ID.
  const id = client.openStream('bidi')!;
  client.writeStream(id, new Uint8Array([1, 2, 3]), true);
  let got = 0;
  pair.run({
    maxTime: 5000,
    until: () => {
      for (let e = server.pollEvent(); e; e = server.pollEvent()) {
        if (e.type === 'streamReadable') {
          const r = server.readStream(e.streamId);
          if (r.kind === 'data') got += r.data.length;
        }
      }
      return got === 3;
    },
  });
});

test('a stateless reset from the server ends the client\'s connection (draining, initiator reset)', () => {
  const { client, pair } = setup();
  const tokens = createStatelessResetTokens(crypto, new Uint8Array(32).fill(0x5e));
  const rng = new SeededRandom(3);
  const reset = buildStatelessReset({ token: tokens.tokenFor(client.peerCid), triggerLength: 200, random: (n) => rng.bytes(n) })!;
  pair.inject('b', reset);
  pair.advance(20);
  assert.is(client.state.kind === 'draining' || client.state.kind === 'drained', true);
  const reason = client.state.kind === 'draining' || client.state.kind === 'drained' ? client.state.reason : undefined;
  assert.is(reason?.initiator, 'reset');
});

test('only tokens of connection IDs in use count; random short packets are dropped', () => {
  const { client, sc, pair } = setup();
  const tokens = createStatelessResetTokens(crypto, new Uint8Array(32).fill(0x5e));
  const rng = new SeededRandom(4);
  const unused = sc.issued[3]!;
  const fake = buildStatelessReset({ token: tokens.tokenFor(unused), triggerLength: 200, random: (n) => rng.bytes(n) })!;
  pair.inject('b', fake);
  const junk = rng.bytes(80);
  junk[0] = (junk[0]! & 0x3f) | 0x40;
  pair.inject('b', junk);
  pair.advance(20);
  assert.is(client.state.kind, 'established');
  assert.ok(client.stats.packetsDropped >= 2);
});

test('when a connection ends, every connection ID is retired for the endpoint', () => {
  const { client, server, pair } = setup();
  events(server);
  const routable = server.localConnectionIds().map(hex);
  client.close(0, 'bye');
  pair.advance(10_000);
  assert.ok(server.isClosed);
  const retired = events(server).filter((e) => e.type === 'cidRetired').map((e) => hex(e.cid));
  assert.equal(retired.sort(), routable.sort());
  assert.is(retired.length, 5);
});

test.run();
