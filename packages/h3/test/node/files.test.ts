import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileHandler, type H3ServerRequest, type H3ServerResponse } from '@quicts/h3/node';

const root = mkdtempSync(join(tmpdir(), 'quicts-files-'));
const www = join(root, 'www');
mkdirSync(join(www, 'sub', 'empty'), { recursive: true });
writeFileSync(join(www, 'index.html'), '<!doctype html><p>top');
writeFileSync(join(www, 'sub', 'index.html'), '<!doctype html><p>sub');
writeFileSync(join(www, 'data.bin'), new Uint8Array([1, 2, 3]));
writeFileSync(join(www, 'notes.TXT'), 'notes');
writeFileSync(join(www, 'app.js'), 'export {}');
writeFileSync(join(root, 'secret.txt'), 'outside the root');

const handler = fileHandler(www);

/** The handler's answer to `method path` (the handler reads only these two fields). */
async function serve(method: string, path: string): Promise<{ status: number; headers: Headers; body: string | undefined }> {
  const req = { method, path } as unknown as H3ServerRequest;
  const res: H3ServerResponse = await handler(req);
  const headers = new Headers(res.headers as HeadersInit | undefined);
  const body = res.body === undefined || res.body === null ? undefined : await new Response(res.body as BodyInit).text();
  return { status: res.status ?? 200, headers, body };
}

test('fileHandler: / serves index.html as text/html', async () => {
  const r = await serve('GET', '/');
  assert.is(r.status, 200);
  assert.is(r.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.is(r.headers.get('content-length'), String('<!doctype html><p>top'.length));
  assert.is(r.body, '<!doctype html><p>top');
});

test('fileHandler: a subdirectory, with and without the trailing slash, serves its index.html', async () => {
  for (const p of ['/sub/', '/sub', '/sub/index.html?x=1']) {
    const r = await serve('GET', p);
    assert.is(r.status, 200, p);
    assert.is(r.body, '<!doctype html><p>sub', p);
  }
});

test('fileHandler: a directory without index.html is 404', async () => {
  assert.is((await serve('GET', '/sub/empty/')).status, 404);
});

test('fileHandler: content-type by extension (case-insensitive), octet-stream otherwise', async () => {
  assert.is((await serve('GET', '/data.bin')).headers.get('content-type'), 'application/octet-stream');
  assert.is((await serve('GET', '/notes.TXT')).headers.get('content-type'), 'text/plain; charset=utf-8');
  assert.is((await serve('GET', '/app.js')).headers.get('content-type'), 'text/javascript; charset=utf-8');
});

test('fileHandler: HEAD has the headers and no body', async () => {
  const r = await serve('HEAD', '/data.bin');
  assert.is(r.status, 200);
  assert.is(r.headers.get('content-length'), '3');
  assert.is(r.body, undefined);
});

test('fileHandler: nothing outside the root, missing files 404, other methods 405', async () => {
  for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/sub/../../secret.txt', '/missing.html']) {
    assert.is((await serve('GET', p)).status, 404, p);
  }
  const post = await serve('POST', '/data.bin');
  assert.is(post.status, 405);
  assert.is(post.headers.get('allow'), 'GET, HEAD');
});

test.after(() => {
  rmSync(root, { recursive: true, force: true });
});

test.run();
