/**
 * The receiving side of a request or push stream (RFC 9114 §4.1, §6.1, §6.2.2): frames read
 * incrementally, header sections decoded with QPACK, the message state machine applied, and the
 * results turned into events. A header section blocked on QPACK inserts (RFC 9204 §2.2.1) holds
 * back everything after it on the stream until `unblocked` delivers it.
 * @module
 */
import { H3Error, H3ErrorCode } from '../errors.ts';
import type { H3Event } from '../events.ts';
import { H3FrameReader, type H3FrameReaderItem } from '../frames/reader.ts';
import type { PushState } from '../push.ts';
import type { QpackDecoder } from '../qpack/decoder.ts';
import type { DecodedField } from '../qpack/types.ts';
import { checkNotSignal } from './extension.ts';
import { checkH3FrameAllowed } from './frame-legality.ts';
import { fieldSectionSize } from './headers-validation.ts';
import type { MessageReceiver } from './message.ts';

export interface RequestStreamReaderOptions {
  readonly streamId: number;
  /** Push streams: the push ID (their message is a response). */
  readonly pushId: number | undefined;
  readonly receiver: MessageReceiver;
  /** Whether we are the server (servers never receive PUSH_PROMISE). */
  readonly asServer: boolean;
  /** Largest HEADERS or PUSH_PROMISE frame buffered. */
  readonly maxFieldSectionFrame: number;
  /** Largest decoded field section accepted (our SETTINGS_MAX_FIELD_SECTION_SIZE). */
  readonly maxFieldSectionSize: number;
  readonly decoder: QpackDecoder;
  /** Push ID limits, for PUSH_PROMISE. */
  readonly push: PushState;
  /** Signal values an extension claims: never valid as frame types here (H3_FRAME_ERROR). */
  readonly signals?: ReadonlySet<number>;
}

type Blocked = { readonly kind: 'headers' } | { readonly kind: 'push-promise'; readonly pushId: number };

const EMPTY = new Uint8Array(0);

export class RequestStreamReader {
  readonly streamId: number;
  readonly pushId: number | undefined;
  readonly receiver: MessageReceiver;
  /** The receiving side is finished: ended cleanly, reset, or abandoned. */
  ended = false;
  private readonly reader: H3FrameReader;
  private readonly options: RequestStreamReaderOptions;
  private blocked: Blocked | undefined;
  /** Items not processed yet (only while blocked); the first `owned` hold their own bytes. */
  private queue: H3FrameReaderItem[] = [];
  private owned = 0;
  /** The stream ended after the queued items. */
  private finQueued = false;
  private events: H3Event[] = [];

  constructor(options: RequestStreamReaderOptions) {
    this.options = options;
    this.streamId = options.streamId;
    this.pushId = options.pushId;
    this.receiver = options.receiver;
    const kind = options.pushId === undefined ? 'request' : 'push';
    this.reader = new H3FrameReader({
      maxFieldSectionFrame: options.maxFieldSectionFrame,
      onFrameStart: (type) => {
        checkH3FrameAllowed(type, kind, options.asServer);
        if (options.signals !== undefined) checkNotSignal(type, options.signals);
      },
    });
  }

  /** Whether a header section waits for QPACK inserts. */
  get isBlocked(): boolean {
    return this.blocked !== undefined;
  }

  /**
   * Feeds stream bytes (`fin`: the stream ended after them). Throws H3Error for violations; the
   * events produced up to that point stay available from `takeEvents`.
   */
  push(data: Uint8Array, fin: boolean): void {
    if (this.ended) return;
    const items = this.reader.push(data);
    if (fin) this.reader.finish(); // RFC 9114 §7.1: a truncated last frame is H3_FRAME_ERROR
    for (const item of items) this.queue.push(item);
    if (fin) this.finQueued = true;
    this.drain();
    // Items left behind wait for QPACK: give them their own bytes (the input may be reused).
    for (let i = this.owned; i < this.queue.length; i++) {
      const item = this.queue[i]!;
      if (item.kind === 'data') this.queue[i] = { kind: 'data', data: item.data.slice(), end: item.end };
    }
    this.owned = this.queue.length;
  }

