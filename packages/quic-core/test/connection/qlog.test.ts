import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Pair, corrupt, delay, loss } from '@quicts/testkit';
import { Connection, QlogTrace, parseJsonSeq, tlsClientSession, tlsServerSession, generateSelfSignedCertificate } from '@quicts/quic-core';
import { ServerSlot, clientPath, config, crypto } from './harness.ts';

interface QlogRecord {
  time?: number;
  name?: string;
  data?: Record<string, unknown>;
}

function traced(): { trace: QlogTrace; records: () => QlogRecord[] } {
  let text = '';
  const trace = new QlogTrace({ sink: (line) => { text += line; }, vantagePoint: 'client', referenceNow: 0 });
  return { trace, records: () => parseJsonSeq(text) as QlogRecord[] };
}

test('qlog: packets sent, received and dropped, metrics, key updates and the close', () => {
  const { trace, records } = traced();
  const client = Connection.connect({ config: { ...config(), qlog: trace }, path: clientPath, now: 0 });
  const server = new ServerSlot(config());
  const pair = new Pair<Connection, ServerSlot>({ a: client, b: server, seed: 3, link: [delay(10), loss(0.05), corrupt(0.05)] });
  pair.run({ until: () => client.handshakeConfirmed, maxTime: 20_000 });
  const id = client.openStream('bidi')!;
  client.writeStream(id, new Uint8Array(300_000), true);
  pair.advance(300);
  assert.ok(client.initiateKeyUpdate());
  pair.advance(2000);
  pair.inject('b', new Uint8Array(60).fill(0x41));
  pair.advance(100);
  client.close(0, 'done', true, pair.now);
  pair.advance(5000);

  const all = records();
  assert.ok((all[0] as Record<string, unknown>)['qlog_version'], 'header first');
  const names = new Set(all.map((r) => r.name));
  for (const n of ['quic:packet_sent', 'quic:packet_received', 'quic:packet_dropped', 'recovery:metrics_updated', 'security:key_updated', 'quic:connection_closed']) {
    assert.ok(names.has(n), `has ${n}`);
  }
  const sent = all.filter((r) => r.name === 'quic:packet_sent');
  const types = new Set(sent.map((r) => (r.data!['header'] as Record<string, unknown>)['packet_type']));
  assert.ok(types.has('initial') && types.has('handshake') && types.has('1RTT'));
  const frameTypes = new Set(sent.flatMap((r) => (r.data!['frames'] as Array<Record<string, unknown>>).map((f) => f['frame_type'])));
  for (const t of ['crypto', 'stream', 'ack', 'connection_close']) assert.ok(frameTypes.has(t), `sent ${t}`);
  const received = all.filter((r) => r.name === 'quic:packet_received');
  assert.ok(received.some((r) => (r.data!['frames'] as Array<Record<string, unknown>>).some((f) => f['frame_type'] === 'handshake_done')));
  const keys = all.filter((r) => r.name === 'security:key_updated').map((r) => r.data!);
  assert.ok(keys.some((k) => k['trigger'] === 'tls' && k['key_type'] === 'client_1rtt_secret'));
  assert.ok(keys.some((k) => k['trigger'] === 'local_update' && k['generation'] === 1));
  const dropped = all.filter((r) => r.name === 'quic:packet_dropped');
  assert.ok(dropped.some((d) => d.data!['trigger'] === 'unknown_connection_id' || d.data!['trigger'] === 'payload_decrypt_error'));
  const closed = all.filter((r) => r.name === 'quic:connection_closed');
  assert.is(closed.length, 1);
  assert.is(closed[0]!.data!['owner'], 'local');
  const metrics = all.filter((r) => r.name === 'recovery:metrics_updated');
  assert.ok(metrics.some((m) => typeof m.data!['smoothed_rtt'] === 'number' && typeof m.data!['congestion_window'] === 'number'));
  // Times are relative and ordered.
  const times = all.slice(1).map((r) => r.time!);
  for (let i = 1; i < times.length; i++) assert.ok(times[i]! >= times[i - 1]!);
});

test('the idle timeout and a remote close are logged with their triggers', () => {
  const a = traced();
  const b = traced();
  const client = Connection.connect({ config: { ...config({ maxIdleTimeout: 1000 }), qlog: a.trace }, path: clientPath, now: 0 });
  const server = new ServerSlot({ ...config({ maxIdleTimeout: 1000 }), qlog: b.trace });
  const pair = new Pair<Connection, ServerSlot>({ a: client, b: server, seed: 3, link: [delay(10)] });
  pair.run({ until: () => client.isClosed && !!server.conn?.isClosed, maxTime: 20_000 });
  const closed = a.records().filter((r) => r.name === 'quic:connection_closed');
  assert.is(closed.length, 1);
  assert.is(closed[0]!.data!['trigger'], 'idle_timeout');
});

test('keylog lines go to the sink', () => {
  const wall = Date.UTC(2026, 10, 21);
  const cert = generateSelfSignedCertificate(crypto, { now: wall, names: ['localhost'] });
  const lines: string[] = [];
  const client = Connection.connect({
    config: {
      crypto, keylog: (line) => lines.push(line),
      cryptoSession: tlsClientSession(() => ({
        crypto, now: wall, alpnProtocols: ['hq-interop'], serverName: 'localhost', keyLog: true,
        verify: { mode: 'server-certificate-hashes', hashes: [cert.sha256] },
      })),
    },
    path: clientPath, now: 0,
  });
  const server = new ServerSlot({
    crypto,
    cryptoSession: tlsServerSession(() => ({ crypto, now: wall, alpnProtocols: ['hq-interop'], certificate: { chain: [cert.certificateDer], privateKey: cert.privateKeyPkcs8 } })),
  });
  const pair = new Pair<Connection, ServerSlot>({ a: client, b: server, seed: 3, link: [delay(10)] });
  pair.run({ until: () => client.handshakeConfirmed, maxTime: 20_000 });
  assert.is(client.keylog.length, 0, 'nothing collected when a sink is given');
  const labels = new Set(lines.map((l) => l.split(' ')[0]));
  for (const l of ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'SERVER_TRAFFIC_SECRET_0']) {
    assert.ok(labels.has(l), `keylog has ${l}`);
  }
});

test.run();
