/**
 * The datagram duplex (W3C WebTransport §5): the queues on a fake transport and clock (the
 * incoming high-water mark drops the oldest, max ages expire datagrams both ways, the outgoing
 * mark exerts backpressure through `desiredSize` / `ready`, setters validate, defaults), then
 * the W3C `WebTransport` against a loopback server (a slow reader loses the oldest datagrams and
 * `getStats()` counts them, incoming max age, settings made before `ready`, a burst of writes,
 * datagrams dropped by a relay in front of the server counted in `lostOutgoing`).
 */
import { createSocket, type Socket } from 'node:dgram';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { generateSelfSignedCertificate } from '@quicts/quic-core';
import { createNodeCryptoProvider } from '@quicts/quic-core/node';
import { createWebTransportServer, WebTransport, type WebTransportServer, type WebTransportSession } from '@quicts/webtransport/node';
import {
  DATAGRAM_OUTGOING_QUEUE, DATAGRAM_QUEUE, DatagramDuplex, type DatagramIo,
} from '../../src/node/session.ts';

// ---- the queues, on a fake transport and clock -----------------------------------------------------

interface FakeIo extends DatagramIo {
  t: number;
  open: boolean;
  max: number;
  readonly sent: number[];
  retries: (() => void)[];
  /** Runs the retries asked for so far. */
  retry(): void;
}

function fakeIo(): FakeIo {
  const io: FakeIo = {
    t: 1000, open: true, max: 1200, sent: [], retries: [],
    canSend: () => io.open,
    send: (p) => {
      io.sent.push(p[0]!);
    },
    maxDatagramSize: () => io.max,
    now: () => io.t,
    later: (fn) => {
      io.retries.push(fn);
      return () => {
        io.retries = io.retries.filter((f) => f !== fn);
      };
    },
    retry: () => {
      for (const f of io.retries.splice(0)) f();
    },
  };
  return io;
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** Whether `p` settles within a turn of the event loop. */
async function settles(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(() => { done = true; }, () => { done = true; });
  await tick();
  return done;
}

async function readN(r: ReadableStreamDefaultReader<Uint8Array>, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const { value, done } = await r.read();
    if (done) break;
    out.push(value[0]!);
  }
  return out;
}

test('defaults: max ages null, high-water marks implementation-defined (256 in, 64 out), aliases agree', () => {
  const d = new DatagramDuplex(fakeIo());
  assert.is(d.incomingMaxAge, null);
  assert.is(d.outgoingMaxAge, null);
  assert.is(d.incomingHighWaterMark, DATAGRAM_QUEUE);
  assert.is(d.outgoingHighWaterMark, DATAGRAM_OUTGOING_QUEUE);
  assert.is(DATAGRAM_QUEUE, 256);
  assert.is(DATAGRAM_OUTGOING_QUEUE, 64);
  assert.is(d.incomingMaxBufferedDatagrams, 256);
  assert.is(d.outgoingMaxBufferedDatagrams, 64);
  assert.is(d.maxDatagramSize, 1200);
});

test('setters validate as the W3C setters do', () => {
  const d = new DatagramDuplex(fakeIo());
  for (const bad of [-1, -0.5, NaN, -Infinity]) {
    assert.throws(() => { d.incomingHighWaterMark = bad; }, RangeError, `incomingHighWaterMark ${bad}`);
    assert.throws(() => { d.outgoingHighWaterMark = bad; }, RangeError, `outgoingHighWaterMark ${bad}`);
    assert.throws(() => { d.incomingMaxAge = bad; }, RangeError, `incomingMaxAge ${bad}`);
    assert.throws(() => { d.outgoingMaxAge = bad; }, RangeError, `outgoingMaxAge ${bad}`);
  }
  assert.is(d.incomingHighWaterMark, 256, 'a refused value changes nothing');
  d.incomingHighWaterMark = 0;
  assert.is(d.incomingHighWaterMark, 1, 'below 1 becomes 1');
  d.outgoingHighWaterMark = 0.25;
  assert.is(d.outgoingHighWaterMark, 1);
  d.incomingHighWaterMark = 2.5;
  assert.is(d.incomingHighWaterMark, 2.5);
  assert.is(d.incomingMaxBufferedDatagrams, 2);
  d.outgoingHighWaterMark = Infinity;
  assert.is(d.outgoingHighWaterMark, Infinity);
  assert.is(d.outgoingMaxBufferedDatagrams, 0xffffffff);
  d.incomingMaxAge = 0;
  assert.is(d.incomingMaxAge, null, '0 means no max age');
  d.incomingMaxAge = 250;
  assert.is(d.incomingMaxAge, 250);
  d.incomingMaxAge = null;
  assert.is(d.incomingMaxAge, null);
  d.outgoingMaxAge = 0.5;
  assert.is(d.outgoingMaxAge, 0.5);
  // The newer names convert as WebIDL unsigned long, then at least 1.
  d.incomingMaxBufferedDatagrams = 7.9;
  assert.is(d.incomingHighWaterMark, 7);
  d.incomingMaxBufferedDatagrams = 0;
  assert.is(d.incomingHighWaterMark, 1);
  d.incomingMaxBufferedDatagrams = NaN;
  assert.is(d.incomingHighWaterMark, 1);
  d.outgoingMaxBufferedDatagrams = -1;
  assert.is(d.outgoingHighWaterMark, 0xffffffff);
  d.outgoingMaxBufferedDatagrams = 12;
  assert.is(d.outgoingMaxBufferedDatagrams, 12);
});

