/**
 * WebTransport over HTTP/3, sans-IO (draft-ietf-webtrans-http3 -02 to -16): the coordinator of
 * the sessions on one HTTP/3 connection, in either role. It owns the `H3Connection` (installed
 * with the WebTransport extension hooks) and is driven the same way: feed the transport's input
 * through the `QuicStreamsInputs` methods, issue commands, and after each call drain `pollEvent()`.
 * Everything else HTTP/3 reports comes out as `{ kind: 'h3' }` events, and `h3` stays usable for
 * ordinary requests.
 *
 * The HTTP/3 hooks only queue what they are given; the queue is worked through, in order with
 * HTTP/3's own events, once the HTTP/3 call returns, so nothing re-enters the HTTP/3 connection.
 *
 * Peer violations become a stream reset, a session error (the CONNECT stream is reset with the
 * code) or a connection close here, in `process`; API misuse throws TypeError or RangeError.
 * @module
 */
import {
  type Capsule, H3Connection, type H3ConnectionOptions, H3ErrorCode, type H3Event, type QuicStreamsInputs, type QuicStreamsPort,
} from '@quicts/h3';
import { WebTransportErrorCode } from '../errors.ts';
import { decodeWtCapsule, encodeWtCapsule, WT_CAPSULE_TYPES, type WtCapsule } from './capsules.ts';
import { wtStreamCodeToH3, h3StreamCodeToWt } from './codes.ts';
import {
  negotiateWt, WT_DEFAULT_LOCAL_SETTINGS, WT_UPGRADE_TOKENS, wtDefinesRequirementsNotMet, type WtDialect, type WtLocalSettings,
  type WtNegotiated, type WtPeerTransport, type WtRequirement, wtRequirementsNotMet, wtSettingsEntries,
} from './dialect.ts';
import type { WtEvent } from './events.ts';
import { buildWtRequest, buildWtResponse, isWtRequest, readWtRequest, readWtResponse, type WtRequestInit } from './headers.ts';
import { checkSessionId, encodeWtPreface, WT_BIDI_SIGNAL, WT_UNI_STREAM_TYPE } from './preface.ts';
import { WtProtocolError } from './protocol-error.ts';
import { WtSession, type WtSessionStats, type WtStream } from './session.ts';

type H3Extension = NonNullable<H3ConnectionOptions['extension']>;

export interface WtConnectionOptions {
  readonly role: 'client' | 'server';
  readonly port: QuicStreamsPort;
  /** What we offer; omitted fields take WT_DEFAULT_LOCAL_SETTINGS. */
  readonly settings?: Partial<WtLocalSettings>;
  /** Options of the HTTP/3 connection (its settings get extended CONNECT and datagrams added). */
  readonly h3?: Omit<H3ConnectionOptions, 'role' | 'port' | 'extension'>;
  /** Streams held while their session is unknown or not yet established (default 16, draft -15 §4.6). */
  readonly maxBufferedStreams?: number;
  /** Bytes held per such stream (default 65536); beyond, the stream is rejected too. */
  readonly maxBufferedStreamBytes?: number;
  /** Datagrams held while their session is not established (default 32); beyond, they are dropped. */
  readonly maxBufferedDatagrams?: number;
  /**
   * The peer's transport parameters WebTransport depends on (max_datagram_frame_size), known once
   * the handshake is done; when given, a peer without QUIC datagrams speaks no dialect (draft -15 §3.1).
   */
  readonly peerTransport?: WtPeerTransport;
  /**
   * Client: close the connection with WT_REQUIREMENTS_NOT_MET when the server announced a dialect
   * that defines the code but lacks what it requires (default true: draft -15 §3.1 lets a client
   * that wants the connection only for WebTransport do so). False keeps it for other requests.
   */
  readonly closeOnRequirementsNotMet?: boolean;
}

/** What the HTTP/3 hooks hand over, queued for `process`. */
type Input =
  | { readonly kind: 'h3'; readonly event: H3Event }
  | { readonly kind: 'stream'; readonly id: number; readonly type: number; readonly sessionId: number }
  | { readonly kind: 'data'; readonly id: number; readonly data: Uint8Array; readonly fin: boolean }
  | { readonly kind: 'reset' | 'stop'; readonly id: number; readonly code: number }
  | { readonly kind: 'capsule'; readonly sessionId: number; readonly capsule: Capsule }
  | { readonly kind: 'datagram'; readonly sessionId: number; readonly payload: Uint8Array };

type StreamInput = Extract<Input, { kind: 'data' | 'reset' | 'stop' }>;

/** A stream whose session is not established yet, with what arrived on it (copied). */
interface BufferedStream {
  readonly sessionId: number;
  readonly bidi: boolean;
  readonly inputs: StreamInput[];
  bytes: number;
}

const EMPTY = new Uint8Array(0);

