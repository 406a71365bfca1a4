/**
 * A test-only TLS 1.3 record layer (RFC 8446 §5) around the sans-IO engine in 'tcp' mode, so the
 * engine can talk to a TLS-over-TCP peer such as OpenSSL through node:tls. It is the harness's
 * job, not the engine's: record framing, record protection (AEAD with the per-record nonce,
 * §5.3), ignoring ChangeCipherSpec (§5, Appendix D.4), alerts, and which key protects which
 * message (EndOfEarlyData under the early traffic key, §4.5). Bytes in, bytes out: the caller
 * moves them over a socket or an in-memory pipe.
 * @module
 */
import {
  AEAD_KEY_LENGTH, TlsAlert, TransportError, hkdfExpandLabel, type AeadKey, type CipherSuite, type CryptoProvider, type TlsClient,
  type TlsEvent, type TlsServer,
} from '@quicts/quic-core';

export const ContentType = { change_cipher_spec: 20, alert: 21, handshake: 22, application_data: 23 } as const;
const MAX_PLAINTEXT = 1 << 14;

/** One direction's record protection: key, IV and sequence number (RFC 8446 §5.2, §5.3, §7.3). */
export class RecordProtection {
  private readonly key: AeadKey;
  private readonly iv: Uint8Array;
  seq = 0n;

  constructor(crypto: CryptoProvider, suite: CipherSuite, secret: Uint8Array) {
    this.key = crypto.aead(suite.aead, hkdfExpandLabel(crypto, suite.hash, secret, 'key', new Uint8Array(0), AEAD_KEY_LENGTH[suite.aead]));
    this.iv = hkdfExpandLabel(crypto, suite.hash, secret, 'iv', new Uint8Array(0), 12);
  }

  private nonce(): Uint8Array {
    const n = this.iv.slice();
    for (let i = 0, s = this.seq; i < 8; i++, s >>= 8n) n[11 - i]! ^= Number(s & 0xffn);
    this.seq++;
    return n;
  }

  /** TLSCiphertext for one TLSInnerPlaintext (content || type, no padding). */
  seal(type: number, content: Uint8Array): Uint8Array {
    const inner = new Uint8Array(content.length + 1);
    inner.set(content);
    inner[content.length] = type;
    const length = inner.length + 16;
    const header = Uint8Array.of(ContentType.application_data, 3, 3, length >> 8, length & 0xff);
    const sealed = this.key.seal(this.nonce(), header, inner);
    const out = new Uint8Array(5 + sealed.length);
    out.set(header);
    out.set(sealed, 5);
    return out;
  }

  /** Opens a protected record (header included); null when authentication fails. */
  open(record: Uint8Array): { type: number; content: Uint8Array } | null {
    const inner = this.key.open(this.nonce(), record.subarray(0, 5), record.subarray(5));
    if (!inner) return null;
    let end = inner.length;
    while (end > 0 && inner[end - 1] === 0) end--; // strip padding (§5.4)
    if (end === 0) return null;
    return { type: inner[end - 1]!, content: inner.subarray(0, end - 1) };
  }
}

type ReadState = { level: 'initial' } | { level: 'early' | 'handshake' | 'application'; protection: RecordProtection };

/** What the record layer reports to the harness. */
export type RecordEvent =
  | { readonly type: 'data'; readonly data: Uint8Array }
  | { readonly type: 'tls'; readonly event: TlsEvent }
  | { readonly type: 'alert'; readonly level: number; readonly description: number }
  | { readonly type: 'closed' };

export class TlsRecordLayer {
  private inbox = new Uint8Array(0);
  private readonly out: Uint8Array[] = [];
  private readonly events: RecordEvent[] = [];
  private readonly writeKeys = new Map<string, RecordProtection>();
  private read: ReadState = { level: 'initial' };
  /** Read keys emitted by the engine, not yet in use (in order). */
  private readonly pendingRead: ReadState[] = [];
  private firstRecord = true;
  closed = false;
  error: Error | undefined;

  /** `clock` (wall-clock ms) is passed to the engine with each message, for ticket times. */
  constructor(readonly engine: TlsClient | TlsServer, private readonly crypto: CryptoProvider, private readonly clock?: () => number) {
    this.flush();
  }

  /** Bytes received from the peer. Throws the engine's error (after queueing an alert) on failure. */
  receive(data: Uint8Array): void {
    const next = new Uint8Array(this.inbox.length + data.length);
    next.set(this.inbox);
    next.set(data, this.inbox.length);
    this.inbox = next;
    try {
      while (this.inbox.length >= 5 && !this.closed) {
        const length = (this.inbox[3]! << 8) | this.inbox[4]!;
        if (length > MAX_PLAINTEXT + 256) throw new TlsAlert('record_overflow', 'record too long'); // §5.2
        if (this.inbox.length < 5 + length) break;
        const record = this.inbox.slice(0, 5 + length);
        this.inbox = this.inbox.slice(5 + length);
        this.onRecord(record);
      }
    } catch (e) {
      this.fail(e);
      throw e;
    }
  }

  /** Queues application data (needs the application write key). */
  write(data: Uint8Array): void {
    const key = this.writeKeys.get('application');
    if (!key) throw new RangeError('no application keys yet');
    for (let i = 0; i < data.length || i === 0; i += MAX_PLAINTEXT) {
      this.out.push(key.seal(ContentType.application_data, data.subarray(i, i + MAX_PLAINTEXT)));
      if (data.length === 0) break;
    }
  }