test('a slow reader loses the oldest datagrams first; the drops are counted', async () => {
  const d = new DatagramDuplex(fakeIo());
  d.incomingHighWaterMark = 3;
  for (let i = 0; i < 10; i++) d.receive(Uint8Array.of(i));
  assert.is(d.incomingQueued, 3);
  assert.is(d.stats.droppedIncoming, 7);
  const r = d.readable.getReader();
  assert.equal(await readN(r, 3), [7, 8, 9]);
  // A reader that keeps up loses nothing.
  const next = r.read();
  d.receive(Uint8Array.of(10));
  assert.is((await next).value![0], 10);
  assert.is(d.stats.droppedIncoming, 7);
  assert.is(d.stats.expiredIncoming, 0);
});

test('a fractional mark bounds the queue at its ceiling (the W3C "rounded down" excess)', () => {
  const d = new DatagramDuplex(fakeIo());
  d.incomingHighWaterMark = 2.5;
  for (let i = 0; i < 5; i++) d.receive(Uint8Array.of(i));
  assert.is(d.incomingQueued, 3);
  assert.is(d.stats.droppedIncoming, 2);
});

test('incoming datagrams older than incomingMaxAge are discarded, on arrival and on read', async () => {
  const io = fakeIo();
  const d = new DatagramDuplex(io);
  d.incomingMaxAge = 100;
  d.receive(Uint8Array.of(1));
  d.receive(Uint8Array.of(2));
  io.t += 50;
  d.receive(Uint8Array.of(3));
  io.t += 70; // 1 and 2 are 120 ms old, 3 is 70 ms old
  const r = d.readable.getReader();
  assert.equal(await readN(r, 1), [3]);
  assert.is(d.stats.expiredIncoming, 2);
  d.receive(Uint8Array.of(4));
  io.t += 101;
  d.receive(Uint8Array.of(5)); // 4 expires as 5 arrives
  assert.is(d.stats.expiredIncoming, 3);
  assert.equal(await readN(r, 1), [5]);
  assert.is(d.stats.droppedIncoming, 0);
  // Exactly the max age is not older than it.
  d.receive(Uint8Array.of(6));
  io.t += 100;
  assert.equal(await readN(r, 1), [6]);
});

test('without a max age nothing expires', async () => {
  const io = fakeIo();
  const d = new DatagramDuplex(io);
  d.receive(Uint8Array.of(1));
  io.t += 1e9;
  assert.equal(await readN(d.readable.getReader(), 1), [1]);
  assert.is(d.stats.expiredIncoming, 0);
});

