// Calls the kernel cannot take yet (its call table or a peer's window is full) wait here, one FIFO
// per key (a destination and species), served round-robin across keys so one busy destination or
// one eager caller cannot hold back the rest; each waits at most until its deadline.

/** What the sender made of one offered item. */
export type Offer = 'sent' | 'busy' | 'full';

interface Waiting<T> {
  item: T;
  deadline: number;
}

export class FairQueue<T> {
  private readonly lanes = new Map<string, Waiting<T>[]>();
  /** The lane served first by the next drain: the one after the last lane that sent. */
  private cursor = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Whether `key` has items waiting (a new call behind them must wait too, to keep FIFO). */
  has(key: string): boolean {
    return this.lanes.has(key);
  }

  push(key: string, item: T, deadline: number): void {
    let lane = this.lanes.get(key);
    if (!lane) this.lanes.set(key, (lane = []));
    lane.push({ item, deadline });
    this.count++;
  }

  /**
   * Offers the head of each lane in turn, round after round: 'sent' takes it off, 'busy' parks that
   * lane until the next drain, 'full' ends the drain. Each offer that is not 'sent' ends a lane's
   * turn, so a drain costs at most one refused offer per lane. Returns how many were sent.
   */
  drain(send: (key: string, item: T) => Offer): number {
    let sent = 0;
    const parked = new Set<string>();
    for (;;) {
      const keys = [...this.lanes.keys()].filter((k) => !parked.has(k));
      if (keys.length === 0) return sent;
      const start = this.cursor % keys.length;
      for (let i = 0; i < keys.length; i++) {
        const key = keys[(start + i) % keys.length]!;
        const lane = this.lanes.get(key)!;
        const r = send(key, lane[0]!.item);
        if (r === 'full') {
          this.cursor = (start + i) % keys.length;
          return sent;
        }
        if (r === 'busy') {
          parked.add(key);
          continue;
        }
        lane.shift();
        this.count--;
        sent++;
        if (lane.length === 0) this.lanes.delete(key);
      }
      this.cursor = 0;
    }
  }

  /** Takes out every item whose deadline is at or before `now`, oldest lanes first. */
  expire(now: number): T[] {
    const out: T[] = [];
    for (const [key, lane] of this.lanes) {
      const keep = lane.filter((w) => {
        if (w.deadline > now) return true;
        out.push(w.item);
        return false;
      });
      this.count -= lane.length - keep.length;
      if (keep.length === 0) this.lanes.delete(key);
      else this.lanes.set(key, keep);
    }
    return out;
  }

  /** The earliest deadline waiting (Infinity if none). */
  nextDeadline(): number {
    let t = Infinity;
    for (const lane of this.lanes.values()) for (const w of lane) if (w.deadline < t) t = w.deadline;
    return t;
  }
}
