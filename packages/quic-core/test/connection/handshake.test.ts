import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Pair } from '@quicts/testkit';
import { Connection, type ConnectionEvent } from '@quicts/quic-core';
import { ServerSlot, clientPath, config, drainEvents } from './harness.ts';

function setup(transport = {}) {
  const client = Connection.connect({ config: config(transport), path: clientPath, now: 0 });
  const server = new ServerSlot(config(transport));
  const pair = new Pair({ a: client, b: server, seed: 1 });
  return { client, server, pair };
}

test('handshake completes and is confirmed on both sides', () => {
  const { client, server, pair } = setup();
  const ce: ConnectionEvent[] = [];
  const se: ConnectionEvent[] = [];
  pair.run({ until: () => {
    drainEvents(client, ce);
    drainEvents(server.conn, se);
    return client.handshakeConfirmed && !!server.conn?.handshakeConfirmed;
  }, maxTime: 10_000 });
  assert.ok(ce.some((e) => e.type === 'connected'));
  assert.ok(ce.some((e) => e.type === 'handshakeConfirmed'));
  assert.ok(se.some((e) => e.type === 'connected'));
  assert.is(client.state.kind, 'established');
  assert.is(server.conn!.state.kind, 'established');
  assert.ok(client.spaces[0].discarded && client.spaces[1].discarded, 'client discarded Initial and Handshake keys');
  assert.ok(server.conn!.spaces[0].discarded && server.conn!.spaces[1].discarded, 'server discarded Initial and Handshake keys');
});

test('the first client datagram is padded to 1200 bytes', () => {
  const client = Connection.connect({ config: config(), path: clientPath, now: 0 });
  const t = client.pollTransmit(0);
  assert.ok(t);
  assert.is(t!.data.length, 1200);
  assert.is(client.pollTransmit(0), null);
});

test('a bidirectional stream echoes data', () => {
  const { client, server, pair } = setup();
  pair.run({ until: () => client.handshakeComplete, maxTime: 10_000 });
  const id = client.openStream('bidi')!;
  const message = new TextEncoder().encode('hello over quic');
  client.writeStream(id, message, true);
  let received = '';
  let echoed = '';
  let fin = false;
  pair.run({ until: () => {
    const s = server.conn!;
    for (let e = s.pollEvent(); e; e = s.pollEvent()) {
      if (e.type === 'streamReadable') {
        const r = s.readStream(e.streamId);
        if (r.kind === 'data') {
          received += new TextDecoder().decode(r.data);
          s.writeStream(e.streamId, r.data, r.fin);
        }
      }
    }
    for (let e = client.pollEvent(); e; e = client.pollEvent()) {
      if (e.type === 'streamReadable') {
        const r = client.readStream(e.streamId);
        if (r.kind === 'data') {
          echoed += new TextDecoder().decode(r.data);
          fin = r.fin;
        }
      }
    }
    return fin;
  }, maxTime: 10_000 });
  assert.is(received, 'hello over quic');
  assert.is(echoed, 'hello over quic');
});

test.run();
