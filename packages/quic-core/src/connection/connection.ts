/**
 * A QUIC connection (RFC 9000, RFC 9001, RFC 9002): a value you drive. It never opens a socket,
 * reads a clock or starts a timer.
 *
 * Calling contract (as quinn's): feed inputs with `receive(datagram, path, now)` and
 * `handleTimeout(now)`; then drain outputs: `pollTransmit(now)` until null, then `nextTimeout()`
 * to arm the one timer, then `pollEvent()` until null. Application commands (`openStream`,
 * `writeStream`, `sendDatagram`, `close`, ...) only change state; nothing leaves until the next
 * `pollTransmit`. Spurious `handleTimeout` calls are harmless. Nothing throws out of the inputs:
 * protocol errors close the connection with the RFC's error code.
 *
 * This file is the coordinator; receiving is in `receive.ts`, sending in `transmit.ts`.
 * @module
 */
import { TransportError, TransportErrorCode } from '../errors.ts';
import { deriveInitialKeys, packetKeysFromSecret, type PacketProtectionKeys } from '../crypto/packet-keys.ts';
import { PacketNumberSpace } from '../recovery/constants.ts';
import { QUIC_V1, isSupportedVersion } from '../packet/version.ts';
import { Recovery } from '../recovery/recovery.ts';
import { StreamsManager } from '../streams/streams.ts';
import type { StreamDir } from '../streams/stream-id.ts';
import type { RecvReadResult } from '../streams/recv-stream.ts';
import { bytesEqual } from '../codec/hex.ts';
import type { SentPacket } from '../recovery/sent-packets.ts';
import type { ConnectionCloseFrame } from '../frame/types.ts';
import { resolveConfig, type ConnectionConfig, type ResolvedConfig } from './config.ts';
import type { CryptoLevel, CryptoSession } from './crypto-session.ts';
import type { CloseReason, ConnectionEvent } from './events.ts';
import { OneRttKeys } from './one-rtt-keys.ts';
import { MtuProber } from './mtu-probe.ts';
import { ConnectionInvariantError, FlowControlAudit } from './flow-audit.ts';
import { ConnectionIds, type ConnectionEndpointEvent } from './cids.ts';
import { CloseResponder, closeFrameFor } from './close.ts';
import type { QlogTrace } from '../qlog/trace.ts';
import { logClosed, logKeyUpdated } from './qlog-events.ts';
import { onFramesAcked, onLossTimeout, requeueFrames } from './sent-fate.ts';
import { PacketSpace } from './packet-space.ts';
import type { SentFrame, SentFrames } from './sent-frames.ts';
import {
  authenticateConnectionIds, createTransportParameters, decodeTransportParameters, encodeTransportParameters,
  type TransportParameters,
} from './transport-params.ts';
import { receiveDatagram } from './receive.ts';
import { reducedLimit, rememberedLimits, type RememberedLimits } from './remembered-params.ts';
import { buildTransmit } from './transmit.ts';

/** A transport address. */
export interface Address {
  readonly address: string;
  readonly port: number;
}

/** The path a datagram travels: our address and the peer's. */
export interface PathInfo {
  readonly local: Address;
  readonly remote: Address;
}

/** A datagram to send. */
export interface Transmit {
  readonly data: Uint8Array;
  /** Where to send it (the peer's address on the connection's path). */
  readonly remote: Address;
}

/** 0-RTT on this connection (RFC 9001 §4.6): not tried, tried and undecided, or the server's answer. */
export type EarlyDataState = 'none' | 'attempted' | 'accepted' | 'rejected';

export type ConnState =
  | { readonly kind: 'handshake' }
  | { readonly kind: 'established' }
  | { readonly kind: 'closing'; readonly reason: CloseReason; readonly until: number; readonly frame: ConnectionCloseFrame }
  | { readonly kind: 'draining'; readonly reason: CloseReason; readonly until: number }
  | { readonly kind: 'drained'; readonly reason: CloseReason };

export interface ClientConnectOptions {
  readonly config: ConnectionConfig;
  readonly path: PathInfo;
  readonly now: number;
  /** A token from NEW_TOKEN of an earlier connection (RFC 9000 §8.1.3). */
  readonly token?: Uint8Array;
  /** Destination connection ID to use (default: 8 random bytes). */
  readonly destinationCid?: Uint8Array;
}

export interface ServerAcceptOptions {
  readonly config: ConnectionConfig;
  readonly path: PathInfo;
  readonly now: number;
  /** The Destination Connection ID of the client's Initial packet (Initial keys derive from it). */
  readonly initialDcid: Uint8Array;
  /** The client's first Destination Connection ID: `initialDcid`, or the one before a Retry. */
  readonly originalDcid: Uint8Array;
  /** The client's Source Connection ID. */
  readonly clientCid: Uint8Array;
  /** The SCID of the Retry we sent, when the client's token came from one. */
  readonly retrySourceCid?: Uint8Array;
  /** Our connection ID (default: one from `connectionIdGenerator`). */
  readonly localCid?: Uint8Array;
  /** The client proved its address with a token (RFC 9000 §8.1). */
  readonly addressValidated?: boolean;
  /** The stateless reset token for `localCid` (RFC 9000 §10.3). */
  readonly statelessResetToken?: Uint8Array;
  readonly version: number;
}

/** A received packet that could not be decrypted yet because its keys were not available. */
interface Undecryptable {
  readonly datagram: Uint8Array;
  readonly path: PathInfo;
  readonly receivedAt: number;
}

/** Most datagrams held while waiting for keys (RFC 9000 §5.2, RFC 9001 §4.1.4). */
const MAX_UNDECRYPTABLE = 8;

