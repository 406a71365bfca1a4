/**
 * The TLS 1.3 server handshake for QUIC (RFC 8446 §4, RFC 9001 §4), sans-IO: ClientHello at
 * the Initial level (HelloRetryRequest when no offered key share fits), then ServerHello at
 * Initial and EncryptedExtensions, [CertificateRequest], Certificate, CertificateVerify,
 * Finished at Handshake; the client's [Certificate, CertificateVerify] and Finished at Handshake.
 * A ClientHello offering one of our tickets resumes (no certificates, RFC 8446 §2.2), possibly
 * with 0-RTT; after the handshake, NewSessionTickets go out at the application level.
 * @module
 */
import { bytesEqual } from '../codec/hex.ts';
import type { CipherSuite } from '../crypto/cipher-suite.ts';
import type { KeyExchangeGroup, SignatureScheme } from '../crypto/provider.ts';
import { parseSpki } from '../crypto/asym-keys.ts';
import { keyFitsAlgorithm } from '../crypto/pure-asymmetric.ts';
import { tlsFail } from './alerts.ts';
import { chooseSignatureScheme, signWith } from './cert-key.ts';
import { verifyCertificateChain } from './cert-verify.ts';
import type { TlsServerConfig } from './config.ts';
import { TlsEndpointBase, certificateVerifyContent } from './endpoint-base.ts';
import {
  TLS_GROUP_CODES, TLS_SIGNATURE_CODES, TlsExtensionType as X, TlsPskMode, decodeAlpn, decodeEmptyExtension,
  decodeKeyShareClient, decodeOfferedPsks, decodePskModes, decodeServerName, decodeSignatureAlgorithms, decodeSupportedGroups,
  decodeSupportedVersionsClient, encodeAlpn, encodeEarlyDataTicket, encodeKeyShareHrr, encodeKeyShareServer,
  encodeSelectedPsk, encodeSignatureAlgorithms, encodeSupportedVersionsServer, offeredPsksBindersLength, parseExtensionBlock,
  tlsSignatureByCode, type TlsKeyShareEntry,
} from './extensions.ts';
import type { TlsHandshakeMessage } from './handshake-buffer.ts';
import { TlsKeySchedule } from './key-schedule.ts';
import {
  HELLO_RETRY_REQUEST_RANDOM, TLS13_VERSION, TlsHandshakeType as H, decodeCertificate, decodeCertificateVerify,
  decodeClientHello, decodeEndOfEarlyData, decodeFinished, encodeCertificate, encodeCertificateRequest, encodeCertificateVerify,
  encodeEncryptedExtensions, encodeFinished, encodeNewSessionTicket, encodeServerHello, type TlsClientHello, type TlsExtension,
} from './messages.ts';
import { acceptEarlyData, findResumableTicket, type TlsResumableTicket } from './server-psk.ts';
import { QUIC_MAX_EARLY_DATA, TLS_MAX_TICKET_LIFETIME, encodeTicketState, type TlsTicketState } from './session-ticket.ts';

type ServerState =
  | { readonly kind: 'wait-client-hello' }
  | { readonly kind: 'wait-second-client-hello'; readonly suite: CipherSuite; readonly group: KeyExchangeGroup }
  | { readonly kind: 'wait-end-of-early-data' }
  | { readonly kind: 'wait-client-certificate' }
  | { readonly kind: 'wait-client-certificate-verify'; readonly spki: Uint8Array }
  | { readonly kind: 'wait-client-finished' }
  | { readonly kind: 'connected' };

export class TlsServer extends TlsEndpointBase {
  readonly side = 'server' as const;
  private state: ServerState = { kind: 'wait-client-hello' };
  private handshakeSecrets: { client: Uint8Array; server: Uint8Array } | undefined;
  private clientAppSecret: Uint8Array | undefined;
  private resumptionMaster: Uint8Array | undefined;
  private requestedName: string | undefined;
  private resumedState: TlsTicketState | undefined;
  private ticketsIssued = 0;

