// CPU time as Cell measures it, on real hosts (host/runtime/cell-node.ts) and simulated nodes
// (simulator/mitosis/) alike, so both report the same share for the same work. Every node is a
// single FIFO server with a capacity in metered instructions per second (its board profile); a
// piece of work costs a number of metered instructions, so it keeps the node busy for
// cost / capacity seconds, after the work queued ahead of it.
//
// CPU share is the busy share of the last windowS seconds. For N nodes (10^3..10^5 in the
// simulator) the state lives in typed arrays, no objects per request. Time is in seconds.

export interface ServiceQueueOptions {
  /** Length of the sliding window for utilisation (s). Default 10. */
  windowS?: number;
  /**
   * Resolution of the window: busy time is recorded at windowS / slots boundaries. The window
   * start between two boundaries is interpolated, so utilisation is exact when the window
   * starts on a boundary or inside the current busy period, and otherwise off by at most
   * 1 / (4 slots). Default 40 (<= 0.6%).
   */
  slots?: number;
}

export class ServiceQueues {
  readonly size: number;
  readonly windowS: number;
  readonly slots: number;
  readonly slotS: number;
  /** Instructions per second of each node. */
  readonly capacity: Float64Array;
  // The server of node i works without pause over [busyStart, freeAt] (its current or last
  // busy period); busyBefore is its busy time before busyStart. So for t >= busyStart the
  // cumulative busy time is busyBefore + clamp(t - busyStart, 0, freeAt - busyStart).
  private readonly freeAt: Float64Array;
  private readonly busyStart: Float64Array;
  private readonly busyBefore: Float64Array;
  private readonly lastT: Float64Array;
  // Cumulative busy time at slot boundaries k * slotS, a ring of `ring` per node; lastK is
  // the newest recorded k (NaN before the node is first touched).
  private readonly ring: number;
  private readonly marks: Float64Array;
  private readonly lastK: Float64Array;