export class WtConnection implements QuicStreamsInputs {
  readonly role: 'client' | 'server';
  readonly h3: H3Connection;
  readonly local: WtLocalSettings;
  /** The dialect and its rules, once the peer's SETTINGS arrived (undefined: none in common). */
  negotiated: WtNegotiated | undefined;
  /**
   * When the peer announced a dialect we speak but no dialect is usable: the highest such dialect
   * and what the peer lacks for it (draft -15 §3.1).
   */
  requirementsNotMet: { readonly dialect: WtDialect; readonly missing: readonly WtRequirement[] } | undefined;
  private peerSettingsSeen = false;
  private readonly sessions = new Map<number, WtSession>();
  /** Sessions that ended: their late streams get WT_SESSION_GONE (§6). */
  private readonly ended = new Set<number>();
  private readonly streams = new Map<number, WtStream>();
  private readonly buffered = new Map<number, BufferedStream>();
  private bufferedDatagrams: { sessionId: number; payload: Uint8Array }[] = [];
  /** Server: sessions whose request waits for the client's SETTINGS (§3.1). */
  private waiting: number[] = [];
  private inbox: Input[] = [];
  private processing = false;
  private readonly events: WtEvent[] = [];
  private eventHead = 0;
  private readonly maxBufferedStreams: number;
  private readonly maxBufferedStreamBytes: number;
  private readonly maxBufferedDatagrams: number;
  private readonly peerTransport: WtPeerTransport | undefined;
  private readonly closeOnRequirementsNotMet: boolean;

  constructor(options: WtConnectionOptions) {
    this.role = options.role;
    this.local = { ...WT_DEFAULT_LOCAL_SETTINGS, ...options.settings };
    if (this.local.dialects.length === 0) throw new RangeError('at least one WebTransport dialect is needed');
    this.maxBufferedStreams = options.maxBufferedStreams ?? 16;
    this.maxBufferedStreamBytes = options.maxBufferedStreamBytes ?? 65536;
    this.maxBufferedDatagrams = options.maxBufferedDatagrams ?? 32;
    this.peerTransport = options.peerTransport;
    this.closeOnRequirementsNotMet = options.closeOnRequirementsNotMet ?? true;
    const h3 = options.h3 ?? {};
    this.h3 = new H3Connection({
      ...h3,
      role: this.role,
      port: options.port,
      settings: { ...h3.settings, h3Datagram: true, ...(this.role === 'server' ? { enableConnectProtocol: true } : {}) },
      extension: this.hooks(),
    });
    this.process();
  }

  // ---- inputs ---------------------------------------------------------------------------------

  handleStreamData(streamId: number, data: Uint8Array, fin: boolean): void {
    this.h3.handleStreamData(streamId, data, fin);
    this.process();
  }

  handleStreamReset(streamId: number, code: number): void {
    this.h3.handleStreamReset(streamId, code);
    this.process();
  }

  handleStopSending(streamId: number, code: number): void {
    this.h3.handleStopSending(streamId, code);
    this.process();
  }

  handleDatagram(payload: Uint8Array): void {
    this.h3.handleDatagram(payload);
    this.process();
  }

  /** The next event, or null. */
  pollEvent(): WtEvent | null {
    if (this.eventHead >= this.events.length) {
      this.events.length = 0;
      this.eventHead = 0;
      return null;
    }
    return this.events[this.eventHead++]!;
  }

  // ---- queries --------------------------------------------------------------------------------

  /** Sessions not ended, in any state. */
  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Session streams open in some direction. */
  get streamCount(): number {
    return this.streams.size;
  }

  /** IDs of the sessions not ended. */
  sessionIds(): number[] {
    return [...this.sessions.keys()];
  }

  /** A session's state, WT-Protocol and counters, or undefined once it ended. */
  sessionInfo(sessionId: number): { state: WtSession['state']['kind']; protocol: string | undefined; streams: number; stats: Readonly<WtSessionStats> } | undefined {
    const s = this.sessions.get(sessionId);
    if (s === undefined) return undefined;
    return { state: s.state.kind, protocol: s.protocol, streams: s.streams.size, stats: { ...s.stats } };
  }

  /** Session credit left for sending data, or Infinity without session flow control. */
  sendCredit(sessionId: number): number {
    return this.sessions.get(sessionId)?.credit?.sendData.available ?? Infinity;
  }

  // ---- session commands -----------------------------------------------------------------------

  /**
   * Client: asks for a session. Needs the server's SETTINGS with a common dialect (TypeError
   * before, draft -15 §4.6). Returns the session ID, or null when no more sessions or requests
   * are possible now (session limit, stream limit, GOAWAY).
   */
  createSession(init: WtRequestInit): number | null {
    if (this.role !== 'client') throw new TypeError('only clients create sessions');
    const n = this.requireNegotiated();
    if (this.h3.isClosed || !this.h3.acceptsNewRequests) return null;
    if (this.sessions.size >= n.maxSessions) return null;
    const id = this.h3.sendRequest(buildWtRequest(n.dialect, init));
    if (id === null) return null;
    const s = new WtSession(id, { kind: 'requested' });
    s.request = { authority: init.authority, path: init.path, origin: init.origin, protocols: init.protocols ?? [], headers: [] };
    s.offeredProtocols = init.protocols ?? [];
    s.startFlowControl(n);
    this.sessions.set(id, s);
    this.process();
    return id;
  }

