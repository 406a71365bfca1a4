import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadVectors } from '@quicts/testkit';
import {
  Reader, TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256, TlsClient, TlsReplayFilter, TlsServer,
  bytesEqual, decodeCertificate, decodeCertificateVerify, decodeEncryptedExtensions, encodeTicketState, fromHex, hkdfExpandLabel,
  toHex, type CryptoProvider, type TlsClientTicket, type TlsEvent, type TlsExtension,
} from '@quicts/quic-core';
import { providers } from '../providers.ts';

const v3 = loadVectors('rfc/rfc8448.json');
const v = loadVectors('rfc/rfc8448-0rtt.json');
const s = v.secrets;
const suites = [TLS_AES_128_GCM_SHA256, TLS_CHACHA20_POLY1305_SHA256, TLS_AES_256_GCM_SHA384];
/** The Section 3 connection's wall clock; the Section 4 one runs 6 ms later (obfuscated age 0xfad6aacb - 0xfad6aac5). */
const T3 = Date.UTC(2020, 0, 1);
const T4 = T3 + 6;

function split(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length;) {
    const len = (bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!;
    out.push(bytes.subarray(i, i + 4 + len));
    i += 4 + len;
  }
  return out;
}
/** Extensions of a hello body after `skip` fixed bytes. */
function extensionsOf(message: Uint8Array, skip: number): TlsExtension[] {
  const r = new Reader(message.subarray(4), skip);
  const block = new Reader(r.vec16());
  const out: TlsExtension[] = [];
  while (!block.done) out.push({ type: block.u16(), data: block.vec16() });
  return out;
}
function drain(x: { pollEvent(): TlsEvent | null }): TlsEvent[] {
  const out: TlsEvent[] = [];
  for (let e = x.pollEvent(); e; e = x.pollEvent()) out.push(e);
  return out;
}
function secretOf(events: TlsEvent[], level: string, direction: string): string | undefined {
  const e = events.find((x) => x.type === 'secret' && x.level === level && x.direction === direction);
  return e && e.type === 'secret' ? toHex(e.secret) : undefined;
}
function keylog(events: TlsEvent[], label: string): string | undefined {
  const e = events.find((x) => x.type === 'keylog' && x.line.startsWith(label + ' '));
  return e && e.type === 'keylog' ? e.line.split(' ')[2] : undefined;
}

// Section 3 pieces
const ch3 = fromHex(v3.messages.client_hello);
const sh3 = fromHex(v3.messages.server_hello);
const [ee3, cert3, cv3] = split(fromHex(v3.messages.server_encrypted_flight_plaintext.hex));
const nst3 = fromHex(v3.messages.new_session_ticket);
const ticketIdentity = new Reader(nst3.subarray(4), 4 + 4 + 3).vec16(); // lifetime, age_add, nonce<1> = 00 00 (len 2)
const certDer = decodeCertificate(cert3!.subarray(4)).entries[0]!.data;
const cvSignature = decodeCertificateVerify(cv3!.subarray(4)).signature;

// Section 4 pieces
const ch = fromHex(v.messages.client_hello);
const sh = fromHex(v.messages.server_hello);
const ee = fromHex(v.messages.encrypted_extensions);
const serverFinished = fromHex(v.messages.server_finished);
const eoed = fromHex(v.messages.end_of_early_data);
const clientFinished = fromHex(v.messages.client_finished);
// ClientHello extensions after version(2) random(32) session_id(1+0) suites(2+6) compression(1+1); pre_shared_key is the engine's
const chExtensions = extensionsOf(ch, 2 + 32 + 1 + 2 + 6 + 2).filter((e) => e.type !== 41);
const eeExtensions = decodeEncryptedExtensions(ee.subarray(4)).extensions;

