/**
 * The QUIC endpoint: one UDP socket's worth of connections, sans-IO (like quinn's Endpoint, it
 * performs no I/O whatsoever). It routes datagrams to connections by Destination Connection ID
 * (every active ID of every connection), accepts new server connections up to a limit, answers
 * unknown versions with Version Negotiation (RFC 9000 §6), validates addresses with Retry and
 * NEW_TOKEN tokens (§8.1), sends stateless resets for unknown short-header packets (§10.3), and
 * forgets drained connections and their routes.
 *
 * Calling contract: inputs are `receive(datagram, remote, local, now)`, `handleTimeout(now)`,
 * `connect(...)` and `wake(handle)` (after any application command on a connection); outputs are
 * drained with `pollTransmit(now)` until null (the endpoint's own packets first, then one
 * datagram per connection in turn), then `nextTimeout()` for the one timer, then `pollEvent()`
 * until null. Nothing throws out of the inputs for any datagram.
 * @module
 */
import type { CryptoProvider } from '../crypto/provider.ts';
import { Connection, type Address, type PathInfo, type Transmit } from '../connection/connection.ts';
import type { ConnectionConfig } from '../connection/config.ts';
import type { ConnectionEvent } from '../connection/events.ts';
import { connectionIdKey } from '../cid/generator.ts';
import { parsePacketHeader, MAX_CID_LENGTH } from '../packet/header.ts';
import { SUPPORTED_VERSIONS } from '../packet/version.ts';
import { decideServerVersion } from './version-negotiation.ts';
import {
  MIN_STATELESS_RESET_LENGTH, buildStatelessReset, createStatelessResetTokens, type StatelessResetTokens,
} from './stateless-reset.ts';
import { StatelessResetLimiter, type StatelessResetLimiterOptions } from './reset-limiter.ts';
import { AddressValidator } from './incoming.ts';
import { TimerHeap } from './timer-heap.ts';

/** Identifies a connection of an endpoint. */
export type ConnectionHandle = number;

export interface EndpointServerConfig {
  /** Configuration of accepted connections. */
  readonly connection: ConnectionConfig;
  /** Most connections at once (default 10 000); new clients beyond it are dropped. */
  readonly maxConnections?: number;
  /** Answer Initials without a valid token with Retry (RFC 9000 §8.1.2; default false). */
  readonly retry?: boolean;
  /** Secret for Retry and NEW_TOKEN tokens (at least 16 bytes; default random per endpoint). */
  readonly tokenSecret?: Uint8Array;
  /** Retry token lifetime, ms (default 10 s). */
  readonly retryTokenLifetimeMs?: number;
  /** NEW_TOKEN token lifetime, ms (default one day). */
  readonly newTokenLifetimeMs?: number;
}

export interface EndpointConfig {
  /** Randomness, token keys and the crypto of packet protection for endpoint packets. */
  readonly crypto: CryptoProvider;
  /** Accept connections (a server). Without it, datagrams for unknown connections are dropped. */
  readonly server?: EndpointServerConfig;
  /** Length of every connection ID this endpoint issues, 1..20 (default 8). */
  readonly connectionIdLength?: number;
  /** Static key of stateless reset tokens (at least 16 bytes; default random per endpoint). */
  readonly statelessResetKey?: Uint8Array;
  /** Rate limits of stateless resets, or false to never send one (default: the limiter's defaults). */
  readonly statelessReset?: StatelessResetLimiterOptions | false;
  /** Versions a server speaks (default every version this stack speaks). */
  readonly supportedVersions?: readonly number[];
  /** Most endpoint packets (Version Negotiation, Retry, resets) waiting to be sent (default 256). */
  readonly maxPendingResponses?: number;
}

export type EndpointEvent =
  /** A client's first Initial created server connection `handle`; its handshake is under way. */
  | { readonly type: 'incoming'; readonly handle: ConnectionHandle; readonly remote: Address; readonly local: Address }
  /** An event of connection `handle`. */
  | { readonly type: 'connection'; readonly handle: ConnectionHandle; readonly event: ConnectionEvent };

