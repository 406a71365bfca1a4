/**
 * The TLS 1.3 key schedule (RFC 8446 §7.1): early, handshake and master secrets, traffic
 * secrets, Finished keys (§4.4.4), the resumption master secret and ticket PSKs (§4.6.1),
 * PSK binder keys (§4.2.11.2) and exporters (§7.5).
 * @module
 */
import type { HashAlgorithm, SymmetricCrypto } from '../crypto/provider.ts';
import { HASH_LENGTH } from '../crypto/provider.ts';
import { deriveSecret, hkdfExpandLabel } from '../crypto/hkdf-label.ts';

const EMPTY = new Uint8Array(0);

export class TlsKeySchedule {
  readonly hashLength: number;
  private readonly emptyHash: Uint8Array;
  /** The current stage's secret: early, then handshake, then master. */
  private secret: Uint8Array;
  private stage: 'early' | 'handshake' | 'master' = 'early';

  /** Starts with Early Secret = HKDF-Extract(0, PSK or 0). */
  constructor(private readonly crypto: SymmetricCrypto, readonly hash: HashAlgorithm, psk?: Uint8Array) {
    this.hashLength = HASH_LENGTH[hash];
    this.emptyHash = crypto.hash(hash, EMPTY);
    const zeros = new Uint8Array(this.hashLength);
    this.secret = crypto.hkdfExtract(hash, zeros, psk ?? zeros);
  }

  get currentSecret(): Uint8Array {
    return this.secret;
  }

  get currentStage(): 'early' | 'handshake' | 'master' {
    return this.stage;
  }

  /** Derive-Secret(current, label, transcriptHash). */
  derive(label: string, transcriptHash: Uint8Array): Uint8Array {
    return deriveSecret(this.crypto, this.hash, this.secret, label, transcriptHash);
  }

  /** binder_key: "ext binder" for external PSKs, "res binder" for resumption (early stage). */
  binderKey(resumption: boolean): Uint8Array {
    this.expect('early');
    return this.derive(resumption ? 'res binder' : 'ext binder', this.emptyHash);
  }

  /** client_early_traffic_secret over Transcript-Hash(ClientHello). */
  clientEarlyTrafficSecret(chHash: Uint8Array): Uint8Array {
    this.expect('early');
    return this.derive('c e traffic', chHash);
  }

  /** early_exporter_master_secret over Transcript-Hash(ClientHello). */
  earlyExporterMasterSecret(chHash: Uint8Array): Uint8Array {
    this.expect('early');
    return this.derive('e exp master', chHash);
  }

  /** The PSK binder (RFC 8446 §4.2.11.2): a Finished computed with binder_key over the truncated ClientHello. */
  pskBinder(resumption: boolean, truncatedHelloHash: Uint8Array): Uint8Array {
    return this.finishedVerifyData(this.binderKey(resumption), truncatedHelloHash);
  }

  /** Moves to the Handshake Secret with the (EC)DHE shared secret. */
  toHandshake(sharedSecret: Uint8Array): Uint8Array {
    this.expect('early');
    const derived = this.derive('derived', this.emptyHash);
    this.secret = this.crypto.hkdfExtract(this.hash, derived, sharedSecret);
    this.stage = 'handshake';
    return this.secret;
  }

  /** client/server_handshake_traffic_secret over Transcript-Hash(ClientHello..ServerHello). */
  handshakeTrafficSecrets(chShHash: Uint8Array): { client: Uint8Array; server: Uint8Array } {
    this.expect('handshake');
    return { client: this.derive('c hs traffic', chShHash), server: this.derive('s hs traffic', chShHash) };
  }

  /** Moves to the Master Secret. */
  toMaster(): Uint8Array {
    this.expect('handshake');
    const derived = this.derive('derived', this.emptyHash);
    this.secret = this.crypto.hkdfExtract(this.hash, derived, new Uint8Array(this.hashLength));
    this.stage = 'master';
    return this.secret;
  }

  /** Application traffic secrets and the exporter secret over Transcript-Hash(ClientHello..server Finished). */
  applicationSecrets(hash: Uint8Array): { client: Uint8Array; server: Uint8Array; exporter: Uint8Array } {
    this.expect('master');
    return { client: this.derive('c ap traffic', hash), server: this.derive('s ap traffic', hash), exporter: this.derive('exp master', hash) };
  }

  /** resumption_master_secret over Transcript-Hash(ClientHello..client Finished). */
  resumptionMasterSecret(hash: Uint8Array): Uint8Array {
    this.expect('master');
    return this.derive('res master', hash);
  }

  /** finished_key = HKDF-Expand-Label(BaseKey, "finished", "", Hash.length) (RFC 8446 §4.4.4). */
  finishedKey(baseKey: Uint8Array): Uint8Array {
    return hkdfExpandLabel(this.crypto, this.hash, baseKey, 'finished', EMPTY, this.hashLength);
  }

  /** verify_data = HMAC(finished_key, transcriptHash). */
  finishedVerifyData(baseKey: Uint8Array, transcriptHash: Uint8Array): Uint8Array {
    return this.crypto.hmac(this.hash, this.finishedKey(baseKey), transcriptHash);
  }

  /** The PSK for a ticket: HKDF-Expand-Label(resumption_master_secret, "resumption", nonce, Hash.length). */
  static ticketPsk(crypto: SymmetricCrypto, hash: HashAlgorithm, resumptionMaster: Uint8Array, nonce: Uint8Array): Uint8Array {
    return hkdfExpandLabel(crypto, hash, resumptionMaster, 'resumption', nonce, HASH_LENGTH[hash]);
  }

  /** TLS-Exporter (RFC 8446 §7.5). */
  static exportKeyingMaterial(
    crypto: SymmetricCrypto, hash: HashAlgorithm, exporterMaster: Uint8Array, label: string, context: Uint8Array, length: number,
  ): Uint8Array {
    const secret = deriveSecret(crypto, hash, exporterMaster, label, crypto.hash(hash, EMPTY));
    return hkdfExpandLabel(crypto, hash, secret, 'exporter', crypto.hash(hash, context), length);
  }

  private expect(stage: 'early' | 'handshake' | 'master'): void {
    if (this.stage !== stage) throw new RangeError(`key schedule is at ${this.stage}, not ${stage}`);
  }
}
