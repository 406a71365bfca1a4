/**
 * The extension point of the HTTP/3 connection, for a layer such as WebTransport
 * (draft-ietf-webtrans-http3 §4.2, §4.3, §4.5) that claims streams HTTP/3 would otherwise refuse:
 *
 * - unidirectional streams of given types, each type followed by one varint (a session ID);
 * - bidirectional streams whose first bytes are a signal value in place of a frame type, followed
 *   by one varint (peer-initiated ones of either direction: RFC 9114 §6.1 leaves server-initiated
 *   bidirectional streams to extensions);
 * - the capsules (RFC 9297 §3) on the data stream of an extended CONNECT whose `:protocol` it owns,
 *   and the HTTP datagrams (RFC 9297 §2.1) of those streams.
 *
 * The connection calls the hooks synchronously while it processes input; a hook must not call
 * back into the connection (queue the work and act after the input call returns). Views passed
 * to hooks are valid during the call only.
 * @module
 */
import { H3Error, H3ErrorCode } from '../errors.ts';
import type { Capsule } from '../capsules.ts';
import type { H3SettingEntry } from '../frames/types.ts';
import { VarintAccumulator } from '../varint-accumulator.ts';

export interface H3Extension {
  /** Unidirectional stream types claimed (each followed on the wire by one varint). */
  readonly uniStreamTypes: readonly number[];
  /** Signal values that open claimed bidirectional streams (each followed by one varint). */
  readonly bidiSignals: readonly number[];
  /** `:protocol` values of extended CONNECT requests whose capsules and datagrams are claimed. */
  readonly connectProtocols: readonly string[];
  /** Capsule types delivered; other types are skipped (RFC 9297 §3.2). */
  readonly capsuleTypes: readonly number[];
  /** Largest capsule value buffered (default 65536). */
  readonly maxCapsuleSize?: number;
  /** Settings sent with ours (they must not repeat the ones the connection sends itself). */
  readonly settings: readonly H3SettingEntry[];

  /** A peer stream was claimed: its type or signal and the varint after it. */
  onStream(streamId: number, type: number, arg: number): void;
  /** Bytes after the preface of a claimed stream (peer- or locally opened); `fin`: it ended after them. */
  onStreamData(streamId: number, data: Uint8Array, fin: boolean): void;
  /** The peer reset a claimed stream. */
  onStreamReset(streamId: number, code: number): void;
  /** The peer sent STOP_SENDING on a claimed stream (no RESET_STREAM is sent on the extension's behalf). */
  onStopSending(streamId: number, code: number): void;
  /**
   * A capsule on a claimed CONNECT stream: on the server from the request on, on the client after
   * a 2xx response. The stream's end and resets are reported as ordinary events.
   */
  onCapsule(connectStreamId: number, capsule: Capsule): void;
  /**
   * An HTTP datagram for a claimed CONNECT stream, or (server) for a client-initiated
   * bidirectional stream not seen yet (its request may still be on the way).
   */
  onDatagram(connectStreamId: number, payload: Uint8Array): void;
}

/** Outcome of feeding the first bytes of a peer bidirectional stream. */
export type BidiPrefaceResult =
  /** More bytes needed. */
  | { readonly kind: 'more' }
  /** A claimed signal and its argument; `rest` follows them. */
  | { readonly kind: 'claimed'; readonly signal: number; readonly arg: number; readonly rest: Uint8Array }
  /** Not a claimed signal: `bytes` are everything seen so far (replay them as the stream's start). */
  | { readonly kind: 'unclaimed'; readonly bytes: Uint8Array };

/**
 * Reads the start of a peer bidirectional stream: a varint, and when it is a claimed signal, a
 * second varint. Keeps the bytes seen until the first varint decides, so an unclaimed stream can
 * be replayed from its first byte.
 */
export class BidiPrefaceReader {
  private readonly first = new VarintAccumulator();
  private readonly second = new VarintAccumulator();
  private seen: number[] = [];
  private signal = -1;

  constructor(private readonly signals: ReadonlySet<number>) {}

  /** The bytes seen while the first varint is incomplete; undefined once a signal was read. */
  get undecidedBytes(): Uint8Array | undefined {
    return this.signal < 0 ? Uint8Array.from(this.seen) : undefined;
  }

  feed(chunk: Uint8Array): BidiPrefaceResult {
    let pos = 0;
    if (this.signal < 0) {
      const r = this.first.feed(chunk, 0);
      for (let i = 0; i < r.pos; i++) this.seen.push(chunk[i]!);
      pos = r.pos;
      if (r.value < 0) return { kind: 'more' };
      if (!this.signals.has(r.value)) {
        const bytes = new Uint8Array(this.seen.length + chunk.length - pos);
        bytes.set(this.seen);
        bytes.set(chunk.subarray(pos), this.seen.length);
        this.seen = [];
        return { kind: 'unclaimed', bytes };
      }
      this.signal = r.value;
      this.seen = [];
    }
    const r = this.second.feed(chunk, pos);
    if (r.value < 0) return { kind: 'more' };
    return { kind: 'claimed', signal: this.signal, arg: r.value, rest: chunk.subarray(r.pos) };
  }
}

/** Reads the varint after a claimed unidirectional stream type. */
export class UniPrefaceReader {
  private readonly acc = new VarintAccumulator();

  constructor(readonly type: number) {}

  /** The argument and the bytes after it, or null when more bytes are needed. */
  feed(chunk: Uint8Array): { readonly arg: number; readonly rest: Uint8Array } | null {
    const r = this.acc.feed(chunk, 0);
    if (r.value < 0) return null;
    return { arg: r.value, rest: chunk.subarray(r.pos) };
  }
}

/** Which directions of a claimed stream are still open, so that its entry can be dropped. */
export interface ExtensionStreamState {
  /** Receiving: open, stopped by us (bytes still discarded until the end), or finished. */
  recv: 'open' | 'stopped' | 'done';
  send: 'open' | 'done';
}

/**
 * Throws H3_FRAME_ERROR when a claimed signal value appears as a frame type anywhere but the
 * first bytes of a stream (draft-ietf-webtrans-http3 §4.3).
 */
export function checkNotSignal(type: number, signals: ReadonlySet<number>): void {
  if (signals.has(type)) throw new H3Error(H3ErrorCode.H3_FRAME_ERROR, `signal 0x${type.toString(16)} used as a frame type`);
}
