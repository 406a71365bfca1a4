// Deno's built-in WebTransport client (`new WebTransport(url, { serverCertificateHashes })`,
// --unstable-net) against a WebTransport server with the browser scenario contract's /echo:
// echoes datagrams (rounds with retries) and one bidirectional stream, then closes.
//
// Usage:
//   deno run --unstable-net --allow-net wt-client.ts --url https://127.0.0.1:PORT/echo \
//     --hash BASE64_SHA256 [--datagrams 5] [--bytes 65536] [--timeout-ms 15000]
//
// Prints one JSON line: {"ok":bool,"steps":{...},"error":string|null}. Exit 0 when ok.

function arg(name: string, def?: string): string | undefined {
  const i = Deno.args.indexOf(`--${name}`);
  if (i >= 0 && i + 1 < Deno.args.length) return Deno.args[i + 1];
  return def;
}
const url = arg("url");
const hash = arg("hash");
if (!url || !hash) {
  console.error("usage: wt-client.ts --url URL --hash BASE64 [--datagrams N] [--bytes N] [--timeout-ms MS]");
  Deno.exit(2);
}
const rounds = Number(arg("datagrams", "5"));
const bytes = Number(arg("bytes", "65536"));
const timeoutMs = Number(arg("timeout-ms", "15000"));
const steps: Record<string, unknown> = {};

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: number | undefined;
  return Promise.race([p, new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timeout: ${what}`)), ms);
  })]).finally(() => clearTimeout(timer));
}

function eq(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

async function main(): Promise<void> {
  const value = Uint8Array.from(atob(hash!), (c) => c.charCodeAt(0));
  const wt = new WebTransport(url!, { serverCertificateHashes: [{ algorithm: "sha-256", value }] });
  await within(wt.ready, 10_000, "ready");
  steps.ready = true;

  const writer = wt.datagrams.writable.getWriter();
  const reader = wt.datagrams.readable.getReader();
  let echoed = 0;
  for (let i = 0; i < rounds; i++) {
    const payload = new TextEncoder().encode(`deno-datagram-${i}-`.padEnd(50, "x"));
    for (let attempt = 0; attempt < 3; attempt++) {
      await writer.write(payload);
      const got = await within(reader.read(), 500, "datagram").catch(() => null);
      if (got !== null && !got.done && eq(got.value, payload)) {
        echoed++;
        break;
      }
    }
  }
  steps.datagramsEchoed = echoed;
  if (echoed !== rounds) throw new Error(`${rounds - echoed} datagram rounds without an echo`);

  const data = new Uint8Array(bytes).map((_, i) => (i * 31 + 7) & 0xff);
  const stream = await wt.createBidirectionalStream();
  const w = stream.writable.getWriter();
  const readAll = (async () => {
    const parts: Uint8Array[] = [];
    let n = 0;
    for await (const c of stream.readable) {
      parts.push(c);
      n += c.length;
      if (n >= data.length) break; // some runtimes never report the end of a WebTransport stream
    }
    const out = new Uint8Array(n);
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  })();
  await w.write(data);
  await w.close().catch(() => {});
  const back = await within(readAll, 10_000, "bidi echo");
  steps.bidiEchoBytes = back.length;
  if (!eq(back, data)) throw new Error("the bidi echo differs");

  wt.close({ closeCode: 0, reason: "done" });
  steps.closed = true;
}

let ok = false;
let error: string | null = null;
try {
  await within(main(), timeoutMs, "the whole run");
  ok = true;
} catch (e) {
  error = e instanceof Error ? e.message : String(e);
}
console.log(JSON.stringify({ ok, steps, error }));
Deno.exit(ok ? 0 : 1);
