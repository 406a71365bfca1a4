import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  TlsClient, TlsMemoryTicketStore, TlsReplayFilter, TlsServer, TlsTicketKeyring, TransportError, derToPem, encodeEarlyDataTicket,
  encodeNewSessionTicket, toHex, type CryptoProvider, type TlsClientConfig, type TlsClientTicket, type TlsEvent,
  type TlsServerConfig, type TlsServerTicketConfig,
} from '@quicts/quic-core';
import { providers } from '../providers.ts';
import { NOW, drain, keys, makeCertificate, pump } from './helpers.ts';

const secret = (events: TlsEvent[], level: string, direction: string): string | undefined => {
  const e = events.find((x) => x.type === 'secret' && x.level === level && x.direction === direction);
  return e && e.type === 'secret' ? toHex(e.secret) : undefined;
};

function world(crypto: CryptoProvider, transport: 'quic' | 'tcp' = 'quic') {
  const ca = makeCertificate(crypto, { subject: 'Test CA', subjectKey: keys.ca, issuer: 'Test CA', issuerKey: keys.ca, isCa: true });
  const leaf = makeCertificate(crypto, { subject: 'server', subjectKey: keys.p256, issuer: 'Test CA', issuerKey: keys.ca, names: ['example.test'] });
  const store = new TlsMemoryTicketStore();
  const tickets: TlsServerTicketConfig = {
    protector: new TlsTicketKeyring(crypto), earlyData: true, antiReplay: new TlsReplayFilter(), appData: Uint8Array.of(1),
  };
  const quic = transport === 'quic';
  const client = (extra: Partial<TlsClientConfig> = {}): TlsClient => new TlsClient({
    crypto, alpnProtocols: ['h3', 'hq-interop'], now: NOW, serverName: 'example.test', transport,
    verify: { mode: 'chain', trustAnchors: [derToPem(ca)] }, ticketStore: store, earlyData: true,
    ...(quic ? { transportParameters: Uint8Array.of(1) } : {}), ...extra,
  });
  const server = (extra: Partial<TlsServerConfig> = {}): TlsServer => new TlsServer({
    crypto, alpnProtocols: ['h3'], now: NOW, certificate: { chain: [leaf], privateKey: keys.p256.pkcs8 }, tickets, transport,
    ...(quic ? { transportParameters: Uint8Array.of(2) } : {}), ...extra,
  });
  const prime = (): TlsClientTicket => {
    const c = client();
    pump(c, server());
    const ev = drain(c).find((e) => e.type === 'session-ticket');
    assert.ok(ev && ev.type === 'session-ticket');
    return ev.ticket;
  };
  return { store, tickets, client, server, prime };
}