  /**
   * Server: accepts a requested session with a 2xx (§3.2). `protocol` must be one the client
   * offered (WT-Protocol, §3.3).
   */
  acceptSession(sessionId: number, options: { readonly protocol?: string; readonly headers?: readonly { name: string; value: string }[] } = {}): void {
    const s = this.pendingSession(sessionId);
    const protocol = options.protocol;
    if (protocol !== undefined && !(s.request?.protocols ?? []).includes(protocol)) {
      throw new TypeError(`protocol ${JSON.stringify(protocol)} was not offered by the client`);
    }
    const n = this.negotiated!;
    this.h3.sendHeaders(sessionId, buildWtResponse(n.dialect, protocol, options.headers));
    s.protocol = protocol;
    s.state = { kind: 'open' };
    s.startFlowControl(n);
    const capsules = s.pendingCapsules;
    s.pendingCapsules = [];
    for (const c of capsules) this.inbox.push({ kind: 'capsule', sessionId, capsule: c });
    this.flushBuffered(s);
    this.process();
  }

  /** Server: refuses a requested session with a non-2xx status (default 404) and ends the stream. */
  rejectSession(sessionId: number, status = 404, headers: readonly { name: string; value: string }[] = []): void {
    if (!Number.isInteger(status) || status < 300 || status > 599) throw new RangeError(`a rejection needs a 3xx-5xx status, not ${status}`);
    const s = this.pendingSession(sessionId);
    this.h3.sendHeaders(sessionId, [{ name: ':status', value: String(status) }, ...headers], { endStream: true });
    s.connectSendOpen = false;
    this.terminate(s, undefined);
    this.process();
  }

  /**
   * Ends a session: CLOSE_WEBTRANSPORT_SESSION with `code` (32-bit) and `reason` (cut to 1024
   * bytes of UTF-8) in a DATA frame, then FIN (§6); a client whose session is not answered yet
   * cancels the request instead. Its streams are reset with WT_SESSION_GONE. No-op once ended.
   */
  closeSession(sessionId: number, code = 0, reason = ''): void {
    if (!Number.isInteger(code) || code < 0 || code > 0xffffffff) throw new RangeError(`session close codes are 32-bit: ${code}`);
    const s = this.sessions.get(sessionId);
    if (s === undefined) return;
    if (s.state.kind === 'pending') throw new TypeError('a session not accepted yet is refused with rejectSession');
    if (s.state.kind === 'requested') {
      this.h3.resetStream(sessionId, H3ErrorCode.H3_REQUEST_CANCELLED);
      s.connectSendOpen = false;
    } else {
      this.sendCapsule(s, { kind: 'close', code, reason }, true);
    }
    this.terminate(s, { code, reason, remote: false });
    this.process();
  }

  /** Asks the peer to wind the session down (DRAIN_WEBTRANSPORT_SESSION, §4.7); sent once. */
  drainSession(sessionId: number): void {
    const s = this.openSession(sessionId);
    if (s.drainSent) return;
    s.drainSent = true;
    this.sendCapsule(s, { kind: 'drain' });
    this.process();
  }

  /**
   * Sends a datagram of the session (§4.5). False when it cannot go out: the session is not
   * usable, or the peer did not announce HTTP/3 datagrams.
   */
  sendDatagram(sessionId: number, payload: Uint8Array): boolean {
    const s = this.sessions.get(sessionId);
    if (s === undefined || s.state.kind === 'pending' || this.h3.isClosed || this.h3.peerSettings?.h3Datagram !== true) return false;
    this.h3.sendDatagram(sessionId, payload);
    s.stats.datagramsSent++;
    return true;
  }

  // ---- stream commands ------------------------------------------------------------------------

  /**
   * Opens a stream in a session (a client may do so before the response, §4). Returns its ID, or
   * null when the peer's session stream credit (a WT_STREAMS_BLOCKED capsule is sent) or the
   * transport's stream limit stops it.
   */
  openStream(sessionId: number, direction: 'bidi' | 'uni'): number | null {
    const s = this.sessions.get(sessionId);
    if (s === undefined || s.state.kind === 'pending') throw new TypeError(`session ${sessionId} cannot open streams`);
    const credit = s.credit === undefined ? undefined : direction === 'bidi' ? s.credit.sendBidi : s.credit.sendUni;
    if (credit !== undefined && credit.available === 0) {
      s.stats.blocked++;
      const at = credit.blocked();
      if (at !== undefined) this.sendCapsule(s, { kind: 'streams-blocked', bidi: direction === 'bidi', max: at });
      this.process();
      return null;
    }
    const id = this.h3.openExtensionStream(direction, encodeWtPreface(direction, sessionId));
    if (id === null) return null;
    credit?.take(1);
    const bidi = direction === 'bidi';
    this.streams.set(id, { id, sessionId, bidi, local: true, recv: bidi ? 'open' : 'done', send: 'open' });
    s.streams.add(id);
    s.stats.streamsOpenedLocal++;
    return id;
  }

