/**
 * The offline interop corpus (test-vectors/qpack, QIF format): other encoders' output decoded
 * by our decoder, malformed files rejected, and our encoder's output round-tripped through our
 * decoder in the same framing, with compressed sizes reported.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadBytes, loadText, vectorsUrl } from '@quicts/testkit';
import { QpackError, QpackErrorCode, type QpackField } from '@quicts/h3';
import { decodeInterop, encodeInterop, formatQif, main, parseInteropFile, parseQif } from '../../../../scripts/qpack-interop.ts';

const ENCODED = 'qpack/encoded/qpack-05/';

/** Expected decoder output for a .qif: comment lines dropped, lists in order. */
function expected(qif: string): string {
  return formatQif(parseQif(loadText(qif)).map((fields, i) => ({ streamId: i, fields })));
}

function corpusFiles(): { path: string; qif: string; tableSize: number; maxBlocked: number }[] {
  const out = [];
  for (const entry of readdirSync(vectorsUrl(ENCODED)).sort()) {
    if (entry === 'draft-examples.out') {
      // table and settings are not in its name; it was made with capacity 220
      out.push({ path: ENCODED + entry, qif: 'qpack/qifs/draft-examples.qif', tableSize: 220, maxBlocked: 100 });
      continue;
    }
    for (const file of readdirSync(vectorsUrl(ENCODED + entry + '/')).sort()) {
      const m = /^(.+)\.out\.(\d+)\.(\d+)\.([01])$/.exec(file);
      assert.ok(m, file);
      const qif = m[1] === 'examples' ? 'qpack/qifs-extra/rfc9204-appendix-b.qif' : `qpack/qifs/${m[1]}.qif`;
      out.push({ path: `${ENCODED}${entry}/${file}`, qif, tableSize: Number(m[2]), maxBlocked: Number(m[3]) });
    }
  }
  return out;
}

test('every corpus file decodes to exactly the header lists of its .qif', () => {
  const files = corpusFiles();
  assert.is(files.length, 170);
  const encoders = new Set<string>();
  for (const { path, qif, tableSize, maxBlocked } of files) {
    const lists = decodeInterop(loadBytes(path), { tableSize, maxBlocked });
    assert.fixture(formatQif(lists), expected(qif), path);
    encoders.add(path.split('/')[3]!);
  }
  assert.equal([...encoders].sort(), ['draft-examples.out', 'examples', 'ls-qpack', 'nghttp3', 'proxygen', 'qthingey']);
});

test('the RFC 9204 Appendix B file is the RFC example, stream ids 4, 8, 12', () => {
  const blocks = parseInteropFile(loadBytes(ENCODED + 'examples/examples.out.220.100.1'));
  assert.equal(blocks.map((b) => b.streamId), [4, 0, 8, 0, 0, 12, 0]);
  const lists = decodeInterop(loadBytes(ENCODED + 'examples/examples.out.220.100.1'), { tableSize: 220, maxBlocked: 100 });
  assert.equal(lists.map((l) => l.streamId), [4, 8, 12]);
});

test('error files: malformed ones are rejected with a QpackError, err9 and err10 are valid under RFC 9204', () => {
  const codes: Record<string, number> = {};
  for (const name of readdirSync(vectorsUrl('qpack/encoded/errors/'))) {
    const bytes = loadBytes(`qpack/encoded/errors/${name}`);
    for (const [tableSize, maxBlocked] of [[4096, 100], [0, 0]] as const) {
      if (name === 'err9' || name === 'err10') {
        // indexed static 0 and 62: errors only for the HPACK-style 1-based, 61-entry table
        const lists = decodeInterop(bytes, { tableSize, maxBlocked });
        assert.equal(lists[0]!.fields.map((f) => [f.name, f.value]), name === 'err9' ? [[':authority', '']] : [['x-xss-protection', '1; mode=block']]);
        continue;
      }
      try {
        decodeInterop(bytes, { tableSize, maxBlocked });
        assert.unreachable(`${name} accepted`);
      } catch (e) {
        assert.instance(e, QpackError, name);
        codes[name] = (e as QpackError).code;
      }
    }
  }
  const F = QpackErrorCode.QPACK_DECOMPRESSION_FAILED;
  const E = QpackErrorCode.QPACK_ENCODER_STREAM_ERROR;
  assert.equal(codes, { err1: F, err2: F, err3: F, err4: F, err5: F, err6: F, err7: F, err8: F, err11: E, err12: E });
});

