/**
 * The HTTP/3 connection (RFC 9114): a pure event transformer over a `QuicStreamsPort`.
 *
 * Calling contract: feed what the transport reports through the `QuicStreamsInputs` methods
 * (`handleStreamData`, `handleStreamReset`, `handleStopSending`, `handleDatagram`), issue
 * commands (`sendRequest`, `sendHeaders`, `sendData`, `sendTrailers`, `resetStream`,
 * `sendGoaway`, `shutdown`, `sendDatagram`, `close`), and after each call drain `pollEvent()`.
 * Every write goes straight to the port; nothing here keeps time or does I/O.
 *
 * Extensions (WebTransport) plug in through `options.extension` (see streams/extension.ts): they
 * claim streams by type or signal, receive capsules and datagrams of the CONNECT streams whose
 * `:protocol` they own, and write their streams with the `*ExtensionStream` commands.
 *
 * Errors: peer violations are thrown as H3Error/QpackError wherever they are detected and
 * converted here, in `guard` and `failStream`, into either a stream error (the stream is reset and
 * reading stopped, RFC 9114 §8) or a connection error (CONNECTION_CLOSE through the port).
 * API misuse throws TypeError or RangeError.
 * @module
 */
import { H3Error, H3ErrorCode } from './errors.ts';
import type { H3Event } from './events.ts';
import { CapsuleParser } from './capsules.ts';
import { encodeH3Frame, encodeH3FrameHeader } from './frames/codec.ts';
import type { H3FrameReaderItem } from './frames/reader.ts';
import { type H3SettingEntry, H3FrameType, h3ReservedCode } from './frames/types.ts';
import { GoawayState } from './goaway.ts';
import { decodeH3Datagram, encodeH3Datagram } from './h3-datagram.ts';
import { PushState } from './push.ts';
import { QpackDecoder } from './qpack/decoder.ts';
import { QpackEncoder, type QpackEncoderOptions } from './qpack/encoder.ts';
import type { QpackField } from './qpack/types.ts';
import {
  isLocalStream, isRequestStreamId, isServerInitiatedStream, isUniStreamId, type QuicStreamsInputs, type QuicStreamsPort,
} from './quic-port.ts';
import { type H3Settings, type H3SettingsInit, settingsFromEntries, settingsToEntries } from './settings.ts';
import { ControlStreamReader } from './streams/control-stream.ts';
import {
  BidiPrefaceReader, type ExtensionStreamState, type H3Extension, UniPrefaceReader,
} from './streams/extension.ts';
import { fieldSectionSize } from './streams/headers-validation.ts';
import { type H3HeadersKind, MessageReceiver, MessageSender } from './streams/message.ts';
import { RequestStreamReader } from './streams/request-stream.ts';
import { H3UniStreamType } from './streams/stream-types.ts';
import { VarintAccumulator } from './varint-accumulator.ts';

export interface H3ConnectionOptions {
  readonly role: 'client' | 'server';
  readonly port: QuicStreamsPort;
  /**
   * What we announce. Defaults: QPACK table capacity 4096, 16 blocked streams, field sections up
   * to 64 KiB, no extended CONNECT, no datagrams.
   */
  readonly settings?: H3SettingsInit;
  /** Options of our QPACK encoder. */
  readonly qpack?: QpackEncoderOptions;
  /** Client: the MAX_PUSH_ID to send. Without it no push is ever allowed (RFC 9114 §4.6). */
  readonly maxPushId?: number;
  /**
   * N of the reserved setting `0x1f * N + 0x21` sent with SETTINGS (RFC 9114 §7.2.4.1), or
   * false to send none. Pass a random N where a random source is at hand. Default 7.
   */
  readonly grease?: number | false;
  /** Largest SETTINGS frame accepted (default 16 KiB). */
  readonly maxSettingsFrame?: number;
  /** An upper layer that claims extension streams, capsules and datagrams (e.g. WebTransport). */
  readonly extension?: H3Extension;
}

/** A request or push stream: a message we receive, and (request streams) one we send. */
interface MessageStream {
  readonly id: number;
  /** Push streams: the push ID. */
  readonly pushId: number | undefined;
  readonly input: RequestStreamReader;
  /** Absent on push streams, which we only read. */
  readonly send: MessageSender | undefined;
  sendDone: boolean;
}

type UniStream =
  | { readonly kind: 'type'; readonly acc: VarintAccumulator }
  | { readonly kind: 'control'; readonly reader: ControlStreamReader }
  | { readonly kind: 'qpack-encoder' }
  | { readonly kind: 'qpack-decoder' }
  | { readonly kind: 'push-id'; readonly acc: VarintAccumulator }
  | { readonly kind: 'push'; readonly stream: MessageStream }
  | { readonly kind: 'ext-preface'; readonly reader: UniPrefaceReader }
  | { readonly kind: 'ignored' };

const EMPTY = new Uint8Array(0);
const DEFAULT_SETTINGS: H3SettingsInit = { qpackMaxTableCapacity: 4096, qpackBlockedStreams: 16, maxFieldSectionSize: 65536 };

