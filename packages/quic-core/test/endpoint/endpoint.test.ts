import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { SeededRandom } from '@quicts/testkit';
import {
  Endpoint, generateSelfSignedCertificate, tlsClientSession, tlsServerSession, parsePacketHeader, isStatelessReset,
  Writer, QUIC_V1, type Address, type ConnectionConfig, type EndpointEvent, type ConnectionHandle, type EndpointConfig,
  type VersionNegotiationPacket, type CloseReason, TransportErrorCode,
} from '@quicts/quic-core';
import { createNodeCryptoProvider } from '@quicts/quic-core/node';

const crypto = createNodeCryptoProvider();
const WALL = Date.UTC(2026, 10, 21);
const cert = generateSelfSignedCertificate(crypto, { now: WALL, names: ['localhost'] });

const serverConn: ConnectionConfig = {
  crypto,
  cryptoSession: tlsServerSession(() => ({
    crypto, now: WALL, alpnProtocols: ['hq-interop'], certificate: { chain: [cert.certificateDer], privateKey: cert.privateKeyPkcs8 },
  })),
};
const clientConn: ConnectionConfig = {
  crypto,
  cryptoSession: tlsClientSession(() => ({
    crypto, now: WALL, alpnProtocols: ['hq-interop'], serverName: 'localhost', verify: { mode: 'server-certificate-hashes', hashes: [cert.sha256] },
  })),
};

/** A tiny network of endpoints joined by a fixed one-way delay, on a fake clock. */
class Net {
  now = 0;
  readonly nodes = new Map<string, { ep: Endpoint; events: EndpointEvent[]; onEvent?: (e: EndpointEvent, ep: Endpoint) => void }>();
  readonly inFlight: { at: number; to: Address; from: Address; data: Uint8Array }[] = [];
  /** Return false to drop a datagram. */
  filter: (d: Uint8Array, from: Address, to: Address) => boolean = () => true;
  sent: { from: Address; to: Address; data: Uint8Array }[] = [];

  constructor(readonly delay = 5) {}

  add(addr: Address, ep: Endpoint, onEvent?: (e: EndpointEvent, ep: Endpoint) => void): Endpoint {
    this.nodes.set(key(addr), { ep, events: [], ...(onEvent ? { onEvent } : {}) });
    return ep;
  }

  flush(): void {
    for (const [k, node] of this.nodes) {
      const from = parseKey(k);
      for (let e = node.ep.pollEvent(); e; e = node.ep.pollEvent()) {
        node.events.push(e);
        node.onEvent?.(e, node.ep);
      }
      for (let t = node.ep.pollTransmit(this.now); t; t = node.ep.pollTransmit(this.now)) {
        this.sent.push({ from, to: t.remote, data: t.data });
        if (this.filter(t.data, from, t.remote)) this.inFlight.push({ at: this.now + this.delay, to: t.remote, from, data: t.data });
      }
      for (let e = node.ep.pollEvent(); e; e = node.ep.pollEvent()) {
        node.events.push(e);
        node.onEvent?.(e, node.ep);
      }
    }
  }

  /** Runs until `until()` or `maxTime`. */
  run(until: () => boolean, maxTime = 20_000): void {
    const end = this.now + maxTime;
    this.flush();
    while (!until() && this.now < end) {
      let next = Infinity;
      for (const d of this.inFlight) next = Math.min(next, d.at);
      for (const n of this.nodes.values()) next = Math.min(next, n.ep.nextTimeout() ?? Infinity);
      if (next === Infinity) break;
      this.now = Math.max(this.now, Math.min(next, end));
      const due = this.inFlight.filter((d) => d.at <= this.now);
      this.inFlight.splice(0, this.inFlight.length, ...this.inFlight.filter((d) => d.at > this.now));
      for (const d of due) this.nodes.get(key(d.to))?.ep.receive(d.data, d.from, d.to, this.now);
      for (const n of this.nodes.values()) n.ep.handleTimeout(this.now);
      this.flush();
    }
  }
}

