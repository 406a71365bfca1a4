/**
 * The receive path of a connection: datagram -> packets (RFC 9000 §12.2) -> header and packet
 * protection removed (RFC 9001 §5) -> frames checked against the packet type (RFC 9000 §12.4)
 * and dispatched. Packets that fail are dropped; protocol violations throw TransportError,
 * which the connection turns into CONNECTION_CLOSE.
 * @module
 */
import { TransportError, TransportErrorCode } from '../errors.ts';
import { bytesEqual } from '../codec/hex.ts';
import { Reader } from '../codec/reader.ts';
import { splitCoalescedPackets, type LongHeaderPacket, type ParsedPacket, type ShortHeaderPacket } from '../packet/header.ts';
import { decryptPacketPayload, removeHeaderProtection, unprotectPacket } from '../packet/protection.ts';
import { decodePacketNumber } from '../packet/packet-number.ts';
import { verifyRetryIntegrity } from '../packet/retry.ts';
import { decodeFrame } from '../frame/decode.ts';
import { isFrameAllowed, type FramePacketKind } from '../frame/legality.ts';
import { frameTypeOf, type Frame } from '../frame/types.ts';
import { reasonPhraseText } from '../frame/reason-phrase.ts';
import { PacketNumberSpace } from '../recovery/constants.ts';
import { handleVersionNegotiation } from '../endpoint/version-negotiation.ts';
import type { Connection, PathInfo } from './connection.ts';
import type { PacketSpace } from './packet-space.ts';
import type { QlogPacketType } from '../qlog/schema.ts';
import { logMetrics, logPacketDropped, logPacketReceived, type ConnPacketType } from './qlog-events.ts';

const SPACE_OF_TYPE = { initial: PacketNumberSpace.Initial, handshake: PacketNumberSpace.Handshake, '0rtt': PacketNumberSpace.ApplicationData } as const;
const KIND_OF_TYPE: Record<LongHeaderPacket['type'], FramePacketKind> = { initial: 'initial', handshake: 'handshake', '0rtt': 'zeroRtt' };
const LOG_TYPE: Record<FramePacketKind, ConnPacketType> = { initial: 'initial', handshake: 'handshake', zeroRtt: '0rtt', oneRtt: 'short' };

/**
 * Processes one datagram. `retry` marks a second attempt of a held datagram, which arrived at
 * `receivedAt`: RFC 9000 §13.2.5 wants the time it waited for keys in the ACK Delay we report.
 */
export function receiveDatagram(conn: Connection, datagram: Uint8Array, path: PathInfo, now: number, retry = false, receivedAt = now): void {
  if (!retry) {
    conn.bytesReceived += datagram.length;
    conn.stats.bytesReceived += datagram.length;
  }
  const state = conn.state.kind;
  if (state === 'draining' || state === 'drained') return;
  const { packets } = splitCoalescedPackets(datagram, { shortDcidLength: conn.localCid.length });
  let firstDcid: Uint8Array | undefined;
  let heldForKeys = false;
  for (const p of packets) {
    // RFC 9000 §12.2: every packet of a datagram has the same DCID; others are dropped.
    if (p.kind === 'long' || p.kind === 'short') {
      if (firstDcid === undefined) firstDcid = p.dcid;
      else if (!bytesEqual(firstDcid, p.dcid)) {
        conn.stats.packetsDropped++;
        if (conn.qlog) logPacketDropped(conn.qlog, now, 'unknown', p.end - p.start, 'unknown_connection_id');
        continue;
      }
    }
    const result = receivePacket(conn, datagram, p, path, now, receivedAt);
    if (result === 'needs-keys') heldForKeys = true;
    else if (result !== 'ok' && conn.qlog) logPacketDropped(conn.qlog, now, qlogTypeOf(p), p.end - p.start, result);
    if (isOver(conn)) return;
  }
  if (heldForKeys && !retry) conn.holdUndecryptable(datagram, path, now);
  // RFC 9000 §10.2.1: answer packets received while closing with CONNECTION_CLOSE again, at a falling rate.
  if (conn.state.kind === 'closing' && conn.closeResponder.onDatagram()) conn.pending.closeFrame = true;
}

