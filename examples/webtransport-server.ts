/**
 * The WebTransport example and test server: every route of the browser scenario contract
 * (/echo, /server-bidi, /server-close), a freshly generated ECDSA P-256 certificate valid for 10
 * days (browsers accept it through `serverCertificateHashes`), and a demo page on
 * http://localhost that connects to it and shows stream echoes and datagram round trips.
 *
 * Run: npm start -- [--port 4433] [--host 127.0.0.1] [--http-port 8080] [--cert cert.pem --key key.pem]
 *        [--verbose] (one line per session: path, dialect, how it ended)
 * Prints the certificate hash (base64), the demo page's address, and when ready the line
 * `listening https://HOST:PORT`. Ctrl-C closes every session and exits.
 * @module
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { generateSelfSignedCertificate, pemToDerList } from '@quicts/quic-core';
import { createNodeCryptoProvider } from '@quicts/quic-core/node';
import { createWebTransportServer } from '@quicts/webtransport/node';
import { installScenarios } from './webtransport/scenarios.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4433' },
    host: { type: 'string', default: '127.0.0.1' },
    'http-port': { type: 'string', default: '8080' },
    cert: { type: 'string' },
    key: { type: 'string' },
    quiet: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
});

const crypto = createNodeCryptoProvider();
let cert: string;
let key: string;
if (values.cert !== undefined || values.key !== undefined) {
  if (values.cert === undefined || values.key === undefined) throw new TypeError('--cert and --key go together');
  cert = readFileSync(values.cert, 'utf8');
  key = readFileSync(values.key, 'utf8');
} else {
  const generated = generateSelfSignedCertificate(crypto, { now: Date.now(), validityDays: 10, names: ['localhost', '127.0.0.1', '::1'] });
  cert = generated.certificatePem;
  key = generated.privateKeyPem;
}
const der = pemToDerList(cert)[0]!;
const hash = btoa(String.fromCharCode(...crypto.hash('sha256', der)));

const server = await createWebTransportServer({
  cert, key, host: values.host, port: Number(values.port),
  onError: (err, request) => {
    if (!values.quiet) console.error(`session ${request.path}: ${String(err)}`);
  },
});
installScenarios(server, values.verbose ? (line) => console.log(line) : undefined);

const addr = server.address;
const host = addr.address.includes(':') ? `[${addr.address}]` : addr.address;
const origin = `https://${host}:${addr.port}`;

const page = readFileSync(new URL('./webtransport/demo.html', import.meta.url), 'utf8');
const config = `<script>window.WT_DEMO = ${JSON.stringify({ url: `${origin}/echo`, hash })};</script>\n`;
const http = createServer((req, res) => {
  if (req.url !== '/' && req.url !== '/index.html') {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(config + page);
});
const httpPort = Number(values['http-port']);
await new Promise<void>((resolve) => {
  http.once('error', (e) => {
    console.error(`demo page not served: ${e.message}`);
    resolve();
  });
  http.listen(httpPort, values.host, () => resolve());
});
const httpAddr = http.address();

console.log(`certificate SHA-256 (base64): ${hash}`);
if (httpAddr !== null && typeof httpAddr === 'object') console.log(`demo page: http://localhost:${httpAddr.port}/`);
console.log(`routes: /echo /server-bidi /server-close`);
console.log(`listening ${origin}`);

const stop = (): void => {
  http.close();
  http.closeAllConnections();
  setTimeout(() => process.exit(0), 3000).unref();
  void server.close({ timeout: 1000 }).finally(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
