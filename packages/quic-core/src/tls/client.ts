/**
 * The TLS 1.3 client handshake for QUIC (RFC 8446 §4, RFC 9001 §4), sans-IO: ClientHello at
 * the Initial level; ServerHello (or HelloRetryRequest) at Initial; EncryptedExtensions,
 * CertificateRequest, Certificate, CertificateVerify, Finished at Handshake; then the client's
 * Finished; NewSessionTicket at the application level. With a stored ticket the ClientHello
 * offers it (pre_shared_key with psk_dhe_ke, RFC 8446 §4.2.11) and, when asked and allowed,
 * 0-RTT (early_data, §4.2.10): the early traffic secret is emitted right after the ClientHello.
 * @module
 */
import { bytesEqual } from '../codec/hex.ts';
import { TransportError, TransportErrorCode } from '../errors.ts';
import { cipherSuiteById, type CipherSuite } from '../crypto/cipher-suite.ts';
import type { KeyExchangeKeyPair } from '../crypto/provider.ts';
import { parseSpki } from '../crypto/asym-keys.ts';
import { keyFitsAlgorithm } from '../crypto/pure-asymmetric.ts';
import { tlsFail } from './alerts.ts';
import { chooseSignatureScheme, signWith } from './cert-key.ts';
import { parseIpAddress, verifyCertificateChain } from './cert-verify.ts';
import type { TlsClientConfig } from './config.ts';
import { TlsEndpointBase, certificateVerifyContent } from './endpoint-base.ts';
import {
  TLS_GROUP_CODES, TLS_SIGNATURE_CODES, TlsExtensionType as X, TlsPskMode, decodeAlpn, decodeCookie, decodeEarlyDataTicket,
  decodeEmptyExtension, decodeKeyShareHrr, decodeKeyShareServer, decodeSelectedPsk, decodeSignatureAlgorithms,
  decodeSupportedVersionsServer, encodeAlpn, encodeCookie, encodeKeyShareClient, encodeOfferedPsks, encodePskModes,
  encodeServerName, encodeSignatureAlgorithms, encodeSupportedGroups, encodeSupportedVersionsClient, offeredPsksBindersLength,
  parseExtensionBlock, tlsGroupByCode, tlsSignatureByCode,
} from './extensions.ts';
import type { TlsHandshakeMessage } from './handshake-buffer.ts';
import { TlsKeySchedule } from './key-schedule.ts';
import {
  TLS13_VERSION, TlsHandshakeType as H, decodeCertificate, decodeCertificateRequest, decodeCertificateVerify,
  decodeEncryptedExtensions, decodeFinished, decodeNewSessionTicket, decodeServerHello, encodeCertificate,
  encodeCertificateVerify, encodeClientHello, encodeEndOfEarlyData, encodeFinished, isHelloRetryRequest, type TlsExtension,
} from './messages.ts';
import {
  QUIC_MAX_EARLY_DATA, TLS_MAX_TICKET_LIFETIME, obfuscateTicketAge, ticketUsable, type TlsClientTicket,
} from './session-ticket.ts';

type ClientState =
  | { readonly kind: 'wait-server-hello' }
  | { readonly kind: 'wait-encrypted-extensions' }
  | { readonly kind: 'wait-certificate-or-request' }
  | { readonly kind: 'wait-certificate' }
  | { readonly kind: 'wait-certificate-verify'; readonly chain: readonly Uint8Array[]; readonly spki: Uint8Array }
  | { readonly kind: 'wait-finished' }
  | { readonly kind: 'connected' };

/** RFC 8446 §4.1.3 downgrade sentinels in ServerHello.random's last 8 bytes. */
const DOWNGRADE_TLS12 = [0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01];
const DOWNGRADE_TLS11 = [0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x00];

/** A ticket being offered: its suite, and the key schedule started from its PSK. */
interface PskOffer {
  readonly ticket: TlsClientTicket;
  readonly suite: CipherSuite;
  readonly schedule: TlsKeySchedule;
  /** Whether 0-RTT may be attempted with it. */
  readonly earlyData: boolean;
}