/** Reads the state afresh (frame handlers may have changed it). */
function isOver(conn: Connection): boolean {
  const kind = conn.state.kind as string;
  return kind === 'draining' || kind === 'drained';
}

/** 'ok', 'needs-keys' (held until keys arrive), or why the packet was dropped (qlog's packet_dropped triggers). */
type PacketResult = 'ok' | 'needs-keys' | DropTrigger;
type DropTrigger =
  | 'unknown_connection_id' | 'payload_decrypt_error' | 'duplicate' | 'key_unavailable' | 'unsupported_version'
  | 'unexpected_packet' | 'header_parse_error';

function receivePacket(conn: Connection, datagram: Uint8Array, p: ParsedPacket, path: PathInfo, now: number, receivedAt: number): PacketResult {
  switch (p.kind) {
    case 'version-negotiation':
      return onVersionNegotiation(conn, p);
    case 'retry':
      return onRetry(conn, datagram, p, now);
    case 'unsupported-version':
      conn.stats.packetsDropped++;
      return 'unsupported_version';
    case 'long':
      return receiveLong(conn, datagram, p, path, now, receivedAt);
    case 'short':
      return receiveShort(conn, datagram, p, path, now, receivedAt);
  }
}

function onVersionNegotiation(conn: Connection, p: Extract<ParsedPacket, { kind: 'version-negotiation' }>): PacketResult {
  if (conn.side !== 'client') return 'unexpected_packet';
  // RFC 9000 §6.2: only a client that has received nothing else acts on it; a list that includes
  // the version it used, or that does not echo its connection IDs, is ignored.
  const outcome = handleVersionNegotiation(p, {
    chosenVersion: conn.version, processedOtherPacket: conn.receivedFromPeer, localCid: conn.localCid, remoteCid: conn.originalDcid,
  });
  if (outcome.kind === 'ignore') return 'unexpected_packet';
  const offered = outcome.offered.map((v) => '0x' + v.toString(16)).join(', ');
  conn.enterDrained({
    code: TransportErrorCode.VERSION_NEGOTIATION_ERROR, application: false, frameType: 0, initiator: 'remote',
    ...(outcome.kind === 'downgrade'
      ? { reason: `version 0x${conn.version.toString(16)} refused; server offers ${offered}`, retryVersion: outcome.version }
      : { reason: `no common version; server offers ${offered}` }),
  });
  return 'ok';
}

function onRetry(conn: Connection, datagram: Uint8Array, p: Extract<ParsedPacket, { kind: 'retry' }>, now: number): PacketResult {
  // RFC 9000 §17.2.5.2: one Retry, before any other server packet, with a valid tag and a token.
  if (conn.side !== 'client' || conn.receivedFromPeer || conn.retried || p.token.length === 0 || p.version !== conn.version) return 'unexpected_packet';
  if (!verifyRetryIntegrity(conn.config.crypto, datagram, p, conn.originalDcid)) return 'payload_decrypt_error';
  conn.retried = true;
  conn.retrySourceCid = p.scid.slice();
  conn.peerCid = p.scid.slice();
  conn.token = p.token.slice();
  conn.installInitialKeys(conn.peerCid);
  // RFC 9002 §6.3: restart recovery; everything sent is sent again (packet numbers continue).
  const initial = conn.spaces[PacketNumberSpace.Initial];
  for (const packet of conn.recovery.reset()) conn.requeue(initial, packet.frames);
  void now;
  return 'ok';
}