export class H3Connection implements QuicStreamsInputs {
  readonly role: 'client' | 'server';
  /** What we announced. */
  readonly localSettings: H3Settings;
  /** What the peer announced, once its SETTINGS arrived. */
  peerSettings: H3Settings | undefined;
  private readonly port: QuicStreamsPort;
  private readonly encoder: QpackEncoder;
  private readonly decoder: QpackDecoder;
  private readonly goaway: GoawayState;
  private readonly push = new PushState();
  private readonly messages = new Map<number, MessageStream>();
  private readonly uni = new Map<number, UniStream>();
  private readonly events: H3Event[] = [];
  private eventHead = 0;
  private localControl = -1;
  private localEncoder = -1;
  private localDecoder = -1;
  private peerControlSeen = false;
  private peerEncoderSeen = false;
  private peerDecoderSeen = false;
  /** Server: the lowest request stream ID not seen yet (RFC 9114 §5.2 GOAWAY value). */
  private nextPeerRequest = 0;
  /** Server: request stream IDs below `nextPeerRequest` that have not appeared yet. */
  private readonly unseenPeerRequests = new Set<number>();
  private shuttingDown = false;
  private drainedReported = false;
  private closed = false;
  private readonly maxFieldSectionFrame: number;
  private readonly maxSettingsFrame: number | undefined;
  private readonly ext: H3Extension | undefined;
  private readonly extUniTypes: ReadonlySet<number>;
  private readonly extSignals: ReadonlySet<number>;
  private readonly extProtocols: ReadonlySet<string>;
  /** Streams the extension owns (claimed after their preface, or opened by it). */
  private readonly extStreams = new Map<number, ExtensionStreamState>();
  /** Peer bidirectional streams whose first bytes are still being read. */
  private readonly bidiPrefaces = new Map<number, BidiPrefaceReader>();
  /** CONNECT streams whose capsules go to the extension; null while a client awaits the 2xx. */
  private readonly capsuleStreams = new Map<number, CapsuleParser | null>();

  constructor(options: H3ConnectionOptions) {
    this.role = options.role;
    this.port = options.port;
    this.goaway = new GoawayState(this.role);
    const ext = options.extension;
    this.ext = ext;
    this.extUniTypes = new Set(ext?.uniStreamTypes ?? []);
    this.extSignals = new Set(ext?.bidiSignals ?? []);
    this.extProtocols = new Set(ext?.connectProtocols ?? []);
    let init: H3SettingsInit = { ...DEFAULT_SETTINGS, ...options.settings };
    if (ext !== undefined && ext.settings.length > 0) init = { ...init, extra: [...settingEntries(init.extra), ...ext.settings] };
    const grease = options.grease ?? 7;
    const entries = settingsToEntries(init, grease === false ? undefined : h3ReservedCode(grease));
    this.localSettings = settingsFromEntries(entries);
    const maxSection = this.localSettings.maxFieldSectionSize;
    // An encoded section is never much larger than its decoded size (32 bytes of overhead per line).
    this.maxFieldSectionFrame = Number.isFinite(maxSection) ? maxSection + 64 : 1 << 20;
    this.maxSettingsFrame = options.maxSettingsFrame;
    this.encoder = new QpackEncoder(options.qpack);
    // The section size limit is applied per stream (a stream error), not by the decoder.
    this.decoder = new QpackDecoder({
      maxTableCapacity: this.localSettings.qpackMaxTableCapacity,
      maxBlockedStreams: this.localSettings.qpackBlockedStreams,
    });
    if (options.maxPushId !== undefined) {
      if (this.role !== 'client') throw new TypeError('only clients send MAX_PUSH_ID');
      this.push.send(options.maxPushId);
    }
    this.openLocalStreams(entries);
  }

  // ---- inputs ---------------------------------------------------------------------------------

  handleStreamData(streamId: number, data: Uint8Array, fin: boolean): void {
    this.guard(() => {
      if (isUniStreamId(streamId)) {
        if (!isLocalStream(streamId, this.role)) this.onUniData(streamId, data, fin);
      } else {
        this.onBidiData(streamId, data, fin);
      }
    });
  }

  handleStreamReset(streamId: number, code: number): void {
    this.guard(() => {
      const e = this.extStreams.get(streamId);
      if (e !== undefined) {
        const was = e.recv;
        e.recv = 'done';
        if (was === 'open') this.ext!.onStreamReset(streamId, code);
        this.maybeReleaseExt(streamId, e);
        return;
      }
      if (this.bidiPrefaces.delete(streamId)) {
        // Reset before its first bytes told what it is: close our side too.
        this.port.resetStream(streamId, H3ErrorCode.H3_REQUEST_CANCELLED);
        return;
      }
      const u = this.uni.get(streamId);
      if (u !== undefined) {
        this.checkCritical(u, 'reset');
        this.uni.delete(streamId);
        if (u.kind === 'push') this.onPeerReset(u.stream, code);
        return;
      }
      const s = this.messages.get(streamId);
      if (s !== undefined) this.onPeerReset(s, code);
    });
  }

  handleStopSending(streamId: number, code: number): void {
    this.guard(() => {
      // RFC 9114 §6.2.1, RFC 9204 §4.2: our critical streams must not be closed.
      if (streamId === this.localControl || streamId === this.localEncoder || streamId === this.localDecoder) {
        throw new H3Error(H3ErrorCode.H3_CLOSED_CRITICAL_STREAM, `STOP_SENDING on critical stream ${streamId}`);
      }
      const e = this.extStreams.get(streamId);
      if (e !== undefined) {
        if (e.send === 'open') this.ext!.onStopSending(streamId, code);
        return;
      }
      const s = this.messages.get(streamId);
      if (s === undefined || s.send === undefined || s.sendDone) return;
      // RFC 9000 §3.5: answer STOP_SENDING with RESET_STREAM.
      this.port.resetStream(streamId, code);
      s.send.end();
      s.sendDone = true;
      this.emit({ kind: 'stop-sending', streamId, code });
      this.maybeRetire(s);
    });
  }

