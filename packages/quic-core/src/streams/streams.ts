/**
 * All streams of one connection, from one endpoint's side (RFC 9000 §2-§4): opening streams within
 * the peer's MAX_STREAMS, accepting the peer's (implicitly opening lower-numbered ones, §3.2),
 * stream-state checks on incoming frames, connection-level flow control, MAX_STREAMS credit
 * returned as peer streams end, round-robin scheduling, and bounds on buffered bytes both ways.
 *
 * The connection drives it: frame handlers (`onStreamFrame`, `onResetStream`, ...) throw
 * TransportError on protocol violations; `pollStreamChunk` and `pollControlFrame` give what to
 * send next; `onStreamData{Acked,Lost}` and `onFrame{Acked,Lost}` report the fate of what was
 * sent (lost frames are not resent as such: their information is re-armed and the next frame
 * carries the current value); `pollEvent` yields application events. The application acts
 * through `open`, `write`, `finish`, `resetStream`, `stopSending` and `read`, by stream ID.
 *
 * Receive bound: each stream's reassembler holds at most its window, and the connection window
 * (at most `maxConnectionWindow`) bounds the sum, since data read or discarded is the only way
 * credit comes back. Send bound: `sendBufferPerStream` and `sendBufferTotal`.
 * @module
 */
import { TransportError, TransportErrorCode } from '../errors.ts';
import { streamDataCapacity } from '../frame/headers.ts';
import { frameSize } from '../frame/encode.ts';
import { FrameType } from '../frame/types.ts';
import type {
  Frame, MaxDataFrame, MaxStreamDataFrame, MaxStreamsFrame, ResetStreamFrame, StopSendingFrame, StreamFrame,
} from '../frame/types.ts';
import { RecvWindow, SendCredit } from '../flow/credit.ts';
import { CONNECTION_SUBJECT, streamCountSubject } from '../flow/subject.ts';
import type { ConnectionDataSubject, FlowControlFrame, StreamCountSubject } from '../flow/subject.ts';
import type { PeerStreamLimits, StreamsConfig } from './config.ts';
import { QuicStreamError, QuicStreamErrorCode } from './errors.ts';
import type { StreamEvent } from './events.ts';
import { RecvStream } from './recv-stream.ts';
import type { RecvReadResult } from './recv-stream.ts';
import { RoundRobin } from './scheduler.ts';
import type { SendChunk } from './send-buffer.ts';
import { SendStream } from './send-stream.ts';
import { isBidiStream, isLocalStream, makeStreamId, peerSide, streamDir, streamIndex } from './stream-id.ts';
import type { StreamDir } from './stream-id.ts';

/** Result of {@link StreamsManager.open}. */
export type OpenStreamResult = { kind: 'opened'; streamId: number } | { kind: 'blocked' };

/** STREAM frame content to send: the header fields and the data as views. */
export interface StreamChunk extends SendChunk {
  streamId: number;
}

/** The control frames a StreamsManager sends and wants to hear the fate of. */
export type StreamsControlFrame = FlowControlFrame | ResetStreamFrame | StopSendingFrame;

/** Stream-related frames from the peer, as the frame decoder produces them. */
export type IncomingStreamFrame = Extract<
  Frame,
  { type: 'stream' | 'resetStream' | 'stopSending' | 'maxStreamData' | 'streamDataBlocked' }
>;

/** 2^60: the largest stream count (RFC 9000 §4.6). */
const MAX_STREAM_COUNT = 2 ** 60;

/** The connection window is kept at least this many times the largest stream window. */
const CONNECTION_WINDOW_RATIO = 1.5;

interface Entry {
  readonly id: number;
  readonly send: SendStream | undefined;
  readonly recv: RecvStream | undefined;
  readableNotified: boolean;
  completeNotified: boolean;
}

const NO_IDS: ReadonlySet<number> = new Set();

