// The chaos of --jitter-spikes, --partition, --churn, --slow and --forgers, applied where the
// simulator is a transport and a clock: to frames as they are posted, to the tick schedule, and
// to which nodes are up. No kernel is changed; a kernel sees only late, missing or forged frames.
import { Rng } from '../rng.ts';
import type { ChaosOptions } from './chaos-options.ts';
import { announced, forgedAnnounce, forgedPong } from './forged-frames.ts';
import { MsgType } from '../../host/wire/header.ts';

/** A forger re-announces the same species list at most this often (it echoes what it hears). */
const FORGE_EVERY_MS = 2000;

/** What the chaos did, by reason. */
export interface ChaosCounters {
  /** Frames dropped because they crossed the partition during its window. */
  droppedPartition: number;
  /** Frames sent by a node that had left (churn). */
  droppedSenderAway: number;
  /** Frames caught in a jitter spike. */
  spiked: number;
  /** Frames sent by slow nodes (delayed by the factor). */
  slowed: number;
  /** Forged ANNOUNCEs delivered, and PONGs whose coordinate a forger replaced. */
  forgedAnnounces: number;
  forgedPongs: number;
  /** Nodes that left, and nodes that came back (as a fresh kernel with the same id). */
  leaves: number;
  rejoins: number;
}

/** What the layer needs of the swarm (kept narrow so the swarm's hot loop stays its own). */
export interface ChaosHost {
  readonly size: number;
  readonly ids: Uint32Array;
  readonly dead: Uint8Array;
  readonly now: number;
  at(atMs: number, fn: () => void): void;
  kill(i: number): void;
  restart(i: number): void;
  /** Posts `frame` from `from` to `to` through the latency model (and this layer). */
  post(from: number, to: number, frame: Uint8Array, extraMs: number): void;
}

export class ChaosLayer {
  readonly counters: ChaosCounters = {
    droppedPartition: 0, droppedSenderAway: 0, spiked: 0, slowed: 0, forgedAnnounces: 0, forgedPongs: 0, leaves: 0, rejoins: 0,
  };
  /** 1 on the cut-off side of the partition. */
  readonly cutOff: Uint8Array;
  /** The slow-down factor per node (1: normal speed). */
  readonly slowFactor: Float64Array;
  readonly isForger: Uint8Array;
  private readonly rng: Rng;
  private readonly partitionFrom: number;
  private readonly partitionTo: number;
  private readonly lastForged = new Map<string, number>();

  constructor(readonly options: ChaosOptions, seed: number, private readonly host: ChaosHost) {
    const n = host.size;
    // Its own stream: the calm run and a chaotic one with the same seed share every other draw.
    this.rng = new Rng(seed, 0x6368616f);
    this.cutOff = this.pick(options.partition?.share ?? 0);
    this.slowFactor = new Float64Array(n).fill(1);
    const slow = this.pick(options.slow?.share ?? 0);
    for (let i = 0; i < n; i++) if (slow[i]) this.slowFactor[i] = options.slow!.factor;
    this.isForger = this.pick(options.forgers ?? 0);
    const p = options.partition;
    this.partitionFrom = p ? p.atS * 1000 : Infinity;
    this.partitionTo = p ? (p.atS + p.durationS) * 1000 : -Infinity;
    if (options.churn && options.churn.perMinute > 0) this.scheduleLeave();
  }

  /** A seeded choice of round(share * n) nodes, as a 0/1 mask. */
  private pick(share: number): Uint8Array {
    const n = this.host.size;
    const mask = new Uint8Array(n);
    const k = Math.round(share * n);
    if (k === 0) return mask;
    const order = Int32Array.from({ length: n }, (_, i) => i);
    this.rng.shuffle(order);
    for (let i = 0; i < k; i++) mask[order[i]!] = 1;
    return mask;
  }

  /** Whether a frame posted at `nowMs` between these nodes crosses the partition while it stands. */
  partitioned(from: number, to: number, nowMs: number): boolean {
    return nowMs >= this.partitionFrom && nowMs < this.partitionTo && this.cutOff[from] !== this.cutOff[to];
  }

  /** The one-way delay of a frame after the chaos, or -1 when the chaos drops it. */
  delay(from: number, to: number, nowMs: number, delayMs: number): number {
    if (this.partitioned(from, to, nowMs)) {
      this.counters.droppedPartition++;
      return -1;
    }
    let d = delayMs;
    const f = this.slowFactor[from]!;
    if (f !== 1) {
      d *= f;
      this.counters.slowed++;
    }
    const s = this.options.jitterSpikes;
    if (s && s.probability > 0 && this.rng.next() < s.probability) {
      d += s.ms;
      this.counters.spiked++;
    }
    return d;
  }

  /** When a node's next tick runs: a slow node's timers fire factor times later. */
  tickAt(node: number, nowMs: number, atMs: number): number {
    const f = this.slowFactor[node]!;
    return f === 1 ? atMs : nowMs + (atMs - nowMs) * f;
  }

  /** The frame that actually leaves `from` (a forger's PONG carries its forged coordinate), or null when the sender is away. */
  outgoing(from: number, frame: Uint8Array): Uint8Array | null {
    if (this.host.dead[from]) {
      this.counters.droppedSenderAway++;
      return null;
    }
    if (this.isForger[from] && frame[2] === MsgType.PONG) {
      this.counters.forgedPongs++;
      return forgedPong(frame);
    }
    return frame;
  }

  /** After a real broadcast reached `reach`: every forger that is up echoes its species with forged figures to the same nodes. */
  broadcastHeard(from: number, frame: Uint8Array, reach: readonly number[]): void {
    const info = announced(frame);
    if (info === null || info.species.length === 0) return;
    const key = info.species.join(',');
    const h = this.host;
    for (let f = 0; f < h.size; f++) {
      if (!this.isForger[f] || f === from || h.dead[f]) continue;
      const k = `${f}:${key}`;
      const last = this.lastForged.get(k);
      if (last !== undefined && h.now - last < FORGE_EVERY_MS) continue;
      this.lastForged.set(k, h.now);
      const forged = forgedAnnounce(h.ids[f]!, info.species, info.coordWords);
      for (const to of reach) {
        if (to === f) continue;
        this.counters.forgedAnnounces++;
        h.post(f, to, forged, 0);
      }
    }
  }

  private scheduleLeave(): void {
    const c = this.options.churn!;
    const h = this.host;
    // Leaves arrive as a Poisson process of rate perMinute * n per minute.
    const gapMs = (this.rng.exponential() * 60_000) / (c.perMinute * h.size);
    h.at(h.now + gapMs, () => {
      const i = this.rng.int(h.size);
      if (!h.dead[i]) {
        h.kill(i);
        this.counters.leaves++;
        h.at(h.now + this.rng.exponential() * c.meanDownS * 1000, () => {
          h.restart(i);
          this.counters.rejoins++;
        });
      }
      this.scheduleLeave();
    });
  }
}