  handleDatagram(payload: Uint8Array): void {
    this.guard(() => {
      // RFC 9297 §2.1.1: datagrams are only for endpoints that announced H3_DATAGRAM=1.
      if (!this.localSettings.h3Datagram) return;
      const { streamId, payload: data } = decodeH3Datagram(payload);
      const s = this.messages.get(streamId);
      if (this.ext !== undefined && streamId >= 0) {
        if (this.capsuleStreams.has(streamId)) {
          if (s !== undefined && !s.input.ended) this.ext.onDatagram(streamId, data);
          return;
        }
        // The request may still be on its way (draft-ietf-webtrans-http3 §4.6): the extension buffers.
        const unseen = s === undefined ? streamId >= this.nextPeerRequest || this.unseenPeerRequests.has(streamId) : !s.input.receiver.headersReceived;
        if (this.role === 'server' && isRequestStreamId(streamId) && unseen) {
          this.ext.onDatagram(streamId, data);
          return;
        }
      }
      // RFC 9297 §2.1: unknown or closed streams: dropped.
      if (s === undefined || s.input.ended || s.pushId !== undefined) return;
      if (this.role === 'server' && !s.input.receiver.headersReceived) return;
      this.emit({ kind: 'datagram', streamId, payload: data });
    });
  }

  // ---- commands -------------------------------------------------------------------------------

  /** The next event, or null. */
  pollEvent(): H3Event | null {
    if (this.eventHead >= this.events.length) {
      if (this.eventHead > 0) {
        this.events.length = 0;
        this.eventHead = 0;
      }
      return null;
    }
    return this.events[this.eventHead++]!;
  }

  /** Whether the connection was closed (by us, through the port). */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Client: whether a new request may be sent (no GOAWAY received, no shutdown started). */
  get acceptsNewRequests(): boolean {
    return !this.closed && !this.shuttingDown && this.goaway.receivedId === undefined;
  }

  /** Request and push streams still in progress. */
  get activeStreamCount(): number {
    return this.messages.size;
  }

  /** The ID of the GOAWAY we sent and of the one we received. */
  get goawayIds(): { readonly sent: number | undefined; readonly received: number | undefined } {
    return { sent: this.goaway.sentId, received: this.goaway.receivedId };
  }

  /**
   * Client: opens a request stream and sends the request's header section. Returns the stream
   * ID, or null when the transport cannot open a stream now (stream limit).
   */
  sendRequest(headers: readonly QpackField[], options: { readonly endStream?: boolean } = {}): number | null {
    this.checkOpen();
    if (this.role !== 'client') throw new TypeError('only clients send requests');
    if (!this.acceptsNewRequests) throw new TypeError('no new requests after GOAWAY or shutdown');
    const endStream = options.endStream ?? false;
    const sender = new MessageSender('request');
    const kind = sender.checkHeaders(headers, this.peerSettings?.enableConnectProtocol ?? false, endStream);
    this.checkPeerSectionSize(headers);
    const id = this.port.openBidiStream();
    if (id === null) return null;
    if (!isRequestStreamId(id)) throw new RangeError(`the port opened stream ${id}, not a client bidirectional stream`);
    const method = headers.find((f) => f.name === ':method')?.value ?? 'GET';
    const s = this.newMessageStream(id, undefined, new MessageReceiver('response', false, method), sender);
    const protocol = headers.find((f) => f.name === ':protocol')?.value;
    if (protocol !== undefined && this.extProtocols.has(protocol)) this.capsuleStreams.set(id, null);
    this.writeHeaders(s, headers, kind, endStream);
    return id;
  }

  /** Server: sends a response header section (interim 1xx or final) on a request stream. */
  sendHeaders(streamId: number, headers: readonly QpackField[], options: { readonly endStream?: boolean } = {}): void {
    const s = this.sendable(streamId);
    if (this.role === 'server' && !s.input.receiver.headersReceived) throw new TypeError(`no request received on stream ${streamId} yet`);
    const endStream = options.endStream ?? false;
    const kind = s.send!.checkHeaders(headers, false, endStream);
    if (kind === 'trailers') throw new TypeError('the header section was already sent: use sendTrailers');
    this.checkPeerSectionSize(headers);
    this.writeHeaders(s, headers, kind, endStream);
  }

  /** Sends content in a DATA frame, without copying it; `endStream` ends the stream after it. */
  sendData(streamId: number, data: Uint8Array, options: { readonly endStream?: boolean } = {}): void {
    const s = this.sendable(streamId);
    s.send!.checkData();
    const endStream = options.endStream ?? false;
    if (data.length > 0) {
      this.port.writeStream(streamId, encodeH3FrameHeader(H3FrameType.DATA, data.length), false);
      this.port.writeStream(streamId, data, endStream);
    } else if (endStream) {
      this.port.writeStream(streamId, EMPTY, true);
    }
    if (endStream) this.sendEnded(s);
  }

  /** Sends a trailer section and ends the stream. */
  sendTrailers(streamId: number, headers: readonly QpackField[]): void {
    const s = this.sendable(streamId);
    const kind = s.send!.checkHeaders(headers, false, true);
    if (kind !== 'trailers') throw new TypeError('trailers before the header section');
    this.checkPeerSectionSize(headers);
    this.writeHeaders(s, headers, kind, true);
  }

