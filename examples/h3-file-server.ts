/**
 * An HTTP/3 file server: serves a directory (default: the current one) over HTTP/3 with a
 * freshly generated ECDSA P-256 certificate valid for 13 days (so that browsers accept it by
 * hash), or with a given certificate. Prints the URL and the certificate's SHA-256 for
 * `serverCertificateHashes`, and shuts down gracefully (GOAWAY) on Ctrl-C.
 *
 * Run: node --conditions=source --import ./scripts/register-ts.mjs examples/h3-file-server.ts \
 *        [--root DIR] [--port 4433] [--host 127.0.0.1] [--cert cert.pem --key key.pem] [--once URL-PATH]
 * `--once PATH` fetches PATH from the server with our own client, prints the status and size,
 * and exits (a self-check).
 * @module
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generateSelfSignedCertificate } from '@quicts/quic-core';
import { createNodeCryptoProvider } from '@quicts/quic-core/node';
import { createH3Server, fileHandler, request } from '@quicts/h3/node';

const { values } = parseArgs({
  options: {
    root: { type: 'string', default: '.' },
    port: { type: 'string', default: '4433' },
    host: { type: 'string', default: '127.0.0.1' },
    cert: { type: 'string' },
    key: { type: 'string' },
    once: { type: 'string' },
  },
});

const crypto = createNodeCryptoProvider();
let cert: string;
let key: string;
let hash: Uint8Array | undefined;
if (values.cert && values.key) {
  cert = readFileSync(values.cert, 'utf8');
  key = readFileSync(values.key, 'utf8');
} else {
  const generated = generateSelfSignedCertificate(crypto, { now: Date.now(), validityDays: 13, names: ['localhost', '127.0.0.1', '::1'] });
  cert = generated.certificatePem;
  key = generated.privateKeyPem;
  hash = generated.sha256;
}

const root = resolve(values.root);
const server = await createH3Server({ cert, key, host: values.host, port: Number(values.port), handler: fileHandler(root) });
const host = server.address.address.includes(':') ? `[${server.address.address}]` : server.address.address;
const origin = `https://${host}:${server.address.port}`;
console.log(`HTTP/3 file server: ${origin}/ serving ${root}`);
if (hash) console.log(`certificate SHA-256 (base64): ${btoa(String.fromCharCode(...hash))}`);

if (values.once !== undefined) {
  const res = await request(`${origin}${values.once}`, hash ? { verify: { serverCertificateHashes: [hash] } } : { verify: { insecure: true } });
  const body = await res.bytes();
  console.log(`GET ${values.once}: ${res.status}, ${body.length} bytes`);
  await server.close({ timeout: 1000 });
} else {
  const stop = (): void => {
    console.log('shutting down (GOAWAY)');
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