export class TlsClient extends TlsEndpointBase {
  readonly side = 'client' as const;
  private state: ClientState = { kind: 'wait-server-hello' };
  private readonly sessionId: Uint8Array;
  private keyShares: KeyExchangeKeyPair[] = [];
  private offered = new Set<number>();
  private retried = false;
  private hrrSuite: number | undefined;
  private handshakeSecrets: { client: Uint8Array; server: Uint8Array } | undefined;
  private certificateRequest: { context: Uint8Array; schemes: number[] } | undefined;
  private resumptionMaster: Uint8Array | undefined;
  private offer: PskOffer | undefined;
  /** The ticket of {@link offer}, kept after the handshake drops the offer's key schedule. */
  private ticketOffered: TlsClientTicket | undefined;
  /** The latest ClientHello carried early_data. */
  private earlyInFlight = false;

  constructor(private readonly client: TlsClientConfig) {
    super(client);
    const fixed = client.fixed;
    this.clientRandom = fixed?.random ?? client.crypto.randomBytes(32);
    // RFC 9001 §8.4: QUIC clients send an empty legacy_session_id; over TCP, 32 bytes (RFC 8446 §4.1.2 compatibility)
    this.sessionId = fixed?.sessionId ?? (this.transport === 'tcp' ? client.crypto.randomBytes(32) : new Uint8Array(0));
    const shareGroups = client.keyShareGroups ?? this.groups.slice(0, 1);
    this.keyShares = shareGroups.map((g) => this.makeKeyShare(g));
    this.offer = this.pickTicket();
    this.ticketOffered = this.offer?.ticket;
    this.sendClientHello();
  }

  /** The ticket offered in the ClientHello, if any (its transport parameters govern 0-RTT, RFC 9000 §7.4.1). */
  get offeredTicket(): TlsClientTicket | undefined {
    return this.ticketOffered;
  }

  private get ticketKey(): string {
    return this.client.ticketKey ?? this.client.serverName ?? '';
  }

  /** The ticket to offer: configured or from the store, usable now, with a hash among our suites. */
  private pickTicket(): PskOffer | undefined {
    const c = this.client;
    const ticket = c.sessionTicket ?? c.ticketStore?.take(this.ticketKey, c.now);
    if (!ticket || !ticketUsable(ticket.receivedAt, ticket.lifetime, c.now)) return undefined;
    const suite = cipherSuiteById(ticket.suite);
    // RFC 8446 §4.2.11: a PSK is offered only with a cipher suite of its hash
    if (!suite || !this.suites.some((s) => s.hash === suite.hash)) return undefined;
    const earlyData = c.earlyData === true && ticket.maxEarlyData > 0
      && this.suites.some((s) => s.id === suite.id) // RFC 8446 §4.2.10: 0-RTT uses the ticket's suite
      && (ticket.alpn === undefined ? c.alpnProtocols.length === 0 : c.alpnProtocols.includes(ticket.alpn))
      && (this.transport !== 'quic' || ticket.maxEarlyData === QUIC_MAX_EARLY_DATA);
    return { ticket, suite, schedule: new TlsKeySchedule(this.crypto, suite.hash, ticket.psk), earlyData };
  }

  private makeKeyShare(group: KeyExchangeKeyPair['group']): KeyExchangeKeyPair {
    const fixed = this.client.fixed?.keyShares?.find((k) => k.group === group);
    return fixed ?? this.crypto.keyExchangeGenerate(group);
  }

