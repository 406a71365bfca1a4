import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Pair, corrupt, delay, loss } from '@quicts/testkit';
import {
  Connection, QUIC_V1, decodeFrames, deriveInitialKeys, parsePacketHeader, splitCoalescedPackets, unprotectPacket, type TransportConfig,
} from '@quicts/quic-core';
import { ServerSlot, clientPath, config, crypto, serverPath } from './harness.ts';
import { dropWhere } from './link-elements.ts';
import type { NullSessionOptions } from './null-session.ts';

function handshake(seed: number, aToB: Parameters<typeof dropWhere>[0] | null, bToA: Parameters<typeof dropWhere>[0] | null, extra = [] as ReturnType<typeof loss>[], session: NullSessionOptions = {}, transport: Partial<TransportConfig> = {}) {
  const client = Connection.connect({ config: config(transport, session), path: clientPath, now: 0 });
  const server = new ServerSlot(config(transport, session));
  const pair = new Pair<Connection, ServerSlot>({
    a: client, b: server, seed,
    aToB: [...(aToB ? [dropWhere(aToB)] : []), ...extra, delay(20)],
    bToA: [...(bToA ? [dropWhere(bToA)] : []), ...extra, delay(20)],
  });
  pair.run({ until: () => client.handshakeConfirmed && !!server.conn?.handshakeConfirmed, maxTime: 120_000 });
  return { client, server: server.conn!, pair, time: pair.now };
}

for (const n of [1, 2, 3, 5]) {
  test(`the handshake completes with the first ${n} datagrams lost each way`, () => {
    const r = handshake(1, (i) => i < n, (i) => i < n);
    assert.ok(r.client.handshakeConfirmed && r.server.handshakeConfirmed);
    assert.ok(r.pair.stats('a').droppedBy.loss === n && r.pair.stats('b').droppedBy.loss === n);
  });
}

test('a large server flight (several datagrams) with its middle lost, then PTO probes resend it', () => {
  const r = handshake(2, null, (i) => i === 1 || i === 2, [], { serverFlightPadding: 5000 });
  assert.ok(r.client.handshakeConfirmed);
});

test('the client\'s Handshake flight lost: the server\'s PTO and the client\'s probes recover', () => {
  const r = handshake(3, (i) => i >= 1 && i <= 3, null);
  assert.ok(r.server.handshakeConfirmed);
});

test('a lost client Finished while the client sends 1-RTT data: the server holds that data until its handshake completes, so the client keeps its Handshake keys and resends the Finished (RFC 9001 §5.7)', () => {
  for (const seed of [1, 2, 3]) {
    const client = Connection.connect({ config: config(), path: clientPath, now: 0 });
    const server = new ServerSlot(config());
    const pair = new Pair<Connection, ServerSlot>({ a: client, b: server, seed, aToB: [dropWhere((i) => i === 1), delay(20)], bToA: [delay(20)] });
    pair.run({ until: () => client.handshakeComplete, maxTime: 10_000 });
    const id = client.openStream('uni')!;
    client.writeStream(id, new Uint8Array(3000), true);
    pair.run({ until: () => !!server.conn?.handshakeConfirmed, maxTime: 10_000 });
    assert.ok(server.conn!.handshakeComplete);
  }
});

test('1-RTT packets held for keys are acknowledged with the time they waited in the ACK Delay (RFC 9000 §13.2.5)', () => {
  const client = Connection.connect({ config: config(), path: clientPath, now: 0 });
  const server = new ServerSlot(config());
  // The client's second datagram (its Handshake flight with Finished) is lost: the server holds
  // the client's first 1-RTT packets until the Finished comes again after a PTO.
  const pair = new Pair<Connection, ServerSlot>({ a: client, b: server, seed: 5, aToB: [dropWhere((i) => i === 1), delay(20)], bToA: [delay(20)] });
  pair.run({ until: () => client.handshakeComplete, maxTime: 10_000 });
  const id = client.openStream('bidi')!;
  client.writeStream(id, new Uint8Array(100), true);
  const before = pair.now;
  pair.run({ until: () => !!server.conn?.handshakeConfirmed && client.handshakeConfirmed, maxTime: 20_000 });
  assert.ok(pair.now - before > 100, `the Finished came again after ${pair.now - before} ms`);
  // Without the wait in the ACK Delay the client would sample an RTT of the whole PTO (smoothed 60+).
  assert.ok(client.rtt.smoothed < 50, `smoothed RTT ${client.rtt.smoothed} ms on a 40 ms path`);
});