  /**
   * Writes on a stream; returns how many bytes of `data` were taken. Fewer than all when the
   * session's data credit ran out (a WT_DATA_BLOCKED capsule is sent; a `session-writable` event
   * follows more credit); `fin` applies only when everything was taken.
   */
  writeStream(streamId: number, data: Uint8Array, fin = false): number {
    const st = this.streams.get(streamId);
    if (st === undefined || st.send !== 'open') throw new TypeError(`stream ${streamId} has no open sending side`);
    const s = this.sessions.get(st.sessionId)!;
    let n = data.length;
    if (s.credit !== undefined) {
      n = s.credit.sendData.take(data.length);
      if (n < data.length) {
        s.stats.blocked++;
        const at = s.credit.sendData.blocked();
        if (at !== undefined) this.sendCapsule(s, { kind: 'data-blocked', max: at });
      }
    }
    const finNow = fin && n === data.length;
    if (n > 0 || finNow) this.h3.writeExtensionStream(streamId, n === data.length ? data : data.subarray(0, n), finNow);
    s.stats.bytesSent += n;
    if (finNow) {
      st.send = 'done';
      this.maybeForget(st);
    }
    this.process();
    return n;
  }

  /** Resets a stream's sending side with application code `code` (mapped, §4.4). */
  resetStream(streamId: number, code = 0): void {
    const st = this.streams.get(streamId);
    if (st === undefined || st.send !== 'open') return;
    this.h3.resetExtensionStream(streamId, wtStreamCodeToH3(this.negotiated?.dialect, code));
    st.send = 'done';
    this.maybeForget(st);
    this.process();
  }

  /** Asks the peer to stop sending on a stream, with application code `code` (mapped, §4.4). */
  stopSending(streamId: number, code = 0): void {
    const st = this.streams.get(streamId);
    if (st === undefined || st.recv !== 'open') return;
    this.h3.stopExtensionStream(streamId, wtStreamCodeToH3(this.negotiated?.dialect, code));
    st.recv = 'done';
    this.maybeForget(st);
    this.process();
  }

  // ---- the queue ------------------------------------------------------------------------------

  /** The extension hooks: each queues its input behind the HTTP/3 events produced before it. */
  private hooks(): H3Extension {
    const queue = (input: Input): void => {
      this.pullH3();
      this.inbox.push(input);
    };
    return {
      uniStreamTypes: [WT_UNI_STREAM_TYPE],
      bidiSignals: [WT_BIDI_SIGNAL],
      connectProtocols: WT_UPGRADE_TOKENS,
      capsuleTypes: WT_CAPSULE_TYPES,
      maxCapsuleSize: 4096,
      settings: wtSettingsEntries(this.local),
      onStream: (id, type, arg) => queue({ kind: 'stream', id, type, sessionId: arg }),
      onStreamData: (id, data, fin) => queue({ kind: 'data', id, data, fin }),
      onStreamReset: (id, code) => queue({ kind: 'reset', id, code }),
      onStopSending: (id, code) => queue({ kind: 'stop', id, code }),
      onCapsule: (sessionId, capsule) => queue({ kind: 'capsule', sessionId, capsule }),
      onDatagram: (sessionId, payload) => queue({ kind: 'datagram', sessionId, payload }),
    };
  }

  private pullH3(): void {
    for (let e = this.h3.pollEvent(); e !== null; e = this.h3.pollEvent()) this.inbox.push({ kind: 'h3', event: e });
  }

  /** Works through the queue; the one place where WebTransport protocol errors are converted. */
  private process(): void {
    if (this.processing) return;
    this.processing = true;
    try {
      this.pullH3();
      for (let i = 0; i < this.inbox.length; i++) {
        const input = this.inbox[i]!;
        try {
          this.handle(input);
        } catch (e) {
          if (!(e instanceof WtProtocolError)) throw e;
          this.onProtocolError(e, input);
        }
        this.pullH3();
      }
    } finally {
      this.inbox = [];
      this.processing = false;
    }
  }

  private onProtocolError(e: WtProtocolError, input: Input): void {
    if (e.scope === 'connection') {
      this.h3.close(e.code, e.reason);
      this.pullH3();
      this.closeAll(e.code);
      return;
    }
    const sessionId = input.kind === 'capsule' || input.kind === 'datagram' || input.kind === 'stream' ? input.sessionId
      : input.kind === 'h3' ? -1 : this.streams.get(input.id)?.sessionId ?? -1;
    const s = this.sessions.get(sessionId);
    if (s !== undefined) this.failSession(s, e.code, e.reason);
  }