  /**
   * Abandons a request or push stream: resets our sending side and stops reading (default code
   * H3_REQUEST_CANCELLED, RFC 9114 §4.1.1).
   */
  resetStream(streamId: number, code: number = H3ErrorCode.H3_REQUEST_CANCELLED): void {
    this.checkOpen();
    const s = this.messages.get(streamId);
    if (s === undefined) throw new TypeError(`stream ${streamId} is not an open request or push stream`);
    this.abandon(s, code);
    this.maybeRetire(s);
  }

  /**
   * Sends GOAWAY (RFC 9114 §5.2). A server sends a request stream ID (default: the lowest it has
   * not seen, so every request received so far completes); a client sends a push ID (default:
   * one past the highest push ID seen). A later GOAWAY may not raise the ID (RangeError).
   * Requests a server already accepted at or above the ID are rejected (H3_REQUEST_REJECTED).
   */
  sendGoaway(id?: number): void {
    this.checkOpen();
    const value = id ?? this.defaultGoawayId();
    this.goaway.send(value);
    this.port.writeStream(this.localControl, encodeH3Frame({ kind: 'goaway', id: value }), false);
    if (this.role === 'server') {
      for (const s of [...this.messages.values()]) {
        if (s.id >= value && s.pushId === undefined) this.failStream(s, new H3Error(H3ErrorCode.H3_REQUEST_REJECTED, 'request above our GOAWAY', 'stream'));
      }
    }
    this.checkDrained();
  }

  /**
   * Graceful shutdown (RFC 9114 §5.2): sends GOAWAY unless one was sent, accepts no new requests
   * and lets those in flight finish; a `drained` event says when the connection may be closed.
   */
  shutdown(): void {
    this.checkOpen();
    if (this.goaway.sentId === undefined) this.sendGoaway();
    this.shuttingDown = true;
    this.checkDrained();
  }

  /** Closes the connection (default H3_NO_ERROR); nothing is sent or processed afterwards. */
  close(code: number = H3ErrorCode.H3_NO_ERROR, reason = ''): void {
    if (this.closed) return;
    this.closed = true;
    this.port.closeConnection(code, reason);
  }

  /**
   * Sends an HTTP/3 datagram for a request stream whose sending side is open (RFC 9297 §2.1).
   * Both endpoints must have announced H3_DATAGRAM=1 (TypeError otherwise).
   */
  sendDatagram(streamId: number, payload: Uint8Array): void {
    this.checkOpen();
    if (!this.localSettings.h3Datagram || this.peerSettings?.h3Datagram !== true) {
      throw new TypeError('HTTP/3 datagrams need SETTINGS_H3_DATAGRAM=1 from both endpoints');
    }
    const s = this.messages.get(streamId);
    if (s === undefined || s.send === undefined || s.sendDone) throw new TypeError(`stream ${streamId} has no open sending side`);
    this.port.sendDatagram(encodeH3Datagram(streamId, payload));
  }

  // ---- extension streams ----------------------------------------------------------------------

  /**
   * Opens a stream for the extension and writes its preface (e.g. WebTransport's `0x41` or
   * `0x54` and a session ID). Returns the stream ID, or null at the transport's stream limit.
   * What arrives on a bidirectional one is passed to `onStreamData`.
   */
  openExtensionStream(direction: 'bidi' | 'uni', preface: Uint8Array): number | null {
    this.checkOpen();
    if (this.ext === undefined) throw new TypeError('no extension is installed');
    const id = direction === 'bidi' ? this.port.openBidiStream() : this.port.openUniStream();
    if (id === null) return null;
    this.extStreams.set(id, { recv: direction === 'bidi' ? 'open' : 'done', send: 'open' });
    this.port.writeStream(id, preface, false);
    return id;
  }

  /** Writes on an extension stream's sending side (TypeError when it is not open). */
  writeExtensionStream(streamId: number, data: Uint8Array, fin: boolean): void {
    this.checkOpen();
    const e = this.extStreams.get(streamId);
    if (e === undefined || e.send !== 'open') throw new TypeError(`stream ${streamId} has no open extension sending side`);
    this.port.writeStream(streamId, data, fin);
    if (fin) {
      e.send = 'done';
      this.maybeReleaseExt(streamId, e);
    }
  }

  /** Resets an extension stream's sending side; false when it was not open (nothing sent). */
  resetExtensionStream(streamId: number, code: number): boolean {
    const e = this.extStreams.get(streamId);
    if (this.closed || e === undefined || e.send !== 'open') return false;
    this.port.resetStream(streamId, code);
    e.send = 'done';
    this.maybeReleaseExt(streamId, e);
    return true;
  }

  /**
   * Stops reading an extension stream (STOP_SENDING); what still arrives is discarded. False
   * when its receiving side was not open (nothing sent).
   */
  stopExtensionStream(streamId: number, code: number): boolean {
    const e = this.extStreams.get(streamId);
    if (this.closed || e === undefined || e.recv !== 'open') return false;
    this.port.stopSending(streamId, code);
    e.recv = 'stopped';
    return true;
  }

  /** Extension streams with a direction still open. */
  get extensionStreamCount(): number {
    return this.extStreams.size;
  }

  // ---- error conversion -----------------------------------------------------------------------

  /** Runs an input handler: the one place where connection errors become a close. */
  private guard(fn: () => void): void {
    if (this.closed) return;
    try {
      fn();
    } catch (e) {
      if (e instanceof H3Error) {
        // A stream error that escaped its stream is treated as a connection error.
        this.fail(e.code, e.reason);
        return;
      }
      this.fail(H3ErrorCode.H3_INTERNAL_ERROR, e instanceof Error ? e.message : String(e));
      throw e;
    }
  }