test('a server whose whole first flight is lost resends its Initial and Handshake data in both probe datagrams (RFC 9002 §6.2.4)', () => {
  const client = Connection.connect({ config: config(), path: clientPath, now: 0 });
  const slot = new ServerSlot(config({}, { serverFlightPadding: 1500 }));
  const first = client.pollTransmit(0)!;
  slot.receive(first.data, serverPath, 10);
  const server = slot.conn!;
  const odcid = parsePacketHeader(first.data, 0, { shortDcidLength: 0 });
  assert.ok(odcid.kind === 'long');
  const keys = deriveInitialKeys(crypto, QUIC_V1, (odcid as { dcid: Uint8Array }).dcid).server;
  let lost = 0;
  while (server.pollTransmit(10)) lost++; // the whole flight is lost
  assert.ok(lost >= 2, `${lost} datagrams`);
  // The client's own probe arrives (an Initial again), so the 3x limit leaves room for two probes.
  slot.receive(first.data, serverPath, 20);
  while (server.pollTransmit(20)) lost++;
  const at = server.nextTimeout()!;
  server.handleTimeout(at);
  const probes: Array<{ initialCrypto: boolean; handshake: boolean }> = [];
  for (let t = server.pollTransmit(at); t; t = server.pollTransmit(at)) {
    let initialCrypto = false;
    let handshake = false;
    for (const p of splitCoalescedPackets(t.data.slice(), { shortDcidLength: 8 }).packets) {
      if (p.kind !== 'long') continue;
      if (p.type === 'handshake') handshake = true;
      if (p.type !== 'initial') continue;
      const out = unprotectPacket(keys, t.data.slice(), p.start, p.pnOffset, p.end, -1);
      if (out && decodeFrames(out.payload).some((f) => f.type === 'crypto')) initialCrypto = true;
    }
    probes.push({ initialCrypto, handshake });
  }
  assert.ok(probes.length >= 2, `${probes.length} probe datagrams`);
  for (const [i, p] of probes.slice(0, 2).entries()) {
    assert.ok(p.initialCrypto, `probe ${i} carries the ServerHello again`);
    assert.ok(p.handshake, `probe ${i} carries a Handshake packet`);
  }
});

test('PTO probes back off exponentially while everything is lost', () => {
  const sendTimes: number[] = [];
  const client = Connection.connect({ config: config(), path: clientPath, now: 0 });
  for (let now = 0; now < 20_000;) {
    for (let t = client.pollTransmit(now); t; t = client.pollTransmit(now)) sendTimes.push(now);
    const next = client.nextTimeout();
    if (next === undefined) break;
    now = next;
    client.handleTimeout(now);
  }
  const gaps = sendTimes.slice(1).map((t, i) => t - sendTimes[i]!).filter((g) => g > 0);
  assert.ok(gaps.length >= 4);
  for (let i = 1; i < gaps.length; i++) assert.ok(Math.abs(gaps[i]! - 2 * gaps[i - 1]!) < 2, `gaps ${gaps.join(', ')}`);
});

for (const seed of [10, 11, 12, 13, 14, 15, 16, 17]) {
  test(`handshake over 30% loss and 2% corruption (seed ${seed})`, () => {
    const r = handshake(seed, null, null, [loss(0.3), corrupt(0.02)], { serverFlightPadding: 3000 });
    assert.ok(r.client.handshakeConfirmed);
  });
}

test.run();