function receiveLong(conn: Connection, datagram: Uint8Array, p: LongHeaderPacket, path: PathInfo, now: number, receivedAt: number): PacketResult {
  if (p.version !== conn.version) return 'unsupported_version';
  if (p.type === '0rtt' && (conn.side === 'client' || !conn.zeroRtt)) {
    if (conn.side === 'client') return 'unexpected_packet'; // RFC 9001 §5.6: a client never decrypts 0-RTT
    // Until the ClientHello is read (it may be late or reordered), 0-RTT waits for its keys.
    return conn.spaces[PacketNumberSpace.Handshake].writeKeys || conn.handshakeComplete ? 'key_unavailable' : 'needs-keys';
  }
  const space = conn.spaces[SPACE_OF_TYPE[p.type]];
  if (!conn.isLocalCid(p.dcid)) return 'unknown_connection_id';
  const keys = p.type === '0rtt' ? conn.zeroRtt : space.readKeys;
  if (!keys) {
    if (space.discarded) return 'key_unavailable';
    return 'needs-keys';
  }
  const out = unprotectPacket(keys, datagram, p.start, p.pnOffset, p.end, space.acks.largestReceived);
  if (!out) {
    conn.stats.packetsDropped++;
    return 'payload_decrypt_error';
  }
  // RFC 9000 §17.2: reserved bits must be zero once protection is removed.
  if ((out.firstByte & 0x0c) !== 0) throw new TransportError(TransportErrorCode.PROTOCOL_VIOLATION, 'reserved bits set in a long header');
  if (space.acks.isDuplicate(out.pn)) return 'duplicate';
  if (p.type === 'initial' && !conn.receivedFromPeer) {
    // RFC 9000 §7.2: the client switches to the server's chosen connection ID. The server takes
    // the client's from its first authenticated Initial too: a header corrupted on the way
    // (which fails authentication) must not decide where replies go.
    conn.peerCid = p.scid.slice();
    conn.cids.setPeerInitial(conn.peerCid);
  }
  if (conn.peerInitialScid === undefined && p.type === 'initial') conn.peerInitialScid = p.scid.slice();
  conn.receivedFromPeer = true;
  processPayload(conn, space, KIND_OF_TYPE[p.type], out.pn, out.payload, p.dcid, p.end - p.start, now, receivedAt);
  if (conn.side === 'server' && p.type === 'handshake') {
    // RFC 9000 §8.1: a Handshake packet proves the client's address; RFC 9001 §4.9.1: the
    // server then discards Initial keys.
    conn.addressValidated = true;
    conn.recovery.loss.setAmplificationBlocked(false, now);
    conn.discardSpace(PacketNumberSpace.Initial, now);
  }
  void path;
  return 'ok';
}

function receiveShort(conn: Connection, datagram: Uint8Array, p: ShortHeaderPacket, path: PathInfo, now: number, receivedAt: number): PacketResult {
  const keys = conn.oneRtt;
  // RFC 9001 §5.7: a server does not process 1-RTT packets before the handshake completes (it
  // has the keys once it sent its Finished); they wait for the client's Finished. Acknowledging
  // them early would let the client confirm the handshake (§4.1.2) and drop the Handshake keys
  // while its Finished is still lost.
  const early = conn.side === 'server' && !conn.handshakeComplete;
  if (!keys || early) return conn.state.kind === 'handshake' ? 'needs-keys' : 'key_unavailable';
  // RFC 9000 §10.3.1: a datagram that cannot be processed may be a stateless reset.
  if (!conn.isLocalCid(p.dcid)) return checkReset(conn, datagram, 'unknown_connection_id');
  if (p.pnOffset + 20 > p.end) return checkReset(conn, datagram, 'header_parse_error');
  const space = conn.spaces[PacketNumberSpace.ApplicationData];
  const header = removeHeaderProtection(keys.headerKeys.hp, datagram, p.start, p.pnOffset);
  const pn = decodePacketNumber(space.acks.largestReceived, header.truncatedPn, header.pnLength * 8);
  const phase = ((header.firstByte >> 2) & 1) as 0 | 1;
  const chosen = keys.select(phase, pn);
  const headerEnd = p.pnOffset + header.pnLength;
  const payload = chosen ? decryptPacketPayload(chosen.keys, datagram, p.start, headerEnd, p.end, pn) : null;
  if (!payload) return checkReset(conn, datagram, 'payload_decrypt_error');
  // RFC 9000 §17.3.1: reserved bits must be zero once protection is removed.
  if ((header.firstByte & 0x18) !== 0) throw new TransportError(TransportErrorCode.PROTOCOL_VIOLATION, 'reserved bits set in a short header');
  if (space.acks.isDuplicate(pn)) return checkReset(conn, datagram, 'duplicate');
  if (chosen!.which === 'next') {
    // RFC 9001 §6.2: the peer updated keys (or answered our update).
    if (!conn.handshakeConfirmed && conn.side === 'server') {
      throw new TransportError(TransportErrorCode.KEY_UPDATE_ERROR, 'key update before the handshake was confirmed');
    }
    const kind = keys.onReadNext(pn, now, conn.ptoPeriod());
    if (kind === 'remote') conn.emit({ type: 'keyUpdate', generation: keys.generation, initiator: 'remote' });
  } else if (chosen!.which === 'current') {
    keys.onReadCurrent(pn);
  }
  conn.receivedFromPeer = true;
  processPayload(conn, space, 'oneRtt', pn, payload, p.dcid, p.end - p.start, now, receivedAt);
  // RFC 9001 §4.1.2: a client may treat an acknowledged 1-RTT packet as confirmation; the
  // HANDSHAKE_DONE frame is the usual signal (handled with the frame).
  void path;
  return 'ok';
}

