import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Pair, delay, loss } from '@quicts/testkit';
import { Connection } from '@quicts/quic-core';
import { runTransfer } from './transfer-harness.ts';
import { ServerSlot, clientPath, config } from './harness.ts';

const MB = 1 << 20;

test('a key update started by call is answered by the peer during a lossy transfer', () => {
  const calls: boolean[] = [];
  const r = runTransfer({
    size: 2 * MB, seed: 21, link: [delay(10), loss(0.05)],
    onStep: ({ client, received }) => {
      if (calls.length === 0 && received > MB / 2) {
        calls.push(client.initiateKeyUpdate());
        // RFC 9001 §6.1: no second update until a packet of the new phase is acknowledged.
        calls.push(client.initiateKeyUpdate());
      } else if (calls.length === 2 && received > MB) {
        calls.push(client.initiateKeyUpdate());
      }
    },
  });
  assert.equal(calls, [true, false, true]);
  assert.is(r.client.oneRtt!.generation, 2);
  assert.is(r.server.conn!.oneRtt!.generation, 2);
  const local = r.clientEvents.filter((e) => e.type === 'keyUpdate' && e.initiator === 'local');
  const remote = r.serverEvents.filter((e) => e.type === 'keyUpdate' && e.initiator === 'remote');
  assert.is(local.length, 2);
  assert.is(remote.length, 2);
  assert.is(r.client.oneRtt!.writePhase, 0);
  assert.is(r.server.conn!.oneRtt!.readPhase, 0);
});

test('key updates after the configured packet budget, on both sides, over 5% loss', () => {
  const r = runTransfer({ size: 2 * MB, seed: 22, link: [delay(10), loss(0.05)], transport: { keyUpdateInterval: 100 } });
  const gen = r.client.oneRtt!.generation;
  // About 1500 packets from the client: one update per 100 packets at most, fewer while waiting for acknowledgments.
  assert.ok(gen >= 5, `client generation ${gen}`);
  assert.ok(r.serverEvents.some((e) => e.type === 'keyUpdate' && e.initiator === 'remote'));
});

test('no key update before the handshake is confirmed', () => {
  const client = Connection.connect({ config: config(), path: clientPath, now: 0 });
  assert.not.ok(client.initiateKeyUpdate());
  const server = new ServerSlot(config());
  const pair = new Pair<Connection, ServerSlot>({ a: client, b: server, seed: 1, link: [delay(10)] });
  pair.run({ until: () => client.handshakeComplete, maxTime: 5000 });
  if (!client.handshakeConfirmed) assert.not.ok(client.initiateKeyUpdate());
  pair.run({ until: () => client.handshakeConfirmed, maxTime: 5000 });
  assert.ok(client.initiateKeyUpdate());
  // Both sides keep talking after the update: a ping round trip is acknowledged.
  pair.advance(1000);
  assert.is(server.conn!.oneRtt!.generation, 1);
  assert.ok(client.initiateKeyUpdate(), 'acknowledged: a second update is allowed');
  pair.advance(1000);
  assert.is(server.conn!.oneRtt!.generation, 2);
  assert.is(client.state.kind, 'established');
  assert.is(server.conn!.state.kind, 'established');
});

test('the next key phase is derived only when an update needs it', () => {
  const client = Connection.connect({ config: config(), path: clientPath, now: 0 });
  const server = new ServerSlot(config());
  const pair = new Pair<Connection, ServerSlot>({ a: client, b: server, seed: 2, link: [delay(10)] });
  pair.run({ until: () => client.handshakeConfirmed && server.conn?.handshakeConfirmed === true, maxTime: 5000 });
  pair.advance(500);
  assert.not.ok(client.oneRtt!.nextReadDerived, 'client: not at handshake time');
  assert.not.ok(server.conn!.oneRtt!.nextReadDerived, 'server: not at handshake time');
  assert.ok(client.initiateKeyUpdate());
  // The initiator has the keys of the answer ready before it arrives.
  assert.ok(client.oneRtt!.nextReadDerived);
  pair.advance(1000);
  assert.is(server.conn!.oneRtt!.generation, 1);
  assert.is(client.oneRtt!.readPhase, 1);
  // Both moved to the new phase; the phase after it is not derived until needed again.
  assert.not.ok(client.oneRtt!.nextReadDerived);
  assert.not.ok(server.conn!.oneRtt!.nextReadDerived);
  assert.is(client.state.kind, 'established');
});

test.run();
