import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeH3Frame, H3Error, H3GoawayState } from '@quicts/h3';
import { drainEvents, fields, GET, utf8 } from './fake-quic.ts';
import { bodyOf, E, expectConnectionError, kinds, lone, only, settled } from './h3-helpers.ts';

const idError = (e: unknown): boolean => e instanceof H3Error && e.code === E.H3_ID_ERROR && e.scope === 'connection';

test('GoawayState: a server sends request stream IDs that never increase', () => {
  const g = new H3GoawayState('server');
  g.send(8);
  g.send(8);
  g.send(4);
  assert.throws(() => g.send(12), RangeError);
  assert.throws(() => g.send(5), RangeError, 'not a client bidirectional stream');
  assert.is(g.sentId, 4);
  assert.ok(g.rejectsIncoming(4));
  assert.not.ok(g.rejectsIncoming(0));
});

test('GoawayState: a client validates received IDs (H3_ID_ERROR)', () => {
  const g = new H3GoawayState('client');
  assert.ok(g.receive(100));
  assert.not.ok(g.receive(100));
  assert.ok(g.receive(40));
  assert.throws(() => g.receive(44), idError);
  assert.throws(() => new H3GoawayState('client').receive(3), idError);
  assert.ok(g.rejectsOutgoing(40));
  assert.not.ok(g.rejectsOutgoing(36));
  // A client's GOAWAY carries push IDs: any value is valid for a server.
  const s = new H3GoawayState('server');
  s.receive(3);
  s.send(0);
  assert.throws(() => s.receive(4), idError);
});

test('graceful shutdown by the server: in-flight requests finish, then both sides drain', () => {
  const pair = settled();
  const a = pair.client.sendRequest(GET('/a'), { endStream: true })!;
  const b = pair.client.sendRequest(GET('/b'), { endStream: true })!;
  pair.run();
  assert.is(only(drainEvents(pair.server), 'headers').length, 2);
  pair.server.shutdown();
  assert.is(pair.server.goawayIds.sent, 8, 'GOAWAY names the first request not seen');
  pair.run();
  const c1 = drainEvents(pair.client);
  assert.equal(c1, [{ kind: 'goaway', id: 8 }]);
  assert.not.ok(pair.client.acceptsNewRequests);
  assert.throws(() => pair.client.sendRequest(GET()), TypeError);
  pair.server.sendHeaders(a, fields([':status', '200']));
  pair.server.sendData(a, utf8('A'), { endStream: true });
  pair.run();
  assert.equal(kinds(drainEvents(pair.server)), []);
  pair.server.sendHeaders(b, fields([':status', '200']));
  pair.server.sendData(b, utf8('B'), { endStream: true });
  const s = drainEvents(pair.server);
  assert.equal(kinds(s), ['drained'], 'server drained once its responses are sent');
  pair.run();
  const c2 = drainEvents(pair.client);
  assert.is(bodyOf(c2, a) + bodyOf(c2, b), 'AB');
  assert.is(c2[c2.length - 1]!.kind, 'drained');
  pair.server.close();
  assert.is(pair.serverPort.closed?.code, E.H3_NO_ERROR);
});

test('requests at or above the GOAWAY ID are rejected and reported for retry', () => {
  const pair = settled();
  const a = pair.client.sendRequest(GET('/a'), { endStream: true })!;
  pair.run();
  drainEvents(pair.server);
  const b = pair.client.sendRequest(GET('/b'), { endStream: true })!;
  // The server shuts down before request b reaches it.
  pair.server.shutdown();
  assert.is(pair.server.goawayIds.sent, 4);
  pair.run({ hold: (op, from) => from === 'client' && 'streamId' in op && op.streamId === b });
  const c = drainEvents(pair.client);
  assert.equal(c, [{ kind: 'goaway', id: 4 }, { kind: 'request-rejected', streamId: b }]);
  // The request arrives late: the server rejects it unprocessed (RFC 9114 §5.2).
  pair.run();
  assert.equal(only(drainEvents(pair.server), 'headers'), []);
  assert.ok(pair.serverPort.sentOf('reset').some((op) => op.streamId === b && op.code === E.H3_REQUEST_REJECTED));
  pair.server.sendHeaders(a, fields([':status', '200']), { endStream: true });
  assert.equal(kinds(drainEvents(pair.server)), ['drained']);
  pair.run();
  assert.equal(kinds(drainEvents(pair.client)), ['headers', 'drained']);
});

test('a lower GOAWAY rejects requests the server had accepted above it', () => {
  const pair = settled();
  pair.client.sendRequest(GET('/a'), { endStream: true });
  const b = pair.client.sendRequest(GET('/b'), { endStream: true })!;
  pair.run();
  drainEvents(pair.server);
  pair.server.sendGoaway(8);
  pair.server.sendGoaway(4);
  assert.throws(() => pair.server.sendGoaway(8), RangeError);
  const errors = only(drainEvents(pair.server), 'stream-error');
  assert.equal(errors.map((e) => [e.streamId, e.code]), [[b, E.H3_REQUEST_REJECTED]]);
  pair.run();
  const c = drainEvents(pair.client);
  assert.equal(kinds(c).slice(0, 3), ['goaway', 'goaway', 'request-rejected']);
});

test('GOAWAY from a server that increases, or names a non-request stream, is H3_ID_ERROR', () => {
  let l = lone('client');
  l.feed(l.ctl, encodeH3Frame({ kind: 'goaway', id: 8 }));
  l.feed(l.ctl, encodeH3Frame({ kind: 'goaway', id: 12 }));
  expectConnectionError(l, E.H3_ID_ERROR);
  l = lone('client');
  l.feed(l.ctl, encodeH3Frame({ kind: 'goaway', id: 2 }));
  expectConnectionError(l, E.H3_ID_ERROR);
});

test('a client GOAWAY carries a push ID; the server drains when its requests finish', () => {
  const pair = settled({ client: { maxPushId: 10 } });
  const a = pair.client.sendRequest(GET(), { endStream: true })!;
  pair.run();
  drainEvents(pair.server);
  pair.client.shutdown();
  assert.is(pair.client.goawayIds.sent, 0, 'no push seen: push ID 0');
  pair.run();
  assert.equal(kinds(drainEvents(pair.server)), ['goaway']);
  pair.server.sendHeaders(a, fields([':status', '200']), { endStream: true });
  assert.equal(kinds(drainEvents(pair.server)), ['drained']);
  pair.run();
  assert.equal(kinds(drainEvents(pair.client)), ['headers', 'drained']);
  // A later client GOAWAY with a higher push ID is refused locally.
  assert.throws(() => pair.client.sendGoaway(1), RangeError);
});

test('shutdown with nothing in flight drains at once', () => {
  const pair = settled();
  pair.server.shutdown();
  assert.equal(kinds(drainEvents(pair.server)), ['drained']);
  pair.run();
  assert.equal(kinds(drainEvents(pair.client)), ['goaway', 'drained']);
});

test.run();