  /** The blocked field section was decoded: deliver it and what waited behind it. */
  unblocked(fields: readonly DecodedField[]): void {
    const blocked = this.blocked;
    if (blocked === undefined || this.ended) return;
    this.blocked = undefined;
    const final = this.finQueued && this.queue.length === 0;
    if (blocked.kind === 'headers') {
      this.deliverHeaders(fields, final);
    } else {
      this.emit({ kind: 'push-promise', streamId: this.streamId, pushId: blocked.pushId, headers: fields });
      if (final) this.endMessage();
    }
    this.drain();
  }

  /** Reading stops (reset by the peer, or abandoned): nothing more is processed. */
  stop(): void {
    this.ended = true;
    this.queue = [];
    this.owned = 0;
    this.blocked = undefined;
  }

  /** Events produced since the last call. */
  takeEvents(): H3Event[] {
    const out = this.events;
    this.events = [];
    return out;
  }

  private emit(event: H3Event): void {
    this.events.push(event);
  }

  /** Processes queued items until the stream blocks on QPACK or runs dry. */
  private drain(): void {
    while (this.blocked === undefined && !this.ended) {
      const item = this.queue.shift();
      if (item === undefined) {
        if (this.finQueued) this.endMessage();
        return;
      }
      if (this.owned > 0) this.owned--;
      this.process(item, this.finQueued && this.queue.length === 0);
    }
  }

  /** One reader item; `final` when the stream ends right after it. */
  private process(item: H3FrameReaderItem, final: boolean): void {
    const id = this.streamId;
    switch (item.kind) {
      case 'skipped':
        if (final) this.endMessage();
        return;
      case 'data':
        this.receiver.onData(item.data.length);
        if (final) {
          this.receiver.onEnd();
          this.ended = true;
          this.emit({ kind: 'data', streamId: id, data: item.data, endStream: true });
        } else if (item.data.length > 0) {
          this.emit({ kind: 'data', streamId: id, data: item.data, endStream: false });
        }
        return;
      case 'frame': {
        const f = item.frame;
        const decoder = this.options.decoder;
        if (f.kind === 'headers') {
          const r = decoder.decodeFieldSection(id, f.fieldSection);
          if (r.kind === 'blocked') this.blocked = { kind: 'headers' };
          else this.deliverHeaders(r.fields, final);
        } else if (f.kind === 'push-promise') {
          this.options.push.checkAllowed(f.pushId, 'PUSH_PROMISE');
          const r = decoder.decodeFieldSection(id, f.fieldSection);
          if (r.kind === 'blocked') {
            this.blocked = { kind: 'push-promise', pushId: f.pushId };
          } else {
            this.emit({ kind: 'push-promise', streamId: id, pushId: f.pushId, headers: r.fields });
            if (final) this.endMessage();
          }
        }
        // Other frame types never reach here: the legality check rejected them.
      }
    }
  }

  private deliverHeaders(fields: readonly DecodedField[], final: boolean): void {
    // RFC 9114 §4.2.2: we do not process sections above the size we announced.
    const size = fieldSectionSize(fields);
    const limit = this.options.maxFieldSectionSize;
    if (size > limit) throw new H3Error(H3ErrorCode.H3_EXCESSIVE_LOAD, `field section of ${size} bytes above our limit ${limit}`, 'stream');
    const kind = this.receiver.onHeaders(fields);
    if (final) {
      this.receiver.onEnd();
      this.ended = true;
    }
    const streamId = this.streamId;
    if (kind === 'trailers') {
      this.emit({ kind: 'trailers', streamId, headers: fields, endStream: final });
      return;
    }
    const interim = kind === 'interim';
    this.emit(this.pushId === undefined
      ? { kind: 'headers', streamId, headers: fields, endStream: final, interim }
      : { kind: 'headers', streamId, headers: fields, endStream: final, interim, pushId: this.pushId });
  }

  /** The stream ended with nothing else to deliver: the end is an empty DATA event. */
  private endMessage(): void {
    this.receiver.onEnd();
    this.ended = true;
    this.emit({ kind: 'data', streamId: this.streamId, data: EMPTY, endStream: true });
  }
}