for (const crypto of providers) {
  const t = suite(`TLS 0-RTT [${crypto.name}]`);

  t('QUIC tickets allow 0-RTT with max_early_data_size 0xffffffff', () => {
    const w = world(crypto);
    assert.is(w.prime().maxEarlyData, 0xffffffff);
  });

  t('accepted: early secrets right after the ClientHello, early_data in EncryptedExtensions, events on both sides', () => {
    const w = world(crypto);
    w.prime();
    const client = w.client({ now: NOW + 2000, keyLog: true });
    const first = drain(client);
    assert.is(first[0]?.type, 'secret', 'the early secret comes with the ClientHello');
    const early = secret(first, 'early', 'write');
    assert.ok(early);
    assert.ok(first.some((e) => e.type === 'keylog' && e.line.startsWith('CLIENT_EARLY_TRAFFIC_SECRET ')));
    assert.ok(first.some((e) => e.type === 'keylog' && e.line.startsWith('EARLY_EXPORTER_SECRET ')));
    assert.is(client.offeredTicket?.maxEarlyData, 0xffffffff);
    const server = w.server({ now: NOW + 2000 });
    pump(client, server);
    const se = drain(server);
    const ce = drain(client);
    assert.is(secret(se, 'early', 'read'), early);
    assert.ok(se.findIndex((e) => e.type === 'secret' && e.level === 'early') < se.findIndex((e) => e.type === 'secret' && e.level === 'handshake'));
    assert.ok(ce.some((e) => e.type === 'early-data' && e.accepted));
    assert.ok(se.some((e) => e.type === 'early-data' && e.accepted));
    assert.ok(ce.some((e) => e.type === 'handshake-complete' && e.resumed && e.earlyData === 'accepted'));
    assert.is(client.earlyDataStatus, 'accepted');
    assert.is(server.earlyDataStatus, 'accepted');
  });

  const rejected = (what: string, setup: (w: ReturnType<typeof world>) => { client: TlsClient; server: TlsServer }, resumed = true) => {
    t(`rejected: ${what}`, () => {
      const w = world(crypto);
      w.prime();
      const { client, server } = setup(w);
      assert.ok(secret(drain(client), 'early', 'write'), 'the client tried');
      pump(client, server);
      const ce = drain(client);
      const se = drain(server);
      assert.ok(ce.some((e) => e.type === 'early-data' && !e.accepted));
      assert.is(secret(se, 'early', 'read'), undefined);
      assert.is(client.earlyDataStatus, 'rejected');
      assert.is(client.isResumed, resumed);
      assert.not.ok(client.isHandshaking);
    });
  };
  rejected('ticket too old (client and server ages differ by more than the window)', (w) => ({
    client: w.client({ now: NOW + 1000 }), server: w.server({ now: NOW + 60_000 }),
  }));
  rejected('ALPN changed', (w) => ({ client: w.client(), server: w.server({ alpnProtocols: ['hq-interop', 'h3'] }) }));
  rejected('anti-replay hook says no', (w) => ({
    client: w.client(), server: w.server({ tickets: { ...w.tickets, antiReplay: { accept: () => false } } }),
  }));
  rejected('no anti-replay configured', (w) => ({
    client: w.client(), server: w.server({ tickets: { protector: w.tickets.protector, earlyData: true } }),
  }));
  rejected("the application's decision (transport parameters no longer fit)", (w) => ({
    client: w.client(),
    server: w.server({ tickets: { ...w.tickets, acceptEarlyData: (info) => info.state.appData[0] === 2 } }),
  }));
  rejected('0-RTT disabled on the server now', (w) => ({ client: w.client(), server: w.server({ tickets: { ...w.tickets, earlyData: false } }) }));
  rejected('HelloRetryRequest', (w) => ({
    client: w.client({ groups: ['secp384r1', 'x25519'], keyShareGroups: ['secp384r1'] }), server: w.server({ groups: ['x25519'] }),
  }));
  rejected('unknown ticket: full handshake', (w) => ({
    client: w.client(), server: w.server({ tickets: { ...w.tickets, protector: new TlsTicketKeyring(crypto) } }),
  }), false);

  t('a replayed ClientHello gets no 0-RTT (single-use tickets)', () => {
    const w = world(crypto);
    const ticket = w.prime();
    const first = w.client({ sessionTicket: ticket });
    const ch = first.writeHandshake()!.data;
    const s1 = w.server();
    s1.readHandshake('initial', ch);
    assert.is(s1.earlyDataStatus, 'accepted');
    const s2 = w.server();
    s2.readHandshake('initial', ch);
    assert.is(s2.earlyDataStatus, 'rejected');
  });

  t('the client asks for no 0-RTT without earlyData, or when the ticket does not allow it', () => {
    const w = world(crypto);
    const ticket = w.prime();
    const quiet = w.client({ sessionTicket: ticket, earlyData: false });
    assert.is(secret(drain(quiet), 'early', 'write'), undefined);
    const noEarly = w.client({ sessionTicket: { ...ticket, maxEarlyData: 0 } });
    assert.is(secret(drain(noEarly), 'early', 'write'), undefined);
    const otherAlpn = w.client({ sessionTicket: ticket, alpnProtocols: ['hq-interop'] });
    assert.is(secret(drain(otherAlpn), 'early', 'write'), undefined);
    pump(quiet, w.server());
    assert.is(quiet.earlyDataStatus, 'none');
    assert.ok(quiet.isResumed);
  });

  t('QUIC: a NewSessionTicket with max_early_data_size other than 0xffffffff is PROTOCOL_VIOLATION', () => {
    const w = world(crypto);
    const client = w.client();
    pump(client, w.server({ tickets: { ...w.tickets, count: 0 } }));
    const nst = encodeNewSessionTicket({
      lifetime: 60, ageAdd: 1, nonce: Uint8Array.of(0), ticket: Uint8Array.of(1, 2, 3),
      extensions: [{ type: 42, data: encodeEarlyDataTicket(0x4000) }],
    });
    try {
      client.readHandshake('application', nst);
      assert.unreachable('accepted');
    } catch (e) {
      assert.instance(e, TransportError);
      assert.is((e as TransportError).code, 0x0a);
    }
  });

  t('TLS over TCP: accepted early data ends with EndOfEarlyData', () => {
    const w = world(crypto, 'tcp');
    const ticket = w.prime();
    assert.is(ticket.maxEarlyData, 16384);
    const client = w.client({ sessionTicket: ticket });
    const server = w.server();
    const types: number[] = [];
    pump(client, server, {
      tamper: (from, level, data) => {
        if (from === 'client' && level === 'handshake') for (let i = 0; i < data.length; i += 4 + ((data[i + 1]! << 16) | (data[i + 2]! << 8) | data[i + 3]!)) types.push(data[i]!);
        return data;
      },
    });
    assert.equal(types, [5, 20]);
    assert.is(server.earlyDataStatus, 'accepted');
    assert.not.ok(server.isHandshaking);
  });

  t('early_data in the ClientHello after HelloRetryRequest: illegal_parameter', () => {
    const w = world(crypto);
    const ticket = w.prime();
    const server = w.server({ groups: ['x25519'] });
    const first = w.client({ sessionTicket: ticket, groups: ['secp384r1', 'x25519'], keyShareGroups: ['secp384r1'] });
    server.readHandshake('initial', first.writeHandshake()!.data);
    // a second ClientHello that still asks for 0-RTT
    const again = w.client({ sessionTicket: ticket, groups: ['secp384r1', 'x25519'], keyShareGroups: ['x25519'] });
    try {
      server.readHandshake('initial', again.writeHandshake()!.data);
      assert.unreachable('accepted');
    } catch (e) {
      assert.is((e as { code?: number }).code, 47);
    }
  });

  t.run();
}
