import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Router } from '@quicts/webtransport/node';

test('exact paths, parameters, a rest, the query ignored, first match wins', () => {
  const r = new Router<string>();
  r.add('/echo', 'echo');
  r.add('/rooms/:room', 'room');
  r.add('/rooms/:room/*', 'rest');
  r.add('/*', 'any');
  assert.equal(r.match('/echo'), { value: 'echo', params: {} });
  assert.equal(r.match('/echo?x=1'), { value: 'echo', params: {} });
  assert.equal(r.match('/rooms/a%2Fb'), { value: 'room', params: { room: 'a/b' } });
  assert.equal(r.match('/rooms/x/y/z'), { value: 'rest', params: { room: 'x', '*': 'y/z' } });
  assert.equal(r.match('/other/path'), { value: 'any', params: { '*': 'other/path' } });
  const exact = new Router<number>();
  exact.add('/a/b', 1);
  assert.is(exact.match('/a'), undefined);
  assert.is(exact.match('/a/b/c'), undefined);
  assert.equal(exact.match('/a/b/'), { value: 1, params: {} });
});

test('bad patterns are TypeErrors; a bad escape stays as it is', () => {
  const r = new Router<number>();
  assert.throws(() => r.add('echo', 1), TypeError);
  assert.throws(() => r.add('/a/*/b', 1), TypeError);
  r.add('/:p', 1);
  assert.equal(r.match('/%E0%A4%A'), { value: 1, params: { p: '%E0%A4%A' } });
});

test.run();