  private fail(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.port.closeConnection(code, reason);
    this.emit({ kind: 'connection-error', code, reason });
  }

  /** Stream errors reset the stream (RFC 9114 §8); anything else goes on to `guard`. */
  private failStream(s: MessageStream, e: unknown): void {
    if (!(e instanceof H3Error) || e.scope !== 'stream') throw e;
    if (!this.messages.has(s.id)) return;
    this.abandon(s, e.code);
    this.emit({ kind: 'stream-error', streamId: s.id, code: e.code, reason: e.reason });
    this.maybeRetire(s);
  }

  /** Stops reading and resets sending on a stream, cancelling its QPACK state (RFC 9204 §4.4.2). */
  private abandon(s: MessageStream, code: number): void {
    if (!s.input.ended) {
      this.port.stopSending(s.id, code);
      s.input.stop();
      this.decoder.cancelStream(s.id);
      this.flushDecoder();
    }
    if (s.send !== undefined && !s.sendDone) {
      this.port.resetStream(s.id, code);
      s.send.end();
      s.sendDone = true;
    }
  }

  // ---- streams --------------------------------------------------------------------------------

  private openLocalStreams(entries: ReturnType<typeof settingsToEntries>): void {
    const control = this.port.openUniStream();
    const encoder = this.port.openUniStream();
    const decoder = this.port.openUniStream();
    if (control === null || encoder === null || decoder === null) {
      // RFC 9114 §6.2: HTTP/3 needs at least three unidirectional streams each way.
      this.fail(H3ErrorCode.H3_STREAM_CREATION_ERROR, 'the peer allows too few unidirectional streams');
      return;
    }
    this.localControl = control;
    this.localEncoder = encoder;
    this.localDecoder = decoder;
    // RFC 9114 §6.2.1: SETTINGS is the first frame of the control stream.
    const parts = [Uint8Array.of(H3UniStreamType.CONTROL), encodeH3Frame({ kind: 'settings', entries })];
    if (this.push.maxPushIdSent !== undefined) parts.push(encodeH3Frame({ kind: 'max-push-id', pushId: this.push.maxPushIdSent }));
    this.port.writeStream(control, concat(parts), false);
    this.port.writeStream(encoder, Uint8Array.of(H3UniStreamType.QPACK_ENCODER), false);
    this.port.writeStream(decoder, Uint8Array.of(H3UniStreamType.QPACK_DECODER), false);
  }

  private onBidiData(id: number, data: Uint8Array, fin: boolean): void {
    const claimed = this.extStreams.get(id);
    if (claimed !== undefined) {
      this.extData(id, claimed, data, fin);
      return;
    }
    const preface = this.bidiPrefaces.get(id);
    if (preface !== undefined) {
      this.onBidiPreface(id, preface, data, fin);
      return;
    }
    if (isServerInitiatedStream(id)) {
      if (this.role === 'server') return;
      // RFC 9114 §6.1: no server-initiated bidirectional streams without an extension.
      if (this.extSignals.size === 0) throw new H3Error(H3ErrorCode.H3_STREAM_CREATION_ERROR, `server-initiated bidirectional stream ${id}`);
      this.startBidiPreface(id, data, fin);
      return;
    }
    let s = this.messages.get(id);
    if (s === undefined) {
      if (this.role === 'client') return; // one of ours, already finished
      if (!this.isNewPeerRequest(id)) return; // finished or abandoned already
      if (this.extSignals.size > 0) {
        this.startBidiPreface(id, data, fin);
        return;
      }
      s = this.acceptRequestStream(id);
      if (s === undefined) return;
    }
    this.feedMessage(s, data, fin);
  }

  /** Server: a new request stream, or undefined when our GOAWAY rejects it. */
  private acceptRequestStream(id: number): MessageStream | undefined {
    if (this.goaway.rejectsIncoming(id)) {
      // RFC 9114 §5.2: requests at or above our GOAWAY are rejected unprocessed.
      this.port.stopSending(id, H3ErrorCode.H3_REQUEST_REJECTED);
      this.port.resetStream(id, H3ErrorCode.H3_REQUEST_REJECTED);
      this.decoder.cancelStream(id);
      this.flushDecoder();
      return undefined;
    }
    return this.newMessageStream(id, undefined, new MessageReceiver('request', this.localSettings.enableConnectProtocol), new MessageSender('response'));
  }

  private startBidiPreface(id: number, data: Uint8Array, fin: boolean): void {
    const reader = new BidiPrefaceReader(this.extSignals);
    this.bidiPrefaces.set(id, reader);
    this.onBidiPreface(id, reader, data, fin);
  }

  /** The first bytes of a peer bidirectional stream: an extension's signal, or (server) a request. */
  private onBidiPreface(id: number, reader: BidiPrefaceReader, data: Uint8Array, fin: boolean): void {
    const r = reader.feed(data);
    let start: Uint8Array | undefined;
    if (r.kind === 'more') {
      if (!fin) return;
      start = reader.undecidedBytes; // ended inside the first varint: let the request rules judge it
    } else if (r.kind === 'unclaimed') {
      start = r.bytes;
    }
    this.bidiPrefaces.delete(id);
    if (r.kind === 'claimed') {
      this.claimPeerStream(id, r.signal, r.arg, r.rest, fin, 'bidi');
      return;
    }
    if (start === undefined) return; // ended between the signal and its argument
    if (isServerInitiatedStream(id)) {
      // draft-ietf-webtrans-http3 §4.3: server-initiated bidirectional streams start with a signal.
      throw new H3Error(H3ErrorCode.H3_STREAM_CREATION_ERROR, `server-initiated bidirectional stream ${id} without a known signal`);
    }
    const s = this.acceptRequestStream(id);
    if (s !== undefined) this.feedMessage(s, start, fin);
  }