  constructor(private readonly server: TlsServerConfig) {
    super(server);
    if (server.certificate.chain.length === 0) throw new TypeError('server certificate chain is empty');
  }

  /** The ticket state of a resumed session (its `appData` is what the application bound to it). */
  get resumedSession(): TlsTicketState | undefined {
    return this.resumedState;
  }

  /** The server_name the client asked for. */
  get serverName(): string | undefined {
    return this.requestedName;
  }

  protected handleMessage(m: TlsHandshakeMessage): void {
    const s = this.state;
    switch (s.kind) {
      case 'wait-client-hello':
      case 'wait-second-client-hello':
        if (m.type !== H.client_hello) tlsFail('unexpected_message', `expected ClientHello, got ${m.type}`);
        return this.onClientHello(m, s.kind === 'wait-second-client-hello' ? s : undefined);
      case 'wait-end-of-early-data':
        if (m.type !== H.end_of_early_data) tlsFail('unexpected_message', `expected EndOfEarlyData, got ${m.type}`);
        decodeEndOfEarlyData(m.body);
        this.transcript.add(m.raw);
        this.state = { kind: 'wait-client-finished' };
        return;
      case 'wait-client-certificate':
        if (m.type !== H.certificate) tlsFail('unexpected_message', `expected Certificate, got ${m.type}`);
        return this.onClientCertificate(m);
      case 'wait-client-certificate-verify':
        if (m.type !== H.certificate_verify) tlsFail('unexpected_message', `expected CertificateVerify, got ${m.type}`);
        return this.onClientCertificateVerify(m, s.spki);
      case 'wait-client-finished':
        if (m.type !== H.finished) tlsFail('unexpected_message', `expected Finished, got ${m.type}`);
        return this.onClientFinished(m);
      case 'connected':
        tlsFail('unexpected_message', `unexpected post-handshake message ${m.type}`);
    }
  }

