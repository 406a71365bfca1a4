/**
 * Reads the relay's datagram log the way the interop runner reads its pcaps: Initial packets are
 * decrypted with the public Initial keys, Handshake and 1-RTT packets with the secrets of a key
 * log (SSLKEYLOGFILE format) when one is given. The facts it extracts are what the test cases
 * check: handshakes, versions, cipher suites, Retry, Version Negotiation, certificates, 0-RTT
 * bytes, key phases, and whether the server ended a connection with a transport error.
 */
import {
  splitCoalescedPackets, deriveInitialKeys, unprotectPacket, removeHeaderProtection, decodeFrames, packetKeysFromSecret,
  cipherSuiteById, decodeClientHello, decodeServerHello, TlsHandshakeType, toHex, fromHex, bytesEqual, type CryptoProvider,
  type PacketProtectionKeys,
} from '@quicts/quic-core';
import type { LoggedDatagram } from './relay.ts';

export interface ConnectionFacts {
  readonly originalDcid: string;
  clientVersions: Set<number>;
  serverVersions: Set<number>;
  serverScids: Set<string>;
  clientCipherSuites: number[] | undefined;
  serverCipherSuite: number | undefined;
  clientRandom: string | undefined;
  retries: number;
  retryTokenUsed: boolean;
  /** Version Negotiation packets the server sent to this connection attempt. */
  versionNegotiations: number;
  /** Client Initial packet numbers sent before and after the Retry. */
  pnsBeforeRetry: number[];
  pnsAfterRetry: number[];
  /** True/false once the server's Handshake flight could be decrypted; undefined otherwise. */
  serverSentCertificate: boolean | undefined;
  zeroRttBytes: number;
  clientOneRttBytes: number;
  clientKeyPhases: Set<number>;
  serverKeyPhases: Set<number>;
  clientHandshakeVersions: Set<number>;
  serverHandshakeVersions: Set<number>;
  /** The transport error code of a CONNECTION_CLOSE (0x1c) the server sent, if any (0 excluded). */
  serverTransportError: number | undefined;
}

interface State {
  facts: ConnectionFacts;
  clientScid: Uint8Array;
  initialDcid: Uint8Array;
  retryScid: Uint8Array | undefined;
  retryToken: Uint8Array | undefined;
  serverScid: Uint8Array | undefined;
  crypto: { c2s: Map<number, Uint8Array>; s2c: Map<number, Uint8Array> };
  hsCrypto: Map<number, Uint8Array>;
}

/** Parses SSLKEYLOGFILE text into client random (hex) -> label -> secret. */
export function parseKeyLog(text: string): Map<string, Map<string, Uint8Array>> {
  const out = new Map<string, Map<string, Uint8Array>>();
  for (const line of text.split('\n')) {
    const [label, random, secret] = line.trim().split(/\s+/);
    if (!label || !random || !secret || label.startsWith('#')) continue;
    let m = out.get(random.toLowerCase());
    if (!m) out.set(random.toLowerCase(), (m = new Map()));
    m.set(label, fromHex(secret));
  }
  return out;
}

