// Reference WebTransport-over-HTTP/3 server (the browser scenario contract)
// written on Deno 2.x raw QUIC
// (Deno.QuicEndpoint, --unstable-net). The HTTP/3 + WebTransport layer
// (SETTINGS, QPACK-decoding of the CONNECT request, stream headers, datagram
// quarter-stream-id prefix, CLOSE_WEBTRANSPORT_SESSION capsules) is done here
// by hand, because Deno.upgradeWebTransport (Deno 2.9.6) never sends a FIN on
// WebTransport streams, swallows datagrams and can only close the whole QUIC
// connection. Plain HTTP/3 GET requests
// are answered too (for fetch() tests).
//
// Usage:
//   deno run --unstable-net --allow-net --allow-read wt-server.ts \
//     --cert cert.pem --key key.pem [--host 127.0.0.1] [--port 4433]
//
// Prints JSON lines on stdout: {"event":"ready",...} once listening, then one
// line per notable event (peer-settings, session, client-close, ...).
// The scenario contract (paths) is documented in scripts/peers/chromium/README.md.

function arg(name: string, def?: string): string | undefined {
  const i = Deno.args.indexOf(`--${name}`);
  if (i >= 0 && i + 1 < Deno.args.length) return Deno.args[i + 1];
  return def;
}
const host = arg("host", "127.0.0.1")!;
const port = Number(arg("port", "4433"));
const certPath = arg("cert"), keyPath = arg("key");
if (!certPath || !keyPath) {
  console.error("usage: wt-server.ts --cert cert.pem --key key.pem [--host H] [--port P]");
  Deno.exit(2);
}
const cert = Deno.readTextFileSync(certPath);
const key = Deno.readTextFileSync(keyPath);
const quiet = Deno.args.includes("--quiet");

function log(obj: Record<string, unknown>) {
  console.log(JSON.stringify({ t: Date.now(), ...obj }, (_k, v) => typeof v === "bigint" ? Number(v) : v));
}

