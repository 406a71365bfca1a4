/**
 * Shared helpers for the H3 connection tests: a settled client/server pair, a lone connection fed
 * hand-made frames (like nghttp3's conn tests), and assertions on errors and events.
 * @module
 */
import * as assert from 'uvu/assert';
import {
  encodeH3Frame, H3Connection, type H3ConnectionOptions, H3ErrorCode, type H3Event, type H3SettingEntry, QpackEncoder,
} from '@quicts/h3';
import { drainEvents, FakeQuicEndpoint, FakeQuicPair, text, utf8 } from './fake-quic.ts';

export const E = H3ErrorCode;
export const kinds = (events: H3Event[]): string[] => events.map((e) => e.kind);

export function settled(options: ConstructorParameters<typeof FakeQuicPair>[0] = {}): FakeQuicPair {
  const pair = new FakeQuicPair(options);
  pair.run();
  assert.equal(kinds(drainEvents(pair.client)), ['settings']);
  assert.equal(kinds(drainEvents(pair.server)).filter((k) => k !== 'max-push-id'), ['settings']);
  return pair;
}

export function bodyOf(events: H3Event[], streamId: number): string {
  return events.map((e) => (e.kind === 'data' && e.streamId === streamId ? text(e.data) : '')).join('');
}

export function only<K extends H3Event['kind']>(events: H3Event[], kind: K): Extract<H3Event, { kind: K }>[] {
  return events.filter((e): e is Extract<H3Event, { kind: K }> => e.kind === kind);
}

// ---- a lone connection fed hand-made bytes (like nghttp3's conn tests) ------------------------

export const concat = (...parts: (Uint8Array | number[])[]): Uint8Array => {
  const out: number[] = [];
  for (const p of parts) out.push(...p);
  return Uint8Array.from(out);
};
export const settingsFrame = (entries: H3SettingEntry[] = []): Uint8Array => encodeH3Frame({ kind: 'settings', entries });
/** A HEADERS frame with a static-only QPACK encoding (no dynamic table). */
export const headersFrame = (list: { name: string; value: string }[]): Uint8Array =>
  encodeH3Frame({ kind: 'headers', fieldSection: new QpackEncoder({ maxTableCapacity: 0 }).encode(0, list).fieldSection });
export const dataFrame = (s: string): Uint8Array => encodeH3Frame({ kind: 'data', data: utf8(s) });

export interface Lone {
  readonly port: FakeQuicEndpoint;
  readonly h3: H3Connection;
  /** Peer stream IDs: its control, encoder and decoder streams. */
  readonly ctl: number;
  feed(streamId: number, bytes: Uint8Array, fin?: boolean): void;
}

export function lone(role: 'client' | 'server', options: Partial<Omit<H3ConnectionOptions, 'role' | 'port'>> = {}, withSettings = true): Lone {
  const port = new FakeQuicEndpoint(role);
  const h3 = new H3Connection({ ...options, role, port });
  const feed = (streamId: number, bytes: Uint8Array, fin = false): void => {
    if (bytes.length === 0) h3.handleStreamData(streamId, bytes, fin);
    for (let i = 0; i < bytes.length; i++) h3.handleStreamData(streamId, bytes.slice(i, i + 1), fin && i === bytes.length - 1);
  };
  const ctl = role === 'server' ? 2 : 3;
  if (withSettings) {
    feed(ctl, concat([0x00], settingsFrame()));
    assert.equal(kinds(drainEvents(h3)), ['settings']);
  }
  return { port, h3, ctl, feed };
}

export function expectConnectionError(l: { port: FakeQuicEndpoint; h3: H3Connection }, code: number): void {
  assert.is(l.port.closed?.code, code, `closed with ${l.port.closed?.code?.toString(16)} (${l.port.closed?.reason}), want ${code.toString(16)}`);
  const errors = only(drainEvents(l.h3), 'connection-error');
  assert.is(errors.length, 1);
  assert.is(errors[0]!.code, code);
  assert.ok(l.h3.isClosed);
}

export function expectStreamError(l: Lone, streamId: number, code: number): void {
  assert.is(l.port.closed, undefined, `connection closed: ${l.port.closed?.reason}`);
  const errors = only(drainEvents(l.h3), 'stream-error');
  assert.is(errors.length, 1, 'one stream error');
  assert.is(errors[0]!.streamId, streamId);
  assert.is(errors[0]!.code, code, `stream error ${errors[0]!.code.toString(16)}: ${errors[0]!.reason}`);
  assert.ok(l.port.sentOf('stop').some((op) => op.streamId === streamId && op.code === code), 'STOP_SENDING sent');
  assert.ok(l.port.sentOf('reset').some((op) => op.streamId === streamId && op.code === code), 'RESET_STREAM sent');
}