const key = (a: Address) => `${a.address}:${a.port}`;
const parseKey = (k: string): Address => {
  const i = k.lastIndexOf(':');
  return { address: k.slice(0, i), port: Number(k.slice(i + 1)) };
};

const SERVER: Address = { address: '127.0.0.10', port: 443 };
const clientAddr = (i: number): Address => ({ address: `127.0.1.${i}`, port: 5000 + i });

/** A server application that echoes each stream back. */
function echoServer(e: EndpointEvent, ep: Endpoint): void {
  if (e.type !== 'connection' || e.event.type !== 'streamReadable') return;
  const conn = ep.connection(e.handle);
  if (!conn) return;
  const id = e.event.streamId;
  for (let r = conn.readStream(id); r.kind === 'data'; r = conn.readStream(id)) {
    conn.writeStream(id, r.data.slice(), r.fin);
    if (r.fin) break;
  }
  ep.wake(e.handle);
}

function server(extra: Partial<EndpointConfig['server']> = {}, config: Partial<EndpointConfig> = {}): Endpoint {
  return new Endpoint({ crypto, server: { connection: serverConn, ...extra }, ...config });
}

function connected(net: Net, addr: Address, handle: ConnectionHandle): boolean {
  return net.nodes.get(key(addr))!.events.some((e) => e.type === 'connection' && e.handle === handle && e.event.type === 'connected');
}

function echo(net: Net, client: Endpoint, handle: ConnectionHandle, text: string): string {
  const conn = client.connection(handle)!;
  const id = conn.openStream('bidi')!;
  conn.writeStream(id, new TextEncoder().encode(text), true);
  client.wake(handle);
  let got = '';
  let done = false;
  net.run(() => {
    for (let r = conn.readStream(id); r.kind === 'data'; r = conn.readStream(id)) {
      got += new TextDecoder().decode(r.data);
      if (r.fin) done = true;
      if (r.fin) break;
    }
    return done;
  });
  return got;
}

test('a client endpoint and a server endpoint handshake and echo a stream', () => {
  const net = new Net();
  const srv = net.add(SERVER, server(), echoServer);
  const cli = net.add(clientAddr(1), new Endpoint({ crypto }));
  const h = cli.connect({ config: clientConn, remote: SERVER, local: clientAddr(1), now: 0 });
  net.run(() => connected(net, clientAddr(1), h));
  assert.ok(connected(net, clientAddr(1), h));
  assert.is(srv.connectionCount, 1);
  const incoming = net.nodes.get(key(SERVER))!.events.filter((e) => e.type === 'incoming');
  assert.is(incoming.length, 1);
  assert.is(echo(net, cli, h, 'hello endpoint'), 'hello endpoint');
});

test('datagrams of many clients are routed to their own connections', () => {
  const net = new Net();
  const srv = net.add(SERVER, server(), echoServer);
  const clients: { ep: Endpoint; h: ConnectionHandle; addr: Address }[] = [];
  for (let i = 1; i <= 5; i++) {
    const ep = net.add(clientAddr(i), new Endpoint({ crypto }));
    clients.push({ ep, addr: clientAddr(i), h: ep.connect({ config: clientConn, remote: SERVER, local: clientAddr(i), now: net.now }) });
  }
  net.run(() => clients.every((c) => connected(net, c.addr, c.h)));
  assert.is(srv.connectionCount, 5);
  for (const [i, c] of clients.entries()) assert.is(echo(net, c.ep, c.h, `client ${i}`), `client ${i}`);
});

test('two client connections share one client endpoint', () => {
  const net = new Net();
  net.add(SERVER, server(), echoServer);
  const ep = net.add(clientAddr(1), new Endpoint({ crypto }));
  const a = ep.connect({ config: clientConn, remote: SERVER, local: clientAddr(1), now: 0 });
  const b = ep.connect({ config: clientConn, remote: SERVER, local: clientAddr(1), now: 0 });
  net.run(() => connected(net, clientAddr(1), a) && connected(net, clientAddr(1), b));
  assert.is(echo(net, ep, a, 'first'), 'first');
  assert.is(echo(net, ep, b, 'second'), 'second');
});