/** A short-header packet was not processed: drop it, or end the connection if it is a stateless reset (RFC 9000 §10.3.1). */
function checkReset(conn: Connection, datagram: Uint8Array, trigger: DropTrigger): PacketResult {
  if (conn.cids.isStatelessReset(datagram)) {
    conn.enterDraining({ code: TransportErrorCode.NO_ERROR, application: false, frameType: 0, reason: 'stateless reset', initiator: 'reset' }, conn.lastNow);
    return 'ok';
  }
  conn.stats.packetsDropped++;
  return trigger;
}

function qlogTypeOf(p: ParsedPacket): QlogPacketType {
  switch (p.kind) {
    case 'long': return p.type === '0rtt' ? '0RTT' : p.type;
    case 'short': return '1RTT';
    case 'retry': return 'retry';
    case 'version-negotiation': return 'version_negotiation';
    default: return 'unknown';
  }
}

function processPayload(
  conn: Connection, space: PacketSpace, kind: FramePacketKind, pn: number, payload: Uint8Array, dcid: Uint8Array, length: number, now: number,
  receivedAt: number,
): void {
  const logged: Frame[] | undefined = conn.qlog ? [] : undefined;
  conn.stats.packetsReceived++;
  if (payload.length === 0) throw new TransportError(TransportErrorCode.PROTOCOL_VIOLATION, 'packet without frames'); // RFC 9000 §12.4
  const r = new Reader(payload);
  let ackEliciting = false;
  try {
    while (!r.done) {
      const frame = decodeFrame(r);
      const type = frameTypeOf(frame);
      if (!isFrameAllowed(type, kind)) {
        throw new TransportError(TransportErrorCode.PROTOCOL_VIOLATION, `${frame.type} frame not allowed in ${kind} packets`, type);
      }
      if (frame.type !== 'ack' && frame.type !== 'padding' && frame.type !== 'connectionClose') ackEliciting = true;
      logged?.push(frame);
      handleFrame(conn, space, frame, type, dcid, now);
      if (isOver(conn)) return;
    }
  } finally {
    if (logged) logPacketReceived(conn.qlog!, now, LOG_TYPE[kind], pn, dcid, length, logged);
  }
  space.acks.onPacketReceived(pn, ackEliciting, receivedAt);
  // RFC 9000 §10.1: any authenticated packet restarts the idle timer.
  conn.ackElicitingSinceReceive = false;
  conn.resetIdleTimer(now);
}

