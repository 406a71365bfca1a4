/**
 * Decrypts and decodes QUIC Initial packets: parses every coalesced packet of a datagram, derives
 * the Initial keys from the client's Destination Connection ID (RFC 9001 §5.2), removes header and
 * packet protection, and prints the frames.
 *
 *   npm start                          # the RFC 9001 Appendix A.2 client Initial
 *   npm start -- <hex> [--dcid <hex>]  # your own datagram; --dcid for server Initials
 */
import {
  QUIC_V1, fromHex, toHex, splitCoalescedPackets, deriveInitialKeys, unprotectPacket, decodeFrames, frameTypeName,
  TransportError, type Frame,
} from '@quicts/quic-core';
import { createNodeCryptoProvider } from '@quicts/quic-core/node';
import { loadVectors } from '@quicts/testkit';

const args = process.argv.slice(2);
const dcidFlag = args.indexOf('--dcid');
const clientDcidHex = dcidFlag >= 0 ? args.splice(dcidFlag, 2)[1] : undefined;
const sample = !args[0];
const datagram = fromHex(args[0] ?? loadVectors('rfc/rfc9001.json').client_initial.protected_packet);
const crypto = createNodeCryptoProvider();

function describe(frame: Frame): string {
  const { type, ...rest } = frame as Frame & Record<string, unknown>;
  const fields = Object.entries(rest).map(([k, v]) => {
    if (v instanceof Uint8Array) return `${k}=${v.length > 24 ? `<${v.length} bytes>` : toHex(v)}`;
    return `${k}=${JSON.stringify(v)}`;
  });
  return `${type} ${fields.join(' ')}`;
}

if (sample) console.log('No datagram given: decoding the RFC 9001 Appendix A.2 client Initial.\n');
console.log(`datagram: ${datagram.length} bytes`);
const { packets, error } = splitCoalescedPackets(datagram, { shortDcidLength: 0 });
let failures = 0;
for (const p of packets) {
  if (p.kind !== 'long' || p.type !== 'initial') {
    console.log(`packet at ${p.start}: ${p.kind === 'long' ? p.type : p.kind} (not an Initial; not decrypted)`);
    continue;
  }
  const version = p.version;
  const clientDcid = clientDcidHex ? fromHex(clientDcidHex) : p.dcid;
  const keys = deriveInitialKeys(crypto, version, clientDcid);
  const out = unprotectPacket(keys.client, datagram, p.start, p.pnOffset, p.end, -1)
    ?? unprotectPacket(keys.server, datagram, p.start, p.pnOffset, p.end, -1);
  console.log(`Initial v${version === QUIC_V1 ? '1' : '2'} dcid=${toHex(p.dcid)} scid=${toHex(p.scid)} token=${p.token.length}B length=${p.end - p.pnOffset}`);
  if (!out) {
    failures++;
    console.log('  cannot decrypt: wrong client DCID (use --dcid for server packets) or corrupted packet');
    continue;
  }
  console.log(`  packet number ${out.pn} (${out.pnLength} bytes), payload ${out.payload.length} bytes`);
  try {
    let padding = 0;
    for (const frame of decodeFrames(out.payload)) {
      if (frame.type === 'padding') {
        padding += frame.length;
        continue;
      }
      console.log(`  ${describe(frame)}`);
    }
    if (padding) console.log(`  padding ${padding} bytes`);
  } catch (e) {
    failures++;
    if (e instanceof TransportError) console.log(`  frame error: ${e.message} (frame ${frameTypeName(e.frameType)})`);
    else throw e;
  }
}
if (error) {
  failures++;
  console.log(`stopped at an unparseable packet: ${error.message}`);
}
process.exitCode = failures ? 1 : 0;
