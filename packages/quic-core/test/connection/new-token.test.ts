import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Pair, delay } from '@quicts/testkit';
import {
  Connection, Endpoint, generateSelfSignedCertificate, tlsClientSession, tlsServerSession,
  type Address, type ConnectionConfig, type ConnectionEvent, type EndpointEvent,
} from '@quicts/quic-core';
import { ServerSlot, clientPath, config, crypto, drainEvents } from './harness.ts';
import { blackhole, type Switch } from './link-elements.ts';

function established() {
  const client = Connection.connect({ config: config(), path: clientPath, now: 0 });
  const server = new ServerSlot(config());
  const sw: Switch = { on: false };
  const pair = new Pair({ a: client, b: server, seed: 9, aToB: [delay(10)], bToA: [blackhole(sw), delay(10)] });
  pair.run({ until: () => client.handshakeConfirmed && !!server.conn?.handshakeConfirmed, maxTime: 10_000 });
  pair.advance(500);
  return { client, server, pair, sw };
}

test('NEW_TOKEN: the client reports the token; a lost frame is sent again (RFC 9000 §8.1.3, §13.3)', () => {
  const { client, server, pair, sw } = established();
  const events: ConnectionEvent[] = [];
  drainEvents(client, events);
  const token = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
  sw.on = true;
  server.conn!.sendNewToken(token);
  const sentBefore = pair.link('b').stats.sent;
  pair.run({ until: () => pair.link('b').stats.sent > sentBefore, maxTime: 1000 });
  sw.on = false;
  assert.ok(pair.link('b').stats.dropped >= 1, 'the first NEW_TOKEN was lost');
  pair.run({ until: () => (drainEvents(client, events), events.some((e) => e.type === 'newToken')), maxTime: 10_000 });
  const got = events.filter((e) => e.type === 'newToken');
  assert.is(got.length, 1);
  assert.equal(got[0]!.type === 'newToken' && got[0]!.token, token);
  assert.ok(server.conn!.stats.packetsLost >= 1);
});

test('NEW_TOKEN: only a server sends it, never empty', () => {
  const { client, server } = established();
  assert.throws(() => client.sendNewToken(Uint8Array.of(1)), /server/);
  assert.throws(() => server.conn!.sendNewToken(new Uint8Array(0)), /empty/);
});

// ---------------------------------------------------------------- through the endpoint

const WALL = Date.UTC(2026, 10, 21);
const cert = generateSelfSignedCertificate(crypto, { now: WALL, names: ['localhost'] });
const serverConfig: ConnectionConfig = {
  crypto,
  cryptoSession: tlsServerSession(() => ({
    crypto, now: WALL, alpnProtocols: ['hq-interop'], certificate: { chain: [cert.certificateDer], privateKey: cert.privateKeyPkcs8 },
  })),
};
const clientConfig: ConnectionConfig = {
  crypto,
  cryptoSession: tlsClientSession(() => ({
    crypto, now: WALL, alpnProtocols: ['hq-interop'], serverName: 'localhost', verify: { mode: 'server-certificate-hashes', hashes: [cert.sha256] },
  })),
};
const serverAddr: Address = { address: '10.0.0.1', port: 443 };
const clientAddr: Address = { address: '10.0.0.2', port: 5000 };

/** Two endpoints, a fixed delay, a fake clock; `drop` picks datagrams to lose. */
class Net {
  now = 0;
  readonly server = new Endpoint({ crypto, server: { connection: serverConfig } });
  readonly client = new Endpoint({ crypto });
  readonly clientEvents: EndpointEvent[] = [];
  readonly serverEvents: EndpointEvent[] = [];
  readonly flight: { at: number; toServer: boolean; data: Uint8Array }[] = [];
  drop: (toServer: boolean, data: Uint8Array) => boolean = () => false;
  serverBytesSent = 0;
  serverBytesReceived = 0;