function longHeader(version: number, size: number, dcid: Uint8Array = new Uint8Array(8).fill(1), scid: Uint8Array = Uint8Array.of(9, 9, 9, 9)): Uint8Array {
  const head = new Writer(64).u8(0xc0).u32(version).vec8(dcid).vec8(scid).finish();
  const out = new Uint8Array(size);
  out.set(head);
  return out;
}

test('unknown versions get Version Negotiation only in datagrams of 1200 bytes or more', () => {
  const ep = server();
  const from = clientAddr(1);
  ep.receive(longHeader(0x1a2a3a4a, 1199), from, SERVER, 0);
  assert.is(ep.pollTransmit(0), null, 'small datagram dropped');
  ep.receive(longHeader(0x1a2a3a4a, 1200), from, SERVER, 0);
  const t = ep.pollTransmit(0);
  assert.ok(t);
  assert.equal(t!.remote, from);
  const vn = parsePacketHeader(t!.data, 0, { shortDcidLength: 8 }) as VersionNegotiationPacket;
  assert.is(vn.kind, 'version-negotiation');
  assert.ok(vn.versions.includes(QUIC_V1));
  assert.equal([...vn.dcid], [9, 9, 9, 9]);
  assert.is(ep.stats.versionNegotiationsSent, 1);
  // A Version Negotiation packet is never answered (RFC 9000 §6.1).
  ep.receive(longHeader(0, 1200), from, SERVER, 0);
  assert.is(ep.pollTransmit(0), null);
  assert.is(ep.connectionCount, 0);
});

test('a client endpoint never answers unknown versions', () => {
  const ep = new Endpoint({ crypto });
  ep.receive(longHeader(0x1a2a3a4a, 1300), clientAddr(2), clientAddr(1), 0);
  assert.is(ep.pollTransmit(0), null);
});

test('a client that starts with an unknown version gets Version Negotiation, ends the attempt with the offered version, and a new attempt with it connects', () => {
  const net = new Net();
  net.add(SERVER, server(), echoServer);
  const cli = net.add(clientAddr(1), new Endpoint({ crypto }));
  const first = cli.connect({ config: { ...clientConn, version: 0x1a2a3a4a }, remote: SERVER, local: clientAddr(1), now: 0 });
  const closedFirst = () => net.nodes.get(key(clientAddr(1)))!.events.find((e) => e.type === 'connection' && e.handle === first && e.event.type === 'closed');
  net.run(() => closedFirst() !== undefined);
  const e = closedFirst();
  assert.ok(e?.type === 'connection' && e.event.type === 'closed');
  const reason = (e as { event: { reason: CloseReason } }).event.reason;
  assert.is(reason.code, TransportErrorCode.VERSION_NEGOTIATION_ERROR);
  assert.is(reason.retryVersion, QUIC_V1);
  const second = cli.connect({ config: { ...clientConn, version: reason.retryVersion! }, remote: SERVER, local: clientAddr(1), now: net.now });
  net.run(() => connected(net, clientAddr(1), second));
  assert.is(echo(net, cli, second, 'after negotiation'), 'after negotiation');
});

test('Retry round trip: the client returns the token and the handshake completes', () => {
  const net = new Net();
  const srv = net.add(SERVER, server({ retry: true }), echoServer);
  const cli = net.add(clientAddr(1), new Endpoint({ crypto }));
  const h = cli.connect({ config: clientConn, remote: SERVER, local: clientAddr(1), now: 0 });
  net.run(() => connected(net, clientAddr(1), h));
  assert.ok(connected(net, clientAddr(1), h), 'handshake after Retry');
  assert.is(srv.stats.retriesSent, 1);
  const retries = net.sent.filter((s) => s.from.port === 443 && (s.data[0]! & 0xf0) === 0xf0);
  assert.is(retries.length, 1, 'one Retry packet on the wire');
  const conn = srv.connection(srv.handles()[0]!)!;
  assert.ok(conn.retrySourceCid, 'server connection knows its Retry SCID');
  assert.ok(conn.addressValidated);
  assert.is(echo(net, cli, h, 'after retry'), 'after retry');
});