  private onClientHello(m: TlsHandshakeMessage, retry?: { suite: CipherSuite; group: KeyExchangeGroup }): void {
    const ch = decodeClientHello(m.body);
    if (this.transport === 'quic' && ch.sessionId.length > 0) this.quicSessionIdViolation();
    if (ch.compressionMethods.length !== 1 || ch.compressionMethods[0] !== 0) tlsFail('illegal_parameter', 'legacy_compression_methods must be [0]'); // §4.1.2
    const ext = parseExtensionBlock(ch.extensions, 'CH');
    if (ch.extensions.findIndex((e) => e.type === X.pre_shared_key) >= 0 && ch.extensions[ch.extensions.length - 1]!.type !== X.pre_shared_key) {
      tlsFail('illegal_parameter', 'pre_shared_key is not the last extension'); // RFC 8446 §4.2.11
    }
    const versions = ext.get(X.supported_versions);
    if (!versions || !decodeSupportedVersionsClient(versions).includes(TLS13_VERSION)) tlsFail('protocol_version', 'client does not offer TLS 1.3');
    const sni = ext.get(X.server_name);
    this.requestedName = sni ? decodeServerName(sni) : undefined;

    // Resumption (RFC 8446 §4.2.9, §4.2.11) and 0-RTT request (§4.2.10).
    const pskData = ext.get(X.pre_shared_key);
    const modesData = ext.get(X.psk_key_exchange_modes);
    if (pskData && !modesData) tlsFail('missing_extension', 'pre_shared_key without psk_key_exchange_modes'); // §4.2.9
    const modes = modesData ? decodePskModes(modesData) : [];
    const offeredPsks = pskData ? decodeOfferedPsks(pskData) : undefined;
    if (offeredPsks && offeredPsks.identities.length !== offeredPsks.binders.length) tlsFail('illegal_parameter', 'PSK identities and binders differ in number');
    const earlyRequested = ext.get(X.early_data);
    if (earlyRequested) {
      decodeEmptyExtension('early_data', earlyRequested);
      if (retry) tlsFail('illegal_parameter', 'early_data in the ClientHello after HelloRetryRequest'); // §4.2.10
      if (!offeredPsks) tlsFail('illegal_parameter', 'early_data without pre_shared_key');
    }
    const tickets = this.server.tickets;
    // Only psk_dhe_ke is supported: a client allowing only psk_ke gets a full handshake.
    const resumable = tickets && offeredPsks && modes.includes(TlsPskMode.psk_dhe_ke)
      ? findResumableTicket(tickets, offeredPsks, {
        now: this.clock, serverName: this.requestedName, clientSuites: ch.cipherSuites, ourSuites: this.suites, fixedSuite: retry?.suite,
      })
      : undefined;

    // Cipher suite: the resumed ticket's, else ours in preference order, among the client's.
    const suite = retry?.suite ?? resumable?.suite ?? this.suites.find((s) => ch.cipherSuites.includes(s.id));
    if (!suite) tlsFail('handshake_failure', 'no cipher suite in common');
    if (retry && !ch.cipherSuites.includes(suite.id)) tlsFail('illegal_parameter', 'second ClientHello dropped the selected cipher suite');

    // Key share (RFC 8446 §4.2.8, §9.2).
    const groupsData = ext.get(X.supported_groups);
    const sharesData = ext.get(X.key_share);
    if (!groupsData || !sharesData) tlsFail('missing_extension', 'ClientHello without supported_groups or key_share');
    const clientGroups = decodeSupportedGroups(groupsData);
    const shares = decodeKeyShareClient(sharesData);
    const seenGroups = new Set<number>();
    for (const sh of shares) {
      if (seenGroups.has(sh.group)) tlsFail('illegal_parameter', 'two key shares for one group');
      seenGroups.add(sh.group);
      if (!clientGroups.includes(sh.group)) tlsFail('illegal_parameter', 'key share for a group not in supported_groups');
    }
    const sigData = ext.get(X.signature_algorithms);
    // RFC 8446 §9.2: signature_algorithms is needed for certificate authentication only
    if (!sigData && !resumable) tlsFail('missing_extension', 'ClientHello without signature_algorithms');
    const scheme = resumable ? undefined : chooseSignatureScheme(this.server.certificate, this.schemes, decodeSignatureAlgorithms(sigData!));

    let share: TlsKeyShareEntry | undefined;
    let group: KeyExchangeGroup | undefined;
    if (retry) {
      // RFC 8446 §4.1.2: the second ClientHello carries exactly one share, for the requested group
      if (shares.length !== 1 || shares[0]!.group !== TLS_GROUP_CODES[retry.group]) tlsFail('illegal_parameter', 'second ClientHello without the requested key share');
      share = shares[0]!;
      group = retry.group;
    } else {
      for (const g of this.groups) {
        share = shares.find((s) => s.group === TLS_GROUP_CODES[g]);
        if (share) {
          group = g;
          break;
        }
      }
    }

    // ALPN (RFC 7301 §3.2, RFC 9001 §8.1): our preference among the client's.
    const alpnData = ext.get(X.application_layer_protocol_negotiation);
    let alpn: string | undefined;
    if (alpnData) {
      const offered = decodeAlpn(alpnData);
      alpn = this.server.alpnProtocols.find((p) => offered.includes(p));
      if (!alpn && this.server.alpnProtocols.length) tlsFail('no_application_protocol', 'no ALPN protocol in common');
    } else if (this.transport === 'quic') {
      tlsFail('no_application_protocol', 'client offered no ALPN protocol');
    }
    const params = ext.get(X.quic_transport_parameters);
    if (this.transport === 'quic' && !params) tlsFail('missing_extension', 'client sent no quic_transport_parameters'); // RFC 9001 §8.2
    this.clientRandom = ch.random.slice();
    this.suite = suite;
    this.transcript.setHash(suite.hash);

    if (!share || !group) {
      const hrrGroup = this.groups.find((g) => clientGroups.includes(TLS_GROUP_CODES[g]));
      if (!hrrGroup) tlsFail('handshake_failure', 'no key-exchange group in common');
      return this.sendHelloRetryRequest(m, ch, suite, hrrGroup);
    }

    const ours = this.server.fixed?.keyShares?.find((k) => k.group === group) ?? this.crypto.keyExchangeGenerate(group);
    const shared = this.crypto.keyExchangeSecret(group, ours.privateKey, share.keyExchange);
    if (!shared) tlsFail('illegal_parameter', 'invalid client key share');

    const schedule = new TlsKeySchedule(this.crypto, suite.hash, resumable?.state.psk);
    this.schedule = schedule;
    if (resumable) this.checkBinder(schedule, m.raw, offeredPsks!, resumable);
    const early = earlyRequested !== undefined && resumable !== undefined && acceptEarlyData(this.crypto, tickets!, resumable, {
      now: this.clock, suite, alpn, serverName: this.requestedName,
    });
    if (earlyRequested) {
      this.earlyData = early ? 'accepted' : 'rejected';
      this.emit({ type: 'early-data', accepted: early });
    }

    this.transcript.add(m.raw);
    if (early) {
      // RFC 8446 §7.1: client_early_traffic_secret over the ClientHello
      const chHash = this.transcript.digest();
      this.emitSecret('early', 'client', schedule.clientEarlyTrafficSecret(chHash));
      this.keyLog('EARLY_EXPORTER_SECRET', schedule.earlyExporterMasterSecret(chHash));
    }
    if (params) {
      this.peerParams = params;
      this.emit({ type: 'transport-parameters', parameters: params });
    }
    if (alpn !== undefined) {
      this.alpn = alpn;
      this.emit({ type: 'alpn', protocol: alpn });
    }

    const random = this.server.fixed?.random ?? this.crypto.randomBytes(32);
    const shExtensions: TlsExtension[] = [];
    if (resumable) shExtensions.push({ type: X.pre_shared_key, data: encodeSelectedPsk(resumable.index) });
    shExtensions.push(
      { type: X.key_share, data: encodeKeyShareServer({ group: TLS_GROUP_CODES[group], keyExchange: ours.publicKey }) },
      { type: X.supported_versions, data: encodeSupportedVersionsServer(TLS13_VERSION) },
    );
    this.send('initial', encodeServerHello({ random, sessionId: ch.sessionId, cipherSuite: suite.id, compressionMethod: 0, extensions: shExtensions }));
    schedule.toHandshake(shared);
    this.handshakeSecrets = schedule.handshakeTrafficSecrets(this.transcript.digest());
    this.emitSecret('handshake', 'client', this.handshakeSecrets.client);
    this.emitSecret('handshake', 'server', this.handshakeSecrets.server);

    // EncryptedExtensions (RFC 8446 §4.3.1)
    const ee: TlsExtension[] = [];
    if (alpn !== undefined) ee.push({ type: X.application_layer_protocol_negotiation, data: encodeAlpn([alpn]) });
    if (sni) ee.push({ type: X.server_name, data: new Uint8Array(0) }); // RFC 6066 §3: acknowledged, empty
    if (early) ee.push({ type: X.early_data, data: new Uint8Array(0) }); // RFC 8446 §4.2.10: accepted
    if (this.transport === 'quic') ee.push({ type: X.quic_transport_parameters, data: this.server.transportParameters! });
    const eeFinal = this.server.fixed?.extensions ? this.server.fixed.extensions('encrypted_extensions', ee) : ee;
    this.send('handshake', encodeEncryptedExtensions({ extensions: eeFinal }));

    const clientAuth = resumable ? undefined : this.server.clientAuth; // RFC 8446 §4.3.2: not with a PSK
    if (clientAuth) {
      this.send('handshake', encodeCertificateRequest({
        context: new Uint8Array(0),
        extensions: [{ type: X.signature_algorithms, data: encodeSignatureAlgorithms(this.schemes.map((s) => TLS_SIGNATURE_CODES[s])) }],
      }));
    }
    if (scheme) {
      const key = this.server.certificate;
      this.send('handshake', encodeCertificate({ context: new Uint8Array(0), entries: key.chain.map((data) => ({ data, extensions: [] })) }));
      const signature = signWith(this.crypto, key, scheme, certificateVerifyContent('server', this.transcript.digest()));
      this.send('handshake', encodeCertificateVerify({ scheme: TLS_SIGNATURE_CODES[scheme], signature }));
    }
    const verifyData = schedule.finishedVerifyData(this.handshakeSecrets.server, this.transcript.digest());
    this.send('handshake', encodeFinished({ verifyData }));

    schedule.toMaster();
    const app = schedule.applicationSecrets(this.transcript.digest());
    this.exporterSecret = app.exporter;
    this.clientAppSecret = app.client;
    // RFC 9001 §5.7: the server may send 0.5-RTT data now but reads 1-RTT only after the client's Finished
    this.emitSecret('application', 'server', app.server);
    this.keyLog('EXPORTER_SECRET', app.exporter);
    if (resumable) {
      this.resumed = true;
      this.resumedState = resumable.state;
    }
    // RFC 8446 §4.5: over TCP, accepted early data ends with the client's EndOfEarlyData
    if (early && this.transport === 'tcp') this.state = { kind: 'wait-end-of-early-data' };
    else this.state = clientAuth ? { kind: 'wait-client-certificate' } : { kind: 'wait-client-finished' };
    this.setReadLevel('handshake');
  }

