/**
 * What the client and server handshakes share: per-level reassembly, the output and event
 * queues, secret and key-log events, the CertificateVerify content, Finished checks and the
 * exporter. The sans-IO surface follows quinn's crypto::Session: handshake bytes in per level,
 * handshake bytes out per level, secrets as events.
 * @module
 */
import { TransportError } from '../errors.ts';
import { toHex, bytesEqual } from '../codec/hex.ts';
import { CIPHER_SUITES, type CipherSuite } from '../crypto/cipher-suite.ts';
import type { CryptoProvider, KeyExchangeGroup, SignatureScheme } from '../crypto/provider.ts';
import { TlsAlert, tlsFail } from './alerts.ts';
import type {
  TlsCommonConfig, TlsEarlyDataStatus, TlsEvent, TlsLevel, TlsOutput, TlsSecretLevel, TlsTransport,
} from './config.ts';
import { TlsHandshakeBuffer, type TlsHandshakeMessage } from './handshake-buffer.ts';
import { TlsKeySchedule } from './key-schedule.ts';
import { TlsHandshakeType } from './messages.ts';
import { TlsTranscript } from './transcript.ts';

export const DEFAULT_GROUPS: readonly KeyExchangeGroup[] = ['x25519', 'secp256r1', 'secp384r1'];
export const DEFAULT_SIGNATURE_SCHEMES: readonly SignatureScheme[] = [
  'ecdsa_secp256r1_sha256', 'rsa_pss_rsae_sha256', 'ed25519', 'ecdsa_secp384r1_sha384', 'rsa_pss_rsae_sha384', 'rsa_pss_rsae_sha512',
];

const LEVEL_ORDER: Record<TlsLevel, number> = { initial: 0, handshake: 1, application: 2 };
const KEYLOG_LABELS: Record<string, string> = {
  'early:client': 'CLIENT_EARLY_TRAFFIC_SECRET',
  'handshake:client': 'CLIENT_HANDSHAKE_TRAFFIC_SECRET',
  'handshake:server': 'SERVER_HANDSHAKE_TRAFFIC_SECRET',
  'application:client': 'CLIENT_TRAFFIC_SECRET_0',
  'application:server': 'SERVER_TRAFFIC_SECRET_0',
};

/** The content signed in CertificateVerify (RFC 8446 §4.4.3). */
export function certificateVerifyContent(side: 'server' | 'client', transcriptHash: Uint8Array): Uint8Array {
  const label = new TextEncoder().encode(`TLS 1.3, ${side} CertificateVerify`);
  const out = new Uint8Array(64 + label.length + 1 + transcriptHash.length).fill(0x20, 0, 64);
  out.set(label, 64);
  out[64 + label.length] = 0;
  out.set(transcriptHash, 65 + label.length);
  return out;
}

export abstract class TlsEndpointBase {
  abstract readonly side: 'client' | 'server';
  protected readonly crypto: CryptoProvider;
  protected readonly transport: TlsTransport;
  protected readonly suites: readonly CipherSuite[];
  protected readonly groups: readonly KeyExchangeGroup[];
  protected readonly schemes: readonly SignatureScheme[];
  protected readonly transcript: TlsTranscript;
  protected schedule: TlsKeySchedule | undefined;
  protected suite: CipherSuite | undefined;
  protected clientRandom: Uint8Array = new Uint8Array(32);
  /** The level the next handshake message must arrive at. */
  protected readLevel: TlsLevel = 'initial';
  protected alpn: string | undefined;
  protected peerParams: Uint8Array | undefined;
  protected exporterSecret: Uint8Array | undefined;
  protected complete = false;
  /** A PSK from a session ticket was used. */
  protected resumed = false;
  protected earlyData: TlsEarlyDataStatus = 'none';
  /** Wall-clock ms: `config.now`, advanced by the optional `now` of `readHandshake`. */
  protected clock: number;
  private readonly buffers: Record<TlsLevel, TlsHandshakeBuffer> = {
    initial: new TlsHandshakeBuffer(), handshake: new TlsHandshakeBuffer(), application: new TlsHandshakeBuffer(),
  };
  private readonly outputs: TlsOutput[] = [];
  private readonly events: TlsEvent[] = [];
  private failure: Error | undefined;

