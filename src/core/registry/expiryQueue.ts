// Items ordered by when they expire: a binary min-heap with a position index, so adding, moving
// and removing an item cost O(log n) and finding what expired costs O(log n) per expired item.
// The registry uses it so that checking for expired devices every second doesn't visit them all.

interface Slot<T> {
  readonly item: T;
  at: number;
}

export class ExpiryQueue<T> {
  private readonly heap: Slot<T>[] = [];
  private readonly positions = new Map<T, number>();

  get size(): number {
    return this.heap.length;
  }

  has(item: T): boolean {
    return this.positions.has(item);
  }

  /** When `item` is due, or undefined if it isn't queued. */
  dueAt(item: T): number | undefined {
    const i = this.positions.get(item);
    return i === undefined ? undefined : this.heap[i]!.at;
  }

  /** Queues `item` to be due at `at`, or moves it there if already queued. */
  set(item: T, at: number): void {
    const i = this.positions.get(item);
    if (i === undefined) {
      this.heap.push({ item, at });
      this.positions.set(item, this.heap.length - 1);
      this.up(this.heap.length - 1);
      return;
    }
    const old = this.heap[i]!.at;
    this.heap[i]!.at = at;
    if (at < old) this.up(i);
    else this.down(i);
  }

  delete(item: T): void {
    const i = this.positions.get(item);
    if (i === undefined) return;
    this.positions.delete(item);
    const last = this.heap.pop()!;
    if (i === this.heap.length) return;
    this.heap[i] = last;
    this.positions.set(last.item, i);
    this.up(i);
    this.down(this.positions.get(last.item)!);
  }

  /** Removes and returns the item due first if it is due at or before `now`. */
  popDue(now: number): { item: T; at: number } | undefined {
    const top = this.heap[0];
    if (!top || top.at > now) return undefined;
    this.delete(top.item);
    return top;
  }

  clear(): void {
    this.heap.length = 0;
    this.positions.clear();
  }

  private up(i: number): void {
    const slot = this.heap[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = this.heap[parent]!;
      if (p.at <= slot.at) break;
      this.heap[i] = p;
      this.positions.set(p.item, i);
      i = parent;
    }
    this.heap[i] = slot;
    this.positions.set(slot.item, i);
  }

  private down(i: number): void {
    const n = this.heap.length;
    const slot = this.heap[i]!;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && this.heap[right]!.at < this.heap[left]!.at ? right : left;
      const c = this.heap[child]!;
      if (c.at >= slot.at) break;
      this.heap[i] = c;
      this.positions.set(c.item, i);
      i = child;
    }
    this.heap[i] = slot;
    this.positions.set(slot.item, i);
  }
}