  /** A peer stream becomes the extension's once its preface is read. */
  private claimPeerStream(id: number, type: number, arg: number, rest: Uint8Array, fin: boolean, direction: 'bidi' | 'uni'): void {
    const state: ExtensionStreamState = { recv: 'open', send: direction === 'bidi' ? 'open' : 'done' };
    this.extStreams.set(id, state);
    this.ext!.onStream(id, type, arg);
    if (rest.length > 0 || fin) this.extData(id, state, rest, fin);
  }

  private extData(id: number, e: ExtensionStreamState, data: Uint8Array, fin: boolean): void {
    if (e.recv === 'done') return;
    if (e.recv === 'open') this.ext!.onStreamData(id, data, fin);
    if (fin) {
      e.recv = 'done';
      this.maybeReleaseExt(id, e);
    }
  }

  private maybeReleaseExt(id: number, e: ExtensionStreamState): void {
    if (e.recv === 'done' && e.send === 'done') this.extStreams.delete(id);
  }

  /**
   * Server: whether `id` is a request stream not seen before. Streams may first show up out of
   * order, so the IDs skipped over are remembered until they appear.
   */
  private isNewPeerRequest(id: number): boolean {
    if (id >= this.nextPeerRequest) {
      // The transport enforces stream limits; this only bounds what a faulty port could cost us.
      if ((id - this.nextPeerRequest) / 4 > 65536) throw new H3Error(H3ErrorCode.H3_EXCESSIVE_LOAD, `request stream ${id} skips too many streams`);
      for (let skipped = this.nextPeerRequest; skipped < id; skipped += 4) this.unseenPeerRequests.add(skipped);
      this.nextPeerRequest = id + 4;
      return true;
    }
    return this.unseenPeerRequests.delete(id);
  }

  private newMessageStream(id: number, pushId: number | undefined, receiver: MessageReceiver, send: MessageSender | undefined): MessageStream {
    const input = new RequestStreamReader({
      streamId: id, pushId, receiver, asServer: this.role === 'server', maxFieldSectionFrame: this.maxFieldSectionFrame,
      maxFieldSectionSize: this.localSettings.maxFieldSectionSize, decoder: this.decoder, push: this.push,
      ...(this.extSignals.size > 0 ? { signals: this.extSignals } : {}),
    });
    const s: MessageStream = { id, pushId, input, send, sendDone: send === undefined };
    this.messages.set(id, s);
    return s;
  }

  private feedMessage(s: MessageStream, data: Uint8Array, fin: boolean): void {
    this.runStream(s, () => s.input.push(data, fin));
  }

  /** Field sections the encoder stream unblocked, in order. */
  private unblock(sections: ReturnType<QpackDecoder['readEncoderStream']>): void {
    for (const section of sections) {
      const s = this.messages.get(section.streamId);
      if (s !== undefined && s.input.isBlocked) this.runStream(s, () => s.input.unblocked(section.fields));
    }
  }

  /** Runs stream input, then passes on its events and QPACK output, and converts stream errors. */
  private runStream(s: MessageStream, fn: () => void): void {
    let error: unknown;
    try {
      fn();
    } catch (e) {
      error = e;
    }
    try {
      for (const event of s.input.takeEvents()) this.routeMessageEvent(s, event);
    } catch (e) {
      error ??= e;
    }
    this.flushDecoder();
    if (error !== undefined) this.failStream(s, error);
    else this.maybeRetire(s);
  }

  /**
   * Passes a request-stream event on, except the content of a CONNECT stream whose capsules the
   * extension owns: that goes through the capsule parser (RFC 9297 §3.2), and only its end is
   * reported as an event.
   */
  private routeMessageEvent(s: MessageStream, event: H3Event): void {
    if (this.ext !== undefined && s.pushId === undefined) {
      if (event.kind === 'headers' && !event.interim) {
        this.claimConnect(s);
      } else if (event.kind === 'data') {
        const parser = this.capsuleStreams.get(s.id);
        if (parser) {
          for (const capsule of parser.push(event.data)) this.ext.onCapsule(s.id, capsule);
          if (!event.endStream) return;
          parser.finish();
          this.emit({ kind: 'data', streamId: s.id, data: EMPTY, endStream: true });
          return;
        }
      }
    }
    this.emit(event);
  }

  /** A final header section on a possible CONNECT stream of the extension. */
  private claimConnect(s: MessageStream): void {
    if (this.role === 'server') {
      const request = s.input.receiver.request;
      if (request?.method === 'CONNECT' && request.protocol !== undefined && this.extProtocols.has(request.protocol)) {
        this.capsuleStreams.set(s.id, this.newCapsuleParser());
      }
      return;
    }
    if (this.capsuleStreams.get(s.id) !== null) return;
    const status = s.input.receiver.response?.status ?? 0;
    // Capsules follow a 2xx (RFC 9297 §3.2); after another status the content is an ordinary body.
    if (status >= 200 && status < 300) this.capsuleStreams.set(s.id, this.newCapsuleParser());
    else this.capsuleStreams.delete(s.id);
  }