  private sendClientHello(cookie?: Uint8Array): void {
    const c = this.client;
    const ext: TlsExtension[] = [];
    if (c.serverName !== undefined && !parseIpAddress(c.serverName)) ext.push({ type: X.server_name, data: encodeServerName(c.serverName) }); // RFC 6066 §3: no IP literals
    ext.push({ type: X.supported_groups, data: encodeSupportedGroups(this.groups.map((g) => TLS_GROUP_CODES[g])) });
    ext.push({ type: X.signature_algorithms, data: encodeSignatureAlgorithms(this.schemes.map((s) => TLS_SIGNATURE_CODES[s])) });
    if (c.alpnProtocols.length) ext.push({ type: X.application_layer_protocol_negotiation, data: encodeAlpn(c.alpnProtocols) });
    ext.push({
      type: X.key_share,
      data: encodeKeyShareClient(this.keyShares.map((k) => ({ group: TLS_GROUP_CODES[k.group], keyExchange: k.publicKey }))),
    });
    ext.push({ type: X.supported_versions, data: encodeSupportedVersionsClient([TLS13_VERSION]) });
    ext.push({ type: X.psk_key_exchange_modes, data: encodePskModes([TlsPskMode.psk_dhe_ke]) });
    if (cookie) ext.push({ type: X.cookie, data: encodeCookie(cookie) });
    const offer = this.offer;
    // RFC 8446 §4.2.10: never early_data in the ClientHello that answers a HelloRetryRequest
    if (offer?.earlyData && !this.retried) ext.push({ type: X.early_data, data: new Uint8Array(0) });
    if (this.transport === 'quic') ext.push({ type: X.quic_transport_parameters, data: c.transportParameters! });
    const extensions = [...(c.fixed?.extensions ? c.fixed.extensions('client_hello', ext) : ext)];
    let bindersLength = 0;
    if (offer) {
      // RFC 8446 §4.2.11: pre_shared_key comes last; its binder is filled in below
      const binders = [new Uint8Array(offer.schedule.hashLength)];
      const age = obfuscateTicketAge(c.now - offer.ticket.receivedAt, offer.ticket.ageAdd);
      extensions.push({ type: X.pre_shared_key, data: encodeOfferedPsks({ identities: [{ identity: offer.ticket.ticket, obfuscatedTicketAge: age }], binders }) });
      bindersLength = offeredPsksBindersLength(binders);
    }
    for (const e of extensions) this.offered.add(e.type);
    const ch = encodeClientHello({
      random: this.clientRandom, sessionId: this.sessionId, cipherSuites: this.suites.map((s) => s.id),
      compressionMethods: Uint8Array.of(0), extensions,
    });
    if (offer) {
      // RFC 8446 §4.2.11.2: the binder covers the transcript up to the truncated ClientHello
      const truncated = ch.subarray(0, ch.length - bindersLength);
      const hash = this.retried ? this.transcript.digestWith(truncated) : this.crypto.hash(offer.suite.hash, truncated);
      ch.set(offer.schedule.pskBinder(true, hash), ch.length - offer.schedule.hashLength);
    }
    this.earlyInFlight = offer !== undefined && extensions.some((e) => e.type === X.early_data);
    this.send('initial', ch);
    if (offer && this.earlyInFlight) {
      // RFC 8446 §7.1: client_early_traffic_secret over the ClientHello; RFC 9001 §4.6.1 keys 0-RTT with it
      const chHash = this.crypto.hash(offer.suite.hash, ch);
      this.emitSecret('early', 'client', offer.schedule.clientEarlyTrafficSecret(chHash), offer.suite);
      this.keyLog('EARLY_EXPORTER_SECRET', offer.schedule.earlyExporterMasterSecret(chHash));
    }
  }

  protected handleMessage(m: TlsHandshakeMessage): void {
    const s = this.state;
    switch (s.kind) {
      case 'wait-server-hello':
        if (m.type !== H.server_hello) tlsFail('unexpected_message', `expected ServerHello, got ${m.type}`);
        return this.onServerHello(m);
      case 'wait-encrypted-extensions':
        if (m.type !== H.encrypted_extensions) tlsFail('unexpected_message', `expected EncryptedExtensions, got ${m.type}`);
        return this.onEncryptedExtensions(m);
      case 'wait-certificate-or-request':
      case 'wait-certificate':
        if (m.type === H.certificate_request && s.kind === 'wait-certificate-or-request') return this.onCertificateRequest(m);
        if (m.type !== H.certificate) tlsFail('unexpected_message', `expected Certificate, got ${m.type}`);
        return this.onCertificate(m);
      case 'wait-certificate-verify':
        if (m.type !== H.certificate_verify) tlsFail('unexpected_message', `expected CertificateVerify, got ${m.type}`);
        return this.onCertificateVerify(m, s.spki);
      case 'wait-finished':
        if (m.type !== H.finished) tlsFail('unexpected_message', `expected Finished, got ${m.type}`);
        return this.onFinished(m);
      case 'connected':
        if (m.type !== H.new_session_ticket) tlsFail('unexpected_message', `unexpected post-handshake message ${m.type}`);
        return this.onNewSessionTicket(m);
    }
  }