export class Connection {
  readonly side: 'client' | 'server';
  readonly config: ResolvedConfig;
  version: number;
  state: ConnState = { kind: 'handshake' };
  /** @internal Per-space state: Initial, Handshake, ApplicationData. */
  readonly spaces: readonly [PacketSpace, PacketSpace, PacketSpace];
  /** @internal */
  oneRtt: OneRttKeys | undefined;
  /** @internal 0-RTT keys (client writes, server reads). */
  zeroRtt: PacketProtectionKeys | undefined;
  /**
   * @internal Server: 1-RTT write keys before the client's Finished gives the read keys, used
   * only to acknowledge 0-RTT packets (RFC 9001 §5.6: "it uses 1-RTT keys to protect
   * acknowledgements of 0-RTT packets").
   */
  halfRttWrite: PacketProtectionKeys | undefined;
  /** @internal */
  readonly recovery: Recovery<SentFrames>;
  /** @internal */
  readonly streams: StreamsManager;
  /** @internal */
  readonly session: CryptoSession;
  /** @internal Our current connection ID (the SCID of our long headers). */
  localCid: Uint8Array;
  /** @internal The IDs we issued and the peer's (RFC 9000 §5.1). */
  readonly cids: ConnectionIds;
  /** @internal The Destination Connection ID we send to. */
  peerCid: Uint8Array;
  /** @internal The client's first DCID (RFC 9000 §7.3). */
  readonly originalDcid: Uint8Array;
  /** @internal Source CID of the first Initial received from the peer (for §7.3 authentication). */
  peerInitialScid: Uint8Array | undefined;
  /** @internal SCID of the Retry (client: received; server: sent). */
  retrySourceCid: Uint8Array | undefined;
  /** @internal Client: the token sent in Initial packets. */
  token: Uint8Array;
  /** @internal */
  path: PathInfo;
  /** @internal Anti-amplification accounting (RFC 9000 §8.1). */
  bytesReceived = 0;
  bytesSent = 0;
  addressValidated: boolean;
  /** @internal */
  peerParams: TransportParameters | undefined;
  readonly localParams: TransportParameters;
  handshakeComplete = false;
  handshakeConfirmed = false;
  /** 0-RTT: client, attempted once a ticket allowing it is offered; server, its decision. */
  earlyData: EarlyDataState = 'none';
  /** The handshake resumed a session from a ticket (known once the handshake completes). */
  resumed = false;
  /** @internal Client: the server's limits remembered with the offered ticket (RFC 9000 §7.4.1). */
  remembered: RememberedLimits | undefined;
  /** @internal Client: the first application-space packet number sent with 1-RTT keys (those before were 0-RTT). */
  firstOneRttPn = Infinity;
  /** @internal Server: when the 0-RTT keys are dropped (RFC 9001 §4.9.3). */
  zeroRttDiscardAt: number | undefined;
  /** @internal The client has received a packet from the server (a Retry is then no longer accepted). */
  receivedFromPeer = false;
  /** @internal A Retry was processed (only one is accepted, RFC 9000 §17.2.5.2). */
  retried = false;
  /** @internal Idle timer (RFC 9000 §10.1): deadline, and the time it counts from. */
  idleDeadline: number | undefined;
  idleStart = 0;
  /** @internal Path MTU discovery (RFC 9000 §14.3). */
  readonly mtu = new MtuProber();
  /** @internal The qlog trace, if any (see `attachQlog`). */
  qlog: QlogTrace | undefined;
  /** @internal Independent flow-control check (only with `debugInvariants`). */
  readonly audit: FlowControlAudit | undefined;
  /** @internal An ack-eliciting packet was sent since the last packet was received. */
  ackElicitingSinceReceive = false;
  /** @internal Earliest time pacing lets the next packet go (undefined: not blocked). */
  pacingDeadline: number | undefined;
  /** @internal Control information waiting to be sent. */
  readonly pending = {
    handshakeDone: false,
    ping: false,
    pathResponses: [] as Uint8Array[],
    closeFrame: false,
    /** NEW_TOKEN tokens to send (RFC 9000 §8.1.3), again after a loss. */
    newTokens: [] as Uint8Array[],
  };
  /** @internal Paces CONNECTION_CLOSE answers in the closing state. */
  readonly closeResponder = new CloseResponder();
  /** @internal Outgoing DATAGRAM payloads. */
  readonly datagramsOut: Uint8Array[] = [];
  /** @internal Incoming packets waiting for keys. */
  readonly undecryptable: Undecryptable[] = [];
  /** @internal DATAGRAM events queued and not yet polled. */
  datagramEventsQueued = 0;
  /** @internal The peer's ack_delay_exponent (default 3 until its parameters arrive). */
  peerAckDelayExponent = 3;
  /** @internal Largest DATAGRAM payload the peer accepts (0: DATAGRAM not supported). */
  peerMaxDatagramFrameSize = 0;
  /** @internal */
  readonly keylog: string[] = [];
  readonly #events: ConnectionEvent[] = [];
  #eventHead = 0;
  /**
   * Statistics. `datagramsLost`: DATAGRAM frames sent in packets later declared lost (RFC 9221
   * §5.2: they are not retransmitted; a packet acknowledged after being declared lost still counts).
   */
  readonly stats = { packetsSent: 0, packetsReceived: 0, packetsLost: 0, packetsDropped: 0, bytesSent: 0, bytesReceived: 0, datagramsDropped: 0, datagramsLost: 0 };

