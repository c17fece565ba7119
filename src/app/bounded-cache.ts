/**
 * A map bounded to about `capacity` entries with O(1) reads: two generations, the older one
 * dropped whole when the newer fills up; a hit in the older one is promoted. Cheaper on the hot
 * path than an LRU list, and an entry used at least once per generation stays.
 */
export class BoundedCache<K, V> {
  private current = new Map<K, V>();
  private previous = new Map<K, V>();
  private readonly half: number;

  constructor(capacity: number) {
    this.half = Math.max(1, Math.floor(capacity / 2));
  }

  get(key: K): V | undefined {
    const v = this.current.get(key);
    if (v !== undefined) return v;
    const old = this.previous.get(key);
    if (old !== undefined) this.set(key, old);
    return old;
  }

  set(key: K, value: V): void {
    if (this.current.size >= this.half) {
      this.previous = this.current;
      this.current = new Map();
    }
    this.current.set(key, value);
  }

  delete(key: K): void {
    this.current.delete(key);
    this.previous.delete(key);
  }

  clear(): void {
    this.current = new Map();
    this.previous = new Map();
  }

  get size(): number {
    return this.current.size + this.previous.size;
  }
}
