import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TlsClient, TlsServer, derToPem } from '@quicts/quic-core';
import { createNodeCryptoProvider } from '@quicts/quic-core/node';
import { keyLogFileFromEnv, openKeyLogFile } from '../../src/node/tls-keylog.ts';
import { SYSTEM_TRUST_STORE_PATHS, loadSystemTrustStore, loadTrustStore } from '../../src/node/tls-trust-store.ts';
import { NOW, drain, keys, makeCertificate, pump } from './helpers.ts';

const t = suite('TLS node helpers: trust store, SSLKEYLOGFILE');
const crypto = createNodeCryptoProvider();
const dir = mkdtempSync(join(tmpdir(), 'quicts-tls-'));

t('a PEM bundle becomes trust anchors; junk blocks are skipped; the anchors verify a chain', () => {
  const ca = makeCertificate(crypto, { subject: 'Bundle CA', subjectKey: keys.ca, issuer: 'Bundle CA', issuerKey: keys.ca, isCa: true, serial: 1 });
  const leaf = makeCertificate(crypto, { subject: 'server', subjectKey: keys.p256, issuer: 'Bundle CA', issuerKey: keys.ca, names: ['example.test'], serial: 2 });
  const path = join(dir, 'bundle.pem');
  writeFileSync(path, `# comment\n${derToPem(ca)}\n-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n`);
  const store = loadTrustStore(path);
  assert.is(store.anchors.length, 1);
  assert.is(store.skipped, 1);
  const client = new TlsClient({
    crypto, alpnProtocols: ['h3'], transportParameters: Uint8Array.of(1), now: NOW, serverName: 'example.test',
    verify: { mode: 'chain', trustAnchors: store.anchors },
  });
  const server = new TlsServer({ crypto, alpnProtocols: ['h3'], transportParameters: Uint8Array.of(2), now: NOW, certificate: { chain: [leaf], privateKey: keys.p256.pkcs8 } });
  pump(client, server);
  assert.not.ok(client.isHandshaking);
});

t('the system store loads where there is one; missing paths give undefined', () => {
  assert.is(loadSystemTrustStore([join(dir, 'missing.pem')]), undefined);
  const present = SYSTEM_TRUST_STORE_PATHS.find((p) => existsSync(p));
  const system = loadSystemTrustStore();
  if (!present) {
    assert.is(system, undefined);
    return;
  }
  assert.ok(system && system.anchors.length > 10, `anchors from ${present}`);
});

t('SSLKEYLOGFILE: the engine key-log lines are appended, file mode 0600', () => {
  const path = join(dir, 'keys.log');
  const log = openKeyLogFile(path);
  const ca = makeCertificate(crypto, { subject: 'CA', subjectKey: keys.ca, issuer: 'CA', issuerKey: keys.ca, isCa: true });
  const leaf = makeCertificate(crypto, { subject: 's', subjectKey: keys.p256, issuer: 'CA', issuerKey: keys.ca, names: ['example.test'], serial: 3 });
  const client = new TlsClient({
    crypto, alpnProtocols: ['h3'], transportParameters: Uint8Array.of(1), now: NOW, serverName: 'example.test', keyLog: true,
    verify: { mode: 'chain', trustAnchors: [ca] },
  });
  pump(client, new TlsServer({ crypto, alpnProtocols: ['h3'], transportParameters: Uint8Array.of(2), now: NOW, certificate: { chain: [leaf], privateKey: keys.p256.pkcs8 } }));
  for (const e of drain(client)) if (e.type === 'keylog') log.write(e.line);
  log.close();
  log.write('ignored after close');
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  assert.is(lines.length, 5);
  assert.ok(lines.every((l) => /^[A-Z_0-9]+ [0-9a-f]{64} [0-9a-f]{64}$/.test(l)), lines.join('\n'));
  if (process.platform !== 'win32') assert.is(statSync(path).mode & 0o777, 0o600);
  const again = keyLogFileFromEnv({ SSLKEYLOGFILE: path });
  again?.write('CLIENT_RANDOM x y');
  again?.close();
  assert.is(readFileSync(path, 'utf8').trim().split('\n').length, 6, 'appends');
  assert.is(keyLogFileFromEnv({}), undefined);
});

t.after(() => rmSync(dir, { recursive: true, force: true }));
t.run();
