/**
 * TLS 1.3 interop against OpenSSL through node:tls, over loopback TCP: the sans-IO engine in
 * 'tcp' mode, wrapped in the test record layer, completes handshakes in both roles for every
 * cipher suite x {x25519, secp256r1} x {ECDSA P-256, RSA-2048, Ed25519} certificates and exchanges
 * application data both ways; then each side resumes from a ticket the other issued. Prints one
 * `PASS ...` / `FAIL ...` line per combination and `N passed, M failed`; exits non-zero on any
 * failure. Run: `npm run interop:tls`.
 * @module
 */
import { createServer as createNetServer, connect as netConnect, type Server as NetServer, type Socket } from 'node:net';
import { connect as tlsConnect, createServer as createTlsServer, type TLSSocket } from 'node:tls';
import {
  CIPHER_SUITES, TlsClient, TlsMemoryTicketStore, TlsServer, TlsTicketKeyring, derToPem, type CipherSuite, type KeyExchangeGroup,
} from '@quicts/quic-core';
import { createNodeCryptoProvider } from '@quicts/quic-core/node';
import { keys, makeCertificate, type TestKey } from '../packages/quic-core/test/tls/helpers.ts';
import { TlsRecordLayer } from '../packages/quic-core/test/tls/record-layer.ts';

const crypto = createNodeCryptoProvider();
const HOST = '127.0.0.1';
const TIMEOUT_MS = 10_000;
const DAY = 24 * 3600_000;
const start = Date.now();
const ALPN = 'interop';

const caDer = makeCertificate(crypto, { subject: 'quicts interop CA', subjectKey: keys.ca, issuer: 'quicts interop CA', issuerKey: keys.ca, isCa: true, serial: 1, notBefore: start - DAY, notAfter: start + 30 * DAY });
const caPem = derToPem(caDer);
const leafFor = (key: TestKey, serial: number) => makeCertificate(crypto, {
  subject: 'localhost', subjectKey: key, issuer: 'quicts interop CA', issuerKey: keys.ca, names: ['localhost'], serial, notBefore: start - DAY, notAfter: start + 30 * DAY,
});
const certs = [
  { name: 'ecdsa-p256', key: keys.p256, der: leafFor(keys.p256, 2) },
  { name: 'rsa-2048', key: keys.rsa, der: leafFor(keys.rsa, 3) },
  { name: 'ed25519', key: keys.ed25519, der: leafFor(keys.ed25519, 4) },
];
const groups: { group: KeyExchangeGroup; openssl: string }[] = [{ group: 'x25519', openssl: 'X25519' }, { group: 'secp256r1', openssl: 'prime256v1' }];
const text = (s: string) => new TextEncoder().encode(s);
const untext = (b: Uint8Array) => new TextDecoder().decode(b);

let passed = 0;
let failed = 0;

/** Runs one combination with a deadline and prints its line. */
async function check(name: string, fn: () => Promise<string | void>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const detail = await Promise.race([
      fn(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timeout after ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
      }),
    ]);
    passed++;
    console.log(`PASS ${name}${detail ? ` (${detail})` : ''}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${(e as Error)?.message ?? String(e)}`);
  } finally {
    clearTimeout(timer);
  }
}

function listen(server: NetServer): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => resolve((server.address() as { port: number }).port));
  });
}

/** Drives our engine over one TCP socket until `done` says the conversation is over. */
function driveOurs(socket: Socket, layer: TlsRecordLayer, onEvent: (e: ReturnType<TlsRecordLayer['pollEvent']> & object) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    let finished = false;
    const flush = () => {
      const out = layer.takeOutput();
      if (out.length && !socket.destroyed) socket.write(out);
    };
    const pump = () => {
      for (let e = layer.pollEvent(); e; e = layer.pollEvent()) {
        if (onEvent(e) && !finished) {
          finished = true;
          flush();
          resolve();
        }
      }
      flush();
    };
    socket.on('data', (d: Uint8Array) => {
      try {
        layer.receive(new Uint8Array(d.buffer, d.byteOffset, d.length));
        pump();
      } catch (e) {
        flush();
        reject(e);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => {
      if (!finished) reject(layer.error ?? new Error('connection closed early'));
    });
    pump();
  });
}

// --- our client against an OpenSSL server ---

async function ourClientToOpenssl(
  suite: CipherSuite, group: { group: KeyExchangeGroup; openssl: string }, cert: typeof certs[number], store?: TlsMemoryTicketStore, ticketKeys?: Buffer, waitForTicket = false,
): Promise<{ resumed: boolean; opensslReused: boolean; tickets: number }> {
  let opensslReused = false;
  const server = createTlsServer({
    key: derToPem(cert.key.pkcs8, 'PRIVATE KEY'), cert: derToPem(cert.der), minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3',
    ciphers: suite.name, ecdhCurve: group.openssl, ALPNProtocols: [ALPN], ...(ticketKeys ? { ticketKeys } : {}),
  }, (sock: TLSSocket) => {
    opensslReused = sock.isSessionReused();
    sock.on('data', (d: Buffer) => sock.write(Buffer.concat([Buffer.from('echo:'), d])));
    sock.on('error', () => undefined);
  });
  const port = await listen(server);
  const socket = netConnect({ host: HOST, port });
  try {
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const client = new TlsClient({
      crypto, transport: 'tcp', alpnProtocols: [ALPN], now: Date.now(), serverName: 'localhost', cipherSuites: [suite], groups: [group.group],
      verify: { mode: 'chain', trustAnchors: [caPem] }, ...(store ? { ticketStore: store } : {}),
    });
    const layer = new TlsRecordLayer(client, crypto, Date.now);
    let echoed = false;
    let tickets = 0;
    await driveOurs(socket, layer, (e) => {
      if (e.type === 'tls' && e.event.type === 'handshake-complete') layer.write(text('hello from quicts'));
      if (e.type === 'tls' && e.event.type === 'session-ticket') tickets++;
      if (e.type === 'data') {
        if (untext(e.data) !== 'echo:hello from quicts') throw new Error(`unexpected data ${untext(e.data)}`);
        echoed = true;
      }
      return echoed && (!waitForTicket || tickets > 0);
    });
    if (client.alpnProtocol !== ALPN) throw new Error(`ALPN ${client.alpnProtocol}`);
    if (client.cipherSuite?.id !== suite.id) throw new Error(`suite ${client.cipherSuite?.name}`);
    layer.close();
    socket.end(layer.takeOutput());
    return { resumed: client.isResumed, opensslReused, tickets };
  } finally {
    socket.destroy();
    server.close();
  }
}