  private constructor(
    side: 'client' | 'server', config: ResolvedConfig, path: PathInfo, localCid: Uint8Array, peerCid: Uint8Array,
    originalDcid: Uint8Array, initialDcid: Uint8Array, localParams: TransportParameters, version: number, now: number,
    initialResetToken?: Uint8Array,
  ) {
    this.side = side;
    this.config = config;
    this.version = version;
    this.path = path;
    this.localCid = localCid;
    this.peerCid = peerCid;
    this.originalDcid = originalDcid;
    this.token = new Uint8Array(0);
    this.addressValidated = side === 'client';
    this.audit = config.debugInvariants ? new FlowControlAudit(side) : undefined;
    this.qlog = config.qlog;
    const resetTokenFor = config.resetTokenFor;
    this.cids = new ConnectionIds({
      initialCid: localCid,
      generate: config.connectionIdGenerator,
      // Sequence 0 keeps the token the server advertised in its transport parameters.
      resetTokenFor: initialResetToken ? (cid) => (bytesEqual(cid, localCid) ? initialResetToken : resetTokenFor(cid)) : resetTokenFor,
      activeLimit: config.transport.activeConnectionIdLimit,
      ...(side === 'server' ? { extraCids: [initialDcid] } : {}),
    });
    if (side === 'server') this.cids.setPeerInitial(peerCid);
    const t = config.transport;
    this.spaces = [
      new PacketSpace(PacketNumberSpace.Initial, 'initial', t.maxAckDelay, t.maxCryptoBuffer),
      new PacketSpace(PacketNumberSpace.Handshake, 'handshake', t.maxAckDelay, t.maxCryptoBuffer),
      new PacketSpace(PacketNumberSpace.ApplicationData, 'oneRtt', t.maxAckDelay, t.maxCryptoBuffer),
    ];
    this.installInitialKeys(initialDcid);
    this.recovery = new Recovery<SentFrames>({
      isServer: side === 'server',
      initialRtt: t.initialRtt,
      congestion: t.congestion,
      pacing: t.pacing,
      maxDatagramSize: 1200,
    });
    this.streams = new StreamsManager({
      side,
      maxStreamsBidi: t.initialMaxStreamsBidi,
      maxStreamsUni: t.initialMaxStreamsUni,
      streamWindowBidiLocal: t.initialMaxStreamDataBidiLocal,
      streamWindowBidiRemote: t.initialMaxStreamDataBidiRemote,
      streamWindowUni: t.initialMaxStreamDataUni,
      maxStreamWindow: t.maxStreamWindow,
      connectionWindow: t.initialMaxData,
      maxConnectionWindow: t.maxConnectionWindow,
      sendBufferPerStream: t.sendBufferPerStream,
      sendBufferTotal: t.sendBufferTotal,
    });
    this.localParams = localParams;
    this.session = config.cryptoSession({
      isClient: side === 'client', transportParameters: encodeTransportParameters(localParams), version,
      ...(side === 'client' ? { ticketStore: config.ticketStore, earlyData: config.earlyData } : {}),
    });
    this.resetIdleTimer(now);
  }

  /** Starts a client connection: the first flight is ready for `pollTransmit`. */
  static connect(options: ClientConnectOptions): Connection {
    const config = resolveConfig(options.config);
    const dcid = options.destinationCid ?? config.crypto.randomBytes(8);
    if (dcid.length < 8 || dcid.length > 20) throw new RangeError('a client DCID must be 8 to 20 bytes (RFC 9000 §7.2)');
    const scid = config.connectionIdGenerator();
    const params = baseParams(config, scid);
    const conn = new Connection('client', config, options.path, scid, dcid, dcid, dcid, params, config.version, options.now);
    if (options.token) conn.token = options.token;
    conn.session.start();
    conn.drainSession(options.now);
    return conn;
  }

  /** Creates a server connection for a client's first Initial; feed that datagram to `receive` next. */
  static accept(options: ServerAcceptOptions): Connection {
    const config = resolveConfig(options.config);
    const localCid = options.localCid ?? config.connectionIdGenerator();
    const params = baseParams(config, localCid);
    params.originalDestinationConnectionId = options.originalDcid;
    if (options.retrySourceCid) params.retrySourceConnectionId = options.retrySourceCid;
    // RFC 9000 §18.2: the server's token for the connection ID of its handshake.
    const resetToken = localCid.length > 0 ? options.statelessResetToken ?? config.resetTokenFor(localCid) : undefined;
    if (resetToken) params.statelessResetToken = resetToken;
    const conn = new Connection(
      'server', config, options.path, localCid, options.clientCid, options.originalDcid, options.initialDcid, params, options.version, options.now, resetToken,
    );
    conn.retrySourceCid = options.retrySourceCid;
    if (options.addressValidated) conn.addressValidated = true;
    conn.session.start();
    conn.drainSession(options.now);
    return conn;
  }

  // ------------------------------------------------------------------ engine inputs and outputs

  /** A datagram arrived on `path`. */
  receive(datagram: Uint8Array, path: PathInfo, now: number): void {
    if (this.state.kind === 'drained') return;
    this.guard(now, () => receiveDatagram(this, datagram, path, now));
  }

