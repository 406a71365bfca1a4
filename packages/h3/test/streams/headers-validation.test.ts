import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fieldSectionSize, H3Error, H3ErrorCode, validateRequestHeaders, validateResponseHeaders, validateTrailers } from '@quicts/h3';

type F = { name: string; value: string };
const f = (...pairs: [string, string][]): F[] => pairs.map(([name, value]) => ({ name, value }));
const GET = f([':method', 'GET'], [':scheme', 'https'], [':authority', 'example.com'], [':path', '/']);
const malformed = (e: unknown): boolean => e instanceof H3Error && e.code === H3ErrorCode.H3_MESSAGE_ERROR && e.scope === 'stream';

test('a valid request gives its pseudo-headers and content-length', () => {
  const head = validateRequestHeaders([...GET, ...f(['content-length', '12'], ['content-length', '12'], ['accept', '*/*'])], false);
  assert.equal(head, { method: 'GET', scheme: 'https', authority: 'example.com', path: '/', protocol: undefined, contentLength: 12 });
  validateRequestHeaders(f([':method', 'OPTIONS'], [':scheme', 'https'], [':authority', 'a'], [':path', '*']), false);
  validateRequestHeaders(f([':method', 'GET'], [':scheme', 'https'], [':path', '/'], ['host', 'example.com']), false);
  validateRequestHeaders(f([':method', 'GET'], [':scheme', 'foo'], [':path', 'bar']), false); // no authority needed
  validateRequestHeaders([...GET, ...f(['te', 'trailers'])], false);
});

test('names: lowercase tokens only', () => {
  for (const name of ['Accept', 'x y', 'a:b', '', 'é', 'x\u0000']) {
    assert.throws(() => validateRequestHeaders([...GET, { name, value: 'v' }], false), malformed, JSON.stringify(name));
  }
  validateRequestHeaders([...GET, ...f(["x-!#$%&'*+-.^_`|~09az", 'v'])], false);
});

test('values: no NUL, CR, LF, no surrounding whitespace', () => {
  for (const value of ['a\rb', 'a\nb', 'a\u0000b', ' a', 'a ', '\ta']) {
    assert.throws(() => validateRequestHeaders([...GET, ...f(['x-v', value])], false), malformed, JSON.stringify(value));
  }
  validateRequestHeaders([...GET, ...f(['x-v', 'a b\tc'], ['x-empty', ''])], false);
});

test('connection-specific fields and TE other than trailers are malformed', () => {
  for (const [n, v] of [['connection', 'close'], ['keep-alive', '5'], ['proxy-connection', 'x'], ['transfer-encoding', 'chunked'], ['upgrade', 'h2c'], ['te', 'gzip']] as [string, string][]) {
    assert.throws(() => validateRequestHeaders([...GET, ...f([n, v])], false), malformed, n);
  }
  assert.throws(() => validateResponseHeaders(f([':status', '200'], ['te', 'trailers'])), malformed, 'TE only in requests');
});

test('pseudo-headers: known, once, first', () => {
  assert.throws(() => validateRequestHeaders([...GET, ...f([':path', '/x'])], false), malformed);
  assert.throws(() => validateRequestHeaders([...f(['accept', '*/*']), ...GET], false), malformed);
  assert.throws(() => validateRequestHeaders([...f([':status', '200']), ...GET], false), malformed);
  assert.throws(() => validateRequestHeaders([...f([':custom', 'x']), ...GET], false), malformed);
  assert.throws(() => validateResponseHeaders(f([':status', '200'], [':path', '/'])), malformed);
  assert.throws(() => validateTrailers(f([':status', '200'])), malformed);
  validateTrailers(f(['x-checksum', 'abc']));
});

test('required request pseudo-headers and their values', () => {
  const without = (name: string): F[] => GET.filter((x) => x.name !== name);
  for (const name of [':method', ':scheme', ':path', ':authority']) assert.throws(() => validateRequestHeaders(without(name), false), malformed, name);
  assert.throws(() => validateRequestHeaders(f([':method', 'GET'], [':scheme', 'https'], [':authority', 'a'], [':path', '']), false), malformed);
  assert.throws(() => validateRequestHeaders(f([':method', 'GET'], [':scheme', 'https'], [':authority', 'a'], [':path', 'noslash']), false), malformed);
  assert.throws(() => validateRequestHeaders(f([':method', 'GET'], [':scheme', 'https'], [':authority', 'a'], [':path', '*']), false), malformed);
  assert.throws(() => validateRequestHeaders([...GET, ...f(['host', 'other.example'])], false), malformed, ':authority and host differ');
  assert.throws(() => validateRequestHeaders([...GET, ...f(['content-length', '-1'])], false), malformed);
  assert.throws(() => validateRequestHeaders([...GET, ...f(['content-length', '1'], ['content-length', '2'])], false), malformed);
});

test('CONNECT (RFC 9114 §4.4) and extended CONNECT (RFC 9220)', () => {
  assert.is(validateRequestHeaders(f([':method', 'CONNECT'], [':authority', 'proxy:443']), false).authority, 'proxy:443');
  assert.throws(() => validateRequestHeaders(f([':method', 'CONNECT'], [':authority', 'p:1'], [':scheme', 'https']), false), malformed);
  assert.throws(() => validateRequestHeaders(f([':method', 'CONNECT'], [':authority', 'p:1'], [':path', '/']), false), malformed);
  assert.throws(() => validateRequestHeaders(f([':method', 'CONNECT']), false), malformed);
  const ext = f([':method', 'CONNECT'], [':protocol', 'webtransport'], [':scheme', 'https'], [':authority', 'a'], [':path', '/wt']);
  assert.throws(() => validateRequestHeaders(ext, false), malformed, ':protocol needs the setting');
  assert.is(validateRequestHeaders(ext, true).protocol, 'webtransport');
  assert.throws(() => validateRequestHeaders(ext.filter((x) => x.name !== ':path'), true), malformed);
  assert.throws(() => validateRequestHeaders(ext.filter((x) => x.name !== ':scheme'), true), malformed);
  assert.throws(() => validateRequestHeaders(ext.filter((x) => x.name !== ':authority'), true), malformed);
  assert.throws(() => validateRequestHeaders([ext[0]!, { name: ':protocol', value: '' }, ...ext.slice(2)], true), malformed);
  assert.throws(() => validateRequestHeaders([{ name: ':method', value: 'POST' }, ...ext.slice(1)], true), malformed);
});

test('responses: :status of three digits, no 101', () => {
  assert.equal(validateResponseHeaders(f([':status', '204'])), { status: 204, contentLength: null });
  assert.is(validateResponseHeaders(f([':status', '103'], ['link', '<a>'])).status, 103);
  for (const s of ['', '99', '2000', '600', 'abc', '101']) assert.throws(() => validateResponseHeaders(f([':status', s])), malformed, s);
  assert.throws(() => validateResponseHeaders(f(['content-type', 'x'])), malformed);
});

test('field section size counts UTF-8 bytes plus 32 per line (RFC 9114 §4.2.2)', () => {
  assert.is(fieldSectionSize(f(['a', 'bc'])), 35);
  assert.is(fieldSectionSize(f(['x', 'é'])), 1 + 2 + 32);
  assert.is(fieldSectionSize(f(['x', '€😀'])), 1 + 3 + 4 + 32);
  assert.is(fieldSectionSize([]), 0);
});

test.run();