const frameTypeOfKind: Record<IncomingStreamFrame['type'], number> = {
  stream: FrameType.STREAM,
  resetStream: FrameType.RESET_STREAM,
  stopSending: FrameType.STOP_SENDING,
  maxStreamData: FrameType.MAX_STREAM_DATA,
  streamDataBlocked: FrameType.STREAM_DATA_BLOCKED,
};

export class StreamsManager {
  readonly config: Readonly<StreamsConfig>;
  /** Connection-level credit the peer granted (MAX_DATA). */
  readonly connSend = new SendCredit<ConnectionDataSubject>(CONNECTION_SUBJECT, 0);
  /** Connection-level window we grant (MAX_DATA). */
  readonly connRecv: RecvWindow<ConnectionDataSubject>;
  #peer: PeerStreamLimits | undefined;
  readonly #streams = new Map<number, Entry>();
  /** Peer's MAX_STREAMS: how many streams we may open. */
  readonly #openCredit: Record<StreamDir, SendCredit<StreamCountSubject>>;
  /** Our MAX_STREAMS: how many streams the peer may open; `received` counts those it opened. */
  readonly #acceptWindow: Record<StreamDir, RecvWindow<StreamCountSubject>>;
  readonly #openBlocked: Record<StreamDir, boolean> = { bidi: false, uni: false };
  /** Streams with lost data or a lone FIN: no credit needed. */
  readonly #retransmitQueue = new RoundRobin();
  /** Streams with new data and stream credit. */
  readonly #sendQueue = new RoundRobin();
  /** Streams that may have control frames to send (created on first use, like the next one). */
  #controlDirty: Set<number> | undefined;
  /** Streams whose writes were cut short and wait for room. */
  #wantWritable: Set<number> | undefined;
  #events: StreamEvent[] = [];
  #eventHead = 0;
  #sendBuffered = 0;
  #recvBuffered = 0;

