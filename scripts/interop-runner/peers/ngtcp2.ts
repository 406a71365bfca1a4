/**
 * The ngtcp2 peer: Debian's ngtcp2 example HTTP/3 server and client (gtlsserver, gtlsclient,
 * wrapped by scripts/peers/ngtcp2/), so every case runs over h3. The server serves the www
 * directory (Retry with -V, ChaCha20 only through a GnuTLS priority string); the client is driven
 * by peers/ngtcp2/client.sh in the case's mode (one connection, one per file, resumption or
 * 0-RTT with session and transport-parameter files, key update, another first version).
 * @module
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { TestCase } from '../cases.ts';
import { freeUdpPort, root, start, waitForUdpBind, type Running } from '../process.ts';
import type { Direction, Peer, PeerServer, Workdir } from './peer.ts';

/** GnuTLS priority string offering TLS 1.3 with ChaCha20-Poly1305 only. */
const CHACHA20_ONLY = 'NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+CHACHA20-POLY1305';
/** A reserved version (RFC 9000 §15) the client starts with in the versionnegotiation case. */
const UNKNOWN_VERSION = '0x1a2a3a4a';

export const ngtcp2Peer: Peer = {
  name: 'ngtcp2',
  application: 'h3',

  async prepare(): Promise<string | undefined> {
    // scripts/peers/ngtcp2/install.sh: 0 installed, 2 no apt-get here, anything else a failure.
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn('bash', [join(root, 'scripts/peers/ngtcp2/install.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
      child.once('exit', (c) => resolve(c));
      child.once('error', () => resolve(null));
    });
    if (code === 0) return undefined;
    if (code === 2) return 'ngtcp2 cannot be installed on this system (no apt-get)';
    throw new Error(`installing ngtcp2 failed (exit ${code})`);
  },

  unsupported(_tc: TestCase, _dir: Direction): string | undefined {
    return undefined;
  },

  async server(tc: TestCase, w: Workdir): Promise<PeerServer> {
    const port = await freeUdpPort();
    const flags: string[] = [];
    if (tc.serverCase === 'retry') flags.push('-V');
    if (tc.serverCase === 'chacha20') flags.push(`--ciphers=${CHACHA20_ONLY}`);
    const running = start('bash', [
      join(root, 'scripts/peers/ngtcp2/server.sh'), '127.0.0.1', String(port), w.www, join(w.certs, 'cert.pem'), join(w.certs, 'priv.key'), ...flags,
    ], { SSLKEYLOGFILE: w.keylog });
    const bound = await waitForUdpBind(running, port, 10_000);
    return bound ? { running, port } : { running, error: `ngtcp2 server did not start: ${running.stderr.slice(-300)}` };
  },

  client(tc: TestCase, w: Workdir, relayPort: number): Running {
    const flags: string[] = [];
    if (tc.clientCase === 'chacha20') flags.push(`--ciphers=${CHACHA20_ONLY}`);
    if (tc.clientCase === 'keyupdate') flags.push('--key-update=1ms');
    if (tc.clientCase === 'versionnegotiation') flags.push('-v', UNKNOWN_VERSION, '--preferred-versions=v1');
    // gtlsclient gives up a handshake after 10 s; with 30 % loss (or corruption) of every datagram,
    // three lost server flights in a row (PTOs of 1, 2, 4 s) already take that long. The case allows
    // minutes, so each handshake gets most of a connection's time.
    if (tc.relay && tc.mode === 'connection-per-file') flags.push('--handshake-timeout=50s');
    const urls = w.files.map((f) => `https://127.0.0.1:${relayPort}/${f.name}`);
    return start('bash', [join(root, 'scripts/interop-runner/peers/ngtcp2/client.sh'), ...urls], {
      MODE: tc.mode ?? 'single', OUT: w.downloads, STATE: w.dir, FLAGS: flags.join(' '), SSLKEYLOGFILE: w.keylog,
      CONNECTION_TIMEOUT: String(Math.min(60, tc.timeout)),
    });
  },
};