  private newCapsuleParser(): CapsuleParser {
    const ext = this.ext!;
    return new CapsuleParser({ knownTypes: ext.capsuleTypes, ...(ext.maxCapsuleSize !== undefined ? { maxCapsuleSize: ext.maxCapsuleSize } : {}) });
  }

  private onPeerReset(s: MessageStream, code: number): void {
    if (s.input.ended) return;
    s.input.stop();
    // RFC 9204 §4.4.2: the decoder tells the encoder it will not read the stream's sections.
    this.decoder.cancelStream(s.id);
    this.flushDecoder();
    this.emit({ kind: 'stream-reset', streamId: s.id, code });
    // A request reset before its header section never reached the application: close our side.
    if (this.role === 'server' && !s.input.receiver.headersReceived && s.send !== undefined && !s.sendDone) {
      this.port.resetStream(s.id, H3ErrorCode.H3_REQUEST_CANCELLED);
      s.send.end();
      s.sendDone = true;
    }
    this.maybeRetire(s);
  }

  private sendEnded(s: MessageStream): void {
    s.send?.end();
    s.sendDone = true;
    this.maybeRetire(s);
  }

  private maybeRetire(s: MessageStream): void {
    if (!s.input.ended || !s.sendDone || !this.messages.has(s.id)) return;
    this.messages.delete(s.id);
    this.capsuleStreams.delete(s.id);
    if (s.pushId !== undefined) this.uni.delete(s.id);
    this.checkDrained();
  }

  // ---- unidirectional streams -----------------------------------------------------------------

  private onUniData(id: number, data: Uint8Array, fin: boolean): void {
    const claimed = this.extStreams.get(id);
    if (claimed !== undefined) {
      this.extData(id, claimed, data, fin);
      return;
    }
    let u = this.uni.get(id);
    let rest = data;
    if (u === undefined) {
      u = { kind: 'type', acc: new VarintAccumulator() };
      this.uni.set(id, u);
    }
    if (u.kind === 'type') {
      const r = u.acc.feed(rest, 0);
      if (r.value < 0) {
        // RFC 9114 §6.2: a stream may end before its type; that is tolerated.
        if (fin) this.uni.delete(id);
        return;
      }
      rest = rest.subarray(r.pos);
      u = this.openUni(id, r.value);
      this.uni.set(id, u);
    }
    if (u.kind === 'push-id') {
      const r = u.acc.feed(rest, 0);
      if (r.value < 0) {
        if (fin) this.uni.delete(id);
        return;
      }
      rest = rest.subarray(r.pos);
      this.push.openStream(r.value);
      const stream = this.newMessageStream(id, r.value, new MessageReceiver('response'), undefined);
      u = { kind: 'push', stream };
      this.uni.set(id, u);
    }
    switch (u.kind) {
      case 'control':
        for (const item of u.reader.push(rest)) {
          if (item.kind === 'frame') this.onControlFrame(item.frame);
        }
        break;
      case 'qpack-encoder': {
        const sections = this.decoder.readEncoderStream(rest);
        this.flushDecoder();
        this.unblock(sections);
        break;
      }
      case 'qpack-decoder':
        this.encoder.readDecoderStream(rest);
        break;
      case 'push':
        this.feedMessage(u.stream, rest, fin);
        return;
      case 'ext-preface': {
        const r = u.reader.feed(rest);
        if (r === null) {
          if (fin) this.uni.delete(id); // ended inside its preface: tolerated like a missing type
          return;
        }
        this.uni.delete(id);
        this.claimPeerStream(id, u.reader.type, r.arg, r.rest, fin, 'uni');
        return;
      }
      case 'ignored':
        if (fin) this.uni.delete(id);
        return;
    }
    if (fin) this.checkCritical(u, 'ended');
  }

  private openUni(id: number, type: number): UniStream {
    const duplicate = (what: string): H3Error => new H3Error(H3ErrorCode.H3_STREAM_CREATION_ERROR, `second ${what} stream (${id})`);
    switch (type) {
      case H3UniStreamType.CONTROL:
        // RFC 9114 §6.2.1: one control stream per endpoint.
        if (this.peerControlSeen) throw duplicate('control');
        this.peerControlSeen = true;
        return {
          kind: 'control',
          reader: new ControlStreamReader(this.maxSettingsFrame !== undefined ? { maxSettingsFrame: this.maxSettingsFrame } : {}),
        };
      case H3UniStreamType.QPACK_ENCODER:
        // RFC 9204 §4.2: one encoder and one decoder stream per endpoint.
        if (this.peerEncoderSeen) throw duplicate('QPACK encoder');
        this.peerEncoderSeen = true;
        return { kind: 'qpack-encoder' };
      case H3UniStreamType.QPACK_DECODER:
        if (this.peerDecoderSeen) throw duplicate('QPACK decoder');
        this.peerDecoderSeen = true;
        return { kind: 'qpack-decoder' };
      case H3UniStreamType.PUSH:
        // RFC 9114 §6.2.2: only servers push.
        if (this.role === 'server') throw new H3Error(H3ErrorCode.H3_STREAM_CREATION_ERROR, `client-initiated push stream ${id}`);
        return { kind: 'push-id', acc: new VarintAccumulator() };
      default:
        if (this.extUniTypes.has(type)) return { kind: 'ext-preface', reader: new UniPrefaceReader(type) };
        // RFC 9114 §6.2: unknown stream types are not read.
        this.port.stopSending(id, H3ErrorCode.H3_STREAM_CREATION_ERROR);
        return { kind: 'ignored' };
    }
  }