  private handle(input: Input): void {
    switch (input.kind) {
      case 'h3':
        this.onH3Event(input.event);
        return;
      case 'stream':
        this.onPeerStream(input.id, input.type === WT_BIDI_SIGNAL, input.sessionId);
        return;
      case 'data':
      case 'reset':
      case 'stop':
        this.onStreamInput(input);
        return;
      case 'capsule': {
        const s = this.sessions.get(input.sessionId);
        if (s === undefined) return;
        if (s.state.kind === 'pending') {
          // draft -15 §3.2: capsules before the 2xx wait for it (and are dropped on rejection).
          if (!s.holdCapsule(input.capsule)) throw new WtProtocolError(H3ErrorCode.H3_EXCESSIVE_LOAD, 'too many capsules before the session was accepted', 'session');
          return;
        }
        this.onCapsule(s, decodeWtCapsule(input.capsule.type, input.capsule.value));
        return;
      }
      case 'datagram':
        this.onDatagram(input.sessionId, input.payload);
        return;
    }
  }

  // ---- HTTP/3 events --------------------------------------------------------------------------

  private onH3Event(e: H3Event): void {
    switch (e.kind) {
      case 'settings':
        this.onPeerSettings();
        break;
      case 'headers': {
        if (e.interim) break;
        if (this.role === 'server' && isWtRequest(e.headers)) {
          this.onSessionRequest(e.streamId, e.headers, e.endStream);
          return;
        }
        const s = this.sessions.get(e.streamId);
        if (s !== undefined && this.role === 'client') {
          this.onSessionResponse(s, e.headers);
          return;
        }
        break;
      }
      case 'data': {
        const s = this.sessions.get(e.streamId);
        if (s !== undefined) {
          // Capsules went to the hooks: only the end of the CONNECT stream is left (§6).
          if (e.endStream) this.onConnectEnd(s);
          return;
        }
        if (this.ended.has(e.streamId)) return; // the body of a refused session, or what follows a close
        break;
      }
      case 'stream-reset':
      case 'stream-error':
      case 'stop-sending':
      case 'request-rejected': {
        const s = this.sessions.get(e.streamId);
        if (s !== undefined) {
          s.connectSendOpen = false;
          const code = e.kind === 'request-rejected' ? H3ErrorCode.H3_REQUEST_REJECTED : e.code;
          this.terminate(s, { code: 0, reason: '', remote: e.kind !== 'stream-error', error: code });
          return;
        }
        if (this.ended.has(e.streamId)) return;
        break;
      }
      case 'goaway':
        // §4.7: GOAWAY asks every session to wind down.
        for (const s of this.sessions.values()) if (s.state.kind === 'open') this.emit({ kind: 'session-draining', sessionId: s.id });
        break;
      case 'connection-error':
        this.closeAll(e.code);
        break;
      default:
        break;
    }
    this.emit({ kind: 'h3', event: e });
  }

  private onPeerSettings(): void {
    this.peerSettingsSeen = true;
    const peer = this.h3.peerSettings!;
    this.negotiated = negotiateWt(this.role, this.local, peer, this.peerTransport);
    this.requirementsNotMet = this.negotiated === undefined ? wtRequirementsNotMet(this.role, this.local, peer, this.peerTransport) : undefined;
    this.emit({ kind: 'settings', dialect: this.negotiated?.dialect, flowControl: this.negotiated?.flowControl ?? false });
    // A server treats the requests as malformed (`announce`), without closing (draft -15 §3.1).
    const waiting = this.waiting;
    this.waiting = [];
    for (const id of waiting) {
      const s = this.sessions.get(id);
      if (s !== undefined) this.announce(s);
    }
    const unmet = this.requirementsNotMet;
    if (unmet !== undefined && this.role === 'client' && this.closeOnRequirementsNotMet && wtDefinesRequirementsNotMet(unmet.dialect)) {
      // draft -15 §3.1: a client MUST NOT establish sessions when the server's SETTINGS or transport
      // parameters lack what WebTransport requires, and MAY close the connection with
      // WT_REQUIREMENTS_NOT_MET. Drafts -13/-14 only forbid the sessions (they define no such code).
      throw new WtProtocolError(WebTransportErrorCode.WT_REQUIREMENTS_NOT_MET, `the server's SETTINGS lack ${unmet.missing.join(', ')} (${unmet.dialect})`, 'connection');
    }
  }