  /** The deadline of `nextTimeout()` was reached. */
  handleTimeout(now: number): void {
    const s = this.state;
    if (s.kind === 'drained') return;
    if ((s.kind === 'closing' || s.kind === 'draining') && now >= s.until) {
      this.enterDrained(s.reason);
      return;
    }
    if (this.idleDeadline !== undefined && now >= this.idleDeadline && s.kind !== 'closing' && s.kind !== 'draining') {
      // RFC 9000 §10.1: the connection is silently closed and its state discarded.
      this.enterDrained({ code: TransportErrorCode.NO_ERROR, application: false, frameType: 0, reason: 'idle timeout', initiator: 'idle' });
      return;
    }
    if (s.kind === 'closing' || s.kind === 'draining') return;
    this.guard(now, () => {
      this.oneRtt?.discardPrevious(now);
      if (this.zeroRttDiscardAt !== undefined && now >= this.zeroRttDiscardAt) {
        this.zeroRtt = undefined;
        this.zeroRttDiscardAt = undefined;
      }
      if (this.pacingDeadline !== undefined && now >= this.pacingDeadline) this.pacingDeadline = undefined;
      const deadline = this.recovery.timerDeadline();
      if (deadline !== undefined && now >= deadline) this.onLossTimeout(now);
    });
  }

  /** When `handleTimeout` must be called next, or undefined. */
  nextTimeout(): number | undefined {
    const s = this.state;
    if (s.kind === 'drained') return undefined;
    if (s.kind === 'closing' || s.kind === 'draining') return s.until;
    let t = this.idleDeadline ?? Infinity;
    const loss = this.recovery.timerDeadline();
    if (loss !== undefined && loss < t) t = loss;
    for (const space of this.spaces) {
      if (space.discarded || !space.writeKeys && !(space.level === 'oneRtt' && (this.oneRtt || this.halfRttWrite))) continue;
      const ack = space.acks.ackDeadline();
      if (ack !== undefined && ack < t) t = ack;
    }
    const discard = this.oneRtt?.previousReadDiscardAt;
    if (discard !== undefined && discard < t) t = discard;
    if (this.zeroRttDiscardAt !== undefined && this.zeroRttDiscardAt < t) t = this.zeroRttDiscardAt;
    if (this.pacingDeadline !== undefined && this.pacingDeadline < t) t = this.pacingDeadline;
    return t === Infinity ? undefined : t;
  }

  /** The next datagram to send, or null. */
  pollTransmit(now: number): Transmit | null {
    if (this.state.kind === 'drained' || this.state.kind === 'draining') return null;
    let out: Transmit | null = null;
    this.guard(now, () => {
      out = buildTransmit(this, now);
    });
    return out;
  }

  /** The next event for the application, or null. */
  pollEvent(): ConnectionEvent | null {
    for (let e = this.streams.pollEvent(); e !== null; e = this.streams.pollEvent()) {
      switch (e.type) {
        case 'opened': this.emit({ type: 'streamOpened', streamId: e.streamId }); break;
        case 'readable': this.emit({ type: 'streamReadable', streamId: e.streamId }); break;
        case 'writable': this.emit({ type: 'streamWritable', streamId: e.streamId }); break;
        case 'stopped': this.emit({ type: 'streamStopped', streamId: e.streamId, errorCode: e.errorCode }); break;
        case 'sendComplete': this.emit({ type: 'streamSendComplete', streamId: e.streamId }); break;
        case 'available': this.emit({ type: 'streamsAvailable', dir: e.dir }); break;
        case 'closed': this.emit({ type: 'streamClosed', streamId: e.streamId }); break;
      }
    }
    if (this.#eventHead >= this.#events.length) {
      if (this.#eventHead) {
        this.#events.length = 0;
        this.#eventHead = 0;
      }
      return null;
    }
    const e = this.#events[this.#eventHead++]!;
    if (e.type === 'datagram') this.datagramEventsQueued--;
    return e;
  }

  // ------------------------------------------------------------------ application commands

  /** Opens a stream; null when the peer's stream limit blocks it (a 'streamsAvailable' event follows). */
  openStream(dir: StreamDir): number | null {
    this.assertUsable();
    const r = this.streams.open(dir);
    return r.kind === 'opened' ? r.streamId : null;
  }

  /** Queues data on a stream; returns how many bytes were accepted (the rest: wait for 'streamWritable'). */
  writeStream(streamId: number, data: Uint8Array, fin = false): number {
    this.assertUsable();
    const n = this.streams.write(streamId, data);
    if (fin && n === data.length) this.streams.finish(streamId);
    return n;
  }

  /** Ends the sending side of a stream (FIN). */
  finishStream(streamId: number): void {
    this.assertUsable();
    this.streams.finish(streamId);
  }

  /** Reads received data from a stream. */
  readStream(streamId: number, maxBytes = Infinity): RecvReadResult {
    return this.streams.read(streamId, maxBytes);
  }

  /** Abandons sending on a stream (RESET_STREAM). */
  resetStream(streamId: number, errorCode: number): void {
    this.streams.resetStream(streamId, errorCode);
  }

  /** Asks the peer to stop sending on a stream (STOP_SENDING). */
  stopSending(streamId: number, errorCode: number): void {
    this.streams.stopSending(streamId, errorCode);
  }

  /** Largest DATAGRAM payload that can be sent now (0 when the peer does not accept DATAGRAM). */
  get maxDatagramPayload(): number {
    if (this.peerMaxDatagramFrameSize === 0) return 0;
    // 1-RTT packet overhead: short header (1 + DCID + up to 4 PN) + tag + frame type and length.
    const room = this.maxDatagramSize() - (1 + this.peerCid.length + 4) - 16 - 1 - 2;
    return Math.max(0, Math.min(room, this.peerMaxDatagramFrameSize - 3));
  }

  /** Queues an unreliable DATAGRAM (RFC 9221); false when it is too large or the queue is full. */
  sendDatagram(data: Uint8Array): boolean {
    this.assertUsable();
    if (data.length > this.maxDatagramPayload) return false;
    if (this.datagramsOut.length >= this.config.transport.datagramSendQueue) return false;
    this.datagramsOut.push(data);
    return true;
  }