test('outgoing: writes resolve while the queue is below outgoingHighWaterMark, then desiredSize and ready hold the writer back', async () => {
  const io = fakeIo();
  io.open = false; // the transport takes nothing for now
  const d = new DatagramDuplex(io);
  d.outgoingHighWaterMark = 2;
  const w = d.writable.getWriter();
  assert.is(w.desiredSize, 1);
  await w.write(Uint8Array.of(1)); // queue 1 < 2: resolved at once
  const second = w.write(Uint8Array.of(2)); // queue 2: waits
  assert.not.ok(await settles(second), 'the second write waits');
  assert.is(d.outgoingQueued, 2);
  assert.ok(w.desiredSize! <= 0, 'desiredSize shows the backpressure');
  assert.not.ok(await settles(w.ready), 'ready waits too');
  assert.equal(io.sent, []);
  io.open = true;
  io.retry();
  assert.ok(await settles(second));
  assert.ok(await settles(w.ready));
  assert.equal(io.sent, [1, 2]);
  assert.is(d.outgoingQueued, 0);
  await w.write(Uint8Array.of(3));
  assert.equal(io.sent, [1, 2, 3], 'sent at once when the transport takes it');
  assert.is(d.stats.expiredOutgoing, 0);
});

test('outgoing datagrams older than outgoingMaxAge are dropped as expired, and their writes resolve', async () => {
  const io = fakeIo();
  io.open = false;
  const d = new DatagramDuplex(io);
  d.outgoingMaxAge = 50;
  d.outgoingHighWaterMark = 1;
  const w = d.writable.getWriter();
  const first = w.write(Uint8Array.of(1));
  assert.not.ok(await settles(first));
  io.t += 60;
  io.retry(); // still blocked, but 1 has expired
  assert.ok(await settles(first));
  assert.is(d.stats.expiredOutgoing, 1);
  const second = w.write(Uint8Array.of(2));
  io.t += 40;
  io.open = true;
  io.retry();
  await second;
  assert.equal(io.sent, [2], 'a datagram within its max age goes out');
  assert.is(d.stats.expiredOutgoing, 1);
});

test('outgoing: too large is dropped silently, a non-BufferSource is a TypeError, any view is accepted', async () => {
  const io = fakeIo();
  io.max = 4;
  const d = new DatagramDuplex(io);
  const w = d.writable.getWriter();
  await w.write(new Uint8Array(5));
  assert.equal(io.sent, []);
  await w.write(new Uint16Array([0x0909]) as unknown as Uint8Array);
  await w.write(new Uint8Array([0, 8]).buffer as unknown as Uint8Array);
  assert.equal(io.sent, [9, 0]);
  await w.write('no' as unknown as Uint8Array).then(() => assert.unreachable('a string is not a datagram'), (e: unknown) => assert.instance(e, TypeError));
});

test('a clean end leaves queued datagrams readable, then done; pending writes resolve, later ones fail', async () => {
  const io = fakeIo();
  io.open = false;
  const d = new DatagramDuplex(io);
  d.outgoingHighWaterMark = 1;
  d.receive(Uint8Array.of(1));
  d.receive(Uint8Array.of(2));
  const w = d.writable.getWriter();
  const pending = w.write(Uint8Array.of(9));
  assert.not.ok(await settles(pending), 'waiting for the transport');
  d.end(new Error('closed'), false);
  await pending;
  assert.equal(io.retries, [], 'no retry left behind');
  const r = d.readable.getReader();
  assert.equal(await readN(r, 3), [1, 2]);
  assert.ok((await r.read()).done);
  await w.write(Uint8Array.of(3)).then(() => assert.unreachable('written after the end'), (e: unknown) => assert.is((e as Error).message, 'closed'));
  assert.equal(io.sent, []);
});

test('a failed session errors the readable', async () => {
  const d = new DatagramDuplex(fakeIo());
  d.receive(Uint8Array.of(1));
  const r = d.readable.getReader();
  d.end(new Error('lost'), true);
  await r.read().then(() => assert.unreachable('read after the failure'), (e: unknown) => assert.is((e as Error).message, 'lost'));
  d.receive(Uint8Array.of(2)); // ignored
  assert.is(d.incomingQueued, 0);
});

// ---- the W3C WebTransport against a loopback server ----------------------------------------------