  constructor(n: number, capacity: number | ArrayLike<number>, opts: ServiceQueueOptions = {}) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`ServiceQueues: node count must be a positive integer, got ${n}`);
    this.size = n;
    this.windowS = opts.windowS ?? 10;
    if (!(Number.isFinite(this.windowS) && this.windowS > 0)) throw new RangeError(`ServiceQueues: windowS must be a positive number, got ${this.windowS}`);
    this.slots = opts.slots ?? 40;
    if (!Number.isInteger(this.slots) || this.slots < 1) throw new RangeError(`ServiceQueues: slots must be a positive integer, got ${this.slots}`);
    this.slotS = this.windowS / this.slots;
    this.capacity = new Float64Array(n);
    if (typeof capacity === 'number') {
      this.capacity.fill(capacity);
    } else {
      if (capacity.length !== n) throw new RangeError(`ServiceQueues: ${capacity.length} capacities for ${n} nodes`);
      this.capacity.set(capacity);
    }
    for (let i = 0; i < n; i++) {
      const c = this.capacity[i];
      if (!(Number.isFinite(c) && c > 0)) throw new RangeError(`ServiceQueues: capacity of node ${i} must be a positive number of instructions per second, got ${c}`);
    }
    this.freeAt = new Float64Array(n);
    this.busyStart = new Float64Array(n);
    this.busyBefore = new Float64Array(n);
    this.lastT = new Float64Array(n).fill(-Infinity);
    // Two spare entries: the window start's slot and the one after it must both be kept.
    this.ring = this.slots + 2;
    this.marks = new Float64Array(n * this.ring);
    this.lastK = new Float64Array(n).fill(NaN);
  }

  /** A view of one node's queue. */
  node(i: number): NodeQueue {
    this.check(i);
    return new NodeQueue(this, i);
  }

  /** Seconds one request of `cost` instructions occupies node i. */
  serviceS(i: number, cost: number): number {
    this.check(i);
    if (!(Number.isFinite(cost) && cost >= 0)) throw new RangeError(`ServiceQueues: cost must be a non-negative number of instructions, got ${cost}`);
    return cost / this.capacity[i];
  }

  /**
   * A request of `cost` instructions arrives at node i at nowS; returns when it completes.
   * Arrivals at one node must come in time order (schedule the arrival as an event).
   */
  enqueue(i: number, nowS: number, cost: number): number {
    const service = this.serviceS(i, cost);
    this.touch(i, nowS);
    if (nowS > this.freeAt[i]) {
      // Idle until now: the previous busy period is over, a new one starts.
      this.busyBefore[i] += this.freeAt[i] - this.busyStart[i];
      this.busyStart[i] = nowS;
      this.freeAt[i] = nowS;
    }
    this.freeAt[i] += service;
    return this.freeAt[i];
  }

  /** Seconds a request arriving at nowS would wait before its service starts. */
  backlogS(i: number, nowS: number): number {
    this.touch(i, nowS);
    return Math.max(0, this.freeAt[i] - nowS);
  }

  /** Total busy seconds of node i up to nowS. */
  busySeconds(i: number, nowS: number): number {
    this.touch(i, nowS);
    return this.busyAt(i, nowS);
  }

  /** CPU share of node i: busy time in (nowS - windowS, nowS] over windowS, in [0, 1]. */
  utilisation(i: number, nowS: number): number {
    this.touch(i, nowS);
    const start = nowS - this.windowS;
    let before: number;
    if (start >= this.busyStart[i]) {
      before = this.busyAt(i, start); // exact: inside or after the current busy period
    } else {
      const k = Math.floor(start / this.slotS);
      const lastK = this.lastK[i];
      if (!(k >= lastK - this.ring + 1 && k + 1 <= lastK)) {
        throw new Error(`ServiceQueues: window start slot ${k} is not recorded (newest ${lastK}); this is a bug`);
      }
      const b0 = this.marks[i * this.ring + this.slot(k)];
      const b1 = this.marks[i * this.ring + this.slot(k + 1)];
      before = b0 + ((start - k * this.slotS) / this.slotS) * (b1 - b0);
    }
    const share = (this.busyAt(i, nowS) - before) / this.windowS;
    return Math.min(1, Math.max(0, share));
  }

  private check(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.size) throw new RangeError(`ServiceQueues: node ${i} is not in 0..${this.size - 1}`);
  }

  private slot(k: number): number {
    const r = k % this.ring;
    return r < 0 ? r + this.ring : r;
  }

  // Valid for t >= busyStart (see the field comment); callers only ask for such t.
  private busyAt(i: number, t: number): number {
    const span = this.freeAt[i] - this.busyStart[i];
    return this.busyBefore[i] + Math.min(span, Math.max(0, t - this.busyStart[i]));
  }

  /**
   * Moves node i's clock to nowS, recording cumulative busy time at every slot boundary
   * passed since its last touch. Those values are final: every arrival so far came at or
   * before the last touch, and later ones only add busy time after nowS.
   */
  private touch(i: number, nowS: number): void {
    this.check(i);
    if (!Number.isFinite(nowS)) throw new RangeError(`ServiceQueues: time must be finite, got ${nowS}`);
    if (nowS < this.lastT[i]) throw new RangeError(`ServiceQueues: node ${i} went back in time (${nowS} after ${this.lastT[i]}); feed each node in time order`);
    const kNow = Math.floor(nowS / this.slotS);
    const lastK = this.lastK[i];
    const from = Number.isNaN(lastK) ? kNow - this.ring + 1 : Math.max(lastK + 1, kNow - this.ring + 1);
    for (let k = from; k <= kNow; k++) this.marks[i * this.ring + this.slot(k)] = this.busyAt(i, k * this.slotS);
    if (Number.isNaN(lastK) || kNow > lastK) this.lastK[i] = kNow;
    this.lastT[i] = nowS;
  }
}

/** One node's queue: a view onto ServiceQueues (which holds the state for all nodes). */
export class NodeQueue {
  constructor(
    readonly queues: ServiceQueues,
    readonly node: number,
  ) {}

  enqueue(nowS: number, cost: number): number {
    return this.queues.enqueue(this.node, nowS, cost);
  }

  utilisation(nowS: number): number {
    return this.queues.utilisation(this.node, nowS);
  }

  backlogS(nowS: number): number {
    return this.queues.backlogS(this.node, nowS);
  }
}
