// The host side of lazy thumbnails: a bounded in-memory LRU cache of images already fetched, and a
// fetch queue that runs at most a few requests at a time (cameras serve one connection slowly and
// choke on dozens) and forgets queued requests for tiles the user has scrolled past. No `vscode`.

/** Least-recently-used cache bounded by entry count and by total weight (bytes). */
export class LruCache<V> {
  private readonly entries = new Map<string, { value: V; weight: number }>();
  private totalWeight = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxWeight: number,
    private readonly weigh: (value: V) => number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get weight(): number {
    return this.totalWeight;
  }

  get(key: string): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    // Map keeps insertion order: re-inserting makes this the most recently used.
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit.value;
  }

  set(key: string, value: V): void {
    const weight = this.weigh(value);
    const old = this.entries.get(key);
    if (old) {
      this.totalWeight -= old.weight;
      this.entries.delete(key);
    }
    // Something bigger than the whole cache is not kept at all.
    if (weight > this.maxWeight) return;
    this.entries.set(key, { value, weight });
    this.totalWeight += weight;
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.totalWeight <= this.maxWeight) break;
      this.entries.delete(oldest);
      this.totalWeight -= entry.weight;
    }
  }

  clear(): void {
    this.entries.clear();
    this.totalWeight = 0;
  }
}

/**
 * Runs `run(key, signal)` for requested keys, at most `limit` at once. `want` replaces the waiting
 * list (newest wishes first, running ones are left alone); `push` adds one key in front without
 * dropping the others (a preview the user clicked). A key is never run twice at the same time.
 */
export class FetchQueue {
  private waiting: string[] = [];
  private readonly running = new Map<string, AbortController>();
  private closed = false;

  constructor(
    private readonly limit: number,
    private readonly run: (key: string, signal: AbortSignal) => Promise<void>,
  ) {}

  /** Number of fetches under way. */
  get active(): number {
    return this.running.size;
  }

  /** Keys waiting for a free slot, in the order they will start. */
  get queued(): readonly string[] {
    return this.waiting;
  }

  want(keys: readonly string[]): void {
    if (this.closed) return;
    this.waiting = [...new Set(keys)].filter((k) => !this.running.has(k));
    this.pump();
  }

  push(key: string): void {
    if (this.closed || this.running.has(key)) return;
    this.waiting = [key, ...this.waiting.filter((k) => k !== key)];
    this.pump();
  }

  /** Stops everything: running fetches are aborted, waiting ones dropped. */
  dispose(): void {
    this.closed = true;
    this.waiting = [];
    for (const c of this.running.values()) c.abort();
    this.running.clear();
  }

  private pump(): void {
    while (!this.closed && this.running.size < this.limit && this.waiting.length > 0) {
      const key = this.waiting.shift()!;
      if (this.running.has(key)) continue;
      const controller = new AbortController();
      this.running.set(key, controller);
      void this.run(key, controller.signal)
        .catch(() => undefined)
        .finally(() => {
          if (this.running.get(key) === controller) this.running.delete(key);
          this.pump();
        });
    }
  }
}