  /**
   * Client: 0-RTT keys are in place and 1-RTT keys not yet, so stream data and DATAGRAMs written
   * now leave in 0-RTT packets (within the limits remembered with the session ticket).
   */
  get canSendEarlyData(): boolean {
    return this.side === 'client' && this.zeroRtt !== undefined && this.oneRtt === undefined && this.earlyData === 'attempted';
  }

  /**
   * Server: sends a NEW_TOKEN frame (RFC 9000 §8.1.3) with a token the client can present on a
   * future connection to skip address validation; the frame is sent again if lost.
   */
  sendNewToken(token: Uint8Array): void {
    if (this.side !== 'server') throw new TypeError('only a server sends NEW_TOKEN (RFC 9000 §19.7)');
    if (token.length === 0) throw new RangeError('a NEW_TOKEN token must not be empty (RFC 9000 §19.7)');
    this.assertUsable();
    this.pending.newTokens.push(token.slice());
  }

  /** Initiates a key update (RFC 9001 §6); false when one is not allowed yet. */
  initiateKeyUpdate(): boolean {
    if (!this.oneRtt || !this.handshakeConfirmed || !this.oneRtt.canInitiate) return false;
    this.oneRtt.initiate();
    // A packet in the new phase carries the update to the peer now, even on an idle connection.
    this.pending.ping = true;
    this.emit({ type: 'keyUpdate', generation: this.oneRtt.generation, initiator: 'local' });
    return true;
  }

  /**
   * Closes the connection (RFC 9000 §10.2): CONNECTION_CLOSE is sent and the connection waits out
   * the closing period. `application` (default true) selects frame type 0x1d.
   */
  close(code = 0, reason = '', application = true, now?: number): void {
    const s = this.state.kind;
    if (s === 'closing' || s === 'draining' || s === 'drained') return;
    this.enterClosing(
      { code, application, frameType: 0, reason, initiator: 'local' },
      now ?? this.lastNow,
    );
  }

  get isClosed(): boolean {
    return this.state.kind === 'drained';
  }

  /** Connection IDs that route to this connection now (for the endpoint's table). */
  localConnectionIds(): Uint8Array[] {
    return this.cids.routable();
  }

  /**
   * The next change to the connection IDs routing to this connection, or null: IDs issued with
   * NEW_CONNECTION_ID (and the handshake ID), and IDs retired by the peer or dropped when the
   * connection ends. Poll after every input, like `pollTransmit`.
   */
  pollEndpointEvent(): ConnectionEndpointEvent | null {
    return this.cids.pollEndpointEvent();
  }

  /** Figures for diagnostics. */
  get rtt(): { smoothed: number; min: number; latest: number; variance: number } {
    const r = this.recovery.rtt;
    return { smoothed: r.smoothed, min: r.min, latest: r.latest, variance: r.rttvar };
  }

  get congestionWindow(): number {
    return this.recovery.cc.window;
  }

  // ------------------------------------------------------------------ internals used by receive/transmit

  /** @internal Last `now` seen, for commands that take no time argument. */
  lastNow = 0;

  /** @internal Runs `fn`, turning any error into a connection close. Nothing escapes. */
  guard(now: number, fn: () => void): void {
    this.lastNow = now;
    try {
      fn();
    } catch (e) {
      if (e instanceof ConnectionInvariantError) throw e;
      if (e instanceof TransportError) {
        this.enterClosing({ code: e.code, application: false, frameType: e.frameType, reason: e.reason, initiator: 'local' }, now);
      } else {
        const reason = `internal error: ${(e as Error)?.message ?? String(e)}`;
        this.enterClosing({ code: TransportErrorCode.INTERNAL_ERROR, application: false, frameType: 0, reason, initiator: 'local' }, now);
      }
    }
  }

  /** @internal */
  emit(e: ConnectionEvent): void {
    if (e.type === 'datagram') this.datagramEventsQueued++;
    const q = this.qlog;
    if (q) {
      if (e.type === 'connected') {
        q.connectionStateUpdated(this.lastNow, { new: 'handshake_complete' });
        if (e.alpn !== undefined) q.alpnInformation(this.lastNow, { chosenAlpn: e.alpn });
      } else if (e.type === 'handshakeConfirmed') {
        q.connectionStateUpdated(this.lastNow, { new: 'handshake_confirmed' });
      } else if (e.type === 'keyUpdate') {
        const trigger = e.initiator === 'local' ? 'local_update' : 'remote_update';
        logKeyUpdated(q, this.lastNow, 'client', 'oneRtt', trigger, e.generation);
        logKeyUpdated(q, this.lastNow, 'server', 'oneRtt', trigger, e.generation);
      } else if (e.type === 'closing') {
        q.connectionStateUpdated(this.lastNow, { new: 'closing' });
        logClosed(q, this.lastNow, e.reason);
      }
    }
    this.#events.push(e);
  }

  /**
   * Attaches a qlog trace after creation, for drivers that name a connection's trace by its
   * original Destination Connection ID (known only once the connection exists). Ignored when the
   * configuration already gave one.
   */
  attachQlog(trace: QlogTrace): void {
    this.qlog ??= trace;
  }

  /** @internal Throws unless application data may be queued. */
  assertUsable(): void {
    const s = this.state.kind;
    if (s === 'closing' || s === 'draining' || s === 'drained') throw new TransportError(TransportErrorCode.APPLICATION_ERROR, 'connection is closed');
  }