  /** RFC 8446 §4.2.11.2: the binder of the picked identity must verify, or the handshake aborts. */
  private checkBinder(schedule: TlsKeySchedule, raw: Uint8Array, offered: { binders: readonly Uint8Array[] }, t: TlsResumableTicket): void {
    const truncated = raw.subarray(0, raw.length - offeredPsksBindersLength(offered.binders));
    const expected = schedule.pskBinder(true, this.transcript.digestWith(truncated));
    if (!bytesEqual(expected, offered.binders[t.index]!)) tlsFail('decrypt_error', 'PSK binder does not verify');
  }

  private sendHelloRetryRequest(m: TlsHandshakeMessage, ch: TlsClientHello, suite: CipherSuite, group: KeyExchangeGroup): void {
    if (this.state.kind === 'wait-second-client-hello') tlsFail('illegal_parameter', 'second ClientHello still lacks a usable key share');
    this.transcript.add(m.raw);
    this.transcript.replaceWithMessageHash();
    this.send('initial', encodeServerHello({
      random: HELLO_RETRY_REQUEST_RANDOM, sessionId: ch.sessionId, cipherSuite: suite.id, compressionMethod: 0,
      extensions: [
        { type: X.supported_versions, data: encodeSupportedVersionsServer(TLS13_VERSION) },
        { type: X.key_share, data: encodeKeyShareHrr(TLS_GROUP_CODES[group]) },
      ],
    }));
    this.state = { kind: 'wait-second-client-hello', suite, group };
  }