  /** Server: a CONNECT for WebTransport. It is handled once the client's SETTINGS are known (§3.1). */
  private onSessionRequest(id: number, headers: readonly { name: string; value: string }[], endStream: boolean): void {
    const s = new WtSession(id, { kind: 'pending', announced: false });
    s.request = readWtRequest(headers);
    this.sessions.set(id, s);
    if (endStream) {
      // A session request cannot end its stream: nothing could flow afterwards.
      this.refuse(s, 400);
      return;
    }
    if (this.peerSettingsSeen) this.announce(s);
    else this.waiting.push(id);
  }

  private announce(s: WtSession): void {
    const n = this.negotiated;
    if (n === undefined) {
      // draft -15 §3.1: without the required SETTINGS, WebTransport requests are malformed.
      this.h3.resetStream(s.id, H3ErrorCode.H3_MESSAGE_ERROR);
      s.connectSendOpen = false;
      this.terminate(s, undefined);
      return;
    }
    let active = 0;
    for (const other of this.sessions.values()) if (other.state.kind === 'open' || (other.state.kind === 'pending' && other.state.announced)) active++;
    if (active >= n.maxSessions) {
      if (!n.flowControl && (n.dialect === 'draft13' || n.dialect === 'draft15')) {
        // draft -15 §5.1: one session without flow control; the excess is reset, unprocessed.
        this.h3.resetStream(s.id, H3ErrorCode.H3_REQUEST_REJECTED);
        s.connectSendOpen = false;
        this.terminate(s, undefined);
      } else {
        this.refuse(s, 429); // §5.2: rate limited
      }
      return;
    }
    s.state = { kind: 'pending', announced: true };
    this.emit({ kind: 'session-request', sessionId: s.id, request: s.request! });
  }

  private refuse(s: WtSession, status: number): void {
    this.h3.sendHeaders(s.id, [{ name: ':status', value: String(status) }], { endStream: true });
    s.connectSendOpen = false;
    this.terminate(s, undefined);
  }

  /** Client: the final response to a session request. */
  private onSessionResponse(s: WtSession, headers: readonly { name: string; value: string }[]): void {
    if (s.state.kind !== 'requested') return;
    const { status, protocol } = readWtResponse(headers);
    if (status < 200 || status > 299) {
      this.emit({ kind: 'session-rejected', sessionId: s.id, status, headers });
      this.terminate(s, undefined);
      return;
    }
    s.state = { kind: 'open' };
    if (protocol !== undefined) {
      // §3.3: WT-Protocol must be one we offered.
      if (!s.offeredProtocols.includes(protocol)) {
        this.failSession(s, WebTransportErrorCode.WT_ALPN_ERROR, `WT-Protocol ${JSON.stringify(protocol)} was not offered`);
        return;
      }
      s.protocol = protocol;
    }
    this.emit({ kind: 'session-ready', sessionId: s.id, status, protocol: s.protocol, headers });
    this.flushBuffered(s);
  }

  /** The peer ended the CONNECT stream (without a close capsule: code 0, §6); we end ours. */
  private onConnectEnd(s: WtSession): void {
    if (s.state.kind === 'pending') {
      // The client gave up before our answer; the application hears of it only if it was asked.
      this.terminate(s, s.state.announced ? { code: 0, reason: '', remote: true } : undefined);
      return;
    }
    this.finConnect(s);
    this.terminate(s, { code: 0, reason: '', remote: true });
  }

  // ---- capsules and datagrams -----------------------------------------------------------------

  private onCapsule(s: WtSession, c: WtCapsule): void {
    const credit = s.credit;
    switch (c.kind) {
      case 'close':
        // §6: the recipient closes its side in response.
        this.finConnect(s);
        this.terminate(s, { code: c.code, reason: c.reason, remote: true });
        return;
      case 'drain':
        this.emit({ kind: 'session-draining', sessionId: s.id });
        return;
      case 'datagram':
        this.deliverDatagram(s, c.payload);
        return;
      case 'max-data':
        // draft -15 §5.1: without flow control these are ignored.
        if (credit !== undefined && credit.sendData.raise(c.max)) this.emit({ kind: 'session-writable', sessionId: s.id });
        return;
      case 'max-streams': {
        if (credit === undefined) return;
        if ((c.bidi ? credit.sendBidi : credit.sendUni).raise(c.max)) this.emit({ kind: 'session-writable', sessionId: s.id });
        return;
      }
      case 'data-blocked':
      case 'streams-blocked':
        // Informational (§5.6.3, §5.6.5): our credit is replenished as data and streams are released.
        return;
    }
  }

  private onDatagram(sessionId: number, payload: Uint8Array): void {
    const s = this.sessions.get(sessionId);
    if (s !== undefined && s.state.kind === 'open') {
      this.deliverDatagram(s, payload);
      return;
    }
    if (this.ended.has(sessionId) || (this.role === 'client' && s === undefined)) return;
    // §4.6: held until the session is established, within a limit; the excess is dropped.
    if (this.bufferedDatagrams.length >= this.maxBufferedDatagrams) return;
    this.bufferedDatagrams.push({ sessionId, payload: payload.slice() });
  }