  /** RFC 9114 §6.2.1, RFC 9204 §4.2: closing a critical stream is a connection error. */
  private checkCritical(u: UniStream, how: string): void {
    if (u.kind === 'control' || u.kind === 'qpack-encoder' || u.kind === 'qpack-decoder') {
      throw new H3Error(H3ErrorCode.H3_CLOSED_CRITICAL_STREAM, `peer ${u.kind} stream ${how}`);
    }
  }

  private onControlFrame(f: Extract<H3FrameReaderItem, { kind: 'frame' }>['frame']): void {
    switch (f.kind) {
      case 'settings': {
        const settings = settingsFromEntries(f.entries);
        this.peerSettings = settings;
        this.encoder.setPeerSettings({ maxTableCapacity: settings.qpackMaxTableCapacity, maxBlockedStreams: settings.qpackBlockedStreams });
        this.flushEncoder();
        this.emit({ kind: 'settings', settings });
        return;
      }
      case 'goaway':
        this.onGoaway(f.id);
        return;
      case 'max-push-id':
        // RFC 9114 §7.2.7: servers do not send MAX_PUSH_ID.
        if (this.role === 'client') throw new H3Error(H3ErrorCode.H3_FRAME_UNEXPECTED, 'MAX_PUSH_ID from a server');
        this.push.receiveMax(f.pushId);
        this.emit({ kind: 'max-push-id', pushId: f.pushId });
        return;
      case 'cancel-push':
        if (this.role === 'client') this.push.checkAllowed(f.pushId, 'CANCEL_PUSH');
        else this.push.checkCancelFromClient(f.pushId);
        this.emit({ kind: 'push-cancelled', pushId: f.pushId });
        return;
      default:
        // HEADERS and PUSH_PROMISE never get here (legality check).
        return;
    }
  }

  private onGoaway(id: number): void {
    this.goaway.receive(id);
    this.emit({ kind: 'goaway', id });
    if (this.role === 'client') {
      // RFC 9114 §5.2: requests at or above the ID were not processed and may be retried.
      for (const s of [...this.messages.values()]) {
        if (s.pushId !== undefined || !this.goaway.rejectsOutgoing(s.id)) continue;
        this.abandon(s, H3ErrorCode.H3_REQUEST_CANCELLED);
        this.messages.delete(s.id);
        this.capsuleStreams.delete(s.id);
        this.emit({ kind: 'request-rejected', streamId: s.id });
      }
    }
    this.checkDrained();
  }

  private defaultGoawayId(): number {
    const natural = this.role === 'server' ? this.nextPeerRequest : this.push.highestSeen + 1;
    return this.goaway.sentId === undefined ? natural : Math.min(natural, this.goaway.sentId);
  }

  private checkDrained(): void {
    if (this.drainedReported || this.closed) return;
    if (!this.shuttingDown && this.goaway.receivedId === undefined && this.goaway.sentId === undefined) return;
    if (this.messages.size > 0) return;
    this.drainedReported = true;
    this.emit({ kind: 'drained' });
  }

  // ---- output helpers -------------------------------------------------------------------------

  private writeHeaders(s: MessageStream, headers: readonly QpackField[], kind: H3HeadersKind, endStream: boolean): void {
    const { fieldSection, encoderStream } = this.encoder.encode(s.id, headers);
    // Inserts go out before the section that may reference them.
    if (encoderStream.length > 0) this.port.writeStream(this.localEncoder, encoderStream, false);
    const fin = endStream || kind === 'trailers';
    this.port.writeStream(s.id, encodeH3Frame({ kind: 'headers', fieldSection }), fin);
    s.send!.sentHeaders(kind, fin);
    if (fin) this.sendEnded(s);
  }

  private flushDecoder(): void {
    const bytes = this.decoder.takeDecoderStream();
    if (bytes.length > 0 && this.localDecoder >= 0) this.port.writeStream(this.localDecoder, bytes, false);
  }

  private flushEncoder(): void {
    const bytes = this.encoder.takeEncoderStream();
    if (bytes.length > 0 && this.localEncoder >= 0) this.port.writeStream(this.localEncoder, bytes, false);
  }

  private checkOpen(): void {
    if (this.closed) throw new TypeError('the connection is closed');
  }

  private sendable(streamId: number): MessageStream {
    this.checkOpen();
    const s = this.messages.get(streamId);
    if (s === undefined || s.send === undefined || s.sendDone) throw new TypeError(`stream ${streamId} has no open sending side`);
    return s;
  }

  /** RFC 9114 §4.2.2: do not send sections above the peer's announced limit. */
  private checkPeerSectionSize(headers: readonly QpackField[]): void {
    const limit = this.peerSettings?.maxFieldSectionSize ?? Infinity;
    const size = fieldSectionSize(headers);
    if (size > limit) throw new RangeError(`field section of ${size} bytes above the peer's limit ${limit}`);
  }

  private emit(event: H3Event): void {
    this.events.push(event);
  }
}

/** The entries of `H3SettingsInit.extra`, whichever form they were given in. */
function settingEntries(extra: H3SettingsInit['extra']): H3SettingEntry[] {
  const out: H3SettingEntry[] = [];
  for (const item of extra ?? []) {
    if (Array.isArray(item)) out.push({ id: (item as readonly [number, number])[0], value: (item as readonly [number, number])[1] });
    else out.push(item as H3SettingEntry);
  }
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