  private onClientCertificate(m: TlsHandshakeMessage): void {
    const cert = decodeCertificate(m.body);
    if (cert.context.length !== 0) tlsFail('illegal_parameter', 'certificate_request_context mismatch');
    for (const e of cert.entries) parseExtensionBlock(e.extensions, 'CT', new Set());
    this.transcript.add(m.raw);
    const auth = this.server.clientAuth!;
    if (cert.entries.length === 0) {
      if (auth.required) tlsFail('certificate_required', 'client sent no certificate'); // RFC 8446 §4.4.2.4
      this.state = { kind: 'wait-client-finished' };
      return;
    }
    const chain = cert.entries.map((e) => e.data);
    const leaf = verifyCertificateChain(this.crypto, chain, auth.verify, { now: this.server.now, peer: 'client' });
    this.emit({ type: 'peer-certificates', chain });
    this.state = { kind: 'wait-client-certificate-verify', spki: leaf.spki };
  }

  private onClientCertificateVerify(m: TlsHandshakeMessage, spki: Uint8Array): void {
    const cv = decodeCertificateVerify(m.body);
    const scheme: SignatureScheme | undefined = tlsSignatureByCode(cv.scheme);
    if (!scheme || !this.schemes.includes(scheme)) tlsFail('illegal_parameter', 'CertificateVerify with a scheme not offered');
    let fits = false;
    try {
      fits = keyFitsAlgorithm(scheme, parseSpki(spki));
    } catch {
      tlsFail('unsupported_certificate', 'client certificate key is not supported');
    }
    if (!fits) tlsFail('illegal_parameter', `${scheme} does not match the certificate key`);
    if (!this.crypto.verify(scheme, spki, certificateVerifyContent('client', this.transcript.digest()), cv.signature)) {
      tlsFail('decrypt_error', 'client CertificateVerify signature does not verify');
    }
    this.transcript.add(m.raw);
    this.state = { kind: 'wait-client-finished' };
  }

