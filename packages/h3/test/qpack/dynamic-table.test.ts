import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { QpackDynamicTable } from '@quicts/h3';

function insert(t: QpackDynamicTable, name: string, value: string): number {
  return t.insert(name, value, name.length, value.length);
}

test('entry size is name + value + 32; absolute indices grow from 0', () => {
  const t = new QpackDynamicTable();
  t.setCapacity(220);
  assert.is(insert(t, ':authority', 'www.example.com'), 0);
  assert.is(insert(t, ':path', '/sample/path'), 1);
  assert.is(t.size, 106); // RFC 9204 Appendix B.2
  assert.is(t.insertCount, 2);
  assert.is(t.get(0)!.value, 'www.example.com');
  assert.is(t.get(2), undefined);
  assert.is(t.get(-1), undefined);
});

test('RFC 9204 Appendix B.5: inserting past the capacity evicts the oldest entry', () => {
  const t = new QpackDynamicTable();
  t.setCapacity(220);
  insert(t, ':authority', 'www.example.com');
  insert(t, ':path', '/sample/path');
  insert(t, 'custom-key', 'custom-value');
  insert(t, ':authority', 'www.example.com');
  assert.is(t.size, 217);
  insert(t, 'custom-key', 'custom-value2');
  assert.is(t.size, 215);
  assert.is(t.droppedCount, 1);
  assert.is(t.get(0), undefined);
  assert.equal(t.snapshot().map((r) => [r.absoluteIndex, r.name, r.value]), [
    [1, ':path', '/sample/path'],
    [2, 'custom-key', 'custom-value'],
    [3, ':authority', 'www.example.com'],
    [4, 'custom-key', 'custom-value2'],
  ]);
});

test('reducing the capacity evicts; capacity 0 empties the table', () => {
  const t = new QpackDynamicTable();
  t.setCapacity(200);
  for (let i = 0; i < 4; i++) insert(t, 'k', `v${i}`);
  assert.is(t.length, 4);
  t.setCapacity(70);
  assert.is(t.length, 2);
  assert.is(t.droppedCount, 2);
  t.setCapacity(0);
  assert.is(t.length, 0);
  assert.is(t.size, 0);
  assert.is(t.insertCount, 4);
});

test('indexed lookups point at the newest copy and forget evicted entries', () => {
  const t = new QpackDynamicTable({ indexed: true });
  t.setCapacity(70); // two 34-byte entries
  insert(t, 'a', '1');
  insert(t, 'a', '2');
  assert.is(t.findName('a'), 1);
  assert.is(t.findField('a', '1'), 0);
  insert(t, 'a', '1'); // duplicate; evicts entry 0
  assert.is(t.findField('a', '1'), 2);
  insert(t, 'b', '3'); // evicts entry 1
  assert.is(t.findField('a', '2'), -1);
  assert.is(t.findName('a'), 2);
  insert(t, 'c', '4'); // evicts entry 2
  assert.is(t.findName('a'), -1);
  assert.is(t.findField('a', '1'), -1);
});

test('canInsert respects references and the acknowledged boundary (RFC 9204 §2.1.1)', () => {
  const t = new QpackDynamicTable({ indexed: true });
  t.setCapacity(100);
  insert(t, 'a', 'x'); // 34
  insert(t, 'b', 'y'); // 34, size 68
  assert.ok(t.canInsert(32)); // fits in free space
  assert.not.ok(t.canInsert(40, 0)); // would evict entry 0, which is not acknowledged
  assert.ok(t.canInsert(40, 1));
  t.get(0)!.refs = 1;
  assert.not.ok(t.canInsert(40, 2)); // referenced
  t.get(0)!.refs = 0;
  assert.not.ok(t.canInsert(101, 2)); // larger than the capacity
  assert.ok(t.canInsert(100, 2));
});

test('draining index: the oldest entries covering the reserve beyond free space', () => {
  const t = new QpackDynamicTable();
  t.setCapacity(136);
  for (let i = 0; i < 4; i++) insert(t, 'k', String(i)); // 34 each, full
  assert.is(t.drainingIndex(0), 0);
  assert.is(t.drainingIndex(34), 1);
  assert.is(t.drainingIndex(35), 2);
  assert.is(t.drainingIndex(1000), 4);
});

test('long runs keep working across internal compaction', () => {
  const t = new QpackDynamicTable({ indexed: true });
  t.setCapacity(34 * 5);
  for (let i = 0; i < 1000; i++) {
    insert(t, 'k', String(i % 10));
    assert.ok(t.length <= 5);
  }
  assert.is(t.insertCount, 1000);
  assert.is(t.get(995)!.value, '5');
  assert.is(t.get(994), undefined);
  assert.is(t.findField('k', '9'), 999);
});

test.run();
