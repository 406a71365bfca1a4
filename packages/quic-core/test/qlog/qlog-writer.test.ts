import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openQlogFile } from '../../src/node/qlog-writer.ts';
import { QlogTrace, parseJsonSeq } from '../../src/qlog/index.ts';

test('a trace written through the file sink reads back as JSON-SEQ', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qlog-'));
  try {
    const file = openQlogFile(join(dir, 'nested'), Uint8Array.of(0xde, 0xad), 'server');
    assert.ok(file.path.endsWith('dead_server.sqlog'));
    const trace = new QlogTrace({ sink: file.sink, vantagePoint: 'server', referenceNow: 0, odcid: Uint8Array.of(0xde, 0xad) });
    trace.packetReceived(1, { header: { packetType: 'initial', packetNumber: 0 } });
    trace.connectionClosed(2, { trigger: 'idle_timeout' });
    await file.close();
    await file.close();
    const records = parseJsonSeq(readFileSync(file.path, 'utf8')) as Record<string, unknown>[];
    assert.is(records.length, 3);
    assert.is(records[0]!['qlog_format'], 'JSON-SEQ');
    assert.is(records[2]!['name'], 'quic:connection_closed');
    file.sink('ignored after close');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
