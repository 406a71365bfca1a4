import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { H3Error, H3ErrorCode, H3MessageReceiver, H3MessageSender } from '@quicts/h3';

const f = (...pairs: [string, string][]): { name: string; value: string }[] => pairs.map(([name, value]) => ({ name, value }));
const GET = f([':method', 'GET'], [':scheme', 'https'], [':authority', 'a'], [':path', '/']);
const code = (c: number, scope: 'stream' | 'connection') => (e: unknown): boolean => e instanceof H3Error && e.code === c && e.scope === scope;
const unexpected = code(H3ErrorCode.H3_FRAME_UNEXPECTED, 'connection');
const malformed = code(H3ErrorCode.H3_MESSAGE_ERROR, 'stream');

test('request: HEADERS, DATA*, trailers, end', () => {
  const r = new H3MessageReceiver('request');
  assert.not.ok(r.headersReceived);
  assert.is(r.onHeaders([...GET, ...f(['content-length', '5'])]), 'headers');
  assert.ok(r.headersReceived);
  assert.is(r.request?.path, '/');
  r.onData(2);
  r.onData(0);
  r.onData(3);
  assert.is(r.onHeaders(f(['x-t', '1'])), 'trailers');
  assert.throws(() => r.onData(0), unexpected);
  assert.throws(() => r.onHeaders(f(['x', 'y'])), unexpected);
  r.onEnd();
});

test('DATA before HEADERS is H3_FRAME_UNEXPECTED; no HEADERS at the end is H3_REQUEST_INCOMPLETE', () => {
  assert.throws(() => new H3MessageReceiver('request').onData(1), unexpected);
  assert.throws(() => new H3MessageReceiver('request').onData(0), unexpected, 'even an empty DATA frame');
  assert.throws(() => new H3MessageReceiver('request').onEnd(), code(H3ErrorCode.H3_REQUEST_INCOMPLETE, 'stream'));
  assert.throws(() => new H3MessageReceiver('response').onEnd(), malformed);
});

test('content-length: too much is malformed at once, too little at the end or at trailers', () => {
  const over = new H3MessageReceiver('request');
  over.onHeaders([...GET, ...f(['content-length', '3'])]);
  over.onData(3);
  assert.throws(() => over.onData(1), malformed);
  const under = new H3MessageReceiver('request');
  under.onHeaders([...GET, ...f(['content-length', '3'])]);
  under.onData(2);
  assert.throws(() => under.onEnd(), malformed);
  const trailers = new H3MessageReceiver('request');
  trailers.onHeaders([...GET, ...f(['content-length', '3'])]);
  assert.throws(() => trailers.onHeaders(f(['x', 'y'])), malformed);
});

test('responses: interim ones first; HEAD, 204, 304 and CONNECT 2xx have no content to count', () => {
  const r = new H3MessageReceiver('response');
  assert.is(r.onHeaders(f([':status', '100'])), 'interim');
  assert.is(r.onHeaders(f([':status', '103'])), 'interim');
  assert.not.ok(r.headersReceived);
  assert.is(r.onHeaders(f([':status', '200'])), 'headers');
  assert.is(r.response?.status, 200);
  const head = new H3MessageReceiver('response', false, 'HEAD');
  head.onHeaders(f([':status', '200'], ['content-length', '100']));
  head.onEnd();
  for (const status of ['204', '304']) {
    const r2 = new H3MessageReceiver('response');
    r2.onHeaders(f([':status', status], ['content-length', '10']));
    r2.onEnd();
  }
  const connect = new H3MessageReceiver('response', false, 'CONNECT');
  connect.onHeaders(f([':status', '200'], ['content-length', '0']));
  connect.onData(100);
  connect.onEnd();
  const counted = new H3MessageReceiver('response', false, 'GET');
  counted.onHeaders(f([':status', '200'], ['content-length', '10']));
  assert.throws(() => counted.onEnd(), malformed);
});

test('a CONNECT request stream carries tunnel bytes regardless of content-length', () => {
  const r = new H3MessageReceiver('request', true);
  r.onHeaders(f([':method', 'CONNECT'], [':protocol', 'webtransport'], [':scheme', 'https'], [':authority', 'a'], [':path', '/']));
  r.onData(1000);
  r.onEnd();
});

test('sender: headers, data, trailers; misuse is a TypeError', () => {
  const s = new H3MessageSender('response');
  assert.throws(() => s.checkData(), TypeError);
  assert.is(s.checkHeaders(f([':status', '103']), false, false), 'interim');
  assert.throws(() => s.checkHeaders(f([':status', '103']), false, true), TypeError, 'interim cannot end the stream');
  s.sentHeaders('interim', false);
  assert.not.ok(s.canSendData);
  assert.is(s.checkHeaders(f([':status', '200']), false, false), 'headers');
  s.sentHeaders('headers', false);
  s.checkData();
  assert.is(s.checkHeaders(f(['x-t', '1']), false, true), 'trailers');
  assert.throws(() => s.checkHeaders(f([':status', '200']), false, true), TypeError);
  s.sentHeaders('trailers', true);
  assert.ok(s.done);
  assert.throws(() => s.checkData(), TypeError);
  assert.throws(() => s.checkHeaders(f(['x', 'y']), false, true), TypeError);
  const req = new H3MessageSender('request');
  assert.throws(() => req.checkHeaders(f([':method', 'CONNECT'], [':protocol', 'x'], [':scheme', 'https'], [':authority', 'a'], [':path', '/']), false, false), TypeError);
  assert.is(req.checkHeaders(f([':method', 'CONNECT'], [':protocol', 'x'], [':scheme', 'https'], [':authority', 'a'], [':path', '/']), true, false), 'headers');
});

test.run();