test('an Initial carrying a forged Retry token is dropped', () => {
  const ep = server({ retry: true });
  const net = new Net();
  const cli = net.add(clientAddr(1), new Endpoint({ crypto }));
  cli.connect({ config: clientConn, remote: SERVER, local: clientAddr(1), now: 0 });
  const first = cli.pollTransmit(0)!;
  // Make a copy of the client's Initial with a token of the Retry kind that fails authentication.
  ep.receive(first.data, clientAddr(1), SERVER, 0);
  const retry = ep.pollTransmit(0)!;
  assert.is(retry.data[0]! & 0xf0, 0xf0);
  assert.is(ep.connectionCount, 0, 'no state before the address is validated');
  cli.receive(retry.data, SERVER, clientAddr(1), 1);
  const second = cli.pollTransmit(1)!;
  const p = parsePacketHeader(second.data, 0, { shortDcidLength: 8 });
  assert.is(p.kind, 'long');
  if (p.kind !== 'long') return;
  assert.ok(p.token.length > 0, 'the client returns the token');
  const tampered = second.data.slice();
  // The token starts right after the token-length varint (2 bytes for these sizes).
  const tokenOffset = 1 + 4 + 1 + p.dcid.length + 1 + p.scid.length;
  tampered[tokenOffset + 5]! ^= 0xff;
  ep.receive(tampered, clientAddr(1), SERVER, 2);
  assert.is(ep.connectionCount, 0);
  assert.is(ep.stats.invalidTokens, 1);
  // The genuine one from another address is refused too (the token binds the address).
  ep.receive(second.data, clientAddr(7), SERVER, 3);
  assert.is(ep.connectionCount, 0);
  ep.receive(second.data, clientAddr(1), SERVER, 4);
  assert.is(ep.connectionCount, 1);
});

test('expired Retry tokens are refused', () => {
  const ep = server({ retry: true, retryTokenLifetimeMs: 1000 });
  const cli = new Endpoint({ crypto });
  cli.connect({ config: clientConn, remote: SERVER, local: clientAddr(1), now: 0 });
  ep.receive(cli.pollTransmit(0)!.data, clientAddr(1), SERVER, 0);
  cli.receive(ep.pollTransmit(0)!.data, SERVER, clientAddr(1), 1);
  ep.receive(cli.pollTransmit(1)!.data, clientAddr(1), SERVER, 5000);
  assert.is(ep.connectionCount, 0);
});

test('a NEW_TOKEN token validates the address once, skipping Retry', () => {
  const ep = server({ retry: true });
  const token = ep.issueNewToken(clientAddr(1).address, 0);
  const cli = new Endpoint({ crypto });
  cli.connect({ config: clientConn, remote: SERVER, local: clientAddr(1), now: 0, token });
  const initial = cli.pollTransmit(0)!;
  ep.receive(initial.data, clientAddr(1), SERVER, 10);
  assert.is(ep.stats.retriesSent, 0);
  assert.is(ep.connectionCount, 1);
  assert.ok(ep.connection(ep.handles()[0]!)!.addressValidated);
  // Replayed by a second client: not accepted again, so that one gets a Retry.
  const other = new Endpoint({ crypto });
  other.connect({ config: clientConn, remote: SERVER, local: clientAddr(1), now: 0, token });
  ep.receive(other.pollTransmit(0)!.data, clientAddr(1), SERVER, 20);
  assert.is(ep.stats.retriesSent, 1);
});