  /** @internal Size of the datagrams we send now. */
  maxDatagramSize(): number {
    return this.mtu.current;
  }

  /** @internal PTO period for timers of the closing/draining states and key discard. */
  ptoPeriod(): number {
    return this.recovery.loss.ptoPeriod(PacketNumberSpace.ApplicationData);
  }

  /**
   * @internal Length of the closing and draining periods: three PTOs without backoff (RFC 9000
   * §10.2). Backoff measures how long the peer has been silent, not how long its packets take, and
   * after a lossy handshake it would keep a closed connection's state for tens of seconds.
   */
  closePeriod(): number {
    return 3 * this.recovery.loss.basePtoPeriod(PacketNumberSpace.ApplicationData);
  }

  /** @internal RFC 9000 §10.1: restart the idle timer. */
  resetIdleTimer(now: number): void {
    this.idleStart = now;
    this.updateIdleDeadline();
  }

  /**
   * @internal The idle period is at least three PTOs (RFC 9000 §10.1), measured without backoff:
   * with the backoff it would outgrow the time since the last packet from the peer, and a
   * connection whose peer is gone would probe for ever instead of timing out.
   */
  updateIdleDeadline(): void {
    const timeout = this.idleTimeout;
    this.idleDeadline = timeout > 0 ? this.idleStart + Math.max(timeout, this.closePeriod()) : undefined;
  }

  /** The negotiated idle timeout in ms (RFC 9000 §10.1: the smaller of both sides' values; 0: none). */
  get idleTimeout(): number {
    const local = this.config.transport.maxIdleTimeout;
    const peer = this.peerParams?.maxIdleTimeout ?? 0;
    return local === 0 ? peer : peer === 0 ? local : Math.min(local, peer);
  }

  /** @internal */
  installInitialKeys(dcid: Uint8Array): void {
    // A client may start with a version it does not speak, to provoke Version Negotiation
    // (RFC 9000 §6.1); its Initials are then protected as in v1, the server only reads the version.
    const keys = deriveInitialKeys(this.config.crypto, isSupportedVersion(this.version) ? this.version : QUIC_V1, dcid);
    const initial = this.spaces[PacketNumberSpace.Initial];
    initial.writeKeys = this.side === 'client' ? keys.client : keys.server;
    initial.readKeys = this.side === 'client' ? keys.server : keys.client;
  }

  /** @internal Feeds in-order CRYPTO bytes of `level` to TLS. */
  feedCrypto(space: PacketSpace, now: number): void {
    for (let data = space.cryptoRecv.read(); data !== null; data = space.cryptoRecv.read()) {
      this.session.readHandshake(space.level, data);
    }
    this.drainSession(now);
  }

  #pendingOneRtt: { read?: Uint8Array; write?: Uint8Array; suite?: import('../crypto/cipher-suite.ts').CipherSuite } = {};

  /** @internal Acts on everything the crypto session produced. */
  drainSession(now: number): void {
    for (let e = this.session.poll(); e !== null; e = this.session.poll()) {
      switch (e.kind) {
        case 'data': {
          const space = this.spaceOfLevel(e.level);
          if (space.cryptoSend.write(e.data) !== e.data.length) throw new TransportError(TransportErrorCode.INTERNAL_ERROR, 'handshake data exceeds the send buffer');
          break;
        }
        case 'secret': {
          const { level, direction, suite, secret } = e.secret;
          if (this.qlog) {
            const owner = (direction === 'write') === (this.side === 'client') ? 'client' : 'server';
            logKeyUpdated(this.qlog, now, owner, level, 'tls');
          }
          if (level === 'handshake') {
            const keys = packetKeysFromSecret(this.config.crypto, suite, secret, this.version);
            const hs = this.spaces[PacketNumberSpace.Handshake];
            if (direction === 'read') hs.readKeys = keys;
            else hs.writeKeys = keys;
            if (hs.readKeys && hs.writeKeys) this.recovery.loss.onHandshakeKeysAvailable();
          } else if (level === 'oneRtt') {
            this.#pendingOneRtt[direction] = secret;
            this.#pendingOneRtt.suite = suite;
            const p = this.#pendingOneRtt;
            if (this.side === 'server' && direction === 'write' && this.zeroRtt && !this.oneRtt) {
              this.halfRttWrite = packetKeysFromSecret(this.config.crypto, suite, secret, this.version);
            }
            if (p.read && p.write && p.suite && !this.oneRtt) {
              this.oneRtt = new OneRttKeys(this.config.crypto, p.suite, this.version, p.read, p.write);
              this.halfRttWrite = undefined;
              this.#pendingOneRtt = {};
              // RFC 9001 §4.9.3: a client has no use for 0-RTT keys once it has 1-RTT keys.
              if (this.side === 'client') this.zeroRtt = undefined;
              this.firstOneRttPn = this.spaces[PacketNumberSpace.ApplicationData].nextPn;
            }
          } else if (this.side === 'server' || this.earlyData === 'attempted') {
            this.zeroRtt = packetKeysFromSecret(this.config.crypto, suite, secret, this.version);
          }
          break;
        }
        case 'earlyDataOffered':
          if (e.rememberedParameters) this.applyRememberedParams(e.rememberedParameters);
          break;
        case 'earlyData':
          this.onEarlyDataDecided(e.accepted, now);
          break;
        case 'sessionTicket':
          this.emit({ type: 'sessionTicket', lifetime: e.lifetime, earlyData: e.earlyData });
          break;
        case 'peerTransportParameters':
          this.applyPeerParams(e.bytes, now);
          break;
        case 'handshakeComplete':
          this.onHandshakeComplete(e.alpn, e.resumed, e.earlyDataAccepted, now);
          break;
        case 'keylog':
          if (this.config.keylog) this.config.keylog(e.line);
          else this.keylog.push(e.line);
          break;
      }
    }
    if (this.undecryptable.length) this.retryUndecryptable(now);
  }

