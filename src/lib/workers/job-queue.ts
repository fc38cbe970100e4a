/** Pending jobs, largest first, so the long files start early and small ones fill the gaps at the end. */
export class LargestFirstQueue<T extends { id: number; size: number }> {
  private items: T[] = [];

  get length(): number {
    return this.items.length;
  }

  push(jobs: readonly T[]): void {
    if (jobs.length === 0) return;
    // Stable for equal sizes: earlier-added jobs stay ahead.
    this.items = [...this.items, ...jobs].sort((a, b) => b.size - a.size);
  }

  shift(): T | undefined {
    return this.items.shift();
  }

  remove(id: number): T | undefined {
    const index = this.items.findIndex((job) => job.id === id);
    return index < 0 ? undefined : this.items.splice(index, 1)[0];
  }

  clear(): T[] {
    const all = this.items;
    this.items = [];
    return all;
  }
}
