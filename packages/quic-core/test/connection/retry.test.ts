import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Pair, delay } from '@quicts/testkit';
import {
  Connection, QUIC_V1, encodeRetryPacket, parsePacketHeader, type ConnectionConfig, type ConnectionEvent, type PathInfo,
  type Transmit,
} from '@quicts/quic-core';
import { clientPath, config, crypto } from './harness.ts';

interface RetryServerOptions {
  /** Leave retry_source_connection_id out of the transport parameters (a broken server). */
  readonly omitRetrySource?: boolean;
  /** Corrupt the Retry's integrity tag. */
  readonly badTag?: boolean;
  /** Send a second Retry after the first Initial with a token. */
  readonly secondRetry?: boolean;
}

/**
 * A server stand-in that answers the first Initial (without a token) with a Retry, then accepts
 * the Initial that carries the token, as an endpoint with address validation would.
 */
class RetryServer {
  conn: Connection | undefined;
  retries = 0;
  readonly retryScid = new Uint8Array([0x52, 0x45, 0x54, 0x52, 0x59, 0x21, 0x21, 0x21]);
  readonly token = new TextEncoder().encode('address-validation-token');
  #out: Uint8Array[] = [];
  constructor(private readonly cfg: ConnectionConfig, private readonly options: RetryServerOptions = {}) {}

  receive(datagram: Uint8Array, path: PathInfo, now: number): void {
    if (!this.conn) {
      const h = parsePacketHeader(datagram, 0, { shortDcidLength: 0 });
      if (h.kind !== 'long' || h.type !== 'initial') return;
      if (h.token.length === 0 || (this.options.secondRetry && this.retries === 1)) {
        const original = this.retries === 0 ? h.dcid.slice() : this.originalDcid!;
        this.originalDcid = original;
        const retry = encodeRetryPacket(crypto, { version: QUIC_V1, dcid: h.scid, scid: this.retryScid, token: this.token }, h.dcid);
        if (this.options.badTag) retry[retry.length - 1]! ^= 1;
        this.retries++;
        this.#out.push(retry);
        return;
      }
      assert.equal(h.token, this.token, 'the client echoes the Retry token');
      assert.equal(h.dcid, this.retryScid, 'the client uses the Retry SCID as DCID');
      this.conn = Connection.accept({
        config: this.cfg, path, now, version: h.version, initialDcid: h.dcid.slice(), originalDcid: this.originalDcid!,
        clientCid: h.scid.slice(), addressValidated: true,
        ...(this.options.omitRetrySource ? {} : { retrySourceCid: this.retryScid }),
      });
    }
    this.conn.receive(datagram, path, now);
  }

  originalDcid: Uint8Array | undefined;

  handleTimeout(now: number): void {
    this.conn?.handleTimeout(now);
  }

  nextTimeout(): number | undefined {
    return this.conn?.nextTimeout();
  }

  pollTransmit(now: number): Transmit | { data: Uint8Array } | null {
    const queued = this.#out.shift();
    if (queued) return { data: queued };
    return this.conn?.pollTransmit(now) ?? null;
  }
}

function run(options: RetryServerOptions = {}) {
  const client = Connection.connect({ config: config(), path: clientPath, now: 0 });
  const server = new RetryServer(config(), options);
  const pair = new Pair<Connection, RetryServer>({ a: client, b: server, seed: 2, link: [delay(10)] });
  const ce: ConnectionEvent[] = [];
  pair.run({
    maxTime: 30_000,
    until: () => {
      for (let e = client.pollEvent(); e; e = client.pollEvent()) ce.push(e);
      return client.isClosed || (client.handshakeConfirmed && !!server.conn?.handshakeConfirmed) || (client.state.kind !== 'handshake' && client.state.kind !== 'established');
    },
  });
  return { client, server, ce, pair };
}

test('a Retry is followed: new Initial keys, the token echoed, retry_source_connection_id checked, handshake completes', () => {
  const { client, server } = run();
  assert.is(server.retries, 1);
  assert.ok(client.retried);
  assert.ok(client.handshakeConfirmed);
  assert.ok(server.conn!.handshakeConfirmed);
  assert.equal(client.retrySourceCid, server.retryScid);
});

test('a server that leaves out retry_source_connection_id after a Retry fails the handshake (TRANSPORT_PARAMETER_ERROR)', () => {
  const { client, ce } = run({ omitRetrySource: true });
  assert.not.ok(client.handshakeComplete);
  const closing = ce.find((e) => e.type === 'closing');
  assert.ok(closing && closing.type === 'closing');
  if (closing?.type === 'closing') {
    assert.is(closing.reason.code, 0x08);
    assert.is(closing.reason.initiator, 'local');
  }
});

test('a Retry with a bad integrity tag is ignored', () => {
  const client = Connection.connect({ config: config(), path: clientPath, now: 0 });
  const server = new RetryServer(config(), { badTag: true });
  const pair = new Pair<Connection, RetryServer>({ a: client, b: server, seed: 2, link: [delay(10)] });
  pair.advance(100);
  assert.is(server.retries, 1);
  assert.not.ok(client.retried);
  assert.is(client.state.kind, 'handshake');
});

test('a second Retry is ignored (RFC 9000 §17.2.5.2)', () => {
  const client = Connection.connect({ config: config(), path: clientPath, now: 0 });
  const server = new RetryServer(config(), { secondRetry: true });
  const pair = new Pair<Connection, RetryServer>({ a: client, b: server, seed: 2, link: [delay(10)] });
  pair.advance(100);
  assert.is(server.retries, 2);
  assert.ok(client.retried);
  assert.equal(client.peerCid, server.retryScid, 'still on the first Retry\'s SCID');
});

test.run();