test('short-header packets for unknown connections get a smaller stateless reset, rate limited', () => {
  const ep = server({}, { statelessResetKey: new Uint8Array(32).fill(3), statelessReset: { perAddressBurst: 3, perAddressRate: 0.001 } });
  const dcid = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
  const trigger = new Uint8Array(100);
  trigger[0] = 0x43;
  trigger.set(dcid, 1);
  ep.receive(trigger, clientAddr(1), SERVER, 0);
  const t = ep.pollTransmit(0);
  assert.ok(t);
  assert.ok(t!.data.length < trigger.length, 'smaller than the trigger');
  assert.is(t!.data[0]! & 0xc0, 0x40, 'looks like a short header');
  assert.ok(isStatelessReset(t!.data, [ep.resetTokenFor(dcid)]), 'carries the token derived for the DCID');
  // Tiny triggers get no reset at all (RFC 9000 §10.3).
  const tiny = trigger.slice(0, 21);
  ep.receive(tiny, clientAddr(1), SERVER, 1);
  assert.is(ep.pollTransmit(1), null);
  for (let i = 0; i < 10; i++) ep.receive(trigger, clientAddr(1), SERVER, 2);
  let n = 0;
  while (ep.pollTransmit(2)) n++;
  assert.is(n, 2, 'per-address burst of 3 in all');
  assert.is(ep.stats.statelessResetsSent, 3);
});

test('a reset from the server endpoint ends a client connection whose server state is gone', () => {
  const key32 = new Uint8Array(32).fill(5);
  const net = new Net();
  const srv1 = net.add(SERVER, server({}, { statelessResetKey: key32 }), echoServer);
  const cli = net.add(clientAddr(1), new Endpoint({ crypto }));
  const h = cli.connect({ config: clientConn, remote: SERVER, local: clientAddr(1), now: 0 });
  net.run(() => connected(net, clientAddr(1), h));
  net.run(() => false, 300);
  void srv1;
  // The server restarts with the same reset key and no state.
  net.add(SERVER, server({}, { statelessResetKey: key32 }), echoServer);
  const conn = cli.connection(h)!;
  const id = conn.openStream('bidi')!;
  conn.writeStream(id, new Uint8Array(200), true);
  cli.wake(h);
  net.run(() => !cli.connection(h));
  const closed = net.nodes.get(key(clientAddr(1)))!.events.find((e) => e.type === 'connection' && e.event.type === 'closed');
  assert.ok(closed, 'client connection closed');
  if (closed?.type === 'connection' && closed.event.type === 'closed') assert.is(closed.event.reason.initiator, 'reset');
  assert.is(cli.connectionCount, 0, 'drained connection forgotten');
});

test('the accept limit drops new clients beyond maxConnections', () => {
  const net = new Net();
  const srv = net.add(SERVER, server({ maxConnections: 2 }), echoServer);
  const hs: { ep: Endpoint; h: ConnectionHandle; addr: Address }[] = [];
  for (let i = 1; i <= 3; i++) {
    const ep = net.add(clientAddr(i), new Endpoint({ crypto }));
    hs.push({ ep, addr: clientAddr(i), h: ep.connect({ config: clientConn, remote: SERVER, local: clientAddr(i), now: 0 }) });
  }
  net.run(() => connected(net, hs[0]!.addr, hs[0]!.h) && connected(net, hs[1]!.addr, hs[1]!.h), 5000);
  net.run(() => false, 500);
  assert.is(srv.connectionCount, 2);
  assert.not.ok(connected(net, hs[2]!.addr, hs[2]!.h));
  assert.ok(srv.stats.connectionsRefused >= 1);
});

