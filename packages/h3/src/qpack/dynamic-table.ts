/**
 * The QPACK dynamic table (RFC 9204 §3.2): a FIFO of entries with absolute indices, a capacity,
 * and eviction from the oldest end. Entry size is name + value + 32 bytes (§3.2.1), counted in
 * wire bytes.
 *
 * The encoder uses the same table with two extras: lookup maps from name and from name + value
 * to the newest matching entry, and per-entry reference counts of unacknowledged field sections,
 * so that it never evicts an entry that is not yet evictable (§2.1.1) and can keep a draining
 * area of old entries that it no longer references (§2.1.1.1).
 * @module
 */

/** Size overhead of every entry (RFC 9204 §3.2.1). */
export const ENTRY_OVERHEAD = 32;

export interface DynamicEntry {
  readonly name: string;
  readonly value: string;
  /** Name length in bytes. */
  readonly nameSize: number;
  /** name + value + 32, in bytes. */
  readonly size: number;
  /** Unacknowledged field sections referencing this entry (encoder only). */
  refs: number;
}

/** A snapshot row, for tests and diagnostics. */
export interface DynamicTableRow {
  readonly absoluteIndex: number;
  readonly name: string;
  readonly value: string;
  readonly size: number;
  readonly refs: number;
}

export class DynamicTable {
  /** Current capacity (set with Set Dynamic Table Capacity). */
  capacity = 0;
  /** Sum of entry sizes. */
  size = 0;
  /** Total number of insertions so far; the next entry gets this absolute index. */
  insertCount = 0;
  private entries: DynamicEntry[] = [];
  private head = 0;
  private readonly byName: Map<string, number> | undefined;
  private readonly byField: Map<string, Map<string, number>> | undefined;

  /** `indexed` keeps lookup maps (needed by the encoder only). */
  constructor(options: { indexed?: boolean } = {}) {
    if (options.indexed) {
      this.byName = new Map();
      this.byField = new Map();
    }
  }

  /** Number of entries currently in the table. */
  get length(): number {
    return this.entries.length - this.head;
  }

  /** Absolute index of the oldest entry still present (= number of entries evicted so far). */
  get droppedCount(): number {
    return this.insertCount - this.length;
  }

  /** The entry with this absolute index, or undefined if it was evicted or not yet inserted. */
  get(absoluteIndex: number): DynamicEntry | undefined {
    const i = absoluteIndex - this.droppedCount;
    if (i < 0 || absoluteIndex >= this.insertCount) return undefined;
    return this.entries[this.head + i];
  }

  /** Sets the capacity, evicting the oldest entries until the table fits (RFC 9204 §3.2.2). */
  setCapacity(capacity: number): void {
    this.capacity = capacity;
    while (this.size > capacity) this.evictOldest();
  }

  /**
   * Whether an entry of `size` bytes can be inserted by evicting only entries below absolute
   * index `evictableBelow` that no unacknowledged section references (RFC 9204 §2.1.1).
   */
  canInsert(size: number, evictableBelow = Infinity): boolean {
    if (size > this.capacity) return false;
    let free = this.capacity - this.size;
    if (free >= size) return true;
    const end = Math.min(this.insertCount, evictableBelow);
    for (let abs = this.droppedCount; abs < end; abs++) {
      const e = this.entries[this.head + abs - this.droppedCount]!;
      if (e.refs > 0) return false;
      free += e.size;
      if (free >= size) return true;
    }
    return false;
  }

  /**
   * Inserts an entry, evicting the oldest entries to make room (RFC 9204 §3.2.2). Sizes are the
   * name and value lengths in bytes; the caller has checked that the entry fits the capacity.
   * Returns the new entry's absolute index.
   */
  insert(name: string, value: string, nameSize: number, valueSize: number): number {
    const size = nameSize + valueSize + ENTRY_OVERHEAD;
    while (this.size + size > this.capacity && this.length > 0) this.evictOldest();
    const abs = this.insertCount++;
    this.entries.push({ name, value, nameSize, size, refs: 0 });
    this.size += size;
    if (this.byName !== undefined && this.byField !== undefined) {
      this.byName.set(name, abs);
      let values = this.byField.get(name);
      if (values === undefined) this.byField.set(name, (values = new Map()));
      values.set(value, abs);
    }
    return abs;
  }

  /** Newest absolute index holding exactly (`name`, `value`), or -1 (indexed tables only). */
  findField(name: string, value: string): number {
    return this.byField?.get(name)?.get(value) ?? -1;
  }

  /** Newest absolute index whose name is `name`, or -1 (indexed tables only). */
  findName(name: string): number {
    return this.byName?.get(name) ?? -1;
  }

  /**
   * The draining index (RFC 9204 §2.1.1.1): the smallest absolute index such that the free space
   * plus the entries below it add up to at least `reserve` bytes. An encoder that stops
   * referencing entries below it lets them become evictable.
   */
  drainingIndex(reserve: number): number {
    let free = this.capacity - this.size;
    let abs = this.droppedCount;
    while (free < reserve && abs < this.insertCount) {
      free += this.entries[this.head + abs - this.droppedCount]!.size;
      abs++;
    }
    return abs;
  }

  /** Rows oldest first. */
  snapshot(): DynamicTableRow[] {
    const rows: DynamicTableRow[] = [];
    const first = this.droppedCount;
    for (let i = this.head; i < this.entries.length; i++) {
      const e = this.entries[i]!;
      rows.push({ absoluteIndex: first + i - this.head, name: e.name, value: e.value, size: e.size, refs: e.refs });
    }
    return rows;
  }

  private evictOldest(): void {
    const abs = this.droppedCount;
    const e = this.entries[this.head]!;
    this.entries[this.head] = undefined as unknown as DynamicEntry; // release for GC
    this.head++;
    this.size -= e.size;
    if (this.byName !== undefined && this.byField !== undefined) {
      if (this.byName.get(e.name) === abs) this.byName.delete(e.name);
      const values = this.byField.get(e.name);
      if (values !== undefined && values.get(e.value) === abs) {
        values.delete(e.value);
        if (values.size === 0) this.byField.delete(e.name);
      }
    }
    // Compact the backing array once the evicted prefix dominates it (amortized O(1)).
    if (this.head >= 32 && this.head * 2 >= this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }
}
