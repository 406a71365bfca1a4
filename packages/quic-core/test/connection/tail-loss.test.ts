import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Pair, delay } from '@quicts/testkit';
import { Connection } from '@quicts/quic-core';
import { ServerSlot, clientPath, config } from './harness.ts';
import { blackhole, type Switch } from './link-elements.ts';

/**
 * RFC 9002 §6.2.4: a PTO probe carries data. The server's response is lost and from then on every
 * datagram of the client (its acknowledgements) is lost too, so the server never learns of the
 * loss: only probes that carry the data itself can deliver it.
 */
function tailLossWithAcksLost(responseBytes: number) {
  const toServer: Switch = { on: false };
  const client = Connection.connect({ config: config(), path: clientPath, now: 0 });
  const server = new ServerSlot(config());
  const pair = new Pair<Connection, ServerSlot>({
    a: client, b: server, seed: 7,
    aToB: [blackhole(toServer), delay(10)],
    bToA: [delay(10)],
  });
  pair.run({ until: () => client.handshakeConfirmed && !!server.conn?.handshakeConfirmed, maxTime: 10_000 });
  // Let the handshake's last acknowledgements settle, so nothing else is in flight.
  pair.advance(1_000);
  const s = server.conn!;
  const sent = new Uint8Array(responseBytes).map((_, i) => i * 7);
  const streamId = s.openStream('uni')!;
  assert.is(s.writeStream(streamId, sent, true), responseBytes);
  let lost = 0;
  while (s.pollTransmit(pair.now)) lost++; // every packet of the response is lost
  assert.ok(lost >= (responseBytes > 1200 ? 2 : 1), `${lost} packets lost`);
  toServer.on = true;
  const start = pair.now;
  const got: number[] = [];
  let fin = false;
  pair.run({
    maxTime: 60_000,
    until: () => {
      for (let e = client.pollEvent(); e; e = client.pollEvent()) {
        if (e.type !== 'streamReadable') continue;
        for (let r = client.readStream(e.streamId); r.kind === 'data'; r = client.readStream(e.streamId)) {
          got.push(...r.data);
          if (r.fin) fin = true;
          if (r.fin || r.data.length === 0) break;
        }
      }
      return fin;
    },
  });
  return { sent, got, fin, elapsed: pair.now - start };
}

test('a lost response reaches the client through PTO probes even when every acknowledgement is lost', () => {
  const r = tailLossWithAcksLost(800);
  assert.ok(r.fin, 'the FIN arrived');
  assert.equal(new Uint8Array(r.got), r.sent);
  assert.ok(r.elapsed < 5_000, `recovered after ${r.elapsed} ms`);
});

test('the probes carry a response that spans several packets, oldest data first', () => {
  const r = tailLossWithAcksLost(2_000);
  assert.ok(r.fin, 'the FIN arrived');
  assert.equal(new Uint8Array(r.got), r.sent);
});

test.run();