export interface EndpointStats {
  datagramsReceived: number;
  datagramsDropped: number;
  versionNegotiationsSent: number;
  retriesSent: number;
  statelessResetsSent: number;
  connectionsAccepted: number;
  connectionsRefused: number;
  invalidTokens: number;
  /** Client Initials that did not authenticate and so created no connection. */
  initialsDropped: number;
}

/** Events a connection reports about its connection IDs (when the connection offers them). */
type CidEvent =
  | { readonly type: 'cidIssued'; readonly cid: Uint8Array; readonly resetToken: Uint8Array }
  | { readonly type: 'cidRetired'; readonly cid: Uint8Array };

interface Entry {
  readonly handle: ConnectionHandle;
  readonly conn: Connection;
  /** Keys of connection IDs routed here, as last seen. */
  readonly routes: Set<string>;
  /** Keys routed here for the whole life of the connection (a server's Initial DCID). */
  readonly fixed: readonly string[];
  /** Key of the peer's address in the address index. */
  readonly remoteKey: string;
  inSend: boolean;
  inEvents: boolean;
  timerDirty: boolean;
  deadline: number | undefined;
  removed: boolean;
  /** A NEW_TOKEN token was given to the connection (server connections, once confirmed). */
  tokenSent: boolean;
}

/** A FIFO of entries with O(1) push and shift. */
class EntryQueue {
  #items: Entry[] = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  push(e: Entry): void {
    this.#items.push(e);
  }

  peek(): Entry | undefined {
    return this.#items[this.#head];
  }

  shift(): Entry | undefined {
    const e = this.#items[this.#head];
    if (e === undefined) return undefined;
    this.#head++;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return e;
  }
}

const addressKey = (a: Address): string => `${a.address}|${a.port}`;

const DEFAULT_MAX_CONNECTIONS = 10_000;
/** RFC 9000 §14.1: a server discards an Initial in a datagram smaller than 1200 bytes. */
const MIN_CLIENT_INITIAL_DATAGRAM = 1200;
/** RFC 9000 §7.2: a client's first DCID is at least 8 bytes. */
const MIN_CLIENT_INITIAL_DCID = 8;

export class Endpoint {
  readonly crypto: CryptoProvider;
  readonly connectionIdLength: number;
  readonly stats: EndpointStats = {
    datagramsReceived: 0, datagramsDropped: 0, versionNegotiationsSent: 0, retriesSent: 0, statelessResetsSent: 0,
    connectionsAccepted: 0, connectionsRefused: 0, invalidTokens: 0, initialsDropped: 0,
  };
  readonly #server: EndpointServerConfig | undefined;
  readonly #maxConnections: number;
  readonly #validator: AddressValidator | undefined;
  readonly #resetTokens: StatelessResetTokens;
  readonly #resetLimiter: StatelessResetLimiter | undefined;
  readonly #versions: readonly number[];
  readonly #maxResponses: number;
  readonly #random: (n: number) => Uint8Array;

  readonly #connections = new Map<ConnectionHandle, Entry>();
  readonly #routes = new Map<string, Entry>();
  /** Connections by the peer's address, for recognising stateless resets (RFC 9000 §10.3.1). */
  readonly #byRemote = new Map<string, Set<Entry>>();
  readonly #responses: Transmit[] = [];
  readonly #events: EndpointEvent[] = [];
  readonly #sendQueue = new EntryQueue();
  readonly #eventQueue = new EntryQueue();
  #timerDirty: Entry[] = [];
  readonly #timers = new TimerHeap<Entry>((e) => e.deadline);
  readonly #configs = new WeakMap<ConnectionConfig, ConnectionConfig>();
  #nextHandle = 1;