  constructor(protected readonly config: TlsCommonConfig) {
    this.crypto = config.crypto;
    this.transport = config.transport ?? 'quic';
    this.suites = config.cipherSuites ?? CIPHER_SUITES;
    this.groups = config.groups ?? DEFAULT_GROUPS;
    this.schemes = config.signatureSchemes ?? DEFAULT_SIGNATURE_SCHEMES;
    this.transcript = new TlsTranscript(config.crypto);
    this.clock = config.now;
    if (this.transport === 'quic' && config.alpnProtocols.length === 0) throw new TypeError('QUIC requires ALPN protocols (RFC 9001 §8.1)');
    if (this.transport === 'quic' && !config.transportParameters) throw new TypeError('QUIC requires transport parameters (RFC 9001 §8.2)');
  }

  /**
   * Consumes handshake bytes received at `level`. Complete messages are processed at once;
   * output and events queue up for `writeHandshake` and `pollEvent`. A peer violation or a
   * failed verification throws a TlsAlert (or a TransportError where RFC 9001 says so); the
   * session then stays failed. `now` (wall-clock ms) updates the time used for ticket issue
   * and receipt times.
   */
  readHandshake(level: TlsLevel, data: Uint8Array, now?: number): void {
    if (this.failure) throw this.failure;
    if (now !== undefined) this.clock = now;
    try {
      if (data.length === 0) return;
      if (level !== this.readLevel) {
        // RFC 9001 §4.1.3 / RFC 8446 §5.1: handshake data at a level the handshake is not at
        tlsFail('unexpected_message', `handshake data at ${level} level while expecting ${this.readLevel}`);
      }
      const buffer = this.buffers[level];
      buffer.push(data);
      for (let m = buffer.next(); m; m = this.readLevel === level ? buffer.next() : null) {
        this.rejectNeverInQuic(m);
        this.handleMessage(m);
        if (this.readLevel !== level && buffer.pending > 0) {
          tlsFail('unexpected_message', 'handshake message spans a key change'); // RFC 8446 §5.1
        }
      }
    } catch (e) {
      this.failure = e instanceof Error ? e : new TlsAlert('internal_error', String(e));
      throw this.failure;
    }
  }

