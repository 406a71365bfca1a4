import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Pair, delay, type TraceEvent } from '@quicts/testkit';
import { Connection, type ConnectionEvent } from '@quicts/quic-core';
import { ServerSlot, clientPath, config } from './harness.ts';

function idleScenario(clientIdle: number, serverIdle: number) {
  const client = Connection.connect({ config: config({ maxIdleTimeout: clientIdle }), path: clientPath, now: 0 });
  const server = new ServerSlot(config({ maxIdleTimeout: serverIdle }));
  const pair = new Pair<Connection, ServerSlot>({ a: client, b: server, seed: 4, link: [delay(10)], trace: true });
  const closedAt: Record<'a' | 'b', number> = { a: -1, b: -1 };
  const reasons: ConnectionEvent[] = [];
  pair.run({
    maxTime: 120_000,
    until: () => {
      for (const [side, conn] of [['a', client], ['b', server.conn]] as const) {
        for (let e = conn?.pollEvent(); e; e = conn?.pollEvent()) {
          if (e.type === 'closed') {
            closedAt[side] = pair.now;
            reasons.push(e);
          }
        }
      }
      return closedAt.a >= 0 && closedAt.b >= 0;
    },
  });
  return { client, server: server.conn!, closedAt, reasons, trace: pair.trace };
}

/** Last time a datagram reached `side`, and last time `side` sent or received one. */
function activity(trace: readonly TraceEvent[], side: 'a' | 'b'): { lastReceive: number; lastAny: number } {
  const into = side === 'a' ? 'b->a' : 'a->b';
  const from = side === 'a' ? 'a->b' : 'b->a';
  let lastReceive = -1;
  let lastAny = -1;
  for (const e of trace) {
    if (e.where === into && e.event === 'deliver') lastReceive = lastAny = Math.max(lastAny, e.time);
    if (e.where === from && e.event === 'send') lastAny = Math.max(lastAny, e.time);
  }
  return { lastReceive, lastAny };
}

for (const [clientIdle, serverIdle, expected] of [[10_000, 4_000, 4_000], [3_000, 0, 3_000], [0, 6_000, 6_000], [5_000, 5_000, 5_000]] as const) {
  test(`idle timeout fires at the negotiated value (client ${clientIdle}, server ${serverIdle} -> ${expected} ms)`, () => {
    const { client, server, closedAt, reasons, trace } = idleScenario(clientIdle, serverIdle);
    assert.is(client.idleTimeout, expected);
    assert.is(server.idleTimeout, expected);
    for (const e of reasons) assert.is(e.type === 'closed' && e.reason.initiator, 'idle');
    for (const side of ['a', 'b'] as const) {
      const { lastReceive, lastAny } = activity(trace, side);
      // RFC 9000 §10.1: restarted by the last packet received, or by the first ack-eliciting
      // packet sent after it; nothing is sent once the connection falls idle.
      assert.ok(closedAt[side] >= lastReceive + expected, `${side} closed at ${closedAt[side]}, last receive ${lastReceive}`);
      assert.ok(closedAt[side] <= lastAny + expected, `${side} closed at ${closedAt[side]}, last activity ${lastAny}`);
    }
  });
}

test('with no idle timeout on either side, an idle connection stays open', () => {
  const client = Connection.connect({ config: config({ maxIdleTimeout: 0 }), path: clientPath, now: 0 });
  const server = new ServerSlot(config({ maxIdleTimeout: 0 }));
  const pair = new Pair<Connection, ServerSlot>({ a: client, b: server, seed: 4, link: [delay(10)] });
  pair.run({ until: () => client.handshakeConfirmed && !!server.conn?.handshakeConfirmed, maxTime: 10_000 });
  pair.advance(3_600_000);
  assert.is(client.state.kind, 'established');
  assert.is(server.conn!.state.kind, 'established');
  assert.is(client.nextTimeout(), undefined);
});

test('the idle period is at least three PTOs on a slow path', () => {
  const client = Connection.connect({ config: config({ maxIdleTimeout: 100 }), path: clientPath, now: 0 });
  const server = new ServerSlot(config({ maxIdleTimeout: 100 }));
  const pair = new Pair<Connection, ServerSlot>({ a: client, b: server, seed: 4, link: [delay(200)] });
  pair.run({ until: () => client.handshakeComplete, maxTime: 10_000 });
  const pto = client.ptoPeriod();
  assert.ok(3 * pto > 100);
  assert.ok(client.idleDeadline! - client.idleStart >= 3 * pto);
});

test('a client whose server never answers times out at its idle timeout, however far the PTO has backed off', () => {
  for (const idle of [5_000, 20_000]) {
    const client = Connection.connect({ config: config({ maxIdleTimeout: idle }), path: clientPath, now: 0 });
    let now = 0;
    let closedAt = -1;
    while (closedAt < 0 && now < 600_000) {
      while (client.pollTransmit(now)); // everything is lost
      for (let e = client.pollEvent(); e; e = client.pollEvent()) if (e.type === 'closed') closedAt = now;
      const next = client.nextTimeout();
      if (next === undefined) break;
      now = next;
      client.handleTimeout(now);
    }
    for (let e = client.pollEvent(); e; e = client.pollEvent()) if (e.type === 'closed' && closedAt < 0) closedAt = now;
    assert.ok(closedAt >= idle && closedAt <= idle + 1, `closed at ${closedAt} ms with an idle timeout of ${idle} ms`);
  }
});

test.run();