  /** @internal */
  spaceOfLevel(level: CryptoLevel): PacketSpace {
    return level === 'initial' ? this.spaces[0] : level === 'handshake' ? this.spaces[1] : this.spaces[2];
  }

  /** @internal Holds a datagram whose keys are not there yet. */
  holdUndecryptable(datagram: Uint8Array, path: PathInfo, receivedAt: number): void {
    if (this.undecryptable.length < MAX_UNDECRYPTABLE) this.undecryptable.push({ datagram: datagram.slice(), path, receivedAt });
  }

  private retryUndecryptable(now: number): void {
    const held = this.undecryptable.splice(0);
    for (const h of held) receiveDatagram(this, h.datagram, h.path, now, true, h.receivedAt);
  }

  private applyPeerParams(bytes: Uint8Array, now: number): void {
    const peerSide = this.side === 'client' ? 'server' : 'client';
    const params = decodeTransportParameters(bytes, peerSide);
    authenticateConnectionIds(params, peerSide, {
      initialSourceConnectionId: this.peerInitialScid ?? this.peerCid,
      ...(this.side === 'client' ? { originalDestinationConnectionId: this.originalDcid } : {}),
      ...(this.side === 'client' && this.retrySourceCid ? { retrySourceConnectionId: this.retrySourceCid } : {}),
    });
    this.peerParams = params;
    // A HelloRetryRequest rejects 0-RTT before the new parameters are known (RFC 8446 §4.1.4).
    if (this.earlyData === 'rejected' && this.remembered) this.checkLimitsAfterRejection(this.remembered, rememberedLimits(params));
    this.audit?.onPeerParams(params);
    this.streams.applyPeerLimits(params);
    this.recovery.loss.maxAckDelay = params.maxAckDelay;
    this.peerAckDelayExponent = params.ackDelayExponent;
    this.peerMaxDatagramFrameSize = params.maxDatagramFrameSize ?? 0;
    this.cids.onPeerParams(params.activeConnectionIdLimit, this.side === 'client' ? params.statelessResetToken : undefined);
    this.resetIdleTimer(now);
  }

  /**
   * Client: the server's transport parameters remembered with the ticket govern 0-RTT until the
   * handshake gives the new ones (RFC 9000 §7.4.1): the flow-control and stream limits and
   * max_datagram_frame_size; never ack_delay_exponent, max_ack_delay, the connection IDs or the
   * stateless reset token. A set that does not decode means no 0-RTT.
   */
  private applyRememberedParams(bytes: Uint8Array): void {
    let params: TransportParameters;
    try {
      params = decodeTransportParameters(bytes, 'server');
    } catch {
      return;
    }
    this.remembered = rememberedLimits(params);
    this.streams.applyPeerLimits(params);
    this.peerMaxDatagramFrameSize = params.maxDatagramFrameSize ?? 0;
    this.earlyData = 'attempted';
  }

  /** The server accepted or rejected 0-RTT (RFC 9001 §4.6.2). */
  private onEarlyDataDecided(accepted: boolean, now: number): void {
    if (this.side === 'server') {
      this.earlyData = accepted ? 'accepted' : 'rejected';
      this.emit({ type: 'earlyData', accepted });
      return;
    }
    const attempted = this.earlyData === 'attempted';
    this.earlyData = accepted ? 'accepted' : 'rejected';
    const remembered = this.remembered;
    const fresh = this.peerParams ? rememberedLimits(this.peerParams) : undefined;
    if (accepted) {
      // RFC 9000 §7.4.1: a server that accepts 0-RTT must not reduce the remembered limits.
      const reduced = remembered && fresh ? reducedLimit(remembered, fresh) : undefined;
      if (reduced) throw new TransportError(TransportErrorCode.PROTOCOL_VIOLATION, `0-RTT accepted with a smaller ${reduced} than remembered`);
    } else {
      // RFC 9001 §4.6.2: stop sending 0-RTT; everything it carried goes again in 1-RTT.
      this.zeroRtt = undefined;
      if (attempted) this.resendRejectedEarlyData(remembered, fresh, now);
    }
    this.emit({ type: 'earlyData', accepted });
  }

  /**
   * 0-RTT was rejected: its packets leave flight without a congestion signal and their stream
   * data and DATAGRAMs are queued again, to go in 1-RTT packets (packet numbers continue: 0-RTT
   * and 1-RTT share the application data space). The streams keep the credit they were given
   * from the remembered limits, so the new limits must not be smaller, or data already written
   * could break them: the connection then closes instead.
   */
  private resendRejectedEarlyData(remembered: RememberedLimits | undefined, fresh: RememberedLimits | undefined, now: number): void {
    if (remembered && fresh) this.checkLimitsAfterRejection(remembered, fresh);
    const datagrams: Uint8Array[] = [];
    for (const packet of this.recovery.drainSpace(PacketNumberSpace.ApplicationData, now)) {
      for (const f of packet.frames) {
        if (f.kind === 'stream') this.streams.onStreamDataLost(f.streamId, f.offset, f.length, f.fin);
        else if (f.kind === 'datagram' && f.data) datagrams.push(f.data);
      }
    }
    // RFC 9221 §5: those that no longer fit the server's max_datagram_frame_size are dropped.
    const fits = datagrams.filter((d) => d.length <= this.maxDatagramPayload);
    this.stats.datagramsDropped += datagrams.length - fits.length;
    this.datagramsOut.unshift(...fits);
  }