/** The Section 3 client, driven through the trace, hands over the ticket it derived from the NewSessionTicket. */
function section3Ticket(crypto: CryptoProvider): TlsClientTicket {
  const client = new TlsClient({
    crypto, transport: 'tcp', alpnProtocols: [], now: T3, serverName: 'server', cipherSuites: suites, verify: { mode: 'insecure-accept-any' },
    fixed: {
      random: ch3.subarray(6, 38), sessionId: new Uint8Array(0),
      keyShares: [crypto.keyExchangeFromPrivate('x25519', fromHex(v3.client_ephemeral_x25519.private))],
      extensions: () => extensionsOf(ch3, 2 + 32 + 1 + 2 + 6 + 2),
    },
  });
  client.writeHandshake();
  client.readHandshake('initial', sh3);
  client.readHandshake('handshake', fromHex(v3.messages.server_encrypted_flight_plaintext.hex));
  client.readHandshake('application', nst3);
  const e = drain(client).find((x) => x.type === 'session-ticket');
  assert.ok(e && e.type === 'session-ticket');
  return e.ticket;
}

function section4Server(crypto: CryptoProvider, now = T4, antiReplay = new TlsReplayFilter()): TlsServer {
  const state = encodeTicketState({
    suite: 0x1301, psk: fromHex(s.psk), issuedAt: T3, lifetime: 30, ageAdd: 0xfad6aac5, maxEarlyData: 0x400, alpn: undefined,
    serverName: 'server', appData: new Uint8Array(0),
  });
  return new TlsServer({
    crypto, transport: 'tcp', alpnProtocols: [], now,
    certificate: { chain: [certDer], sign: () => cvSignature },
    tickets: {
      // The trace's ticket is the NSS server's; this protector maps it to the session it stands for.
      protector: { seal: () => ticketIdentity, open: (t) => (bytesEqual(t, ticketIdentity) ? state : undefined) },
      count: 0, earlyData: true, maxEarlyDataSize: 0x400, antiReplay,
    },
    fixed: {
      random: sh.subarray(6, 38),
      keyShares: [crypto.keyExchangeFromPrivate('x25519', fromHex(v.server_ephemeral_x25519.private))],
      extensions: () => eeExtensions,
    },
  });
}