// ---------------------------------------------------------------- varints
function encVarint(v: number | bigint): Uint8Array {
  const n = BigInt(v);
  if (n < 0x40n) return Uint8Array.of(Number(n));
  if (n < 0x4000n) return Uint8Array.of(0x40 | Number(n >> 8n), Number(n & 0xffn));
  const len = n < 0x40000000n ? 4 : 8;
  const out = new Uint8Array(len);
  let x = n;
  for (let i = len - 1; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  out[0] |= len === 4 ? 0x80 : 0xc0;
  return out;
}
function decVarint(b: Uint8Array, off: number): [number, number] | null {
  if (off >= b.length) return null;
  const len = 1 << (b[off] >> 6);
  if (off + len > b.length) return null;
  let v = BigInt(b[off] & 0x3f);
  for (let i = 1; i < len; i++) v = (v << 8n) | BigInt(b[off + i]);
  return [Number(v), len];
}
function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

// Buffered reader over a ReadableStream<Uint8Array>.
class Reader {
  buf = new Uint8Array(0);
  done = false;
  r: ReadableStreamDefaultReader<Uint8Array>;
  constructor(s: ReadableStream<Uint8Array>) {
    this.r = s.getReader();
  }
  async fill(): Promise<boolean> {
    if (this.done) return false;
    const { value, done } = await this.r.read();
    if (done) {
      this.done = true;
      return false;
    }
    this.buf = this.buf.length ? concat(this.buf, value) : value;
    return true;
  }
  async varint(): Promise<number | null> {
    while (true) {
      const d = decVarint(this.buf, 0);
      if (d) {
        this.buf = this.buf.subarray(d[1]);
        return d[0];
      }
      if (!(await this.fill())) return null;
    }
  }
  async exact(n: number): Promise<Uint8Array | null> {
    while (this.buf.length < n) if (!(await this.fill())) return null;
    const out = this.buf.slice(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }
  // Remaining bytes already buffered, then the rest of the stream.
  async *rest(): AsyncGenerator<Uint8Array> {
    if (this.buf.length) {
      const b = this.buf;
      this.buf = new Uint8Array(0);
      yield b;
    }
    while (!this.done) {
      const { value, done } = await this.r.read();
      if (done) {
        this.done = true;
        break;
      }
      yield value;
    }
  }
  async all(): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    for await (const c of this.rest()) parts.push(c);
    return concat(...parts);
  }
}

// ------------------------------------------------------- QPACK (decode only)
// HPACK/QPACK Huffman code lengths for symbols 0..256 (RFC 7541 Appendix B;
// the code is canonical, so lengths are enough), one base-32 digit each.
const HUFF_LENS =
  "dnsssssssoussussssssssusssssssss6aacd68baa8b8666555666666678f6cad67777777777777777777777878djde6f56565666577666567655677777fbedskmkkmmmnmnnnnnonoomnonnnnlmnmnnomlkmmnnlnmmolmnnllmlnmnnkmmmnmmnqqkjmnmpqqqrrqopjlqrrqrollqqsrrrkoklmllnmmppooqnqrqqrrrrrsrrrrrqu";
const huffMap = new Map<string, number>(); // "len:code" -> symbol
{
  const lens = [...HUFF_LENS].map((c) => parseInt(c, 32));
  const order = lens.map((_l, i) => i).sort((a, b) => lens[a] - lens[b] || a - b);
  let code = 0, prev = lens[order[0]];
  order.forEach((sym, k) => {
    if (k > 0) {
      code = (code + 1) * 2 ** (lens[sym] - prev);
      prev = lens[sym];
    }
    huffMap.set(`${lens[sym]}:${code}`, sym);
  });
}
function huffDecode(b: Uint8Array): string {
  const out: number[] = [];
  let code = 0, len = 0;
  for (const byte of b) {
    for (let i = 7; i >= 0; i--) {
      code = code * 2 + ((byte >> i) & 1);
      len++;
      const s = huffMap.get(`${len}:${code}`);
      if (s !== undefined) {
        if (s === 256) throw new Error("EOS in huffman string");
        out.push(s);
        code = 0;
        len = 0;
      }
    }
  }
  return new TextDecoder().decode(Uint8Array.from(out));
}
// QPACK static table names (RFC 9204 Appendix A), only the entries a
// WebTransport CONNECT or simple GET uses; the rest show as "static#N".
const STATIC: Record<number, [string, string]> = {
  0: [":authority", ""], 1: [":path", "/"], 15: [":method", "CONNECT"],
  16: [":method", "DELETE"], 17: [":method", "GET"], 18: [":method", "HEAD"],
  19: [":method", "OPTIONS"], 20: [":method", "POST"], 21: [":method", "PUT"],
  22: [":scheme", "http"], 23: [":scheme", "https"], 2: ["age", "0"],
  29: ["accept", "*/*"], 31: ["accept-encoding", "gzip, deflate, br"],
  72: ["accept-language", ""], 90: ["origin", ""], 95: ["user-agent", ""],
  5: ["cookie", ""], 13: ["referer", ""],
};
function prefixInt(b: Uint8Array, off: number, bits: number): [number, number] {
  const max = (1 << bits) - 1;
  let v = b[off] & max;
  let i = off + 1;
  if (v < max) return [v, i];
  let m = 0;
  while (true) {
    const x = b[i++];
    v += (x & 0x7f) * 2 ** m;
    m += 7;
    if (!(x & 0x80)) return [v, i];
  }
}
function qpackString(b: Uint8Array, off: number, bits: number): [string, number] {
  const huff = (b[off] >> bits) & 1;
  const [len, o] = prefixInt(b, off, bits);
  const raw = b.subarray(o, o + len);
  return [huff ? huffDecode(raw) : new TextDecoder().decode(raw), o + len];
}
function qpackDecode(b: Uint8Array): [string, string][] {
  // Required Insert Count and Base: we advertise a zero-size dynamic table,
  // so both must be 0.
  let [ric, off] = prefixInt(b, 0, 8);
  if (ric !== 0) throw new Error("dynamic table reference");
  [, off] = prefixInt(b, off, 7);
  const out: [string, string][] = [];
  const sname = (i: number) => STATIC[i]?.[0] ?? `static#${i}`;
  while (off < b.length) {
    const x = b[off];
    if (x & 0x80) { // indexed field line
      if (!(x & 0x40)) throw new Error("dynamic indexed");
      const [i, o] = prefixInt(b, off, 6);
      out.push(STATIC[i] ?? [`static#${i}`, ""]);
      off = o;
    } else if (x & 0x40) { // literal with name reference
      if (!(x & 0x10)) throw new Error("dynamic name ref");
      const [i, o] = prefixInt(b, off, 4);
      const [v, o2] = qpackString(b, o, 7);
      out.push([sname(i), v]);
      off = o2;
    } else if (x & 0x20) { // literal with literal name
      const [n, o] = qpackString(b, off, 3);
      const [v, o2] = qpackString(b, o, 7);
      out.push([n, v]);
      off = o2;
    } else throw new Error(`unsupported qpack line 0x${x.toString(16)}`);
  }
  return out;
}

// ----------------------------------------------------------- HTTP/3 bits
const FRAME_DATA = 0x00, FRAME_HEADERS = 0x01, FRAME_SETTINGS = 0x04;
const WT_BIDI = 0x41, WT_UNI = 0x54;
const CAPSULE_CLOSE = 0x2843, CAPSULE_DRAIN = 0x78ae;
// Same WebTransport SETTINGS as Deno's own upgradeWebTransport (which
// Chromium accepts): ENABLE_CONNECT_PROTOCOL, H3_DATAGRAM (+ draft id),
// WEBTRANSPORT_MAX_SESSIONS (draft-07+ and draft-02 ids), ENABLE_WEBTRANSPORT.
const SERVER_SETTINGS: [number, number][] = [
  [0x08, 1], [0x33, 1], [0xffd277, 1], [0xc671706a, 1], [0x2b603743, 1], [0x2b603742, 1],
];
const SETTING_NAMES: Record<number, string> = {
  0x01: "QPACK_MAX_TABLE_CAPACITY", 0x06: "MAX_FIELD_SECTION_SIZE", 0x07: "QPACK_BLOCKED_STREAMS",
  0x08: "ENABLE_CONNECT_PROTOCOL", 0x33: "H3_DATAGRAM", 0xffd277: "H3_DATAGRAM_DRAFT04",
  0xc671706a: "WEBTRANSPORT_MAX_SESSIONS(draft07+)", 0x2b603743: "WEBTRANSPORT_MAX_SESSIONS(draft02-06)",
  0x2b603742: "ENABLE_WEBTRANSPORT(draft02)", 0x14e9cd29: "WT_MAX_SESSIONS(draft13+)",
  0x2c7cf000: "WT_ENABLED(draft13+)", 0x2b61: "WT_INITIAL_MAX_DATA", 0x2b64: "WT_INITIAL_MAX_STREAMS_UNI",
  0x2b65: "WT_INITIAL_MAX_STREAMS_BIDI",
};
function frame(type: number, payload: Uint8Array): Uint8Array {
  return concat(encVarint(type), encVarint(payload.length), payload);
}
function settingsPayload(list: [number, number][]): Uint8Array {
  return concat(...list.flatMap(([k, v]) => [encVarint(k), encVarint(v)]));
}
function hex(b: Uint8Array, max = 64): string {
  return [...b.subarray(0, max)].map((x) => x.toString(16).padStart(2, "0")).join("");
}
const te = new TextEncoder();
// QPACK field sections: prefix 0x0000 then ":status" from the static table
// (index 25 = 200, 27 = 404), plus literal headers with a literal name.
function literal(name: string, value: string): Uint8Array {
  const n = te.encode(name), v = te.encode(value);
  if (n.length >= 7 || v.length >= 127) {
    // long form of the prefixed integers
    const pint = (first: number, bits: number, val: number) => {
      const max = (1 << bits) - 1;
      if (val < max) return [first | val];
      const out = [first | max];
      val -= max;
      while (val >= 128) {
        out.push((val & 0x7f) | 0x80);
        val = Math.floor(val / 128);
      }
      out.push(val);
      return out;
    };
    return concat(Uint8Array.from(pint(0x20, 3, n.length)), n, Uint8Array.from(pint(0, 7, v.length)), v);
  }
  return concat(Uint8Array.of(0x20 | n.length), n, Uint8Array.of(v.length), v);
}
function responseHeaders(status: 200 | 404, extra: [string, string][] = []): Uint8Array {
  return frame(
    FRAME_HEADERS,
    concat(Uint8Array.of(0, 0, 0xc0 | (status === 200 ? 25 : 27)), ...extra.map(([n, v]) => literal(n, v))),
  );
}
function closeCapsule(code: number, reason: string): Uint8Array {
  const r = te.encode(reason);
  const p = new Uint8Array(4 + r.length);
  new DataView(p.buffer).setUint32(0, code >>> 0);
  p.set(r, 4);
  return concat(encVarint(CAPSULE_CLOSE), encVarint(p.length), p);
}
function eq(a: Uint8Array, b: Uint8Array) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

// ----------------------------------------------------------- sessions
const SERVER_BIDI_PAYLOAD = te.encode("hello from server bidi");
type Conn = Deno.QuicConn;
let nextConn = 1;

class Session {
  closed = false;
  constructor(
    public conn: Conn,
    public cid: number,
    public id: number, // CONNECT stream id = session id
    public path: URL,
    public connectW: WritableStreamDefaultWriter<Uint8Array>,
  ) {}
  header(kind: number) {
    return concat(encVarint(kind), encVarint(this.id));
  }
  async onBidi(rd: Reader, w: WritableStreamDefaultWriter<Uint8Array>) {
    // echo: stream the bytes back, FIN when the peer FINs
    for await (const c of rd.rest()) await w.write(c);
    await w.close();
  }
  async onUni(rd: Reader) {
    const data = await rd.all();
    const s = await this.conn.createUnidirectionalStream();
    const w = s.getWriter();
    await w.write(concat(this.header(WT_UNI), data));
    await w.close();
    if (!quiet) log({ event: "uni-echo", cid: this.cid, bytes: data.length });
  }
  async onDatagram(payload: Uint8Array) {
    await this.conn.sendDatagram(concat(encVarint(this.id / 4), payload));
  }
  async serverBidi() {
    const s = await this.conn.createBidirectionalStream();
    const w = s.writable.getWriter();
    await w.write(concat(this.header(WT_BIDI), SERVER_BIDI_PAYLOAD));
    await w.close();
    const back = await new Reader(s.readable).all();
    log({ event: "server-bidi-reply", cid: this.cid, bytes: back.length, match: eq(back, SERVER_BIDI_PAYLOAD) });
  }
  async close(code: number, reason: string) {
    if (this.closed) return;
    this.closed = true;
    log({ event: "server-close", cid: this.cid, closeCode: code, reason });
    await this.connectW.write(frame(FRAME_DATA, closeCapsule(code, reason)));
    await this.connectW.close();
  }
}

async function readConnectStream(sess: Session, rd: Reader) {
  // After the request HEADERS the CONNECT stream carries capsules. RFC 9297
  // puts them in DATA frames; accept bare capsules too. Log what we see.
  let capsuleBuf = new Uint8Array(0);
  const handleCapsules = () => {
    while (true) {
      const t = decVarint(capsuleBuf, 0);
      if (!t) return;
      const l = decVarint(capsuleBuf, t[1]);
      if (!l) return;
      const start = t[1] + l[1];
      if (capsuleBuf.length < start + l[0]) return;
      const p = capsuleBuf.slice(start, start + l[0]);
      capsuleBuf = capsuleBuf.subarray(start + l[0]);
      if (t[0] === CAPSULE_CLOSE) {
        const code = new DataView(p.buffer, p.byteOffset).getUint32(0);
        const reason = new TextDecoder().decode(p.subarray(4));
        log({ event: "client-close", cid: sess.cid, closeCode: code, reason });
      } else if (t[0] === CAPSULE_DRAIN) {
        log({ event: "client-drain", cid: sess.cid });
      } else log({ event: "capsule", cid: sess.cid, type: t[0], len: l[0] });
    }
  };
  while (true) {
    const type = await rd.varint();
    if (type === null) break;
    const len = await rd.varint();
    if (len === null) break;
    const payload = await rd.exact(len);
    if (payload === null) break;
    if (type === FRAME_DATA) {
      capsuleBuf = concat(capsuleBuf, payload);
      handleCapsules();
    } else if (type === CAPSULE_CLOSE || type === CAPSULE_DRAIN) {
      log({ event: "bare-capsule", cid: sess.cid, type, hex: hex(payload) });
      capsuleBuf = concat(capsuleBuf, encVarint(type), encVarint(len), payload);
      handleCapsules();
    } else log({ event: "connect-stream-frame", cid: sess.cid, type, len });
  }
  log({ event: "connect-stream-fin", cid: sess.cid });
  if (!sess.closed) {
    sess.closed = true;
    await sess.connectW.close().catch(() => {});
  }
}

async function handleConn(incoming: Deno.QuicIncoming) {
  const conn = await incoming.accept();
  const cid = nextConn++;
  const sessions = new Map<number, Session>();
  const waiting = new Map<number, ((s: Session) => void)[]>();
  const sessionFor = (id: number): Promise<Session | undefined> => {
    const s = sessions.get(id);
    if (s) return Promise.resolve(s);
    return new Promise((res) => {
      const l = waiting.get(id) ?? [];
      l.push(res);
      waiting.set(id, l);
      setTimeout(() => res(undefined), 5000);
    });
  };
  const held: unknown[] = []; // peer's QPACK streams must stay open
  log({ event: "conn", cid, remote: conn.remoteAddr, alpn: conn.protocol });
  conn.closed.then((info) => log({ event: "conn-closed", cid, info }), (e) => log({ event: "conn-closed", cid, error: String(e) }));

  // our control stream (kept open for the connection's lifetime)
  const ctrl = (await conn.createUnidirectionalStream()).getWriter();
  await ctrl.write(concat(encVarint(0x00), frame(FRAME_SETTINGS, settingsPayload(SERVER_SETTINGS))));
  held.push(ctrl);

  (async () => { // unidirectional streams
    for await (const s of conn.incomingUnidirectionalStreams) {
      (async () => {
        const rd = new Reader(s);
        const type = await rd.varint();
        if (type === 0x00) { // control stream
          const ft = await rd.varint(), fl = await rd.varint();
          if (ft === FRAME_SETTINGS && fl !== null) {
            const p = (await rd.exact(fl))!;
            const settings: Record<string, number> = {};
            for (let o = 0; o < p.length;) {
              const k = decVarint(p, o)!;
              const v = decVarint(p, o + k[1])!;
              o += k[1] + v[1];
              settings[`0x${k[0].toString(16)}${SETTING_NAMES[k[0]] ? " " + SETTING_NAMES[k[0]] : ""}`] = v[0];
            }
            log({ event: "peer-settings", cid, settings });
          }
          held.push(rd);
          for await (const c of rd.rest()) log({ event: "control-data", cid, hex: hex(c) });
        } else if (type === 0x02 || type === 0x03) {
          held.push(rd);
          for await (const _c of rd.rest()) { /* QPACK instructions: ignored (table size 0) */ }
        } else if (type === WT_UNI) {
          const sid = await rd.varint();
          const sess = sid === null ? undefined : await sessionFor(sid);
          if (sess) await sess.onUni(rd);
        } else {
          for await (const _c of rd.rest()) { /* unknown stream type: drain */ }
        }
      })().catch((e) => log({ event: "uni-error", cid, error: String(e) }));
    }
  })().catch(() => {});

  (async () => { // datagrams
    while (true) {
      const d = await conn.readDatagram();
      const q = decVarint(d, 0);
      if (!q) continue;
      const sess = sessions.get(q[0] * 4);
      if (sess && !sess.closed) await sess.onDatagram(d.subarray(q[1]));
    }
  })().catch(() => {});

  for await (const bidi of conn.incomingBidirectionalStreams) {
    (async () => {
      const rd = new Reader(bidi.readable);
      const w = bidi.writable.getWriter();
      const type = await rd.varint();
      if (type === WT_BIDI) {
        const sid = await rd.varint();
        const sess = sid === null ? undefined : await sessionFor(sid);
        if (sess) await sess.onBidi(rd, w);
        return;
      }
      if (type !== FRAME_HEADERS) return;
      const len = await rd.varint();
      const block = await rd.exact(len ?? 0);
      if (!block) return;
      const headers = qpackDecode(block);
      const h = (n: string) => headers.find(([k]) => k === n)?.[1];
      const streamId = Number(bidi.readable.id);
      const url = new URL(`https://${h(":authority") ?? "localhost"}${h(":path") ?? "/"}`);
      if (h(":method") === "CONNECT" && h(":protocol") === "webtransport") {
        log({ event: "connect-request", cid, streamId, headers, rawHex: hex(block, 256) });
        const known = ["/echo", "/server-bidi", "/server-close"].includes(url.pathname);
        if (!known) {
          await w.write(responseHeaders(404));
          await w.close();
          log({ event: "session-rejected", cid, path: url.pathname, status: 404 });
          return;
        }
        await w.write(responseHeaders(200));
        const sess = new Session(conn, cid, streamId, url, w);
        sessions.set(streamId, sess);
        for (const res of waiting.get(streamId) ?? []) res(sess);
        waiting.delete(streamId);
        log({ event: "session", cid, sessionId: streamId, path: url.pathname + url.search });
        if (url.pathname === "/server-bidi") sess.serverBidi().catch((e) => log({ event: "server-bidi-error", error: String(e) }));
        if (url.pathname === "/server-close") {
          const delay = Number(url.searchParams.get("delay-ms") ?? "100");
          const code = Number(url.searchParams.get("code") ?? "42");
          const reason = url.searchParams.get("reason") ?? "server-close";
          setTimeout(() => sess.close(code, reason).catch(() => {}), delay);
        }
        await readConnectStream(sess, rd);
      } else {
        // plain HTTP/3 request: answer 200 with a small text body
        log({ event: "h3-request", cid, streamId, headers });
        const body = te.encode(`hello over h3 ${url.pathname}\n`);
        await w.write(concat(
          responseHeaders(200, [["content-type", "text/plain"], ["access-control-allow-origin", "*"]]),
          frame(FRAME_DATA, body),
        ));
        await w.close();
      }
    })().catch((e) => log({ event: "bidi-error", cid, error: String(e) }));
  }
}

const endpoint = new Deno.QuicEndpoint({ hostname: host, port });
const listener = endpoint.listen({
  cert,
  key,
  alpnProtocols: ["h3"],
  maxConcurrentBidirectionalStreams: 256,
  maxConcurrentUnidirectionalStreams: 256,
});
log({ event: "ready", host, port: endpoint.addr.port });
for await (const incoming of listener) {
  handleConn(incoming).catch((e) => log({ event: "conn-error", error: String(e) }));
}
