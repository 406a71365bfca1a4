/**
 * The Deno peer: Deno's built-in QUIC (quinn + rustls) as an hq-interop server and client
 * (packages/quic-core/test/peers/deno/hq-server.ts and hq-client.ts, shared with the real-peer tests).
 * @module
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TestCase } from '../cases.ts';
import { root, start, waitForListening, type Running } from '../process.ts';
import type { Direction, Peer, PeerServer, Workdir } from './peer.ts';

function denoBinary(): string {
  if (process.env.DENO) return process.env.DENO;
  const local = join(root, 'node_modules/@deno/linux-x64-glibc/deno');
  return existsSync(local) ? local : 'deno';
}

export const denoPeer: Peer = {
  name: 'deno',
  application: 'hq-interop',

  unsupported(tc: TestCase, dir: Direction): string | undefined {
    if (dir === 'ours-client' && tc.name === 'retry') return "Deno's QUIC server cannot be made to send Retry";
    if (tc.name === 'http3' && dir !== 'ours-ours') return "Deno's QUIC peer speaks hq-interop only (no HTTP/3)";
    if (dir === 'peer-client' && tc.name === 'keyupdate') return "Deno's QUIC client cannot be made to update keys (quinn does so after a random 10-999 packets)";
    if (tc.name === 'versionnegotiation' && dir === 'peer-client') return "Deno's QUIC client cannot be made to start with another QUIC version";
    return undefined;
  },

  async server(_tc: TestCase, w: Workdir): Promise<PeerServer> {
    const running = start(denoBinary(), [
      'run', '--unstable-net', '-A', join(root, 'packages/quic-core/test/peers/deno/hq-server.ts'), '--host', '127.0.0.1', '--port', '0',
      '--cert', join(w.certs, 'cert.pem'), '--key', join(w.certs, 'priv.key'), '--www', w.www, '-q',
    ], {});
    const port = await waitForListening(running, 20_000);
    return port === undefined ? { running, error: `peer server did not start: ${running.stderr.slice(-300)}` } : { running, port };
  },

  client(tc: TestCase, w: Workdir, relayPort: number): Running {
    const mode: string[] = [];
    switch (tc.mode ?? 'single') {
      case 'single': mode.push('--parallel'); break;
      case 'connection-per-file': mode.push('--connections', '1', '--parallel'); break;
      case 'resume': mode.push('--resume', '--connections', '1'); break;
      case 'zerortt': mode.push('--zero-rtt'); break;
    }
    const urls = w.files.map((f) => `https://127.0.0.1:${relayPort}/${f.name}`);
    return start(denoBinary(), [
      'run', '--unstable-net', '-A', join(root, 'packages/quic-core/test/peers/deno/hq-client.ts'), '--cert-hash', w.certHash,
      '--out', w.downloads, '-q', '--timeout', String(tc.timeout), ...mode, ...urls,
    ], {});
  },
};