for (const crypto of providers) {
  const t = suite(`RFC 8448 §4 resumed 0-RTT [${crypto.name}]`);

  t('key schedule from the Section 3 resumption secret', () => {
    const psk = hkdfExpandLabel(crypto, 'sha256', fromHex(v3.secrets.resumption_master_secret), 'resumption', fromHex(v3.secrets.ticket_nonce), 32);
    assert.is(toHex(psk), s.psk);
    const ticket = section3Ticket(crypto);
    assert.is(toHex(ticket.psk), s.psk);
    assert.is(toHex(ticket.ticket), toHex(ticketIdentity));
    assert.is(ticket.ageAdd, 0xfad6aac5);
    assert.is(ticket.lifetime, 30);
    assert.is(ticket.maxEarlyData, 0x400);
  });

  t('client reproduces the trace: ClientHello with binder, early secrets, EndOfEarlyData, Finished', () => {
    const ticket = section3Ticket(crypto);
    const client = new TlsClient({
      crypto, transport: 'tcp', alpnProtocols: [], now: T4, serverName: 'server', cipherSuites: suites,
      verify: { mode: 'insecure-accept-any' }, keyLog: true, sessionTicket: ticket, earlyData: true,
      fixed: {
        random: ch.subarray(6, 38), sessionId: new Uint8Array(0),
        keyShares: [crypto.keyExchangeFromPrivate('x25519', fromHex(v.client_ephemeral_x25519.private))],
        extensions: () => chExtensions,
      },
    });
    const hello = client.writeHandshake();
    assert.is(hello?.level, 'initial');
    assert.is(toHex(hello!.data), v.messages.client_hello);
    let events = drain(client);
    assert.is(secretOf(events, 'early', 'write'), s.client_early_traffic_secret);
    assert.is(keylog(events, 'EARLY_EXPORTER_SECRET'), s.early_exporter_master_secret);
    assert.is(keylog(events, 'CLIENT_EARLY_TRAFFIC_SECRET'), s.client_early_traffic_secret);
    client.readHandshake('initial', sh);
    events = drain(client);
    assert.is(secretOf(events, 'handshake', 'write'), s.client_handshake_traffic_secret);
    assert.is(secretOf(events, 'handshake', 'read'), s.server_handshake_traffic_secret);
    client.readHandshake('handshake', new Uint8Array([...ee, ...serverFinished]));
    const out = client.writeHandshake();
    assert.is(out?.level, 'handshake');
    assert.is(toHex(out!.data), toHex(new Uint8Array([...eoed, ...clientFinished])));
    events = drain(client);
    assert.ok(events.some((e) => e.type === 'early-data' && e.accepted));
    assert.is(secretOf(events, 'application', 'read'), s.server_application_traffic_secret_0);
    assert.is(secretOf(events, 'application', 'write'), s.client_application_traffic_secret_0);
    assert.is(keylog(events, 'EXPORTER_SECRET'), s.exporter_master_secret);
    assert.ok(events.some((e) => e.type === 'handshake-complete' && e.resumed && e.earlyData === 'accepted'));
    assert.is(toHex(client.resumptionMasterSecret!), s.resumption_master_secret);
  });

  t('server reproduces the trace: accepts the ticket and 0-RTT, ServerHello, EncryptedExtensions, Finished', () => {
    const server = section4Server(crypto);
    server.readHandshake('initial', ch);
    const hello = server.writeHandshake();
    assert.is(hello?.level, 'initial');
    assert.is(toHex(hello!.data), v.messages.server_hello);
    const flight = server.writeHandshake();
    assert.is(flight?.level, 'handshake');
    assert.is(toHex(flight!.data), toHex(new Uint8Array([...ee, ...serverFinished])));
    let events = drain(server);
    assert.ok(events.some((e) => e.type === 'early-data' && e.accepted));
    assert.is(secretOf(events, 'early', 'read'), s.client_early_traffic_secret);
    assert.is(secretOf(events, 'handshake', 'read'), s.client_handshake_traffic_secret);
    assert.is(secretOf(events, 'handshake', 'write'), s.server_handshake_traffic_secret);
    assert.is(secretOf(events, 'application', 'write'), s.server_application_traffic_secret_0);
    server.readHandshake('handshake', eoed);
    server.readHandshake('handshake', clientFinished);
    events = drain(server);
    assert.is(secretOf(events, 'application', 'read'), s.client_application_traffic_secret_0);
    assert.ok(events.some((e) => e.type === 'handshake-complete' && e.resumed));
    assert.is(toHex(server.resumptionMasterSecret!), s.resumption_master_secret);
    assert.ok(server.isResumed);
  });

  t('the same ClientHello replayed: the ticket resumes but 0-RTT is refused; too late: no 0-RTT', () => {
    const filter = new TlsReplayFilter();
    const first = section4Server(crypto, T4, filter);
    const second = section4Server(crypto, T4, filter);
    first.readHandshake('initial', ch);
    second.readHandshake('initial', ch);
    assert.is(first.earlyDataStatus, 'accepted');
    assert.is(second.earlyDataStatus, 'rejected');
    const late = section4Server(crypto, T3 + 25_000);
    late.readHandshake('initial', ch);
    assert.is(late.earlyDataStatus, 'rejected');
  });

  t('Section 3 server issues the trace NewSessionTicket', () => {
    const server = new TlsServer({
      crypto, transport: 'tcp', alpnProtocols: [], now: T3,
      certificate: { chain: [certDer], sign: () => cvSignature },
      tickets: { protector: { seal: () => ticketIdentity, open: () => undefined }, lifetime: 30, earlyData: true, maxEarlyDataSize: 0x400 },
      fixed: {
        random: sh3.subarray(6, 38), ticketAgeAdd: 0xfad6aac5, ticketNonce: fromHex(v3.secrets.ticket_nonce),
        keyShares: [crypto.keyExchangeFromPrivate('x25519', fromHex(v3.server_ephemeral_x25519.private))],
        extensions: () => decodeEncryptedExtensions(ee3!.subarray(4)).extensions,
      },
    });
    server.readHandshake('initial', ch3);
    server.writeHandshake();
    server.writeHandshake();
    server.readHandshake('handshake', fromHex(v3.messages.client_finished));
    const nst = server.writeHandshake();
    assert.is(nst?.level, 'application');
    assert.is(toHex(nst!.data), v3.messages.new_session_ticket);
  });

  t.run();
}