function rawSize(lists: readonly QpackField[][]): number {
  let n = 0;
  for (const l of lists) for (const f of l) n += f.name.length + f.value.length;
  return n;
}

test('our encoder round-trips every .qif at tables 0/256/4096, blocked 0/100, ack modes 0/1, and uses the table', () => {
  const sizes = new Map<string, number>();
  const report: string[] = [];
  const qifs = readdirSync(vectorsUrl('qpack/qifs/')).filter((q) => q !== 'draft-examples.qif').sort();
  for (const q of [...qifs.map((x) => `qpack/qifs/${x}`), 'qpack/qifs-extra/rfc9204-appendix-b.qif']) {
    const lists = parseQif(loadText(q));
    const want = formatQif(lists.map((fields, i) => ({ streamId: i + 1, fields })));
    const row: string[] = [];
    for (const tableSize of [0, 256, 4096]) {
      for (const maxBlocked of [0, 100]) {
        for (const immediateAck of [false, true]) {
          const bytes = encodeInterop(lists, { tableSize, maxBlocked, immediateAck });
          assert.fixture(formatQif(decodeInterop(bytes, { tableSize, maxBlocked })), want, `${q} ${tableSize}.${maxBlocked}.${+immediateAck}`);
          sizes.set(`${q.split('/').pop()} ${tableSize}.${maxBlocked}.${+immediateAck}`, bytes.length);
          row.push(`${tableSize}.${maxBlocked}.${+immediateAck}=${bytes.length}`);
        }
      }
    }
    report.push(`  ${q.split('/').pop()!.padEnd(25)} raw ${String(rawSize(lists)).padStart(6)}  ${row.join(' ')}`);
  }
  console.log(`\nQPACK encoder output in interop framing (bytes; T.B.A = table, blocked, immediate ack):\n${report.join('\n')}`);
  for (const q of ['netbsd.qif', 'fb-req.qif', 'fb-resp.qif']) {
    const without = sizes.get(`${q} 0.100.1`)!;
    const withTable = sizes.get(`${q} 4096.100.1`)!;
    assert.ok(withTable < without * 0.6, `${q}: ${withTable} vs ${without}`);
    // even when nothing may block, acknowledged entries make a clear difference
    assert.ok(sizes.get(`${q} 4096.0.1`)! < without * 0.7, q);
  }
});

test('the tool: decode writes QIF in stream-id order, encode writes the framing, errors give the code', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qpack-interop-'));
  try {
    const vectors = fileURLToPath(vectorsUrl(''));
    const out = join(dir, 'out.qif');
    const input = join(vectors, ENCODED, 'nghttp3/netbsd.out.4096.100.1');
    assert.is(main(['decode', input, out, '--table-size', '4096', '--max-blocked', '100']), 0);
    assert.fixture(readFileSync(out, 'utf8'), expected('qpack/qifs/netbsd.qif'));
    const encoded = join(dir, 'netbsd.out.256.0.1');
    assert.is(main(['encode', join(vectors, 'qpack/qifs/netbsd.qif'), encoded, '--table-size', '256', '--max-blocked', '0', '--immediate-ack', '1']), 0);
    assert.is(main(['decode', encoded, out, '--table-size', '256', '--max-blocked', '0']), 0);
    assert.fixture(readFileSync(out, 'utf8'), expected('qpack/qifs/netbsd.qif'));
    let stderr = '';
    const io = { stderr: (s: string) => void (stderr += s) };
    assert.is(main(['decode', join(vectors, 'qpack/encoded/errors/err4'), out, '--table-size', '0', '--max-blocked', '0'], io), 1);
    assert.match(stderr, /^QPACK_DECOMPRESSION_FAILED \(0x200\)/);
    // proxygen sends a section before the inserts it needs: with no blocked streams allowed it fails
    const early = join(vectors, ENCODED, 'proxygen/netbsd.out.4096.100.1');
    assert.is(main(['decode', early, out, '--table-size', '4096', '--max-blocked', '0'], io), 1);
    assert.match(stderr, /QPACK_DECOMPRESSION_FAILED \(0x200\): more than 0 blocked streams/);
    assert.is(main(['decode', input], io), 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
