/**
 * A bounded memory of recently encoded field lines, for the encoder's insertion policy: a line
 * seen again soon is worth a dynamic table entry even where a first sighting is not (small
 * tables, or when new entries cannot be referenced yet).
 * @module
 */

export class FieldHistory {
  private readonly ring: string[];
  private next = 0;
  private readonly counts = new Map<string, number>();

  constructor(readonly size: number) {
    this.ring = new Array<string>(size).fill('');
  }

  /** Records a line; returns whether it was already among the last `size` lines. */
  see(name: string, value: string): boolean {
    if (this.size === 0) return false;
    const key = `${name}\0${value}`;
    const seen = this.counts.has(key);
    const old = this.ring[this.next]!;
    if (old !== '') {
      const n = this.counts.get(old)! - 1;
      if (n === 0) this.counts.delete(old);
      else this.counts.set(old, n);
    }
    this.ring[this.next] = key;
    this.next = (this.next + 1) % this.size;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    return seen;
  }
}