// --- an OpenSSL client against our server ---

async function opensslToOurServer(
  suite: CipherSuite, group: { group: KeyExchangeGroup; openssl: string }, cert: typeof certs[number], keyring: TlsTicketKeyring, session?: Buffer,
): Promise<{ resumed: boolean; opensslReused: boolean; session: Buffer | undefined; group: string | undefined }> {
  const engines: TlsServer[] = [];
  const server = createNetServer((socket) => {
    const engine = new TlsServer({
      crypto, transport: 'tcp', alpnProtocols: [ALPN], now: Date.now(), certificate: { chain: [cert.der], privateKey: cert.key.pkcs8 },
      cipherSuites: [suite], groups: [group.group], tickets: { protector: keyring },
    });
    engines.push(engine);
    const layer = new TlsRecordLayer(engine, crypto, Date.now);
    driveOurs(socket, layer, (e) => {
      if (e.type === 'data') layer.write(new Uint8Array([...text('echo:'), ...e.data]));
      if (e.type === 'closed') socket.end();
      return false;
    }).catch(() => socket.destroy());
  });
  const port = await listen(server);
  try {
    return await new Promise((resolve, reject) => {
      let newSession: Buffer | undefined;
      let echoed = false;
      const sock = tlsConnect({
        host: HOST, port, servername: 'localhost', ca: caPem, minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3', ciphers: suite.name,
        ecdhCurve: group.openssl, ALPNProtocols: [ALPN], ...(session ? { session } : {}),
      });
      const finish = () => {
        if (!echoed || (!session && !newSession)) return;
        const info = sock.getEphemeralKeyInfo() as { name?: string };
        const result = { resumed: engines[0]?.isResumed ?? false, opensslReused: sock.isSessionReused(), session: newSession, group: info.name };
        sock.end();
        resolve(result);
      };
      sock.on('secureConnect', () => {
        if (sock.alpnProtocol !== ALPN) reject(new Error(`ALPN ${String(sock.alpnProtocol)}`));
        const cipher = sock.getCipher() as { standardName?: string; name: string };
        if ((cipher.standardName ?? cipher.name) !== suite.name) reject(new Error(`cipher ${cipher.name}`));
        sock.write('hello from openssl');
      });
      sock.on('session', (s: Buffer) => {
        newSession ??= s;
        finish();
      });
      sock.on('data', (d: Buffer) => {
        if (d.toString() !== 'echo:hello from openssl') reject(new Error(`unexpected data ${d.toString()}`));
        echoed = true;
        finish();
      });
      sock.on('error', reject);
    });
  } finally {
    server.close();
  }
}

for (const suite of CIPHER_SUITES) {
  for (const group of groups) {
    for (const cert of certs) {
      const combo = `suite=${suite.name} group=${group.group} cert=${cert.name}`;
      await check(`client=quicts server=openssl ${combo}`, async () => {
        await ourClientToOpenssl(suite, group, cert);
      });
      await check(`client=openssl server=quicts ${combo}`, async () => {
        const r = await opensslToOurServer(suite, group, cert, new TlsTicketKeyring(crypto));
        const want = group.group === 'x25519' ? 'X25519' : 'prime256v1';
        if (r.group !== want) throw new Error(`OpenSSL negotiated ${r.group}`);
      });
    }
  }
}

for (const suite of CIPHER_SUITES) {
  const group = groups[0]!;
  const cert = certs[0]!;
  await check(`resumption client=openssl server=quicts suite=${suite.name} (our ticket)`, async () => {
    const keyring = new TlsTicketKeyring(crypto);
    const first = await opensslToOurServer(suite, group, cert, keyring);
    if (!first.session) throw new Error('no session from the first connection');
    const second = await opensslToOurServer(suite, group, cert, keyring, first.session);
    if (!second.resumed || !second.opensslReused) throw new Error(`not resumed (ours ${second.resumed}, openssl ${second.opensslReused})`);
  });
  await check(`resumption client=quicts server=openssl suite=${suite.name} (OpenSSL's ticket)`, async () => {
    const store = new TlsMemoryTicketStore();
    const ticketKeys = Buffer.from(crypto.randomBytes(48)); // the OpenSSL server's ticket keys, kept across its restart
    const first = await ourClientToOpenssl(suite, group, cert, store, ticketKeys, true);
    if (first.tickets === 0) throw new Error('no ticket from OpenSSL');
    const second = await ourClientToOpenssl(suite, group, cert, store, ticketKeys);
    if (!second.resumed || !second.opensslReused) throw new Error(`not resumed (ours ${second.resumed}, openssl ${second.opensslReused})`);
    return `${first.tickets} tickets`;
  });
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
