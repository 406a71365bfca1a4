/**
 * The Capsule Protocol (RFC 9297 §3.2): `Capsule Type (i), Capsule Length (i), Capsule Value
 * (..)` on the data stream of an extended CONNECT request, with the DATAGRAM capsule (§3.5).
 * The parser is incremental (input in pieces of any size), skips unknown capsule types without
 * buffering them (§3.2), discards DATAGRAM capsules too large to be usable (§3.5), and treats
 * other oversized or truncated capsules as a malformed message (§3.3): a stream error of type
 * H3_MESSAGE_ERROR.
 * @module
 */
import { varintLength, Writer } from '@quicts/quic-core';
import { H3Error, H3ErrorCode } from './errors.ts';
import { VarintAccumulator } from './varint-accumulator.ts';

/** Capsule types this package knows. */
export const CapsuleType = {
  DATAGRAM: 0x00, // RFC 9297 §3.5
} as const;

export interface Capsule {
  readonly type: number;
  readonly value: Uint8Array;
}

/** Encodes one capsule. */
export function encodeCapsule(type: number, value: Uint8Array): Uint8Array {
  const w = new Writer(varintLength(type) + varintLength(value.length) + value.length);
  w.varint(type).varint(value.length).bytes(value);
  return w.finish();
}

/** Encodes a DATAGRAM capsule (RFC 9297 §3.5). */
export function encodeDatagramCapsule(payload: Uint8Array): Uint8Array {
  return encodeCapsule(CapsuleType.DATAGRAM, payload);
}

export interface CapsuleParserOptions {
  /** Capsule types to deliver; others are skipped. Default: DATAGRAM only. */
  readonly knownTypes?: Iterable<number>;
  /** Largest capsule value buffered (default 65536). */
  readonly maxCapsuleSize?: number;
}

const enum State {
  TYPE,
  LENGTH,
  VALUE,
  SKIP,
}

const EMPTY = new Uint8Array(0);

export class CapsuleParser {
  private state = State.TYPE;
  private readonly varint = new VarintAccumulator();
  private readonly known: ReadonlySet<number>;
  private readonly maxCapsuleSize: number;
  private type = 0;
  private remaining = 0;
  private value = EMPTY;
  private filled = 0;
  /** Capsules skipped: unknown types and oversized DATAGRAM capsules. */
  skipped = 0;

  constructor(options: CapsuleParserOptions = {}) {
    this.known = new Set(options.knownTypes ?? [CapsuleType.DATAGRAM]);
    this.maxCapsuleSize = options.maxCapsuleSize ?? 65536;
  }

  /** Feeds the next piece of the data stream; returns the capsules it completed. */
  push(chunk: Uint8Array): Capsule[] {
    const out: Capsule[] = [];
    let pos = 0;
    while (pos < chunk.length) {
      switch (this.state) {
        case State.TYPE: {
          const r = this.varint.feed(chunk, pos);
          pos = r.pos;
          if (r.value < 0) return out;
          this.type = r.value;
          this.state = State.LENGTH;
          break;
        }
        case State.LENGTH: {
          const r = this.varint.feed(chunk, pos);
          pos = r.pos;
          if (r.value < 0) return out;
          this.begin(r.value, out);
          break;
        }
        case State.VALUE: {
          const n = Math.min(this.remaining, chunk.length - pos);
          this.value.set(chunk.subarray(pos, pos + n), this.filled);
          this.filled += n;
          this.remaining -= n;
          pos += n;
          if (this.remaining === 0) {
            out.push({ type: this.type, value: this.value });
            this.value = EMPTY;
            this.state = State.TYPE;
          }
          break;
        }
        case State.SKIP: {
          const n = Math.min(this.remaining, chunk.length - pos);
          this.remaining -= n;
          pos += n;
          if (this.remaining === 0) this.state = State.TYPE;
          break;
        }
      }
    }
    return out;
  }

  /** The data stream ended cleanly: a truncated last capsule is a malformed message (RFC 9297 §3.3). */
  finish(): void {
    if (this.state !== State.TYPE || this.varint.partial) {
      throw new H3Error(H3ErrorCode.H3_MESSAGE_ERROR, 'data stream ended inside a capsule', 'stream');
    }
  }

  private begin(length: number, out: Capsule[]): void {
    this.remaining = length;
    this.state = State.TYPE;
    let skip = !this.known.has(this.type); // RFC 9297 §3.2: unknown types are skipped
    if (!skip && length > this.maxCapsuleSize) {
      // RFC 9297 §3.5: a DATAGRAM capsule too large to use is discarded without buffering.
      if (this.type !== CapsuleType.DATAGRAM) {
        throw new H3Error(H3ErrorCode.H3_MESSAGE_ERROR, `capsule 0x${this.type.toString(16)} of ${length} bytes exceeds ${this.maxCapsuleSize}`, 'stream');
      }
      skip = true;
    }
    if (skip) {
      this.skipped++;
      if (length > 0) this.state = State.SKIP;
      return;
    }
    if (length === 0) {
      out.push({ type: this.type, value: EMPTY });
      return;
    }
    this.value = new Uint8Array(length);
    this.filled = 0;
    this.state = State.VALUE;
  }
}