  private onServerHello(m: TlsHandshakeMessage): void {
    const sh = decodeServerHello(m.body);
    const hrr = isHelloRetryRequest(sh);
    const ext = parseExtensionBlock(sh.extensions, hrr ? 'HRR' : 'SH', this.offered);
    const versionExt = ext.get(X.supported_versions);
    if (!versionExt) {
      // A TLS 1.2-or-older ServerHello: RFC 8446 §4.1.3 downgrade protection first.
      const tail = [...sh.random.subarray(24)];
      if ([DOWNGRADE_TLS12, DOWNGRADE_TLS11].some((d) => d.every((b, i) => b === tail[i]))) tlsFail('illegal_parameter', 'downgrade sentinel in ServerHello.random');
      tlsFail('protocol_version', 'server did not negotiate TLS 1.3');
    }
    if (decodeSupportedVersionsServer(versionExt) !== TLS13_VERSION) tlsFail('illegal_parameter', 'server selected a version not offered'); // §4.2.1
    if (!bytesEqual(sh.sessionId, this.sessionId)) tlsFail('illegal_parameter', 'legacy_session_id_echo mismatch');
    if (sh.compressionMethod !== 0) tlsFail('illegal_parameter', 'non-zero legacy_compression_method');
    const suite = cipherSuiteById(sh.cipherSuite);
    if (!suite || !this.suites.includes(suite)) tlsFail('illegal_parameter', 'server selected a cipher suite not offered');
    if (this.hrrSuite !== undefined && this.hrrSuite !== sh.cipherSuite) tlsFail('illegal_parameter', 'cipher suite differs from HelloRetryRequest'); // §4.1.4
    this.suite = suite;
    this.transcript.setHash(suite.hash);

    if (hrr) return this.onHelloRetryRequest(ext, m);

    const shareData = ext.get(X.key_share);
    if (!shareData) tlsFail('missing_extension', 'ServerHello without key_share');
    const share = decodeKeyShareServer(shareData);
    const mine = this.keyShares.find((k) => TLS_GROUP_CODES[k.group] === share.group);
    if (!mine) tlsFail('illegal_parameter', 'server key_share for a group we did not offer');
    const shared = this.crypto.keyExchangeSecret(mine.group, mine.privateKey, share.keyExchange);
    if (!shared) tlsFail('illegal_parameter', 'invalid server key share');
    const pskData = ext.get(X.pre_shared_key); // only present when offered (parseExtensionBlock)
    if (pskData) {
      // RFC 8446 §4.2.11: an index we offered, and a suite with the PSK's hash
      if (decodeSelectedPsk(pskData) !== 0 || !this.offer) tlsFail('illegal_parameter', 'server selected a PSK that was not offered');
      if (this.offer.suite.hash !== suite.hash) tlsFail('illegal_parameter', "cipher suite does not match the PSK's hash");
      this.resumed = true;
    }
    this.transcript.add(m.raw);
    this.schedule = this.resumed ? this.offer!.schedule : new TlsKeySchedule(this.crypto, suite.hash);
    this.schedule.toHandshake(shared);
    this.handshakeSecrets = this.schedule.handshakeTrafficSecrets(this.transcript.digest());
    this.emitSecret('handshake', 'server', this.handshakeSecrets.server);
    this.emitSecret('handshake', 'client', this.handshakeSecrets.client);
    this.state = { kind: 'wait-encrypted-extensions' };
    this.setReadLevel('handshake');
  }

  private onHelloRetryRequest(ext: Map<number, Uint8Array>, m: TlsHandshakeMessage): void {
    if (this.retried) tlsFail('unexpected_message', 'second HelloRetryRequest'); // RFC 8446 §4.1.4
    this.retried = true;
    this.hrrSuite = this.suite!.id;
    const groupData = ext.get(X.key_share);
    const cookieData = ext.get(X.cookie);
    if (!groupData && !cookieData) tlsFail('illegal_parameter', 'HelloRetryRequest that would not change the ClientHello');
    let shares = this.keyShares;
    if (groupData) {
      const code = decodeKeyShareHrr(groupData);
      const group = tlsGroupByCode(code);
      // RFC 8446 §4.2.8: the group must be supported and not one we already sent a share for
      if (!group || !this.groups.includes(group) || this.keyShares.some((k) => k.group === group)) {
        tlsFail('illegal_parameter', 'HelloRetryRequest selected an unacceptable group');
      }
      shares = [this.makeKeyShare(group)];
    }
    this.keyShares = shares;
    // RFC 8446 §4.1.4: 0-RTT is over; a PSK stays only if its hash fits the selected suite
    if (this.earlyInFlight) this.settleEarlyData(false);
    if (this.offer && this.offer.suite.hash !== this.suite!.hash) this.offer = this.ticketOffered = undefined;
    this.transcript.replaceWithMessageHash();
    this.transcript.add(m.raw);
    this.offered = new Set();
    this.sendClientHello(cookieData ? decodeCookie(cookieData) : undefined);
  }