  private onClientFinished(m: TlsHandshakeMessage): void {
    const fin = decodeFinished(m.body, this.schedule!.hashLength);
    this.checkFinished(fin.verifyData, this.handshakeSecrets!.client);
    this.transcript.add(m.raw);
    this.resumptionMaster = this.schedule!.resumptionMasterSecret(this.transcript.digest());
    this.emitSecret('application', 'client', this.clientAppSecret!);
    this.state = { kind: 'connected' };
    this.setReadLevel('application');
    this.finish();
    if (this.server.tickets) for (let i = this.server.tickets.count ?? 1; i > 0; i--) this.issueSessionTicket();
    this.releaseHandshakeState();
  }

  /** Later tickets need only the resumption master secret (RFC 8446 §4.6.1). */
  protected override releaseHandshakeState(): void {
    super.releaseHandshakeState();
    this.handshakeSecrets = undefined;
    this.clientAppSecret = undefined;
  }

  /**
   * Sends a NewSessionTicket (RFC 8446 §4.6.1) at the application level: a ticket sealed with
   * the configured protector, holding the resumption PSK for a fresh nonce. `appData` overrides
   * the configured application data for this ticket.
   */
  issueSessionTicket(appData?: Uint8Array): void {
    const t = this.server.tickets;
    if (!t) throw new TypeError('session tickets are not configured');
    if (!this.complete || !this.resumptionMaster) throw new RangeError('tickets are issued once the handshake is complete');
    const n = this.ticketsIssued++;
    const nonce = n === 0 && this.server.fixed?.ticketNonce ? this.server.fixed.ticketNonce : Uint8Array.of(n >>> 8, n & 0xff);
    const suite = this.suite!;
    const lifetime = Math.min(t.lifetime ?? 86400, TLS_MAX_TICKET_LIFETIME);
    const ageAdd = this.server.fixed?.ticketAgeAdd ?? new DataView(this.crypto.randomBytes(4).buffer).getUint32(0);
    // RFC 9001 §4.6.1: in QUIC a 0-RTT ticket says 0xffffffff
    const maxEarlyData = t.earlyData ? (this.transport === 'quic' ? QUIC_MAX_EARLY_DATA : t.maxEarlyDataSize ?? 16384) : 0;
    const state: TlsTicketState = {
      suite: suite.id, psk: TlsKeySchedule.ticketPsk(this.crypto, suite.hash, this.resumptionMaster, nonce), issuedAt: this.clock,
      lifetime, ageAdd, maxEarlyData, alpn: this.alpn, serverName: this.requestedName, appData: appData ?? t.appData ?? new Uint8Array(0),
    };
    const ticket = t.protector.seal(encodeTicketState(state), this.clock);
    const extensions = maxEarlyData ? [{ type: X.early_data, data: encodeEarlyDataTicket(maxEarlyData) }] : [];
    this.send('application', encodeNewSessionTicket({ lifetime, ageAdd, nonce, ticket, extensions }), false);
  }

  /** The resumption master secret (RFC 8446 §7.1), once the handshake is complete. */
  get resumptionMasterSecret(): Uint8Array | undefined {
    return this.resumptionMaster;
  }
}