  /** Sends close_notify. */
  close(): void {
    this.sendAlert(0, 1);
  }

  /** Bytes to send to the peer (empty when none). */
  takeOutput(): Uint8Array {
    const total = this.out.reduce((s, b) => s + b.length, 0);
    const buf = new Uint8Array(total);
    let at = 0;
    for (const b of this.out.splice(0)) {
      buf.set(b, at);
      at += b.length;
    }
    return buf;
  }

  pollEvent(): RecordEvent | null {
    return this.events.shift() ?? null;
  }

  private onRecord(record: Uint8Array): void {
    const type = record[0]!;
    const body = record.subarray(5);
    if (type === ContentType.change_cipher_spec) return; // compatibility mode, ignored (§5, D.4)
    if (type === ContentType.alert && this.read.level === 'initial') return this.onAlert(body);
    if (type === ContentType.handshake && this.read.level === 'initial') return this.feed('initial', body);
    if (type !== ContentType.application_data || this.read.level === 'initial') throw new TlsAlert('unexpected_message', `record type ${type}`);
    const opened = this.read.protection.open(record);
    if (!opened) throw new TlsAlert('bad_record_mac', 'record does not authenticate'); // §5.2
    switch (opened.type) {
      case ContentType.handshake:
        if (this.read.level === 'early' && opened.content[0] === 5) {
          this.feed('handshake', opened.content); // EndOfEarlyData ends the early key (§4.5)
          this.read = this.pendingRead.shift() ?? this.read;
          return;
        }
        return this.feed(this.read.level === 'application' ? 'application' : 'handshake', opened.content);
      case ContentType.application_data:
        if (this.read.level === 'handshake') throw new TlsAlert('unexpected_message', 'application data before the handshake completed');
        this.events.push({ type: 'data', data: opened.content.slice() });
        return;
      case ContentType.alert:
        return this.onAlert(opened.content);
      default:
        throw new TlsAlert('unexpected_message', `inner content type ${opened.type}`);
    }
  }

  private onAlert(body: Uint8Array): void {
    const level = body[0] ?? 2;
    const description = body[1] ?? 0;
    this.events.push({ type: 'alert', level, description });
    if (description === 0) {
      this.closed = true;
      this.events.push({ type: 'closed' });
      return;
    }
    throw new TlsAlert(description, 'alert from the peer');
  }

  private feed(level: 'initial' | 'handshake' | 'application', data: Uint8Array): void {
    this.engine.readHandshake(level, data, this.clock?.());
    this.flush();
  }

  /** Installs new keys, then protects and frames the engine's output. */
  private flush(): void {
    for (let e = this.engine.pollEvent(); e; e = this.engine.pollEvent()) {
      if (e.type === 'secret') {
        const protection = new RecordProtection(this.crypto, e.suite, e.secret);
        if (e.direction === 'write') this.writeKeys.set(e.level, protection);
        else this.pendingRead.push({ level: e.level, protection });
      }
      this.events.push({ type: 'tls', event: e });
    }
    // The next read key takes over once the peer's flight under the current one is done: the
    // engine emits it exactly then (after ServerHello, after the peer's Finished), except that
    // early keys hand over at EndOfEarlyData.
    if (this.read.level !== 'early' && this.pendingRead.length) this.read = this.pendingRead.shift()!;
    for (let o = this.engine.writeHandshake(); o; o = this.engine.writeHandshake()) {
      if (o.level === 'initial') {
        for (let i = 0; i < o.data.length; i += MAX_PLAINTEXT) {
          const chunk = o.data.subarray(i, i + MAX_PLAINTEXT);
          const version = this.firstRecord && this.engine.side === 'client' ? 1 : 3; // legacy_record_version (§5.1)
          this.firstRecord = false;
          const rec = new Uint8Array(5 + chunk.length);
          rec.set([ContentType.handshake, 3, version, chunk.length >> 8, chunk.length & 0xff]);
          rec.set(chunk, 5);
          this.out.push(rec);
        }
        continue;
      }
      let data = o.data;
      if (o.level === 'handshake' && data[0] === 5 && this.writeKeys.has('early')) {
        this.out.push(this.writeKeys.get('early')!.seal(ContentType.handshake, data.subarray(0, 4)));
        data = data.subarray(4);
      }
      const key = this.writeKeys.get(o.level)!;
      for (let i = 0; i < data.length; i += MAX_PLAINTEXT) this.out.push(key.seal(ContentType.handshake, data.subarray(i, i + MAX_PLAINTEXT)));
    }
  }

  private fail(e: unknown): void {
    this.error = e instanceof Error ? e : new Error(String(e));
    if (this.closed) return;
    const description = e instanceof TlsAlert ? e.code : e instanceof TransportError ? 80 : 80;
    this.sendAlert(description, 2);
    this.closed = true;
  }

  private sendAlert(description: number, level: number): void {
    const body = Uint8Array.of(level, description);
    const key = this.writeKeys.get('application') ?? this.writeKeys.get('handshake');
    if (key) this.out.push(key.seal(ContentType.alert, body));
    else this.out.push(Uint8Array.of(ContentType.alert, 3, 3, 0, 2, level, description));
  }
}