  private onEncryptedExtensions(m: TlsHandshakeMessage): void {
    const ee = decodeEncryptedExtensions(m.body);
    const ext = parseExtensionBlock(ee.extensions, 'EE', this.offered);
    const alpnData = ext.get(X.application_layer_protocol_negotiation);
    if (alpnData) {
      const list = decodeAlpn(alpnData);
      // RFC 7301 §3.1: exactly one protocol, one that we offered
      if (list.length !== 1 || !this.client.alpnProtocols.includes(list[0]!)) tlsFail('illegal_parameter', 'server selected an ALPN protocol not offered');
      this.alpn = list[0]!;
      this.emit({ type: 'alpn', protocol: this.alpn });
    } else if (this.transport === 'quic') {
      tlsFail('no_application_protocol', 'server selected no application protocol'); // RFC 9001 §8.1
    }
    const sni = ext.get(X.server_name);
    if (sni && sni.length !== 0) tlsFail('decode_error', 'server_name in EncryptedExtensions must be empty'); // RFC 6066 §3
    const params = ext.get(X.quic_transport_parameters);
    if (this.transport === 'quic') {
      if (!params) tlsFail('missing_extension', 'server sent no quic_transport_parameters'); // RFC 9001 §8.2
      this.peerParams = params;
      this.emit({ type: 'transport-parameters', parameters: params });
    }
    const early = ext.get(X.early_data); // only present when offered in the latest ClientHello
    if (early) {
      decodeEmptyExtension('early_data', early);
      // RFC 8446 §4.2.10: accepting 0-RTT needs the first PSK and the ticket's cipher suite
      if (!this.resumed || this.suite!.id !== this.offer!.ticket.suite) tlsFail('illegal_parameter', 'early_data accepted without the offered PSK');
    }
    if (this.earlyInFlight) this.settleEarlyData(early !== undefined);
    this.transcript.add(m.raw);
    // RFC 8446 §2.2: a resumed handshake has no certificates (and §4.3.2: no CertificateRequest)
    this.state = this.resumed ? { kind: 'wait-finished' } : { kind: 'wait-certificate-or-request' };
  }

  private settleEarlyData(accepted: boolean): void {
    this.earlyInFlight = false;
    this.earlyData = accepted ? 'accepted' : 'rejected';
    this.emit({ type: 'early-data', accepted });
  }

  private onCertificateRequest(m: TlsHandshakeMessage): void {
    const cr = decodeCertificateRequest(m.body);
    if (cr.context.length !== 0) tlsFail('illegal_parameter', 'non-empty certificate_request_context during the handshake'); // §4.3.2
    const ext = parseExtensionBlock(cr.extensions, 'CR');
    const sigs = ext.get(X.signature_algorithms);
    if (!sigs) tlsFail('missing_extension', 'CertificateRequest without signature_algorithms');
    this.certificateRequest = { context: cr.context, schemes: decodeSignatureAlgorithms(sigs) };
    this.transcript.add(m.raw);
    this.state = { kind: 'wait-certificate' };
  }

  private onCertificate(m: TlsHandshakeMessage): void {
    const cert = decodeCertificate(m.body);
    if (cert.context.length !== 0) tlsFail('illegal_parameter', 'server Certificate with a request context');
    if (cert.entries.length === 0) tlsFail('decode_error', 'server sent an empty Certificate'); // RFC 8446 §4.4.2.4
    for (const e of cert.entries) parseExtensionBlock(e.extensions, 'CT', new Set());
    const chain = cert.entries.map((e) => e.data);
    const serverName = this.client.verify.mode === 'chain' ? this.client.serverName : undefined;
    const leaf = verifyCertificateChain(this.crypto, chain, this.client.verify, { now: this.client.now, serverName, peer: 'server' });
    this.transcript.add(m.raw);
    this.emit({ type: 'peer-certificates', chain });
    this.state = { kind: 'wait-certificate-verify', chain, spki: leaf.spki };
  }

  private onCertificateVerify(m: TlsHandshakeMessage, spki: Uint8Array): void {
    const cv = decodeCertificateVerify(m.body);
    const scheme = tlsSignatureByCode(cv.scheme);
    if (!scheme || !this.schemes.includes(scheme)) tlsFail('illegal_parameter', `CertificateVerify with a scheme not offered: ${cv.scheme}`);
    let fits = false;
    try {
      fits = keyFitsAlgorithm(scheme, parseSpki(spki));
    } catch {
      tlsFail('unsupported_certificate', 'server certificate key is not supported');
    }
    if (!fits) tlsFail('illegal_parameter', `${scheme} does not match the certificate key`);
    const content = certificateVerifyContent('server', this.transcript.digest());
    if (!this.crypto.verify(scheme, spki, content, cv.signature)) tlsFail('decrypt_error', 'CertificateVerify signature does not verify');
    this.transcript.add(m.raw);
    this.state = { kind: 'wait-finished' };
  }