  private deliverDatagram(s: WtSession, payload: Uint8Array): void {
    s.stats.datagramsReceived++;
    this.emit({ kind: 'datagram', sessionId: s.id, payload });
  }

  // ---- streams --------------------------------------------------------------------------------

  private onPeerStream(id: number, bidi: boolean, sessionId: number): void {
    checkSessionId(sessionId);
    const s = this.sessions.get(sessionId);
    if (s !== undefined && s.state.kind === 'open') {
      this.attach(s, id, bidi);
      return;
    }
    if (this.ended.has(sessionId) || (this.role === 'client' && s === undefined)) {
      this.abandonStream(id, bidi, WebTransportErrorCode.WT_SESSION_GONE);
      return;
    }
    // §4.6: the session may still be on its way; hold the stream within a limit.
    if (this.buffered.size >= this.maxBufferedStreams) {
      this.abandonStream(id, bidi, WebTransportErrorCode.WT_BUFFERED_STREAM_REJECTED);
      return;
    }
    this.buffered.set(id, { sessionId, bidi, inputs: [], bytes: 0 });
  }

  /** A peer stream joins an established session (its stream credit checked, §5.6.2). */
  private attach(s: WtSession, id: number, bidi: boolean): void {
    if (s.credit !== undefined) (bidi ? s.credit.recvBidi : s.credit.recvUni).receive(1);
    this.streams.set(id, { id, sessionId: s.id, bidi, local: false, recv: 'open', send: bidi ? 'open' : 'done' });
    s.streams.add(id);
    s.stats.streamsOpenedRemote++;
    this.emit({ kind: 'stream-opened', sessionId: s.id, streamId: id, bidi });
  }

  private onStreamInput(input: StreamInput): void {
    const st = this.streams.get(input.id);
    if (st === undefined) {
      const b = this.buffered.get(input.id);
      if (b === undefined) return;
      if (input.kind === 'data') {
        b.bytes += input.data.length;
        if (b.bytes > this.maxBufferedStreamBytes) {
          this.buffered.delete(input.id);
          this.abandonStream(input.id, b.bidi, WebTransportErrorCode.WT_BUFFERED_STREAM_REJECTED);
          return;
        }
        b.inputs.push({ kind: 'data', id: input.id, data: input.data.slice(), fin: input.fin });
      } else {
        b.inputs.push(input);
      }
      return;
    }
    const s = this.sessions.get(st.sessionId)!;
    switch (input.kind) {
      case 'data': {
        if (st.recv !== 'open') return;
        const n = input.data.length;
        // §5.4: stream bodies count against the session's data credit.
        s.credit?.recvData.receive(n);
        s.stats.bytesReceived += n;
        if (input.fin) st.recv = 'done';
        this.emit({ kind: 'stream-data', sessionId: s.id, streamId: st.id, data: input.data, fin: input.fin });
        if (n > 0 && s.credit !== undefined) {
          const max = s.credit.recvData.release(n);
          if (max !== undefined) this.sendCapsule(s, { kind: 'max-data', max });
        }
        this.maybeForget(st);
        return;
      }
      case 'reset':
        if (st.recv !== 'open') return;
        st.recv = 'done';
        this.emit({ kind: 'stream-reset', sessionId: s.id, streamId: st.id, code: h3StreamCodeToWt(input.code), h3Code: input.code });
        this.maybeForget(st);
        return;
      case 'stop':
        if (st.send !== 'open') return;
        // RFC 9000 §3.5: STOP_SENDING is answered with RESET_STREAM, here with the same code (§4.4).
        this.h3.resetExtensionStream(st.id, input.code);
        st.send = 'done';
        this.emit({ kind: 'stop-sending', sessionId: s.id, streamId: st.id, code: h3StreamCodeToWt(input.code), h3Code: input.code });
        this.maybeForget(st);
        return;
    }
  }

  /** Streams and datagrams held for a session that is now established. */
  private flushBuffered(s: WtSession): void {
    for (const [id, b] of [...this.buffered]) {
      if (b.sessionId !== s.id) continue;
      this.buffered.delete(id);
      this.inbox.push({ kind: 'stream', id, type: b.bidi ? WT_BIDI_SIGNAL : WT_UNI_STREAM_TYPE, sessionId: s.id });
      for (const input of b.inputs) this.inbox.push(input);
    }
    const keep: { sessionId: number; payload: Uint8Array }[] = [];
    for (const d of this.bufferedDatagrams) {
      if (d.sessionId === s.id) this.inbox.push({ kind: 'datagram', sessionId: s.id, payload: d.payload });
      else keep.push(d);
    }
    this.bufferedDatagrams = keep;
  }