  flush(): void {
    for (const [ep, toServer, events] of [[this.client, true, this.clientEvents], [this.server, false, this.serverEvents]] as const) {
      for (let t = ep.pollTransmit(this.now); t; t = ep.pollTransmit(this.now)) {
        if (!toServer) this.serverBytesSent += t.data.length;
        if (!this.drop(toServer, t.data)) this.flight.push({ at: this.now + 10, toServer, data: t.data });
      }
      for (let e = ep.pollEvent(); e; e = ep.pollEvent()) events.push(e);
    }
  }

  run(until: () => boolean, maxTime: number): void {
    const end = this.now + maxTime;
    this.flush();
    while (!until() && this.now < end) {
      const next = Math.min(...this.flight.map((d) => d.at), this.client.nextTimeout() ?? Infinity, this.server.nextTimeout() ?? Infinity);
      if (next === Infinity) break;
      this.now = Math.max(this.now, Math.min(next, end));
      const due = this.flight.filter((d) => d.at <= this.now);
      this.flight.splice(0, this.flight.length, ...this.flight.filter((d) => d.at > this.now));
      for (const d of due) {
        if (d.toServer) {
          this.serverBytesReceived += d.data.length;
          this.server.receive(d.data, clientAddr, serverAddr, this.now);
        } else {
          this.client.receive(d.data, serverAddr, clientAddr, this.now);
        }
      }
      this.client.handleTimeout(this.now);
      this.server.handleTimeout(this.now);
      this.flush();
    }
  }
}

test('endpoint: a confirmed server connection sends a NEW_TOKEN token; the next connection with it skips address validation', () => {
  const net = new Net();
  const first = net.client.connect({ config: clientConfig, remote: serverAddr, local: clientAddr, now: net.now });
  const tokenEvent = () => net.clientEvents.find((e) => e.type === 'connection' && e.handle === first && e.event.type === 'newToken');
  net.run(() => tokenEvent() !== undefined, 10_000);
  const ev = tokenEvent();
  assert.ok(ev && ev.type === 'connection' && ev.event.type === 'newToken', 'client got a token');
  const token = ev.type === 'connection' && ev.event.type === 'newToken' ? ev.event.token : new Uint8Array(0);
  const firstIncoming = net.serverEvents.find((e) => e.type === 'incoming');
  assert.ok(firstIncoming && firstIncoming.type === 'incoming');
  assert.is(net.server.connection(firstIncoming.handle)?.addressValidated, true, 'validated later by its Handshake packets');
  net.client.connection(first)!.close(0, '', true, net.now);
  net.run(() => net.client.connectionCount === 0 && net.server.connectionCount === 0, 10_000);

  // Second connection: the server hears only the client's first datagram, then nothing. With the
  // token the address counts as validated, so the server's retransmissions are not capped at 3x.
  let clientDatagrams = 0;
  net.drop = (toServer) => toServer && ++clientDatagrams > 1;
  const before = { sent: net.serverBytesSent, received: net.serverBytesReceived };
  const serverEventsBefore = net.serverEvents.length;
  net.client.connect({ config: clientConfig, remote: serverAddr, local: clientAddr, now: net.now, token });
  net.run(() => false, 8_000);
  const incoming = net.serverEvents.slice(serverEventsBefore).find((e) => e.type === 'incoming');
  assert.ok(incoming && incoming.type === 'incoming', 'second connection accepted');
  const conn = net.server.connection(incoming.handle);
  if (conn) assert.ok(conn.addressValidated, 'address validated by the token');
  const sent = net.serverBytesSent - before.sent;
  const received = net.serverBytesReceived - before.received;
  assert.ok(sent > 3 * received, `server sent ${sent} bytes for ${received} received (no amplification limit)`);
});

test('endpoint: without a token the same loss caps the server at 3x what it received', () => {
  const net = new Net();
  let clientDatagrams = 0;
  net.drop = (toServer) => toServer && ++clientDatagrams > 1;
  net.client.connect({ config: clientConfig, remote: serverAddr, local: clientAddr, now: net.now });
  net.run(() => false, 8_000);
  assert.ok(net.serverBytesSent <= 3 * net.serverBytesReceived, `server sent ${net.serverBytesSent} bytes for ${net.serverBytesReceived}`);
});

test.run();
