/**
 * 1-RTT keys and key updates (RFC 9001 §6): the current read and write keys with their key phase
 * bits, the next read keys, and the previous read keys kept for a while for reordered packets
 * (§6.5). The next read keys are derived when first needed: when we start an update (so the peer's
 * answer is read without delay) or when a packet of the other key phase arrives; most connections
 * never update keys, and deriving them at handshake time cost an HKDF chain and an AEAD key object
 * per connection.
 * @module
 */
import type { SymmetricCrypto } from '../crypto/provider.ts';
import type { CipherSuite } from '../crypto/cipher-suite.ts';
import { nextPhaseKeys, packetKeysFromSecret, type PacketProtectionKeys } from '../crypto/packet-keys.ts';

interface Generation {
  readonly keys: PacketProtectionKeys;
  readonly secret: Uint8Array;
}

export class OneRttKeys {
  #read: Generation;
  #write: Generation;
  /** Derived on first use ({@link select} of the other phase, or {@link initiate}). */
  #nextRead: Generation | undefined;
  #previousRead: PacketProtectionKeys | undefined;
  /** When the previous read keys are dropped (3 PTO after the update, §6.5). */
  previousReadDiscardAt: number | undefined;
  /** Key phase bit of the current read / write keys. */
  readPhase: 0 | 1 = 0;
  writePhase: 0 | 1 = 0;
  /** Number of key updates so far. */
  generation = 0;
  /** Smallest packet number received with the current read keys. */
  #firstReadPn = -1;
  /** First packet number sent with the current write keys; an ACK of it allows the next update. */
  #firstWritePn = -1;
  #updateAcked = true;
  /** Packets protected with the current write keys (for the confidentiality limit). */
  packetsSinceUpdate = 0;

  constructor(
    private readonly crypto: SymmetricCrypto,
    private readonly suite: CipherSuite,
    private readonly version: number,
    readSecret: Uint8Array,
    writeSecret: Uint8Array,
  ) {
    this.#read = { secret: readSecret, keys: packetKeysFromSecret(crypto, suite, readSecret, version) };
    this.#write = { secret: writeSecret, keys: packetKeysFromSecret(crypto, suite, writeSecret, version) };
  }

  get writeKeys(): PacketProtectionKeys {
    return this.#write.keys;
  }

  /** Header protection never changes with key updates (RFC 9001 §6.1). */
  get headerKeys(): PacketProtectionKeys {
    return this.#read.keys;
  }

  #next(g: Generation): Generation {
    return nextPhaseKeys(this.crypto, g.keys, g.secret, this.version);
  }

  /** True once the next key phase's read keys exist (they are derived on first use). */
  get nextReadDerived(): boolean {
    return this.#nextRead !== undefined;
  }

  /**
   * The next read keys, derived once and kept until the peer moves to them. RFC 9001 §6.3
   * expects the next keys to be ready so their creation does not time-signal the key phase bit;
   * deriving them at the first packet of the other phase signals that at most once per phase,
   * and after an update §6.3 allows deferring them anyway.
   */
  #nextReadKeys(): Generation {
    return (this.#nextRead ??= this.#next(this.#read));
  }

  /**
   * Keys to try for a packet with key phase bit `phase` and packet number `pn`:
   * 'current', 'previous' (a late packet from before the last update) or 'next' (the peer updated).
   */
  select(phase: 0 | 1, pn: number): { which: 'current' | 'previous' | 'next'; keys: PacketProtectionKeys } | null {
    if (phase === this.readPhase) return { which: 'current', keys: this.#read.keys };
    if (this.#previousRead !== undefined && this.#firstReadPn >= 0 && pn < this.#firstReadPn) {
      return { which: 'previous', keys: this.#previousRead };
    }
    return { which: 'next', keys: this.#nextReadKeys().keys };
  }

  /** A packet was authenticated with the current read keys. */
  onReadCurrent(pn: number): void {
    if (this.#firstReadPn < 0 || pn < this.#firstReadPn) this.#firstReadPn = pn;
  }

  /**
   * A packet authenticated with the next read keys: the peer moved to the next phase. Returns
   * 'remote' if the peer initiated the update (our write keys follow), 'response' if it answered ours.
   */
  onReadNext(pn: number, now: number, pto: number): 'remote' | 'response' {
    this.#previousRead = this.#read.keys;
    this.previousReadDiscardAt = now + 3 * pto;
    this.#read = this.#nextReadKeys();
    this.#nextRead = undefined;
    this.readPhase = (this.readPhase ^ 1) as 0 | 1;
    this.#firstReadPn = pn;
    if (this.writePhase !== this.readPhase) {
      this.#rotateWrite();
      return 'remote';
    }
    return 'response';
  }

  /** True when a local update is allowed: the current write phase was acknowledged (§6.1). */
  get canInitiate(): boolean {
    return this.#updateAcked && this.writePhase === this.readPhase;
  }

  /** Starts a key update (RFC 9001 §6.1). The caller checks {@link canInitiate}. */
  initiate(): void {
    // The peer answers in the next phase (§6.2): have its read keys ready.
    this.#nextReadKeys();
    this.#rotateWrite();
  }

  #rotateWrite(): void {
    this.#write = this.#next(this.#write);
    this.writePhase = (this.writePhase ^ 1) as 0 | 1;
    this.generation++;
    this.#firstWritePn = -1;
    this.#updateAcked = false;
    this.packetsSinceUpdate = 0;
  }

  /** A packet was sent with the current write keys. */
  onPacketSent(pn: number): void {
    if (this.#firstWritePn < 0) this.#firstWritePn = pn;
    this.packetsSinceUpdate++;
  }

  /** The peer acknowledged packets up to `largest` in the application space. */
  onAckReceived(largest: number): void {
    if (!this.#updateAcked && this.#firstWritePn >= 0 && largest >= this.#firstWritePn) this.#updateAcked = true;
  }

  /** Drops the previous read keys once their time is up. */
  discardPrevious(now: number): void {
    if (this.previousReadDiscardAt !== undefined && now >= this.previousReadDiscardAt) {
      this.#previousRead = undefined;
      this.previousReadDiscardAt = undefined;
    }
  }

  get cipherSuite(): CipherSuite {
    return this.suite;
  }
}
