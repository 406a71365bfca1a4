// Test helpers: two StreamsManagers joined by an in-memory exchange of frames, with loss.
import * as assert from 'uvu/assert';
import { DEFAULT_STREAMS_CONFIG, StreamsManager } from '../../src/streams/index.ts';
import type { StreamChunk, StreamEvent, StreamSide, StreamsConfig, StreamsControlFrame } from '../../src/streams/index.ts';

export function config(side: StreamSide, over: Partial<StreamsConfig> = {}): StreamsConfig {
  return { side, ...DEFAULT_STREAMS_CONFIG, ...over };
}

export function pair(clientOver: Partial<StreamsConfig> = {}, serverOver: Partial<StreamsConfig> = {}): {
  client: StreamsManager;
  server: StreamsManager;
} {
  const client = new StreamsManager(config('client', clientOver));
  const server = new StreamsManager(config('server', serverOver));
  client.applyPeerLimits(server.localLimits());
  server.applyPeerLimits(client.localLimits());
  return { client, server };
}

export function concat(views: readonly Uint8Array[]): Uint8Array {
  if (views.length === 1) return views[0]!;
  const out = new Uint8Array(views.reduce((n, v) => n + v.length, 0));
  let at = 0;
  for (const v of views) {
    out.set(v, at);
    at += v.length;
  }
  return out;
}

export function events(m: StreamsManager): StreamEvent[] {
  const out: StreamEvent[] = [];
  for (let e = m.pollEvent(); e !== null; e = m.pollEvent()) out.push(e);
  return out;
}

export interface FlushOptions {
  now?: number;
  rtt?: number;
  /** Space per STREAM frame. */
  space?: number;
  /** Decides, per frame, whether it is lost. */
  lose?: () => boolean;
  /** Called before each STREAM frame is delivered. */
  onStream?: (c: StreamChunk) => void;
}

type Sent = { chunk: StreamChunk } | { frame: StreamsControlFrame };

/**
 * Sends everything `from` has (control frames, then STREAM frames), delivers what is not lost to
 * `to`, then reports each frame acknowledged or lost. Returns the number of frames sent.
 */
export function flush(from: StreamsManager, to: StreamsManager, opts: FlushOptions = {}): number {
  const now = opts.now ?? 0;
  const rtt = opts.rtt ?? 0;
  const sent: Array<{ s: Sent; lost: boolean }> = [];
  for (let f = from.pollControlFrame(now, rtt); f !== null; f = from.pollControlFrame(now, rtt)) {
    const lost = opts.lose?.() ?? false;
    if (!lost) to.onFrame(f);
    sent.push({ s: { frame: f }, lost });
  }
  for (let c = from.pollStreamChunk(opts.space ?? 1200); c !== null; c = from.pollStreamChunk(opts.space ?? 1200)) {
    assert.ok(c.length === c.data.reduce((n, v) => n + v.length, 0));
    const lost = opts.lose?.() ?? false;
    if (!lost) {
      opts.onStream?.(c);
      to.onFrame({ type: 'stream', streamId: c.streamId, offset: c.offset, data: concat(c.data), fin: c.fin });
    }
    sent.push({ s: { chunk: c }, lost });
  }
  for (const { s, lost } of sent) {
    if ('chunk' in s) {
      const c = s.chunk;
      if (lost) from.onStreamDataLost(c.streamId, c.offset, c.length, c.fin);
      else from.onStreamDataAcked(c.streamId, c.offset, c.length, c.fin);
    } else if (lost) {
      from.onFrameLost(s.frame);
    } else {
      from.onFrameAcked(s.frame);
    }
  }
  return sent.length;
}