test('closed connections are drained and their routes dropped', () => {
  const net = new Net();
  const srv = net.add(SERVER, server(), echoServer);
  const cli = net.add(clientAddr(1), new Endpoint({ crypto }));
  const h = cli.connect({ config: clientConn, remote: SERVER, local: clientAddr(1), now: 0 });
  net.run(() => connected(net, clientAddr(1), h));
  cli.connection(h)!.close(7, 'bye', true, net.now);
  cli.wake(h);
  net.run(() => cli.connectionCount === 0 && srv.connectionCount === 0, 30_000);
  assert.is(cli.connectionCount, 0);
  assert.is(srv.connectionCount, 0);
  const serverClosed = net.nodes.get(key(SERVER))!.events.find((e) => e.type === 'connection' && e.event.type === 'closing');
  assert.ok(serverClosed);
  if (serverClosed?.type === 'connection' && serverClosed.event.type === 'closing') {
    assert.is(serverClosed.event.reason.code, 7);
    assert.is(serverClosed.event.reason.initiator, 'remote');
  }
  assert.is(cli.nextTimeout(), undefined);
  assert.is(srv.nextTimeout(), undefined);
});

test('garbage datagrams never throw and create no state', () => {
  const ep = server();
  const rng = new SeededRandom(11);
  fc.assert(fc.property(fc.uint8Array({ minLength: 0, maxLength: 1500 }), (bytes) => {
    ep.receive(bytes, clientAddr(1), SERVER, rng.int(1000));
    while (ep.pollTransmit(0)) { /* drain */ }
    ep.handleTimeout(2000);
  }), { numRuns: 500 });
  // Valid-looking Initials of 1200 bytes with garbage payload: state may be created, nothing throws.
  for (let i = 0; i < 200; i++) {
    const d = longHeader(QUIC_V1, 1200, rng.bytes(8), rng.bytes(8));
    d.set(rng.bytes(1200 - 30), 30);
    ep.receive(d, clientAddr(i % 200), SERVER, i);
    while (ep.pollTransmit(i)) { /* drain */ }
  }
  ep.handleTimeout(100_000);
  while (ep.pollTransmit(100_000)) { /* drain */ }
  while (ep.pollEvent()) { /* drain */ }
  ep.handleTimeout(200_000);
  assert.is(ep.connectionCount, 0, 'garbage Initials leave no connection behind');
});

test('nextTimeout is the earliest deadline of all connections', () => {
  const net = new Net();
  net.add(SERVER, server(), echoServer);
  const cli = net.add(clientAddr(1), new Endpoint({ crypto }));
  const hs = [0, 1, 2].map(() => cli.connect({ config: clientConn, remote: SERVER, local: clientAddr(1), now: 0 }));
  net.run(() => hs.every((h) => connected(net, clientAddr(1), h)));
  const min = Math.min(...hs.map((h) => cli.connection(h)!.nextTimeout() ?? Infinity));
  assert.is(cli.nextTimeout(), min);
});

test('a client Initial whose header was corrupted on the way creates no connection; the intact retransmission does', () => {
  const net = new Net();
  const srv = net.add(SERVER, server(), echoServer);
  const cli = net.add(clientAddr(9), new Endpoint({ crypto }));
  let first = true;
  net.filter = (d, from) => {
    if (first && from.address === clientAddr(9).address) {
      first = false;
      // Corrupt the last byte of the client's Source Connection ID (header bytes are AEAD-authenticated).
      const copy = d.slice();
      const scidEnd = 6 + copy[5]! + 1 + copy[6 + copy[5]!]!;
      copy[scidEnd - 1]! ^= 0xff;
      net.inFlight.push({ at: net.now + net.delay, to: SERVER, from, data: copy });
      return false;
    }
    return true;
  };
  const h = cli.connect({ config: clientConn, remote: SERVER, local: clientAddr(9), now: 0 });
  net.run(() => connected(net, clientAddr(9), h));
  assert.ok(connected(net, clientAddr(9), h), 'the handshake completes after the client retransmits');
  assert.is(srv.stats.initialsDropped, 1);
  assert.is(srv.connectionCount, 1);
  assert.is(echo(net, cli, h, 'intact'), 'intact');
});

test.run();
