/**
 * State of one packet number space (RFC 9000 §12.3): packet numbers, keys, received-packet
 * tracking for ACKs, and the CRYPTO stream in both directions.
 * @module
 */
import type { PacketProtectionKeys } from '../crypto/packet-keys.ts';
import { AckTracker } from '../recovery/ack-tracker.ts';
import type { PacketNumberSpace } from '../recovery/constants.ts';
import { SendBuffer } from '../streams/send-buffer.ts';
import { Reassembler } from '../streams/reassembler.ts';
import { TransportErrorCode } from '../errors.ts';
import type { CryptoLevel } from './crypto-session.ts';

/** Most handshake bytes one level may hold for sending (a certificate chain fits easily). */
const CRYPTO_SEND_LIMIT = 1 << 20;

export class PacketSpace {
  /** Next packet number to send. */
  nextPn = 0;
  /** Keys to protect packets we send (absent until available, and after discard). */
  writeKeys: PacketProtectionKeys | undefined;
  /** Keys to remove protection from packets we receive. */
  readKeys: PacketProtectionKeys | undefined;
  readonly acks: AckTracker;
  readonly cryptoSend = new SendBuffer(CRYPTO_SEND_LIMIT);
  readonly cryptoRecv: Reassembler;
  /** Ack-eliciting probe packets to send regardless of congestion control (RFC 9002 §6.2.4). */
  probes = 0;
  /** Keys were discarded (RFC 9001 §4.9); the space takes no further part. */
  discarded = false;

  constructor(readonly id: PacketNumberSpace, readonly level: CryptoLevel, maxAckDelay: number, maxCryptoBuffer: number) {
    // Initial and Handshake ACKs are sent immediately (RFC 9000 §13.2.1).
    this.acks = new AckTracker(id, { maxAckDelay: level === 'oneRtt' ? maxAckDelay : 0 });
    this.cryptoRecv = new Reassembler(maxCryptoBuffer, { limitErrorCode: TransportErrorCode.CRYPTO_BUFFER_EXCEEDED });
  }

  /** True when CRYPTO data (new or lost) waits to be sent. */
  get hasCryptoToSend(): boolean {
    return this.cryptoSend.unsentBytes > 0 || this.cryptoSend.hasRetransmit;
  }

  discard(): void {
    this.discarded = true;
    this.writeKeys = undefined;
    this.readKeys = undefined;
    this.probes = 0;
    this.cryptoSend.clear();
    this.cryptoRecv.discard();
  }
}