const crypto = createNodeCryptoProvider();
const cert = generateSelfSignedCertificate(crypto, { now: Date.now(), validityDays: 10, names: ['localhost', '127.0.0.1'] });
const options = { serverCertificateHashes: [{ algorithm: 'sha-256', value: cert.sha256 }] };
let server: WebTransportServer;
let base = '';
/** The server side of the last /count session. */
let counted: WebTransportSession | undefined;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([p, new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timeout: ${what}`)), ms);
  })]).finally(() => clearTimeout(timer));
}

/** Polls `ok` every 20 ms for at most `ms`; true once it holds. */
async function until(ok: () => Promise<boolean> | boolean, ms: number): Promise<boolean> {
  for (let waited = 0; waited <= ms; waited += 20) {
    if (await ok()) return true;
    await sleep(20);
  }
  return false;
}

type DatagramStats = { sent: number; received: number; droppedIncoming: number; expiredIncoming: number; expiredOutgoing: number; lostOutgoing: number };
const datagramStats = async (wt: WebTransport): Promise<DatagramStats> => (await wt.getStats())['datagrams'] as DatagramStats;

test.before(async () => {
  server = await createWebTransportServer({ cert: cert.certificatePem, key: cert.privateKeyPem, host: '127.0.0.1', port: 0 });
  // /burst?n=N: on the first datagram from the client, sends N datagrams numbered 0..N-1.
  server.route('/burst', async (session, req) => {
    const n = Number(new URLSearchParams(req.path.split('?')[1] ?? '').get('n') ?? 10);
    const reader = session.datagrams.readable.getReader();
    await reader.read();
    for (let i = 0; i < n; i++) session.sendDatagram(Uint8Array.of(i));
    reader.releaseLock();
  });
  // /count: only receives (the test reads the server session's counters).
  server.route('/count', (session) => {
    counted = session;
    void session.datagrams.readable.pipeTo(new WritableStream()).catch(() => undefined);
  });
  base = `https://127.0.0.1:${server.address.port}`;
});

test.after(async () => {
  await server.close({ timeout: 500 });
});

/** Sends the trigger until the burst starts arriving. */
async function trigger(wt: WebTransport, w: WritableStreamDefaultWriter<Uint8Array>): Promise<void> {
  const started = await until(async () => {
    if ((await datagramStats(wt)).received > 0) return true;
    await w.write(Uint8Array.of(0xff));
    await sleep(150);
    return (await datagramStats(wt)).received > 0;
  }, 5000);
  assert.ok(started, 'the server answered the trigger');
}

test('W3C WebTransport: defaults, validation, and settings made before ready reach the session', async () => {
  const wt = new WebTransport(`${base}/count`, options);
  const dg = wt.datagrams;
  assert.equal([dg.incomingMaxAge, dg.outgoingMaxAge, dg.incomingHighWaterMark, dg.outgoingHighWaterMark], [null, null, 256, 64]);
  assert.throws(() => { dg.incomingHighWaterMark = -1; }, RangeError);
  assert.throws(() => { dg.outgoingMaxAge = NaN; }, RangeError);
  dg.incomingHighWaterMark = 0.5;
  dg.outgoingMaxBufferedDatagrams = 9;
  dg.incomingMaxAge = 0;
  dg.outgoingMaxAge = 1234;
  await within(wt.ready, 5000, 'ready');
  assert.equal([dg.incomingHighWaterMark, dg.outgoingHighWaterMark, dg.incomingMaxAge, dg.outgoingMaxAge], [1, 9, null, 1234]);
  assert.equal([dg.incomingMaxBufferedDatagrams, dg.outgoingMaxBufferedDatagrams], [1, 9]);
  assert.throws(() => { dg.incomingMaxAge = -5; }, RangeError);
  const stats = await datagramStats(wt);
  assert.equal([stats.droppedIncoming, stats.expiredIncoming, stats.expiredOutgoing, stats.lostOutgoing], [0, 0, 0, 0]);
  wt.close();
  await within(wt.closed, 5000, 'closed');
});

test('W3C WebTransport: a slow reader loses the oldest datagrams first and getStats counts them', async () => {
  const n = 20;
  const wt = new WebTransport(`${base}/burst?n=${n}`, options);
  wt.datagrams.incomingHighWaterMark = 4; // before ready: applied to the session
  await within(wt.ready, 5000, 'ready');
  const w = wt.datagrams.writable.getWriter();
  await trigger(wt, w);
  await until(async () => (await datagramStats(wt)).received >= n, 5000);
  const stats = await datagramStats(wt);
  const r = wt.datagrams.readable.getReader();
  const got = await within(readN(r, 4), 3000, 'the kept datagrams');
  assert.is(stats.droppedIncoming, stats.received - 4, 'every datagram beyond the mark was dropped');
  assert.ok(got.every((v, i) => i === 0 || v > got[i - 1]!), 'in order');
  if (stats.received === n) assert.equal(got, [16, 17, 18, 19], 'the newest four are kept');
  assert.is(stats.expiredIncoming, 0);
  wt.close();
  await within(wt.closed, 5000, 'closed');
});