function handleFrame(conn: Connection, space: PacketSpace, frame: Frame, type: number, dcid: Uint8Array, now: number): void {
  // RFC 9000 §10.2.1: in the closing state only the peer's CONNECTION_CLOSE still matters.
  if (conn.state.kind === 'closing' && frame.type !== 'connectionClose') return;
  switch (frame.type) {
    case 'padding':
    case 'ping':
      return;
    case 'ack': {
      const exponent = space.id === PacketNumberSpace.ApplicationData ? conn.peerAckDelayExponent : 3;
      const out = conn.recovery.onAckFrame(space.id, frame, exponent, now);
      for (const p of out.acked) conn.onPacketAcked(space, p);
      for (const p of out.lost) conn.onPacketLost(space, p);
      if (conn.qlog && out.acked.length) logMetrics(conn.qlog, conn, now);
      if (space.id === PacketNumberSpace.ApplicationData) {
        conn.oneRtt?.onAckReceived(frame.largest);
        // RFC 9001 §4.1.2: an acknowledged 1-RTT packet confirms the handshake for a client (an
        // acknowledged 0-RTT packet does not: the server may not have the client's Finished yet).
        if (conn.side === 'client' && conn.handshakeComplete && out.acked.some((p) => p.pn >= conn.firstOneRttPn)) conn.confirmHandshake(now);
      }
      return;
    }
    case 'crypto': {
      if (space.discarded) return;
      space.cryptoRecv.insert(frame.offset, frame.data, false, type);
      conn.feedCrypto(space, now);
      return;
    }
    case 'newToken':
      if (conn.side === 'server') throw new TransportError(TransportErrorCode.PROTOCOL_VIOLATION, 'NEW_TOKEN sent by a client', type); // §19.7
      conn.emit({ type: 'newToken', token: frame.token.slice() });
      return;
    case 'maxData':
      conn.audit?.onMaxData(frame.maximum);
      conn.streams.onFrame(frame);
      return;
    case 'maxStreamData':
      conn.audit?.onMaxStreamData(frame.streamId, frame.maximum);
      conn.streams.onFrame(frame);
      return;
    case 'stream':
    case 'resetStream':
    case 'stopSending':
    case 'streamDataBlocked':
    case 'maxStreams':
    case 'dataBlocked':
    case 'streamsBlocked':
      conn.streams.onFrame(frame);
      return;
    case 'newConnectionId': {
      const peer = conn.cids.peer;
      if (!peer) return;
      peer.onNewConnectionId(frame);
      // Retire Prior To may have moved us to another of the peer's IDs (RFC 9000 §5.1.2).
      conn.peerCid = peer.current().cid;
      return;
    }
    case 'retireConnectionId':
      conn.cids.local.onRetireConnectionId(frame.sequence, dcid);
      return;
    case 'pathChallenge':
      if (conn.pending.pathResponses.length < 4) conn.pending.pathResponses.push(frame.data.slice());
      return;
    case 'pathResponse':
      return; // we send no PATH_CHALLENGE yet; an unsolicited response is ignored
    case 'connectionClose':
      conn.enterDraining({
        code: frame.errorCode, application: frame.application, frameType: frame.frameType ?? 0,
        reason: reasonPhraseText(frame.reason), initiator: 'remote',
      }, now);
      return;
    case 'handshakeDone':
      if (conn.side === 'server') throw new TransportError(TransportErrorCode.PROTOCOL_VIOLATION, 'HANDSHAKE_DONE sent by a client', type); // §19.20
      conn.confirmHandshake(now);
      return;
    case 'datagram': {
      const max = conn.config.transport.maxDatagramFrameSize;
      // RFC 9221 §3: DATAGRAM without having advertised support, or larger than advertised.
      if (max === 0) throw new TransportError(TransportErrorCode.PROTOCOL_VIOLATION, 'DATAGRAM not negotiated', type);
      if (frame.data.length > max) throw new TransportError(TransportErrorCode.PROTOCOL_VIOLATION, 'DATAGRAM larger than max_datagram_frame_size', type);
      // The application reads datagrams through events; beyond the bound the newest are dropped.
      if (conn.datagramEventsQueued >= conn.config.transport.datagramReceiveQueue) conn.stats.datagramsDropped++;
      else conn.emit({ type: 'datagram', data: frame.data.slice() });
      return;
    }
  }
}