function concatOrdered(pieces: Map<number, Uint8Array>): Uint8Array {
  const offsets = [...pieces.keys()].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let next = 0;
  for (const o of offsets) {
    const p = pieces.get(o)!;
    if (o > next) break;
    if (o + p.length <= next) continue;
    chunks.push(p.subarray(next - o));
    next = o + p.length;
  }
  const out = new Uint8Array(next);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Handshake messages (type, body) from a CRYPTO byte stream, as far as it is complete. */
function messages(stream: Uint8Array): Array<{ type: number; body: Uint8Array }> {
  const out: Array<{ type: number; body: Uint8Array }> = [];
  let at = 0;
  while (at + 4 <= stream.length) {
    const len = (stream[at + 1]! << 16) | (stream[at + 2]! << 8) | stream[at + 3]!;
    if (at + 4 + len > stream.length) break;
    out.push({ type: stream[at]!, body: stream.subarray(at + 4, at + 4 + len) });
    at += 4 + len;
  }
  return out;
}

/** Collects the CRYPTO frames of a payload; a transport CONNECTION_CLOSE with an error goes to `facts` (server packets). */
function collectCrypto(payload: Uint8Array, into: Map<number, Uint8Array>, facts?: ConnectionFacts): void {
  try {
    for (const f of decodeFrames(payload)) {
      if (f.type === 'crypto') into.set(f.offset, f.data.slice());
      else if (facts && f.type === 'connectionClose' && !f.application && f.errorCode !== 0) facts.serverTransportError ??= f.errorCode;
    }
  } catch {
    // a corrupted or unparseable payload: ignore
  }
}

export function analyzeTrace(log: readonly LoggedDatagram[], crypto: CryptoProvider, keyLogText = ''): ConnectionFacts[] {
  const keys = parseKeyLog(keyLogText);
  const states: State[] = [];
  const byDcid = (dcid: Uint8Array) => states.find((s) => bytesEqual(s.initialDcid, dcid) || (s.serverScid && bytesEqual(s.serverScid, dcid)));
  // The latest attempt first: a client may reuse its connection ID after Version Negotiation.
  const byClientScid = (scid: Uint8Array) => [...states].reverse().find((s) => bytesEqual(s.clientScid, scid));
  const appKeys = new Map<State, { client?: PacketProtectionKeys; server?: PacketProtectionKeys }>();
  const open = (dcid: Uint8Array, scid: Uint8Array): State => {
    const s: State = {
      facts: {
        originalDcid: toHex(dcid), clientVersions: new Set(), serverVersions: new Set(), serverScids: new Set(),
        clientCipherSuites: undefined, serverCipherSuite: undefined, clientRandom: undefined, retries: 0, retryTokenUsed: false,
        versionNegotiations: 0, pnsBeforeRetry: [], pnsAfterRetry: [], serverSentCertificate: undefined, zeroRttBytes: 0, clientOneRttBytes: 0,
        clientKeyPhases: new Set(), serverKeyPhases: new Set(), clientHandshakeVersions: new Set(), serverHandshakeVersions: new Set(),
        serverTransportError: undefined,
      },
      clientScid: scid.slice(), initialDcid: dcid.slice(), retryScid: undefined, retryToken: undefined, serverScid: undefined,
      crypto: { c2s: new Map(), s2c: new Map() }, hsCrypto: new Map(),
    };
    states.push(s);
    return s;
  };

  // Pass 1: long headers, Initial decryption, Retry.
  for (const d of log) {
    if (d.fate === 'dropped') continue;
    const { packets } = splitCoalescedPackets(d.data.slice(), { shortDcidLength: 0, allowZeroFixedBit: true });
    for (const p of packets) {
      if (p.kind === 'retry' && d.dir === 's2c') {
        const s = byClientScid(p.dcid);
        if (s) {
          s.facts.retries++;
          s.retryScid = p.scid.slice();
          s.retryToken = p.token.slice();
          s.initialDcid = p.scid.slice();
        }
        continue;
      }
      // RFC 9000 §6: a first packet of a version the server does not speak, answered with VN.
      if (p.kind === 'unsupported-version' && d.dir === 'c2s') {
        (byDcid(p.dcid) ?? open(p.dcid, p.scid)).facts.clientVersions.add(p.version);
        continue;
      }
      if (p.kind === 'version-negotiation' && d.dir === 's2c') {
        const s = byClientScid(p.dcid);
        if (s) s.facts.versionNegotiations++;
        continue;
      }
      if (p.kind !== 'long') continue;
      const buf = d.data.slice();
      if (d.dir === 'c2s') {
        let s = byDcid(p.dcid);
        if (!s && p.type === 'initial') {
          // Only an Initial that decrypts starts a connection: one whose DCID the relay corrupted
          // does not (the server cannot read it either).
          const k = deriveInitialKeys(crypto, p.version, p.dcid).client;
          if (!unprotectPacket(k, d.data.slice(), p.start, p.pnOffset, p.end, -1)) continue;
          s = open(p.dcid, p.scid);
        }
        if (!s) continue;
        if (p.type === 'initial') {
          s.facts.clientVersions.add(p.version);
          if (s.retryToken && bytesEqual(p.token, s.retryToken)) s.facts.retryTokenUsed = true;
          const k = deriveInitialKeys(crypto, p.version, s.initialDcid).client;
          const out = unprotectPacket(k, buf, p.start, p.pnOffset, p.end, -1);
          if (out) {
            (s.retryScid ? s.facts.pnsAfterRetry : s.facts.pnsBeforeRetry).push(out.pn);
            collectCrypto(out.payload, s.crypto.c2s);
          }
        } else if (p.type === '0rtt') {
          s.facts.zeroRttBytes += p.end - p.start;
        } else if (p.type === 'handshake') {
          s.facts.clientHandshakeVersions.add(p.version);
        }
      } else if (p.type === 'initial') {
        // The attempt whose Initial keys open the packet (latest first: a client may reuse its
        // connection ID after Version Negotiation); a packet the relay corrupted opens with none,
        // so a corrupted source connection ID is not counted as a handshake.
        for (const s of [...states].reverse()) {
          if (!bytesEqual(s.clientScid, p.dcid)) continue;
          const k = deriveInitialKeys(crypto, p.version, s.initialDcid).server;
          const out = unprotectPacket(k, d.data.slice(), p.start, p.pnOffset, p.end, -1);
          if (!out) continue;
          s.facts.serverVersions.add(p.version);
          s.facts.serverScids.add(toHex(p.scid));
          s.serverScid = p.scid.slice();
          collectCrypto(out.payload, s.crypto.s2c, s.facts);
          break;
        }
      } else {
        const s = byClientScid(p.dcid);
        if (!s) continue;
        if (p.type === 'handshake') {
          s.facts.serverHandshakeVersions.add(p.version); // decrypted in pass 2, once the cipher suite is known
        }
      }
    }
  }

  // ClientHello / ServerHello facts.
  for (const s of states) {
    for (const m of messages(concatOrdered(s.crypto.c2s))) {
      if (m.type === TlsHandshakeType.client_hello) {
        const ch = decodeClientHello(m.body);
        s.facts.clientCipherSuites = [...ch.cipherSuites];
        s.facts.clientRandom = toHex(ch.random);
      }
    }
    for (const m of messages(concatOrdered(s.crypto.s2c))) {
      if (m.type === TlsHandshakeType.server_hello) s.facts.serverCipherSuite = decodeServerHello(m.body).cipherSuite;
    }
  }

  // Pass 2: Handshake decryption (needs the ServerHello) and 1-RTT key phases.
  for (const s of states) {
    const secrets = s.facts.clientRandom ? keys.get(s.facts.clientRandom) : undefined;
    const suite = s.facts.serverCipherSuite !== undefined ? cipherSuiteById(s.facts.serverCipherSuite) : undefined;
    if (!secrets || !suite) continue;
    const version = [...s.facts.serverVersions][0] ?? 1;
    const hsSecret = secrets.get('SERVER_HANDSHAKE_TRAFFIC_SECRET');
    const clientApp = secrets.get('CLIENT_TRAFFIC_SECRET_0');
    const serverApp = secrets.get('SERVER_TRAFFIC_SECRET_0');
    const hsKeys = hsSecret ? packetKeysFromSecret(crypto, suite, hsSecret, version) : undefined;
    appKeys.set(s, {
      ...(clientApp ? { client: packetKeysFromSecret(crypto, suite, clientApp, version) } : {}),
      ...(serverApp ? { server: packetKeysFromSecret(crypto, suite, serverApp, version) } : {}),
    });
    if (hsKeys) {
      for (const d of log) {
        if (d.fate === 'dropped' || d.dir !== 's2c') continue;
        const buf = d.data.slice();
        const { packets } = splitCoalescedPackets(buf, { shortDcidLength: 0, allowZeroFixedBit: true });
        for (const p of packets) {
          if (p.kind !== 'long' || p.type !== 'handshake' || !bytesEqual(p.dcid, s.clientScid)) continue;
          const out = unprotectPacket(hsKeys, buf, p.start, p.pnOffset, p.end, -1);
          if (out) collectCrypto(out.payload, s.hsCrypto, s.facts);
        }
      }
      const msgs = messages(concatOrdered(s.hsCrypto));
      if (msgs.length) s.facts.serverSentCertificate = msgs.some((m) => m.type === TlsHandshakeType.certificate);
    }
  }

  // Short headers: key phase bits and client 1-RTT bytes. Short-header DCIDs have no length, so
  // each connection's keys are tried on each short packet.
  for (const d of log) {
    // Datagrams starting with a long header are skipped (a short packet coalesced after long
    // ones happens only around the end of the handshake).
    if (d.fate === 'dropped' || (d.data[0]! & 0x80) !== 0) continue;
    for (const [s, k] of appKeys) {
      const key = d.dir === 'c2s' ? k.client : k.server;
      if (!key) continue;
      const dcidLength = d.dir === 'c2s' ? (s.serverScid?.length ?? 0) : s.clientScid.length;
      const dcid = d.data.subarray(1, 1 + dcidLength);
      // Either side may have moved to a connection ID from NEW_CONNECTION_ID, which the log does
      // not reveal: with one connection any DCID is taken; with several, only the handshake IDs.
      if (appKeys.size > 1 && d.dir === 's2c' && !bytesEqual(dcid, s.clientScid)) continue;
      const buf = d.data.slice();
      const pnOffset = 1 + dcidLength;
      if (pnOffset + 20 > buf.length) continue;
      const h = removeHeaderProtection(key.hp, buf, 0, pnOffset);
      if ((h.firstByte & 0x18) !== 0) continue; // wrong keys: reserved bits garbage
      const phase = (h.firstByte >> 2) & 1;
      (d.dir === 'c2s' ? s.facts.clientKeyPhases : s.facts.serverKeyPhases).add(phase);
      if (d.dir === 'c2s') s.facts.clientOneRttBytes += d.data.length;
      else if (phase === 0) {
        // A server that ends the connection with an error after the handshake says so in 1-RTT.
        const out = unprotectPacket(key, d.data.slice(), 0, pnOffset, d.data.length, -1);
        if (out) collectCrypto(out.payload, new Map(), s.facts);
      }
      break;
    }
  }
  return states.map((s) => s.facts);
}
