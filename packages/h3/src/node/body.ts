/**
 * Message bodies and header fields on the node API: a received body as a WHATWG ReadableStream
 * that pauses reading of its QUIC stream while its queue is full, outgoing bodies normalised to
 * bytes or a stream, and conversions between field lines and `Headers`.
 * @module
 */
import type { DecodedField } from '../qpack/types.ts';

/** A body to send. */
export type H3BodyInit = Uint8Array | ArrayBuffer | string | ReadableStream<Uint8Array> | null | undefined;

/** Header fields to send: a `Headers`, a record, or name/value pairs. */
export type H3HeadersInit = Headers | Record<string, string | readonly string[]> | readonly (readonly [string, string])[];

/** Most received bytes queued in a body stream before reading its QUIC stream pauses. */
const BODY_HIGH_WATER = 256 * 1024;

/** The receiving end of a message body. */
export class IncomingBody {
  readonly readable: ReadableStream<Uint8Array>;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #done = false;
  readonly #pause: () => void;

  constructor(hooks: { pause(): void; resume(): void; cancel(reason: unknown): void }) {
    this.readable = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#controller = controller;
      },
      pull: () => hooks.resume(),
      cancel: (reason) => {
        this.#done = true;
        hooks.cancel(reason);
      },
    }, { highWaterMark: BODY_HIGH_WATER, size: (chunk) => chunk.byteLength });
    this.#pause = () => hooks.pause();
  }

  get done(): boolean {
    return this.#done;
  }

  push(data: Uint8Array): void {
    if (this.#done || data.length === 0) return;
    // The bytes may be a view into the transport's buffer: the reader gets its own copy.
    this.#controller.enqueue(data.slice());
    if ((this.#controller.desiredSize ?? 0) <= 0) this.#pause();
  }

  end(): void {
    if (this.#done) return;
    this.#done = true;
    this.#controller.close();
  }

  fail(error: Error): void {
    if (this.#done) return;
    this.#done = true;
    this.#controller.error(error);
  }
}

/** Reads a whole body. */
export async function readAll(body: ReadableStream<Uint8Array> | null): Promise<Uint8Array> {
  if (body === null) return new Uint8Array(0);
  const parts: Uint8Array[] = [];
  let n = 0;
  const reader = body.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    parts.push(value);
    n += value.length;
  }
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** An outgoing body as bytes (length known) or a stream, or null for none. */
export function normaliseBody(body: H3BodyInit): Uint8Array | ReadableStream<Uint8Array> | null {
  if (body === null || body === undefined) return null;
  if (typeof body === 'string') return new TextEncoder().encode(body);
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (typeof (body as ReadableStream).getReader === 'function') return body;
  throw new TypeError('a body is a Uint8Array, ArrayBuffer, string or ReadableStream');
}

/** Field lines from user headers; names are lowercased and checked by `Headers`. */
export function fieldLines(init: H3HeadersInit | undefined): { name: string; value: string }[] {
  if (init === undefined) return [];
  const out: { name: string; value: string }[] = [];
  const add = (name: string, value: string): void => {
    // Headers checks the name and value syntax (TypeError) and lowercases the name.
    new Headers([[name, value]]).forEach((v, n) => out.push({ name: n, value: v }));
  };
  if (init instanceof Headers) {
    // Iteration yields each Set-Cookie on its own and other repeated fields combined.
    init.forEach((value, name) => out.push({ name, value }));
  } else if (Array.isArray(init)) {
    for (const [name, value] of init as readonly (readonly [string, string])[]) add(name, value);
  } else {
    for (const [name, value] of Object.entries(init as Record<string, string | readonly string[]>)) {
      if (typeof value === 'string') add(name, value);
      else for (const v of value) add(name, v);
    }
  }
  return out;
}

/** `Headers` of the regular (non-pseudo) fields of a section. */
export function headersOf(fields: readonly DecodedField[]): Headers {
  const h = new Headers();
  for (const f of fields) {
    if (f.name.startsWith(':')) continue;
    try {
      h.append(f.name, f.value);
    } catch {
      // A value the WHATWG Headers class refuses is left out rather than failing the message.
    }
  }
  return h;
}

/** The value of a pseudo-header. */
export function pseudo(fields: readonly DecodedField[], name: string): string | undefined {
  return fields.find((f) => f.name === name)?.value;
}