test('W3C WebTransport: incoming datagrams older than incomingMaxAge are not handed to the reader', async () => {
  const wt = new WebTransport(`${base}/burst?n=3`, options);
  await within(wt.ready, 5000, 'ready');
  wt.datagrams.incomingMaxAge = 5;
  const w = wt.datagrams.writable.getWriter();
  await trigger(wt, w);
  await until(async () => (await datagramStats(wt)).received >= 3, 3000);
  const { received } = await datagramStats(wt);
  await sleep(60); // every datagram is now well past 5 ms
  const r = wt.datagrams.readable.getReader();
  const read = r.read();
  const got = await Promise.race([read, sleep(300).then(() => 'nothing' as const)]);
  assert.is(got, 'nothing', 'no stale datagram is read');
  const stats = await datagramStats(wt);
  assert.is(stats.expiredIncoming, received);
  assert.is(stats.droppedIncoming, 0);
  wt.close();
  await within(wt.closed, 5000, 'closed');
  await read.catch(() => undefined);
});

test('W3C WebTransport: a burst of writes beyond the transport queue is held, not dropped', async () => {
  const n = 150;
  const wt = new WebTransport(`${base}/count`, options);
  await within(wt.ready, 5000, 'ready');
  await until(() => counted !== undefined, 3000);
  const w = wt.datagrams.writable.getWriter();
  const writes: Promise<void>[] = [];
  for (let i = 0; i < n; i++) writes.push(w.write(Uint8Array.of(i & 0xff, i >> 8)));
  await within(Promise.all(writes), 10_000, 'every write settled');
  assert.ok(await until(() => (counted?.getStats().datagramsReceived ?? 0) >= n, 5000), `the server got ${counted?.getStats().datagramsReceived} of ${n}`);
  const stats = await datagramStats(wt);
  assert.is(stats.sent, n);
  assert.is(stats.expiredOutgoing, 0);
  assert.ok(Number.isInteger(stats.lostOutgoing) && stats.lostOutgoing >= 0, `lostOutgoing ${stats.lostOutgoing}`);
  wt.close();
  await within(wt.closed, 5000, 'closed');
});

/** A loopback UDP relay for one client in front of the server; drops client datagrams while `dropping`. */
interface Relay {
  readonly port: number;
  dropping: boolean;
  close(): void;
}

async function relay(serverPort: number): Promise<Relay> {
  const front: Socket = createSocket('udp4');
  const back: Socket = createSocket('udp4');
  let client: { address: string; port: number } | undefined;
  const r = { port: 0, dropping: false, close: () => { front.close(); back.close(); } };
  front.on('message', (msg, from) => {
    client = { address: from.address, port: from.port };
    if (!r.dropping) back.send(msg, serverPort, '127.0.0.1');
  });
  back.on('message', (msg) => {
    if (client) front.send(msg, client.port, client.address);
  });
  await new Promise<void>((resolve) => front.bind(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => back.bind(0, '127.0.0.1', resolve));
  r.port = front.address().port;
  return r;
}

test('W3C WebTransport: datagrams sent into a dead path are counted in lostOutgoing', async () => {
  const path = await relay(server.address.port);
  try {
    const wt = new WebTransport(`https://127.0.0.1:${path.port}/count`, options);
    await within(wt.ready, 5000, 'ready');
    const w = wt.datagrams.writable.getWriter();
    assert.is((await datagramStats(wt)).lostOutgoing, 0);
    path.dropping = true;
    for (let i = 0; i < 5; i++) await w.write(Uint8Array.of(i));
    await sleep(100);
    path.dropping = false;
    // Later packets get acknowledged, so the dropped ones are declared lost (RFC 9002 §6.1).
    const declared = await until(async () => {
      await w.write(Uint8Array.of(0xff));
      return (await datagramStats(wt)).lostOutgoing > 0;
    }, 5000);
    const stats = await datagramStats(wt);
    assert.ok(declared, `lostOutgoing ${stats.lostOutgoing}`);
    assert.ok(stats.lostOutgoing <= 5, `at most the five dropped datagrams, got ${stats.lostOutgoing}`);
    wt.close();
    await within(wt.closed, 5000, 'closed');
  } finally {
    path.close();
  }
});

test.run();
