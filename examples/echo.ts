/**
 * A raw-QUIC echo server and client over loopback. The server echoes every bidirectional stream
 * and every datagram back; the client sends a few messages on streams and one datagram, prints
 * what comes back, closes, and exits 0.
 *
 * Run: npm run example:echo
 * @module
 */
import { generateSelfSignedCertificate } from '@quicts/quic-core';
import { connect, createNodeCryptoProvider, listen, type QuicConnection } from '@quicts/quic-core/node';

const ALPN = ['echo'];
const crypto = createNodeCryptoProvider();
const cert = generateSelfSignedCertificate(crypto, { now: Date.now(), names: ['localhost', '127.0.0.1'] });

async function readAll(readable: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of readable as unknown as AsyncIterable<Uint8Array>) parts.push(chunk);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

async function serve(conn: QuicConnection): Promise<void> {
  void (async () => {
    for await (const d of conn.datagrams) conn.sendDatagram(d);
  })();
  for await (const stream of conn.incomingBidirectionalStreams) {
    void (async () => {
      const data = await readAll(stream.readable);
      const writer = stream.writable.getWriter();
      await writer.write(data);
      await writer.close();
    })();
  }
}

const server = await listen({ host: '127.0.0.1', port: 0, alpn: ALPN, tls: { cert: cert.certificatePem, key: cert.privateKeyPem } });
console.log(`server listening on ${server.address.address}:${server.address.port}`);
void (async () => {
  for await (const conn of server) void serve(conn);
})();

const client = await connect('127.0.0.1', server.address.port, {
  alpn: ALPN, serverName: 'localhost', verify: { serverCertificateHashes: [cert.sha256] },
});
console.log(`client connected (ALPN ${client.alpn})`);

const text = new TextEncoder();
const decode = new TextDecoder();
const messages = ['hello', 'QUIC over loopback', 'the third stream'];
const replies = await Promise.all(messages.map(async (m) => {
  const stream = await client.openBidirectionalStream();
  const writer = stream.writable.getWriter();
  await writer.write(text.encode(m));
  await writer.close();
  return { id: stream.id, reply: decode.decode(await readAll(stream.readable)) };
}));
let ok = true;
for (const [i, r] of replies.entries()) {
  console.log(`stream ${r.id}: sent ${JSON.stringify(messages[i])}, got ${JSON.stringify(r.reply)}`);
  if (r.reply !== messages[i]) ok = false;
}

client.sendDatagram(text.encode('a datagram'));
const echoed = await Promise.race([
  client.datagrams.next(),
  new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 2000)),
]);
console.log(`datagram: got ${echoed ? JSON.stringify(decode.decode(echoed)) : 'nothing (datagrams are unreliable)'}`);

const info = await client.close({ code: 0, reason: 'done' });
console.log(`client closed (code ${info.code}, ${info.initiator})`);
await server.close();
console.log(ok ? 'echo: all messages came back' : 'echo: MISMATCH');
process.exit(ok ? 0 : 1);