  constructor(config: EndpointConfig) {
    this.crypto = config.crypto;
    this.#random = (n) => config.crypto.randomBytes(n);
    const cidLength = config.connectionIdLength ?? 8;
    // A zero-length ID cannot carry a stateless reset token nor route many connections (§5.1, §10.3.2).
    if (!Number.isInteger(cidLength) || cidLength < 1 || cidLength > MAX_CID_LENGTH) throw new RangeError('connectionIdLength must be 1..20');
    this.connectionIdLength = cidLength;
    this.#server = config.server;
    this.#maxConnections = config.server?.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    this.#versions = config.supportedVersions ?? SUPPORTED_VERSIONS;
    this.#maxResponses = config.maxPendingResponses ?? 256;
    this.#resetTokens = createStatelessResetTokens(config.crypto, config.statelessResetKey ?? this.#random(32));
    this.#resetLimiter = config.statelessReset === false ? undefined : new StatelessResetLimiter(config.statelessReset ?? {});
    if (config.server) {
      const s = config.server;
      this.#validator = new AddressValidator(config.crypto, this.#random, {
        retry: s.retry ?? false,
        ...(s.tokenSecret ? { tokenSecret: s.tokenSecret } : {}),
        ...(s.retryTokenLifetimeMs !== undefined ? { retryTokenLifetimeMs: s.retryTokenLifetimeMs } : {}),
        ...(s.newTokenLifetimeMs !== undefined ? { newTokenLifetimeMs: s.newTokenLifetimeMs } : {}),
      });
    }
  }

  // ------------------------------------------------------------------ inputs

  /** A datagram arrived from `remote` at our address `local`. Never throws. */
  receive(datagram: Uint8Array, remote: Address, local: Address, now: number): void {
    this.stats.datagramsReceived++;
    try {
      if (!this.#receive(datagram, remote, local, now)) this.stats.datagramsDropped++;
    } catch {
      this.stats.datagramsDropped++;
    }
  }

  /** The deadline of `nextTimeout()` was reached; spurious calls are harmless. */
  handleTimeout(now: number): void {
    this.#refreshTimers();
    for (const entry of this.#timers.popDue(now)) {
      entry.deadline = undefined;
      entry.conn.handleTimeout(now);
      this.#touch(entry);
    }
  }

  /** Starts a client connection on this endpoint; its first flight is ready for `pollTransmit`. */
  connect(options: {
    readonly config: ConnectionConfig;
    readonly remote: Address;
    readonly local: Address;
    readonly now: number;
    readonly token?: Uint8Array;
  }): ConnectionHandle {
    const conn = Connection.connect({
      config: this.#connectionConfig(options.config),
      path: { local: options.local, remote: options.remote },
      now: options.now,
      ...(options.token ? { token: options.token } : {}),
    });
    return this.#register(conn, []).handle;
  }

  /** Call after application commands on a connection (writes, opens, close): it has work to do. */
  wake(handle: ConnectionHandle): void {
    const entry = this.#connections.get(handle);
    if (entry) this.#touch(entry);
  }

  // ------------------------------------------------------------------ outputs

  /** The next datagram to send: endpoint packets first, then one per connection in turn. */
  pollTransmit(now: number): Transmit | null {
    const own = this.#responses.shift();
    if (own) return own;
    for (let entry = this.#sendQueue.shift(); entry; entry = this.#sendQueue.shift()) {
      const t = entry.removed ? null : entry.conn.pollTransmit(now);
      this.#markTimer(entry);
      if (t) {
        this.#sendQueue.push(entry);
        return t;
      }
      entry.inSend = false;
      if (entry.conn.isClosed) this.#remove(entry);
    }
    return null;
  }

  /** When `handleTimeout` must be called next, or undefined. */
  nextTimeout(): number | undefined {
    this.#refreshTimers();
    return this.#timers.peek();
  }

  /** The next event: new connections, then connection events. */
  pollEvent(): EndpointEvent | null {
    const own = this.#events.shift();
    if (own) return own;
    for (let entry = this.#eventQueue.peek(); entry; entry = this.#eventQueue.peek()) {
      const event = entry.conn.pollEvent();
      if (event) return { type: 'connection', handle: entry.handle, event };
      entry.inEvents = false;
      this.#eventQueue.shift();
    }
    return null;
  }

  // ------------------------------------------------------------------ queries and commands

  /** The connection of `handle`, until it is drained and forgotten. */
  connection(handle: ConnectionHandle): Connection | undefined {
    return this.#connections.get(handle)?.conn;
  }

  /** Handles of the live connections. */
  handles(): ConnectionHandle[] {
    return [...this.#connections.keys()];
  }

  /** How many connections are live (not yet drained). */
  get connectionCount(): number {
    return this.#connections.size;
  }

  /** Closes every connection (application close with `code`). */
  closeAll(code: number, reason: string, now: number): void {
    for (const entry of this.#connections.values()) {
      entry.conn.close(code, reason, true, now);
      this.#touch(entry);
    }
  }

  /**
   * A NEW_TOKEN token (RFC 9000 §8.1.3) for a client at IP `address`, which this endpoint will
   * accept as address validation once, until it expires. Servers only.
   */
  issueNewToken(address: string, now: number): Uint8Array {
    if (!this.#validator) throw new TypeError('NEW_TOKEN tokens are issued by server endpoints');
    return this.#validator.issueNewToken(address, now);
  }

  /** The stateless reset token of one of this endpoint's connection IDs (RFC 9000 §10.3.2). */
  resetTokenFor(cid: Uint8Array): Uint8Array {
    return this.#resetTokens.tokenFor(cid);
  }

  // ------------------------------------------------------------------ receive path

  /** Returns false when the datagram was dropped. */
  #receive(datagram: Uint8Array, remote: Address, local: Address, now: number): boolean {
    if (datagram.length === 0) return false;
    const long = (datagram[0]! & 0x80) !== 0;
    let dcid: Uint8Array;
    if (!long) {
      if (datagram.length < 1 + this.connectionIdLength) return false;
      dcid = datagram.subarray(1, 1 + this.connectionIdLength);
    } else {
      if (datagram.length < 7) return false;
      const len = datagram[5]!;
      if (datagram.length < 6 + len + 1) return false;
      dcid = datagram.subarray(6, 6 + len);
    }
    const entry = this.#routes.get(connectionIdKey(dcid));
    if (entry) {
      entry.conn.receive(datagram, { local, remote }, now);
      this.#touch(entry);
      return true;
    }
    if (!long) return this.#peerReset(datagram, remote, now) || this.#statelessReset(datagram, dcid, remote, now);
    if (!this.#server) return false;
    return this.#newConnection(datagram, remote, local, now);
  }

  #newConnection(datagram: Uint8Array, remote: Address, local: Address, now: number): boolean {
    const decision = decideServerVersion(datagram, { random: this.#random, supportedVersions: this.#versions });
    if (decision.kind === 'send-version-negotiation') {
      this.stats.versionNegotiationsSent++;
      return this.#respond(decision.packet, remote);
    }
    if (decision.kind !== 'proceed') return false;
    const header = parsePacketHeader(datagram, 0, { shortDcidLength: this.connectionIdLength });
    // 0-RTT arriving before its Initial is dropped; the client sends it again after the handshake.
    if (header.kind !== 'long' || header.type !== 'initial') return false;
    if (datagram.length < MIN_CLIENT_INITIAL_DATAGRAM) return false;
    if (header.dcid.length < MIN_CLIENT_INITIAL_DCID) return false;
    if (this.#connections.size >= this.#maxConnections) {
      this.stats.connectionsRefused++;
      return false;
    }
    const decided = this.#validator!.decide(header, remote, now, () => this.#newCid());
    if (decided.kind === 'drop') {
      this.stats.invalidTokens++;
      return false;
    }
    if (decided.kind === 'retry') {
      this.stats.retriesSent++;
      return this.#respond(decided.packet, remote);
    }
    const localCid = this.#newCid();
    const path: PathInfo = { local, remote };
    const conn = Connection.accept({
      config: this.#connectionConfig(this.#server!.connection),
      path,
      now,
      initialDcid: header.dcid.slice(),
      originalDcid: decided.originalDcid.slice(),
      clientCid: header.scid.slice(),
      ...(decided.retrySourceCid ? { retrySourceCid: decided.retrySourceCid.slice() } : {}),
      localCid,
      addressValidated: decided.addressValidated,
      statelessResetToken: this.#resetTokens.tokenFor(localCid),
      version: header.version,
    });
    conn.receive(datagram, path, now);
    // Only an Initial that authenticates makes a connection: one whose header was corrupted on
    // the way (or forged) would otherwise hold a route and answer to the wrong connection ID.
    if (!conn.receivedFromPeer) {
      this.stats.initialsDropped++;
      return false;
    }
    const entry = this.#register(conn, [connectionIdKey(header.dcid)]);
    this.stats.connectionsAccepted++;
    this.#events.push({ type: 'incoming', handle: entry.handle, remote, local });
    this.#touch(entry);
    return true;
  }

  /**
   * RFC 9000 §10.3.1: a short-header datagram that routes nowhere may be a stateless reset from
   * a peer. The connections with that peer look at its last 16 bytes; true when one drained.
   */
  #peerReset(datagram: Uint8Array, remote: Address, now: number): boolean {
    if (datagram.length < MIN_STATELESS_RESET_LENGTH) return false;
    const peers = this.#byRemote.get(addressKey(remote));
    if (!peers) return false;
    let reset = false;
    for (const entry of [...peers]) {
      if (entry.removed) continue;
      entry.conn.receive(datagram, { local: entry.conn.path.local, remote }, now);
      if (entry.conn.isClosed) reset = true;
      this.#touch(entry);
    }
    return reset;
  }

  /** RFC 9000 §10.3: a short-header packet for no connection of ours may get a stateless reset. */
  #statelessReset(datagram: Uint8Array, dcid: Uint8Array, remote: Address, now: number): boolean {
    if (!this.#resetLimiter) return false;
    // §10.3.3: the reset is smaller than the trigger, so two endpoints cannot loop; tiny triggers get none.
    const reset = buildStatelessReset({ token: this.#resetTokens.tokenFor(dcid), triggerLength: datagram.length, random: this.#random });
    if (!reset) return false;
    if (!this.#resetLimiter.allow(remote.address, now)) return false;
    this.stats.statelessResetsSent++;
    return this.#respond(reset, remote);
  }

  #respond(data: Uint8Array, remote: Address): boolean {
    if (this.#responses.length >= this.#maxResponses) return false;
    this.#responses.push({ data, remote });
    return true;
  }

  // ------------------------------------------------------------------ connection bookkeeping

  /** Connection config with this endpoint's ID length and ID/reset-token sources. */
  #connectionConfig(base: ConnectionConfig): ConnectionConfig {
    let c = this.#configs.get(base);
    if (!c) {
      const extended: ConnectionConfig & {
        connectionIdGenerator: () => Uint8Array;
        resetTokenFor: (cid: Uint8Array) => Uint8Array;
      } = {
        ...base,
        transport: { ...base.transport, connectionIdLength: this.connectionIdLength },
        connectionIdGenerator: () => this.#newCid(),
        resetTokenFor: (cid) => this.#resetTokens.tokenFor(cid),
      };
      c = extended;
      this.#configs.set(base, c);
    }
    return c;
  }

  /** A random connection ID not routed anywhere yet. */
  #newCid(): Uint8Array {
    for (;;) {
      const cid = this.#random(this.connectionIdLength).slice();
      if (!this.#routes.has(connectionIdKey(cid))) return cid;
    }
  }

  #register(conn: Connection, fixed: string[]): Entry {
    const entry: Entry = {
      handle: this.#nextHandle++, conn, routes: new Set(), fixed, remoteKey: addressKey(conn.path.remote), inSend: false, inEvents: false, timerDirty: false,
      deadline: undefined, removed: false, tokenSent: false,
    };
    this.#connections.set(entry.handle, entry);
    let peers = this.#byRemote.get(entry.remoteKey);
    if (!peers) this.#byRemote.set(entry.remoteKey, (peers = new Set()));
    peers.add(entry);
    for (const key of fixed) this.#routes.set(key, entry);
    for (const cid of conn.localConnectionIds()) this.#addRoute(entry, cid);
    this.#touch(entry);
    return entry;
  }

  #addRoute(entry: Entry, cid: Uint8Array): void {
    if (cid.length === 0) return;
    const key = connectionIdKey(cid);
    entry.routes.add(key);
    this.#routes.set(key, entry);
  }

  #dropRoute(entry: Entry, key: string): void {
    entry.routes.delete(key);
    if (entry.fixed.includes(key)) return;
    if (this.#routes.get(key) === entry) this.#routes.delete(key);
  }

  /** Brings the routing table in line with the connection's active IDs. */
  #syncRoutes(entry: Entry): void {
    const conn = entry.conn as Connection & { pollEndpointEvent?: () => CidEvent | null };
    if (typeof conn.pollEndpointEvent === 'function') {
      for (let e = conn.pollEndpointEvent(); e; e = conn.pollEndpointEvent()) {
        if (e.type === 'cidIssued') this.#addRoute(entry, e.cid);
        else this.#dropRoute(entry, connectionIdKey(e.cid));
      }
      return;
    }
    const ids = conn.localConnectionIds();
    if (ids.length === entry.routes.size) {
      let same = true;
      for (const cid of ids) if (!entry.routes.has(connectionIdKey(cid))) same = false;
      if (same) return;
    }
    const current = new Set(ids.filter((c) => c.length > 0).map(connectionIdKey));
    for (const key of [...entry.routes]) if (!current.has(key)) this.#dropRoute(entry, key);
    for (const cid of ids) if (!entry.routes.has(connectionIdKey(cid))) this.#addRoute(entry, cid);
  }

  /** The connection took input or a command: it may have datagrams, events and a new timer. */
  #touch(entry: Entry): void {
    if (entry.removed) return;
    this.#syncRoutes(entry);
    this.#offerNewToken(entry);
    if (!entry.inSend) {
      entry.inSend = true;
      this.#sendQueue.push(entry);
    }
    if (!entry.inEvents) {
      entry.inEvents = true;
      this.#eventQueue.push(entry);
    }
    this.#markTimer(entry);
    if (entry.conn.isClosed) this.#remove(entry);
  }

  /** RFC 9000 §8.1.3: once the handshake is confirmed, a server gives the client a token for next time. */
  #offerNewToken(entry: Entry): void {
    const conn = entry.conn;
    if (entry.tokenSent || !this.#validator || conn.side !== 'server' || !conn.handshakeConfirmed) return;
    entry.tokenSent = true;
    if (conn.state.kind !== 'established') return;
    conn.sendNewToken(this.#validator.issueNewToken(conn.path.remote.address, conn.lastNow));
  }

  #markTimer(entry: Entry): void {
    if (entry.timerDirty || entry.removed) return;
    entry.timerDirty = true;
    this.#timerDirty.push(entry);
  }

  #refreshTimers(): void {
    if (this.#timerDirty.length === 0) return;
    const dirty = this.#timerDirty;
    this.#timerDirty = [];
    for (const entry of dirty) {
      entry.timerDirty = false;
      if (entry.removed) continue;
      const at = entry.conn.nextTimeout();
      if (at === entry.deadline) continue;
      entry.deadline = at;
      if (at !== undefined) this.#timers.push(at, entry);
    }
  }

  /** Forgets a drained connection and its routes (its queued events can still be polled). */
  #remove(entry: Entry): void {
    if (entry.removed) return;
    entry.removed = true;
    entry.deadline = undefined;
    for (const key of entry.routes) if (this.#routes.get(key) === entry) this.#routes.delete(key);
    for (const key of entry.fixed) if (this.#routes.get(key) === entry) this.#routes.delete(key);
    entry.routes.clear();
    const peers = this.#byRemote.get(entry.remoteKey);
    peers?.delete(entry);
    if (peers?.size === 0) this.#byRemote.delete(entry.remoteKey);
    this.#connections.delete(entry.handle);
  }
}