  constructor(config: StreamsConfig, peer?: PeerStreamLimits) {
    this.config = Object.freeze({ ...config });
    this.connRecv = new RecvWindow(CONNECTION_SUBJECT, config.connectionWindow, { maxWindow: config.maxConnectionWindow });
    this.#openCredit = {
      bidi: new SendCredit(streamCountSubject(true), 0),
      uni: new SendCredit(streamCountSubject(false), 0),
    };
    this.#acceptWindow = {
      bidi: new RecvWindow(streamCountSubject(true), Math.min(config.maxStreamsBidi, MAX_STREAM_COUNT)),
      uni: new RecvWindow(streamCountSubject(false), Math.min(config.maxStreamsUni, MAX_STREAM_COUNT)),
    };
    if (peer !== undefined) this.applyPeerLimits(peer);
  }

  // ---------------------------------------------------------------- parameters and inspection

  /** The values to advertise in our transport parameters. */
  localLimits(): PeerStreamLimits {
    const c = this.config;
    return {
      initialMaxData: c.connectionWindow,
      initialMaxStreamDataBidiLocal: c.streamWindowBidiLocal,
      initialMaxStreamDataBidiRemote: c.streamWindowBidiRemote,
      initialMaxStreamDataUni: c.streamWindowUni,
      initialMaxStreamsBidi: c.maxStreamsBidi,
      initialMaxStreamsUni: c.maxStreamsUni,
    };
  }

  /**
   * Applies the peer's transport parameters (or, for 0-RTT, the remembered ones; calling again
   * with the real ones only raises limits, RFC 9000 §7.4.1).
   */
  applyPeerLimits(p: PeerStreamLimits): void {
    this.#peer = p;
    this.connSend.raise(p.initialMaxData);
    this.#raiseOpenCredit('bidi', p.initialMaxStreamsBidi);
    this.#raiseOpenCredit('uni', p.initialMaxStreamsUni);
    for (const e of this.#streams.values()) {
      if (e.send === undefined) continue;
      e.send.onMaxStreamData(this.#initialSendCredit(e.id));
      this.#refresh(e);
    }
  }

  /** Number of streams currently tracked. */
  get streamCount(): number {
    return this.#streams.size;
  }

  /** IDs of the streams currently tracked. */
  streamIds(): number[] {
    return [...this.#streams.keys()];
  }

  has(streamId: number): boolean {
    return this.#streams.has(streamId);
  }

  /** The sending part of a stream, for inspection (its state, credit, buffered bytes). */
  sendStream(streamId: number): SendStream | undefined {
    return this.#streams.get(streamId)?.send;
  }

  /** The receiving part of a stream, for inspection. */
  recvStream(streamId: number): RecvStream | undefined {
    return this.#streams.get(streamId)?.recv;
  }

  /** Bytes held for sending across all streams. */
  get sendBufferedBytes(): number {
    return this.#sendBuffered;
  }

  /** Bytes received and held until read, across all streams. */
  get receiveBufferedBytes(): number {
    return this.#recvBuffered;
  }

  /** How many streams of `dir` we have opened, and how many the peer allows. */
  openLimits(dir: StreamDir): { opened: number; limit: number } {
    const c = this.#openCredit[dir];
    return { opened: c.used, limit: c.limit };
  }

  /** How many streams of `dir` the peer has opened, and our current limit. */
  acceptLimits(dir: StreamDir): { opened: number; limit: number } {
    const w = this.#acceptWindow[dir];
    return { opened: w.received, limit: w.limit };
  }

  // ---------------------------------------------------------------- application commands

  /** Opens a stream, or says 'blocked' (and arms STREAMS_BLOCKED) when the peer's limit is reached. */
  open(dir: StreamDir): OpenStreamResult {
    const credit = this.#openCredit[dir];
    if (credit.available < 1) {
      credit.markBlocked(); // RFC 9000 §4.6: SHOULD send STREAMS_BLOCKED
      this.#openBlocked[dir] = true;
      return { kind: 'blocked' };
    }
    const id = makeStreamId(this.config.side, dir, credit.used);
    credit.consume(1);
    this.#create(id);
    return { kind: 'opened', streamId: id };
  }

  /**
   * Writes as much of `data` as the stream's and the connection's send buffers take; returns the
   * byte count. A short write is followed by a 'writable' event once there is room again.
   */
  write(streamId: number, data: Uint8Array): number {
    const e = this.#entry(streamId);
    const send = this.#sendPart(e);
    const n = send.write(data, Math.max(0, this.config.sendBufferTotal - this.#sendBuffered));
    this.#sendBuffered += n;
    if (n < data.length) (this.#wantWritable ??= new Set()).add(streamId);
    this.#refresh(e);
    return n;
  }

  /** Ends the sending part after the data written so far. */
  finish(streamId: number): void {
    const e = this.#entry(streamId);
    this.#sendPart(e).finish();
    this.#refresh(e);
  }

  /** Resets the sending part with `errorCode` (RESET_STREAM). False when already past that point. */
  resetStream(streamId: number, errorCode: number): boolean {
    const e = this.#entry(streamId);
    const send = this.#sendPart(e);
    const before = send.bufferedBytes;
    const done = send.reset(errorCode);
    this.#sendBuffered -= before - send.bufferedBytes;
    this.#wantWritable?.delete(streamId);
    this.#refresh(e);
    if (before !== send.bufferedBytes) this.#notifyWritable();
    return done;
  }

  /** Stops reading with `errorCode` (STOP_SENDING); data held or arriving later is dropped. */
  stopSending(streamId: number, errorCode: number): boolean {
    const e = this.#entry(streamId);
    const recv = this.#recvPart(e);
    let done = false;
    this.#accountRecv(e, recv, () => {
      done = recv.stopSending(errorCode);
    }, false);
    this.#refresh(e);
    return done;
  }

  /** Reads up to `maxBytes` from a stream (see RecvReadResult). */
  read(streamId: number, maxBytes = Infinity): RecvReadResult {
    const e = this.#entry(streamId);
    const recv = this.#recvPart(e);
    let result: RecvReadResult = { kind: 'blocked' };
    this.#accountRecv(e, recv, () => {
      result = recv.read(maxBytes);
    }, false);
    if (result.kind === 'blocked') e.readableNotified = false;
    this.#refresh(e);
    return result;
  }

  /** The next application event, or null. */
  pollEvent(): StreamEvent | null {
    if (this.#eventHead >= this.#events.length) return null;
    const ev = this.#events[this.#eventHead++]!;
    if (this.#eventHead === this.#events.length) {
      this.#events = [];
      this.#eventHead = 0;
    }
    return ev;
  }

  // ---------------------------------------------------------------- frames from the peer

  /** Dispatches any stream-related frame. */
  onFrame(f: IncomingStreamFrame | MaxDataFrame | MaxStreamsFrame | Extract<Frame, { type: 'dataBlocked' | 'streamsBlocked' }>): void {
    switch (f.type) {
      case 'stream': return this.onStreamFrame(f);
      case 'resetStream': return this.onResetStream(f);
      case 'stopSending': return this.onStopSending(f);
      case 'maxStreamData': return this.onMaxStreamData(f);
      case 'streamDataBlocked': return this.onStreamDataBlocked(f.streamId);
      case 'maxData': return this.onMaxData(f.maximum);
      case 'maxStreams': return this.onMaxStreams(f.bidi, f.maximum);
      case 'dataBlocked': case 'streamsBlocked': return; // RFC 9000 §19.12, §19.14: informational
    }
  }

  /** A STREAM frame (RFC 9000 §19.8). */
  onStreamFrame(f: Pick<StreamFrame, 'streamId' | 'offset' | 'data' | 'fin'>): void {
    const e = this.#incoming(f.streamId, 'stream');
    if (e === undefined) return;
    const recv = e.recv!;
    this.#accountRecv(e, recv, () => recv.onStreamFrame(f.offset, f.data, f.fin), true, FrameType.STREAM);
    this.#refresh(e);
  }

  /** A RESET_STREAM frame (RFC 9000 §19.4). */
  onResetStream(f: Pick<ResetStreamFrame, 'streamId' | 'errorCode' | 'finalSize'>): void {
    const e = this.#incoming(f.streamId, 'resetStream');
    if (e === undefined) return;
    const recv = e.recv!;
    this.#accountRecv(e, recv, () => recv.onResetStream(f.errorCode, f.finalSize), true, FrameType.RESET_STREAM);
    this.#refresh(e);
  }

  /** A STOP_SENDING frame (RFC 9000 §19.5): the sending part resets with the peer's code. */
  onStopSending(f: Pick<StopSendingFrame, 'streamId' | 'errorCode'>): void {
    const e = this.#incoming(f.streamId, 'stopSending');
    if (e === undefined) return;
    const send = e.send!;
    const before = send.bufferedBytes;
    if (send.onStopSending(f.errorCode)) {
      this.#push({ type: 'stopped', streamId: f.streamId, errorCode: f.errorCode });
    }
    this.#sendBuffered -= before - send.bufferedBytes;
    this.#wantWritable?.delete(f.streamId);
    this.#refresh(e);
    if (before !== send.bufferedBytes) this.#notifyWritable();
  }

  /** A MAX_STREAM_DATA frame (RFC 9000 §19.10). */
  onMaxStreamData(f: Pick<MaxStreamDataFrame, 'streamId' | 'maximum'>): void {
    const e = this.#incoming(f.streamId, 'maxStreamData');
    if (e === undefined) return;
    e.send!.onMaxStreamData(f.maximum);
    this.#refresh(e);
  }

  /** A STREAM_DATA_BLOCKED frame (RFC 9000 §19.13): checked for stream state, otherwise informational. */
  onStreamDataBlocked(streamId: number): void {
    const e = this.#incoming(streamId, 'streamDataBlocked');
    if (e !== undefined) this.#refresh(e);
  }

  /** A MAX_DATA frame (RFC 9000 §19.9). */
  onMaxData(maximum: number): void {
    this.connSend.raise(maximum);
  }

  /** A MAX_STREAMS frame (RFC 9000 §19.11); the decoder has already refused counts above 2^60. */
  onMaxStreams(bidi: boolean, maximum: number): void {
    this.#raiseOpenCredit(bidi ? 'bidi' : 'uni', maximum);
  }

  // ---------------------------------------------------------------- sending

  /** True when a call to pollStreamChunk or pollControlFrame may return something. */
  get wantsToSend(): boolean {
    return this.#retransmitQueue.size > 0 || (this.#sendQueue.size > 0 && this.connSend.available > 0) ||
      this.hasControlPending;
  }

  /** True when some control frame waits to be sent. */
  get hasControlPending(): boolean {
    if (this.connRecv.updatePending || this.connSend.blockedPending) return true;
    for (const dir of ['bidi', 'uni'] as const) {
      if (this.#acceptWindow[dir].updatePending || this.#openCredit[dir].blockedPending) return true;
    }
    for (const id of this.#controlDirty ?? NO_IDS) {
      const e = this.#streams.get(id);
      if (e !== undefined && (e.send?.hasControlPending === true || e.recv?.hasControlPending === true)) return true;
    }
    return false;
  }

  /**
   * The next STREAM frame content that fits, with its header, in `space` bytes (`withLength`:
   * whether the frame will carry a Length field). Retransmissions and lone FINs come first (they
   * need no credit), then new data in round-robin order within stream and connection credit.
   * New bytes are charged to both credits here.
   */
  pollStreamChunk(space: number, withLength = true): StreamChunk | null {
    for (let n = this.#retransmitQueue.size; n > 0; n--) {
      const id = this.#retransmitQueue.peek()!;
      this.#retransmitQueue.rotate(id);
      const chunk = this.#tryChunk(id, space, withLength, 0);
      if (chunk !== undefined) return chunk;
    }
    if (this.#sendQueue.size === 0) return null;
    if (this.connSend.available <= 0) {
      this.connSend.markBlocked(); // RFC 9000 §4.1: DATA_BLOCKED
      return null;
    }
    for (let n = this.#sendQueue.size; n > 0; n--) {
      const id = this.#sendQueue.peek()!;
      this.#sendQueue.rotate(id);
      const chunk = this.#tryChunk(id, space, withLength, this.connSend.available);
      if (chunk === null) return null;
      if (chunk !== undefined) {
        this.connSend.consume(chunk.newBytes);
        if (this.connSend.available <= 0 && this.#sendQueue.size > 0) this.connSend.markBlocked();
        return chunk;
      }
    }
    return null;
  }

  /**
   * The next control frame that fits in `space` bytes: MAX_DATA, MAX_STREAMS, DATA_BLOCKED,
   * STREAMS_BLOCKED, then per stream RESET_STREAM, STOP_SENDING, MAX_STREAM_DATA,
   * STREAM_DATA_BLOCKED. Taking it means it is being sent; report its fate with onFrameAcked/Lost.
   */
  pollControlFrame(now: number, rtt: number, space = Infinity): StreamsControlFrame | null {
    const fits = (f: Frame | null): boolean => f !== null && frameSize(f) <= space;
    if (fits(this.connRecv.peekUpdateFrame(now, rtt))) return this.connRecv.takeUpdateFrame(now, rtt);
    for (const dir of ['bidi', 'uni'] as const) {
      const w = this.#acceptWindow[dir];
      if (fits(w.peekUpdateFrame(now, rtt))) return w.takeUpdateFrame(now, rtt);
    }
    if (fits(this.connSend.peekBlockedFrame())) return this.connSend.takeBlockedFrame();
    for (const dir of ['bidi', 'uni'] as const) {
      const c = this.#openCredit[dir];
      if (fits(c.peekBlockedFrame())) return c.takeBlockedFrame();
    }
    for (const id of this.#controlDirty ?? NO_IDS) {
      const e = this.#streams.get(id);
      if (e === undefined || !(e.send?.hasControlPending === true || e.recv?.hasControlPending === true)) {
        this.#controlDirty?.delete(id);
        continue;
      }
      const { send, recv } = e;
      if (send !== undefined) {
        if (fits(send.peekResetFrame())) return send.takeResetFrame();
        if (fits(send.peekBlockedFrame())) return send.takeBlockedFrame();
      }
      if (recv !== undefined) {
        if (fits(recv.peekStopSendingFrame())) return recv.takeStopSendingFrame();
        if (fits(recv.peekMaxStreamDataFrame(now, rtt))) {
          const f = recv.takeMaxStreamDataFrame(now, rtt);
          this.connRecv.growTo(recv.window.window * CONNECTION_WINDOW_RATIO);
          return f;
        }
      }
    }
    return null;
  }

  /** A STREAM frame sent from `pollStreamChunk` was acknowledged. */
  onStreamDataAcked(streamId: number, offset: number, length: number, fin: boolean): void {
    const e = this.#streams.get(streamId);
    if (e?.send === undefined) return;
    const before = e.send.bufferedBytes;
    e.send.onAcked(offset, length, fin);
    this.#sendBuffered -= before - e.send.bufferedBytes;
    this.#refresh(e);
    if (before !== e.send.bufferedBytes) this.#notifyWritable();
  }

  /** A STREAM frame sent from `pollStreamChunk` was lost: its data is queued again. */
  onStreamDataLost(streamId: number, offset: number, length: number, fin: boolean): void {
    const e = this.#streams.get(streamId);
    if (e?.send === undefined) return;
    e.send.onLost(offset, length, fin);
    this.#refresh(e);
  }

  /** A control frame from `pollControlFrame` was acknowledged. */
  onFrameAcked(f: StreamsControlFrame): void {
    if (f.type !== 'resetStream') return;
    const e = this.#streams.get(f.streamId);
    if (e?.send === undefined) return;
    e.send.onResetAcked();
    this.#refresh(e);
  }

  /** A control frame from `pollControlFrame` was lost: its information is re-armed if still current. */
  onFrameLost(f: StreamsControlFrame): void {
    switch (f.type) {
      case 'maxData': this.connRecv.onUpdateLost(f.maximum); return;
      case 'dataBlocked': this.connSend.onBlockedLost(f.limit); return;
      case 'maxStreams': this.#acceptWindow[f.bidi ? 'bidi' : 'uni'].onUpdateLost(f.maximum); return;
      case 'streamsBlocked': this.#openCredit[f.bidi ? 'bidi' : 'uni'].onBlockedLost(f.limit); return;
      default: break;
    }
    const e = this.#streams.get(f.streamId);
    if (e === undefined) return;
    switch (f.type) {
      case 'maxStreamData': e.recv?.onMaxStreamDataLost(f.maximum); break;
      case 'stopSending': e.recv?.onStopSendingLost(); break;
      case 'resetStream': e.send?.onResetLost(); break;
      case 'streamDataBlocked': e.send?.onBlockedLost(f.limit); break;
    }
    this.#refresh(e);
  }

  // ---------------------------------------------------------------- internals

  #raiseOpenCredit(dir: StreamDir, maximum: number): void {
    if (this.#openCredit[dir].raise(Math.min(maximum, MAX_STREAM_COUNT)) && this.#openBlocked[dir]) {
      this.#openBlocked[dir] = false;
      this.#push({ type: 'available', dir });
    }
  }

  /** The credit the peer's transport parameters give a new stream's sending part. */
  #initialSendCredit(id: number): number {
    const p = this.#peer;
    if (p === undefined) return 0;
    if (!isBidiStream(id)) return p.initialMaxStreamDataUni;
    return isLocalStream(id, this.config.side) ? p.initialMaxStreamDataBidiRemote : p.initialMaxStreamDataBidiLocal;
  }

  #create(id: number): Entry {
    const c = this.config;
    const local = isLocalStream(id, c.side);
    const bidi = isBidiStream(id);
    const send = bidi || local ? new SendStream(id, this.#initialSendCredit(id), c.sendBufferPerStream) : undefined;
    let recv: RecvStream | undefined;
    if (bidi || !local) {
      const window = !bidi ? c.streamWindowUni : local ? c.streamWindowBidiLocal : c.streamWindowBidiRemote;
      recv = new RecvStream(id, window, Math.max(window, c.maxStreamWindow));
    }
    const e: Entry = { id, send, recv, readableNotified: false, completeNotified: false };
    this.#streams.set(id, e);
    return e;
  }

  /**
   * The stream a peer's frame refers to, opening peer streams as needed (RFC 9000 §3.2), or
   * undefined when it existed and is gone (late frames are ignored). Throws STREAM_STATE_ERROR
   * for streams that cannot carry the frame and STREAM_LIMIT_ERROR beyond our limit.
   */
  #incoming(id: number, kind: IncomingStreamFrame['type']): Entry | undefined {
    const frameType = frameTypeOfKind[kind];
    const dir = streamDir(id);
    const index = streamIndex(id);
    const forRecvPart = kind === 'stream' || kind === 'resetStream' || kind === 'streamDataBlocked';
    if (isLocalStream(id, this.config.side)) {
      if (dir === 'uni' && forRecvPart) {
        // RFC 9000 §19.4, §19.8, §19.13: receiving-part frames on a send-only stream.
        throw new TransportError(TransportErrorCode.STREAM_STATE_ERROR, `frame for our send-only stream ${id}`, frameType);
      }
      if (index >= this.#openCredit[dir].used) {
        // RFC 9000 §19.5, §19.8, §19.10: a locally initiated stream that has not yet been created.
        throw new TransportError(TransportErrorCode.STREAM_STATE_ERROR, `frame for stream ${id}, which we have not opened`, frameType);
      }
      return this.#streams.get(id);
    }
    if (dir === 'uni' && !forRecvPart) {
      // RFC 9000 §19.5, §19.10: sending-part frames on a receive-only stream.
      throw new TransportError(TransportErrorCode.STREAM_STATE_ERROR, `frame for receive-only stream ${id}`, frameType);
    }
    const accept = this.#acceptWindow[dir];
    const opened = accept.received;
    if (index >= opened) {
      accept.receiveTo(index + 1, frameType); // RFC 9000 §4.6: STREAM_LIMIT_ERROR
      const initiator = peerSide(this.config.side);
      for (let i = opened; i <= index; i++) {
        const sid = makeStreamId(initiator, dir, i);
        this.#create(sid);
        this.#push({ type: 'opened', streamId: sid });
      }
    }
    return this.#streams.get(id);
  }

  /**
   * Runs `fn` on a receiving part, carrying its flow-control and buffer changes to the connection;
   * with `notify`, queues a 'readable' event unless one is outstanding (until a read comes back
   * 'blocked').
   */
  #accountRecv(e: Entry, recv: RecvStream, fn: () => void, notify = true, frameType = 0): void {
    const highest = recv.highestOffset;
    const consumed = recv.consumedOffset;
    const buffered = recv.bufferedBytes;
    try {
      fn();
    } finally {
      this.#recvBuffered += recv.bufferedBytes - buffered;
    }
    this.connRecv.receive(recv.highestOffset - highest, frameType); // RFC 9000 §4.1: connection FLOW_CONTROL_ERROR
    this.connRecv.retire(recv.consumedOffset - consumed);
    if (notify && !e.readableNotified && recv.isReadable) {
      e.readableNotified = true;
      this.#push({ type: 'readable', streamId: e.id });
    }
  }

  /** Re-derives a stream's place in the queues, its events, and forgets it when both parts are done. */
  #refresh(e: Entry): void {
    const { id, send, recv } = e;
    if (send !== undefined) {
      if (send.hasRetransmit || send.hasFinOnly) this.#retransmitQueue.add(id);
      else this.#retransmitQueue.delete(id);
      if (send.unsentBytes > 0 && send.credit.available > 0) this.#sendQueue.add(id);
      else this.#sendQueue.delete(id);
      if (send.unsentBytes > 0 && send.credit.available <= 0) send.credit.markBlocked(); // RFC 9000 §4.1
      if (send.hasControlPending) (this.#controlDirty ??= new Set()).add(id);
      if (send.state.kind === 'dataRecvd' && !e.completeNotified) {
        e.completeNotified = true;
        this.#push({ type: 'sendComplete', streamId: id });
      }
    }
    if (recv?.hasControlPending === true) (this.#controlDirty ??= new Set()).add(id);
    if (this.#sendQueue.size > 0 && this.connSend.available <= 0) this.connSend.markBlocked(); // RFC 9000 §4.1
    if ((send === undefined || send.isTerminal) && (recv === undefined || recv.isTerminal)) this.#remove(e);
  }

  #remove(e: Entry): void {
    const id = e.id;
    this.#streams.delete(id);
    this.#retransmitQueue.delete(id);
    this.#sendQueue.delete(id);
    this.#controlDirty?.delete(id);
    this.#wantWritable?.delete(id);
    // RFC 9000 §4.6: credit for a new peer stream comes back as one ends.
    if (!isLocalStream(id, this.config.side)) this.#acceptWindow[streamDir(id)].retire(1);
    this.#push({ type: 'closed', streamId: id });
  }

  /** Tells streams whose writes were cut short that there is room again. */
  #notifyWritable(): void {
    const totalRoom = this.config.sendBufferTotal - this.#sendBuffered;
    if (totalRoom <= 0) return;
    for (const id of this.#wantWritable ?? NO_IDS) {
      const send = this.#streams.get(id)?.send;
      if (send === undefined) {
        this.#wantWritable?.delete(id);
      } else if (send.room > 0) {
        this.#wantWritable?.delete(id);
        this.#push({ type: 'writable', streamId: id });
      }
    }
  }

  /** Tries one chunk from stream `id`: the chunk, null when not even a header fits, undefined when the stream has nothing. */
  #tryChunk(id: number, space: number, withLength: boolean, connCredit: number): StreamChunk | null | undefined {
    const e = this.#streams.get(id);
    const send = e?.send;
    if (e === undefined || send === undefined) {
      this.#retransmitQueue.delete(id);
      this.#sendQueue.delete(id);
      return undefined;
    }
    const offset = send.peekOffset(Math.min(connCredit, send.credit.available));
    if (offset === undefined) {
      this.#refresh(e);
      return undefined;
    }
    const cap = streamDataCapacity(space, id, offset, withLength);
    if (cap < 0) return null;
    const chunk = send.nextChunk(cap, connCredit);
    this.#refresh(e);
    if (chunk === null) return undefined;
    return { streamId: id, ...chunk };
  }

  #entry(streamId: number): Entry {
    const e = this.#streams.get(streamId);
    if (e === undefined) throw new QuicStreamError(QuicStreamErrorCode.UNKNOWN, streamId, 'no such stream');
    return e;
  }

  #sendPart(e: Entry): SendStream {
    if (e.send === undefined) throw new QuicStreamError(QuicStreamErrorCode.DIRECTION, e.id, 'stream has no sending part');
    return e.send;
  }

  #recvPart(e: Entry): RecvStream {
    if (e.recv === undefined) throw new QuicStreamError(QuicStreamErrorCode.DIRECTION, e.id, 'stream has no receiving part');
    return e.recv;
  }

  #push(ev: StreamEvent): void {
    this.#events.push(ev);
  }
}