  private onFinished(m: TlsHandshakeMessage): void {
    const fin = decodeFinished(m.body, this.schedule!.hashLength);
    this.checkFinished(fin.verifyData, this.handshakeSecrets!.server);
    this.transcript.add(m.raw);
    const schedule = this.schedule!;
    schedule.toMaster();
    const app = schedule.applicationSecrets(this.transcript.digest());
    this.exporterSecret = app.exporter;
    this.emitSecret('application', 'server', app.server);
    // RFC 8446 §4.5: over TCP, accepted early data ends with EndOfEarlyData (never in QUIC, RFC 9001 §8.3)
    if (this.transport === 'tcp' && this.earlyData === 'accepted') this.send('handshake', encodeEndOfEarlyData());
    this.sendClientAuth();
    const verifyData = schedule.finishedVerifyData(this.handshakeSecrets!.client, this.transcript.digest());
    this.send('handshake', encodeFinished({ verifyData }));
    this.resumptionMaster = schedule.resumptionMasterSecret(this.transcript.digest());
    this.emitSecret('application', 'client', app.client);
    this.keyLog('EXPORTER_SECRET', app.exporter);
    this.state = { kind: 'connected' };
    this.setReadLevel('application');
    this.finish();
    this.releaseHandshakeState();
  }

  /** RFC 8446 §4.6.1: derive the ticket's PSK, keep it, and report it. */
  private onNewSessionTicket(m: TlsHandshakeMessage): void {
    const nst = decodeNewSessionTicket(m.body);
    const ext = parseExtensionBlock(nst.extensions, 'NST');
    const early = ext.get(X.early_data);
    const maxEarlyData = early ? decodeEarlyDataTicket(early) : 0;
    if (early && this.transport === 'quic' && maxEarlyData !== QUIC_MAX_EARLY_DATA) {
      // RFC 9001 §4.6.1
      throw new TransportError(TransportErrorCode.PROTOCOL_VIOLATION, 'NewSessionTicket max_early_data_size is not 0xffffffff', 0x06);
    }
    if (nst.lifetime === 0) return; // RFC 8446 §4.6.1: discard at once
    const suite = this.suite!;
    const ticket: TlsClientTicket = {
      ticket: nst.ticket.slice(),
      psk: TlsKeySchedule.ticketPsk(this.crypto, suite.hash, this.resumptionMaster!, nst.nonce),
      suite: suite.id,
      ageAdd: nst.ageAdd,
      lifetime: Math.min(nst.lifetime, TLS_MAX_TICKET_LIFETIME),
      receivedAt: this.clock,
      maxEarlyData,
      alpn: this.alpn,
      serverName: this.client.serverName,
      transportParameters: this.peerParams,
    };
    this.client.ticketStore?.put(this.ticketKey, ticket);
    this.emit({ type: 'session-ticket', ticket });
  }

  /** Only NewSessionTicket can follow (RFC 9001 §4.4: no post-handshake authentication in QUIC). */
  protected override releaseHandshakeState(): void {
    super.releaseHandshakeState();
    this.keyShares = [];
    this.offer = undefined;
    this.offered = new Set();
    this.handshakeSecrets = undefined;
    this.certificateRequest = undefined;
  }

  /** RFC 8446 §4.4.2: answer a CertificateRequest with our chain (possibly empty) and a CertificateVerify. */
  private sendClientAuth(): void {
    const req = this.certificateRequest;
    if (!req) return;
    const key = this.client.certificate;
    if (!key) {
      this.send('handshake', encodeCertificate({ context: req.context, entries: [] }));
      return;
    }
    const scheme = chooseSignatureScheme(key, this.schemes, req.schemes);
    this.send('handshake', encodeCertificate({ context: req.context, entries: key.chain.map((data) => ({ data, extensions: [] })) }));
    const signature = signWith(this.crypto, key, scheme, certificateVerifyContent('client', this.transcript.digest()));
    this.send('handshake', encodeCertificateVerify({ scheme: TLS_SIGNATURE_CODES[scheme], signature }));
  }

  /** The resumption master secret (RFC 8446 §7.1), once the handshake is complete. */
  get resumptionMasterSecret(): Uint8Array | undefined {
    return this.resumptionMaster;
  }
}
