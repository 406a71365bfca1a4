import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Pair, delay, loss, type LinkElementSpec } from '@quicts/testkit';
import { Connection } from '@quicts/quic-core';
import { ServerSlot, clientPath, config } from './harness.ts';
import { dropWhere, tap } from './link-elements.ts';

/**
 * Runs a handshake with a large server flight and checks, on every datagram the server sends
 * before its peer's address is validated, that the bytes it sent stay within three times the
 * bytes that reached it (RFC 9000 §8.1), counted by the link, not by the connection.
 */
function amplificationScenario(seed: number, clientLink: readonly LinkElementSpec[], serverLink: readonly LinkElementSpec[], padding = 20_000) {
  const client = Connection.connect({ config: config({}, { serverFlightPadding: padding }), path: clientPath, now: 0 });
  const server = new ServerSlot(config({}, { serverFlightPadding: padding }));
  const arrivals: Array<{ time: number; bytes: number }> = [];
  let sentBeforeValidation = 0;
  let datagramsChecked = 0;
  let maxRatio = 0;
  const received = (t: number) => {
    let n = 0;
    for (const a of arrivals) if (a.time <= t) n += a.bytes;
    return n;
  };
  const aToB = [...clientLink, tap((p) => arrivals.push({ time: p.time, bytes: p.data.length }))];
  const bToA = [
    tap((p) => {
      if (server.conn?.addressValidated) return;
      sentBeforeValidation += p.data.length;
      datagramsChecked++;
      const limit = 3 * received(p.time);
      maxRatio = Math.max(maxRatio, sentBeforeValidation / received(p.time));
      if (sentBeforeValidation > limit) {
        throw new Error(`server sent ${sentBeforeValidation} bytes before validation, limit ${limit} at t=${p.time}`);
      }
    }),
    ...serverLink,
  ];
  const pair = new Pair<Connection, ServerSlot>({ a: client, b: server, seed, aToB, bToA });
  pair.run({ maxTime: 120_000, until: () => client.handshakeConfirmed && !!server.conn?.handshakeConfirmed });
  return { client, server: server.conn!, datagramsChecked, maxRatio, sentBeforeValidation };
}

test('a large server flight stops at three times the bytes received', () => {
  const r = amplificationScenario(1, [delay(10)], [delay(10)]);
  assert.ok(r.datagramsChecked >= 3);
  assert.ok(r.maxRatio > 2.5, `the server used its allowance (ratio ${r.maxRatio.toFixed(2)})`);
  assert.ok(r.server.addressValidated);
});

test('with the client\'s datagrams after its first lost, the server waits and the handshake completes', () => {
  const r = amplificationScenario(2, [dropWhere((i) => i >= 1 && i <= 4), delay(10)], [delay(10)]);
  assert.ok(r.maxRatio > 2.5, `ratio ${r.maxRatio.toFixed(2)}`);
  assert.ok(r.client.handshakeConfirmed);
});

test('with the server\'s first datagrams lost, its retransmissions are held to the limit too', () => {
  const r = amplificationScenario(3, [delay(10)], [dropWhere((i) => i < 3), delay(10)]);
  assert.ok(r.datagramsChecked >= 3);
  assert.ok(r.client.handshakeConfirmed);
});

for (const seed of [4, 5, 6, 7, 8]) {
  test(`30% loss both ways never lets the server exceed 3x (seed ${seed})`, () => {
    const r = amplificationScenario(seed, [delay(10), loss(0.3)], [delay(10), loss(0.3)], 8_000);
    assert.ok(r.client.handshakeConfirmed);
  });
}

test.run();