  /** The next handshake bytes to send, or null. Consecutive bytes of one level come together. */
  writeHandshake(): TlsOutput | null {
    const first = this.outputs.shift();
    if (!first) return null;
    const parts = [first.data];
    while (this.outputs[0]?.level === first.level) parts.push(this.outputs.shift()!.data);
    if (parts.length === 1) return first;
    const total = parts.reduce((s, p) => s + p.length, 0);
    const data = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      data.set(p, at);
      at += p.length;
    }
    return { level: first.level, data };
  }

  /** The next event, or null. */
  pollEvent(): TlsEvent | null {
    return this.events.shift() ?? null;
  }

  get isHandshaking(): boolean {
    return !this.complete;
  }

  /** True once the handshake-only state (transcript, key schedule, buffers) has been dropped. */
  get handshakeStateReleased(): boolean {
    return this.complete && this.schedule === undefined;
  }

  /** The negotiated ALPN protocol. */
  get alpnProtocol(): string | undefined {
    return this.alpn;
  }

  /** The peer's opaque transport parameters. */
  get peerTransportParameters(): Uint8Array | undefined {
    return this.peerParams;
  }

  /** Whether the handshake resumed a session from a ticket (RFC 8446 §2.2). */
  get isResumed(): boolean {
    return this.resumed;
  }

  /** Whether 0-RTT was attempted, and how the server answered. */
  get earlyDataStatus(): TlsEarlyDataStatus {
    return this.earlyData;
  }

  get cipherSuite(): CipherSuite | undefined {
    return this.suite;
  }

  /** The error that failed the handshake, if any. */
  get error(): Error | undefined {
    return this.failure;
  }

  /** TLS-Exporter (RFC 8446 §7.5), available once the application secrets exist. */
  exportKeyingMaterial(label: string, context: Uint8Array, length: number): Uint8Array {
    if (!this.exporterSecret || !this.suite) throw new RangeError('exporter not available before the handshake derives it');
    return TlsKeySchedule.exportKeyingMaterial(this.crypto, this.suite.hash, this.exporterSecret, label, context, length);
  }

  protected abstract handleMessage(m: TlsHandshakeMessage): void;

  /** RFC 9001 §6 (KeyUpdate) and §8.3 (EndOfEarlyData): neither is used in QUIC. */
  private rejectNeverInQuic(m: TlsHandshakeMessage): void {
    if (this.transport !== 'quic') return;
    if (m.type === TlsHandshakeType.key_update) tlsFail('unexpected_message', 'KeyUpdate is not used in QUIC');
    if (m.type === TlsHandshakeType.end_of_early_data) tlsFail('unexpected_message', 'EndOfEarlyData is not used in QUIC');
  }

  protected send(level: TlsLevel, message: Uint8Array, addToTranscript = true): void {
    if (addToTranscript) this.transcript.add(message);
    this.outputs.push({ level, data: message });
  }

  protected emit(event: TlsEvent): void {
    this.events.push(event);
  }

  protected setReadLevel(level: TlsLevel): void {
    if (LEVEL_ORDER[level] < LEVEL_ORDER[this.readLevel]) throw new RangeError('read level cannot go back');
    this.readLevel = level;
  }

  /** Emits a secret event (and its key-log line). `owner` is whose traffic it protects. */
  protected emitSecret(level: TlsSecretLevel, owner: 'client' | 'server', secret: Uint8Array, suite = this.suite!): void {
    const direction = owner === this.side ? 'write' : 'read';
    this.emit({ type: 'secret', level, direction, suite, secret });
    this.keyLog(KEYLOG_LABELS[`${level}:${owner}`]!, secret);
  }

  /** Marks the handshake complete and says so (RFC 9001 §4.1.1). */
  protected finish(): void {
    this.complete = true;
    this.emit({ type: 'handshake-complete', resumed: this.resumed, earlyData: this.earlyData });
  }

  /**
   * Drops what only the handshake needed once it is complete: the transcript hash, the key
   * schedule and the reassembly buffers of the Initial and Handshake levels (nothing more is read
   * there, RFC 9001 §4.1.3). Secrets still needed after it (the resumption master secret for
   * NewSessionTicket, the exporter secret) are kept by the subclasses and here.
   */
  protected releaseHandshakeState(): void {
    this.transcript.release();
    this.schedule = undefined;
    this.buffers.initial.compact();
    this.buffers.handshake.compact();
  }

  protected keyLog(label: string, secret: Uint8Array): void {
    if (this.config.keyLog) this.emit({ type: 'keylog', line: `${label} ${toHex(this.clientRandom)} ${toHex(secret)}` });
  }

  /** Checks a peer's Finished (RFC 8446 §4.4.4): decrypt_error on mismatch. */
  protected checkFinished(verifyData: Uint8Array, baseKey: Uint8Array): void {
    const expected = this.schedule!.finishedVerifyData(baseKey, this.transcript.digest());
    if (!bytesEqual(expected, verifyData)) tlsFail('decrypt_error', 'Finished verify_data mismatch');
  }

  /** RFC 9001 §8.4: in QUIC, a non-empty legacy_session_id from a client is a PROTOCOL_VIOLATION. */
  protected quicSessionIdViolation(): never {
    throw new TransportError(0x0a, 'non-empty legacy_session_id in QUIC', 0x06);
  }

  protected fail(alert: ConstructorParameters<typeof TlsAlert>[0], reason: string): never {
    throw new TlsAlert(alert, reason);
  }
}
