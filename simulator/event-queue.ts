// The simulator's future-event list: a 4-ary min-heap stored in parallel typed arrays.
//
// Why this shape: a run of 1000+ nodes for simulated hours schedules tens of millions of
// events (frame deliveries, kernel ticks). Objects per event would make the GC the bottleneck;
// parallel typed arrays allocate nothing per event. A 4-ary heap is half as deep as a binary
// one, and its four children sit next to each other in memory, which beats a binary heap
// at millions of entries. Sifting moves a "hole" instead of swapping, so each level costs one
// write per field.
//
// Determinism: events at the same time come out in the order they were pushed (each carries
// an insertion sequence number), so a run never depends on heap internals.

const MIN_CAPACITY = 16;

export class EventQueue {
  private times: Float64Array;
  // Sequence numbers as float64: exact up to 2^53 events, never wraps in a real run.
  private seqs: Float64Array;
  private kinds: Int32Array;
  private as: Int32Array;
  private bs: Int32Array;
  private n = 0;
  private nextSeq = 0;

  /** Fields of the event most recently returned by pop(). */
  time = 0;
  kind = 0;
  a = 0;
  b = 0;
  seq = 0;

  constructor(initialCapacity = 1024) {
    if (!Number.isInteger(initialCapacity) || initialCapacity < 0) {
      throw new RangeError(`EventQueue capacity must be a non-negative integer, got ${initialCapacity}`);
    }
    const cap = Math.max(MIN_CAPACITY, initialCapacity);
    this.times = new Float64Array(cap);
    this.seqs = new Float64Array(cap);
    this.kinds = new Int32Array(cap);
    this.as = new Int32Array(cap);
    this.bs = new Int32Array(cap);
  }

  /** Number of pending events. */
  get size(): number {
    return this.n;
  }

  /** Current storage capacity (grows by doubling). */
  get capacity(): number {
    return this.times.length;
  }

  /** Time of the earliest pending event; throws when empty. */
  peekTime(): number {
    if (this.n === 0) throw new Error('EventQueue.peekTime: the queue is empty');
    return this.times[0];
  }

  /**
   * Schedule an event. `time` must be finite; `kind`, `a`, `b` are int32 payload fields
   * (e.g. event type, node index, frame slot). Returns the event's sequence number.
   */
  push(time: number, kind: number, a: number, b: number): number {
    if (!Number.isFinite(time)) throw new RangeError(`EventQueue.push: time must be finite, got ${time}`);
    if ((kind | 0) !== kind || (a | 0) !== a || (b | 0) !== b) {
      throw new RangeError(`EventQueue.push: kind, a, b must be int32, got ${kind}, ${a}, ${b}`);
    }
    if (this.n === this.times.length) this.grow();
    const seq = this.nextSeq++;
    const times = this.times, seqs = this.seqs;
    // Sift the hole up from the end: parents later than the new event move down.
    let i = this.n++;
    while (i > 0) {
      const p = (i - 1) >> 2;
      const pt = times[p];
      if (pt < time || (pt === time && seqs[p] < seq)) break;
      this.move(p, i);
      i = p;
    }
    times[i] = time;
    seqs[i] = seq;
    this.kinds[i] = kind;
    this.as[i] = a;
    this.bs[i] = b;
    return seq;
  }

  /**
   * Remove the earliest event (ties: earliest pushed) and expose it in
   * this.time / kind / a / b / seq. Throws when empty.
   */
  pop(): void {
    const n = this.n;
    if (n === 0) throw new Error('EventQueue.pop: the queue is empty');
    const times = this.times, seqs = this.seqs;
    this.time = times[0];
    this.seq = seqs[0];
    this.kind = this.kinds[0];
    this.a = this.as[0];
    this.b = this.bs[0];
    const last = n - 1;
    this.n = last;
    if (last === 0) return;
    // Move the last event into the root hole and sift it down.
    const t = times[last], s = seqs[last];
    const k = this.kinds[last], a = this.as[last], b = this.bs[last];
    let i = 0;
    for (;;) {
      const first = 4 * i + 1;
      if (first >= last) break;
      // Smallest of up to four children.
      let m = first;
      let mt = times[first], ms = seqs[first];
      const end = first + 4 < last ? first + 4 : last;
      for (let c = first + 1; c < end; c++) {
        const ct = times[c];
        if (ct < mt || (ct === mt && seqs[c] < ms)) {
          m = c;
          mt = ct;
          ms = seqs[c];
        }
      }
      if (t < mt || (t === mt && s < ms)) break;
      this.move(m, i);
      i = m;
    }
    times[i] = t;
    seqs[i] = s;
    this.kinds[i] = k;
    this.as[i] = a;
    this.bs[i] = b;
  }

  /** Drop every pending event (the sequence counter keeps counting, so order stays global). */
  clear(): void {
    this.n = 0;
  }

  private move(from: number, to: number): void {
    this.times[to] = this.times[from];
    this.seqs[to] = this.seqs[from];
    this.kinds[to] = this.kinds[from];
    this.as[to] = this.as[from];
    this.bs[to] = this.bs[from];
  }

  private grow(): void {
    const cap = this.times.length * 2;
    const grow64 = (old: Float64Array) => {
      const next = new Float64Array(cap);
      next.set(old);
      return next;
    };
    const grow32 = (old: Int32Array) => {
      const next = new Int32Array(cap);
      next.set(old);
      return next;
    };
    this.times = grow64(this.times);
    this.seqs = grow64(this.seqs);
    this.kinds = grow32(this.kinds);
    this.as = grow32(this.as);
    this.bs = grow32(this.bs);
  }
}