  /** After a 0-RTT rejection the server's new stream and flow-control limits must cover the remembered ones. */
  private checkLimitsAfterRejection(remembered: RememberedLimits, fresh: RememberedLimits): void {
    const reduced = reducedLimit({ ...remembered, activeConnectionIdLimit: 0, maxDatagramFrameSize: 0 }, fresh);
    if (reduced) throw new TransportError(TransportErrorCode.INTERNAL_ERROR, `0-RTT rejected with a smaller ${reduced} than the streams already use`);
  }

  private onHandshakeComplete(alpn: string | undefined, resumed: boolean, earlyDataAccepted: boolean, now: number): void {
    if (this.handshakeComplete) return;
    this.handshakeComplete = true;
    this.resumed = resumed;
    // RFC 9001 §4.9.3: a server keeps 0-RTT keys a little while for reordered packets, then drops them.
    if (this.side === 'server' && this.zeroRtt) this.zeroRttDiscardAt = now + 3 * this.ptoPeriod();
    if (this.state.kind === 'handshake') this.state = { kind: 'established' };
    this.emit({ type: 'connected', alpn, resumed, earlyDataAccepted });
    if (this.side === 'server') {
      // RFC 9001 §4.1.2: the server's handshake is confirmed when it completes.
      this.pending.handshakeDone = true;
      this.confirmHandshake(now);
    }
  }

  /** @internal RFC 9001 §4.1.2 and §4.9.2. */
  confirmHandshake(now: number): void {
    if (this.handshakeConfirmed) return;
    this.handshakeConfirmed = true;
    this.recovery.loss.onHandshakeConfirmed(now);
    this.discardSpace(PacketNumberSpace.Handshake, now);
    if (this.peerParams) this.mtu.start(Math.min(this.config.transport.maxSendUdpPayloadSize, this.peerParams.maxUdpPayloadSize));
    this.emit({ type: 'handshakeConfirmed' });
  }

  /** @internal Discards Initial or Handshake keys and state (RFC 9001 §4.9). */
  discardSpace(id: 0 | 1, now: number): void {
    const space = this.spaces[id];
    if (space.discarded) return;
    space.discard();
    this.recovery.discardSpace(id, now);
  }

  /** @internal A packet's frames were acknowledged. */
  onPacketAcked(space: PacketSpace, packet: SentPacket<SentFrames>): void {
    onFramesAcked(this, space, packet.frames);
  }

  /** @internal A packet was declared lost: requeue its information (STYLE lesson 8). */
  onPacketLost(space: PacketSpace, packet: SentPacket<SentFrames>): void {
    this.stats.packetsLost++;
    this.stats.datagramsLost += requeueFrames(this, space, packet.frames);
  }

  /** @internal */
  requeue(space: PacketSpace, frames: readonly SentFrame[]): void {
    requeueFrames(this, space, frames);
  }

  private onLossTimeout(now: number): void {
    onLossTimeout(this, now);
  }

  /** @internal Enters the closing state (RFC 9000 §10.2.1). */
  enterClosing(reason: CloseReason, now: number): void {
    const s = this.state.kind;
    if (s === 'closing' || s === 'draining' || s === 'drained') return;
    this.state = { kind: 'closing', reason, until: now + this.closePeriod(), frame: closeFrameFor(reason) };
    this.pending.closeFrame = true;
    this.emit({ type: 'closing', reason });
  }

  /** @internal The peer closed (RFC 9000 §10.2.2). */
  enterDraining(reason: CloseReason, now: number): void {
    const s = this.state.kind;
    if (s === 'draining' || s === 'drained') return;
    if (s !== 'closing') this.emit({ type: 'closing', reason });
    this.state = { kind: 'draining', reason, until: now + this.closePeriod() };
  }

  /** @internal */
  enterDrained(reason: CloseReason): void {
    if (this.state.kind === 'drained') return;
    if (this.state.kind !== 'closing' && this.state.kind !== 'draining') this.emit({ type: 'closing', reason });
    this.state = { kind: 'drained', reason };
    this.cids.forgetAll();
    this.emit({ type: 'closed', reason });
  }

  /** @internal True if `cid` is one of ours. */
  isLocalCid(cid: Uint8Array): boolean {
    return this.cids.isLocal(cid);
  }
}

function baseParams(config: ResolvedConfig, scid: Uint8Array): TransportParameters {
  const t = config.transport;
  return createTransportParameters({
    maxIdleTimeout: t.maxIdleTimeout,
    maxUdpPayloadSize: t.maxUdpPayloadSize,
    initialMaxData: t.initialMaxData,
    initialMaxStreamDataBidiLocal: t.initialMaxStreamDataBidiLocal,
    initialMaxStreamDataBidiRemote: t.initialMaxStreamDataBidiRemote,
    initialMaxStreamDataUni: t.initialMaxStreamDataUni,
    initialMaxStreamsBidi: t.initialMaxStreamsBidi,
    initialMaxStreamsUni: t.initialMaxStreamsUni,
    ackDelayExponent: t.ackDelayExponent,
    maxAckDelay: t.maxAckDelay,
    disableActiveMigration: t.disableActiveMigration,
    activeConnectionIdLimit: t.activeConnectionIdLimit,
    initialSourceConnectionId: scid,
    ...(t.maxDatagramFrameSize > 0 ? { maxDatagramFrameSize: t.maxDatagramFrameSize } : {}),
  });
}