  /** Both directions done: the stream is forgotten, and a peer stream gives its credit back. */
  private maybeForget(st: WtStream): void {
    if (st.recv !== 'done' || st.send !== 'done' || !this.streams.has(st.id)) return;
    this.streams.delete(st.id);
    const s = this.sessions.get(st.sessionId);
    if (s === undefined) return;
    s.streams.delete(st.id);
    if (!st.local && s.credit !== undefined) {
      const max = (st.bidi ? s.credit.recvBidi : s.credit.recvUni).release(1);
      if (max !== undefined) this.sendCapsule(s, { kind: 'max-streams', bidi: st.bidi, max });
    }
  }

  /** Stops reading and resets sending on a stream we will not serve. */
  private abandonStream(id: number, bidi: boolean, code: number): void {
    this.h3.stopExtensionStream(id, code);
    if (bidi) this.h3.resetExtensionStream(id, code);
  }

  // ---- session end ----------------------------------------------------------------------------

  private sendCapsule(s: WtSession, c: WtCapsule, fin = false): void {
    if (!s.connectSendOpen || this.h3.isClosed) return;
    this.h3.sendData(s.id, encodeWtCapsule(c), { endStream: fin });
    if (fin) s.connectSendOpen = false;
  }

  private finConnect(s: WtSession): void {
    if (!s.connectSendOpen || this.h3.isClosed) return;
    s.connectSendOpen = false;
    this.h3.sendData(s.id, EMPTY, { endStream: true });
  }

  /** A session error: the CONNECT stream is reset with `code` (e.g. WT_FLOW_CONTROL_ERROR). */
  private failSession(s: WtSession, code: number, reason: string): void {
    if (!this.h3.isClosed) {
      try {
        this.h3.resetStream(s.id, code);
      } catch (e) {
        if (!(e instanceof TypeError)) throw e; // the stream was finished already
      }
    }
    s.connectSendOpen = false;
    this.terminate(s, { code: 0, reason, remote: false, error: code });
  }

  /**
   * The session ends (§6): its streams are reset and stopped with WT_SESSION_GONE, streams and
   * datagrams held for it are refused or dropped, and `closed` (when given) is reported.
   */
  private terminate(s: WtSession, closed: { code: number; reason: string; remote: boolean; error?: number } | undefined): void {
    if (!this.sessions.delete(s.id)) return;
    this.ended.add(s.id);
    const gone = WebTransportErrorCode.WT_SESSION_GONE;
    for (const id of s.streams) {
      const st = this.streams.get(id);
      this.streams.delete(id);
      if (st === undefined || this.h3.isClosed) continue;
      if (st.send === 'open') this.h3.resetExtensionStream(id, gone);
      if (st.recv === 'open') this.h3.stopExtensionStream(id, gone);
    }
    s.streams.clear();
    for (const [id, b] of [...this.buffered]) {
      if (b.sessionId !== s.id) continue;
      this.buffered.delete(id);
      if (!this.h3.isClosed) this.abandonStream(id, b.bidi, gone);
    }
    this.bufferedDatagrams = this.bufferedDatagrams.filter((d) => d.sessionId !== s.id);
    if (closed !== undefined) {
      this.emit(closed.error === undefined
        ? { kind: 'session-closed', sessionId: s.id, code: closed.code, reason: closed.reason, remote: closed.remote }
        : { kind: 'session-closed', sessionId: s.id, code: closed.code, reason: closed.reason, remote: closed.remote, error: closed.error });
    }
  }

  /** The connection is gone: every session ends with `code`. */
  private closeAll(code: number): void {
    for (const s of [...this.sessions.values()]) {
      s.connectSendOpen = false;
      const announced = s.state.kind !== 'pending' || s.state.announced;
      this.terminate(s, announced ? { code: 0, reason: '', remote: false, error: code } : undefined);
    }
  }

  // ---- helpers --------------------------------------------------------------------------------

  private requireNegotiated(): WtNegotiated {
    if (this.negotiated === undefined) {
      const unmet = this.requirementsNotMet;
      throw new TypeError(!this.peerSettingsSeen ? 'the peer SETTINGS have not arrived yet'
        : unmet !== undefined ? `the peer announced WebTransport (${unmet.dialect}) without ${unmet.missing.join(', ')}`
        : 'the peer speaks no WebTransport dialect of ours');
    }
    return this.negotiated;
  }

  private pendingSession(sessionId: number): WtSession {
    if (this.role !== 'server') throw new TypeError('only servers answer session requests');
    const s = this.sessions.get(sessionId);
    if (s === undefined || s.state.kind !== 'pending' || !s.state.announced) throw new TypeError(`session ${sessionId} is not waiting for an answer`);
    return s;
  }

  private openSession(sessionId: number): WtSession {
    const s = this.sessions.get(sessionId);
    if (s === undefined || s.state.kind !== 'open') throw new TypeError(`session ${sessionId} is not open`);
    return s;
  }

  private emit(event: WtEvent): void {
    this.events.push(event);
  }
}
