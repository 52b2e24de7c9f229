// A hosted cell's CPU share on a real host: its metered work fed, as it runs, to the same
// one-server queue the simulator gives each node (cpu-time.ts). The busy share of the last 10 s
// window is then the figure a simulated node reports for the same work.
import { ServiceQueues } from './cpu-time.ts';

export interface CpuMeterOptions {
  /** Metered instructions per second the node can run (its board profile). */
  capacity: number;
  /** Window length in ms (default 10,000, the simulator's). */
  windowMs?: number;
}

export class CpuMeter {
  private readonly queue: ServiceQueues;
  private lastMs = -Infinity;

  constructor(opts: CpuMeterOptions) {
    this.queue = new ServiceQueues(1, opts.capacity, { windowS: (opts.windowMs ?? 10_000) / 1000 });
  }

  /** A call that started at `startMs` (node time, never going back) ran `instructions` metered instructions. */
  record(startMs: number, instructions: number): void {
    if (!(Number.isFinite(startMs) && Number.isFinite(instructions) && instructions >= 0)) return;
    // A clock that stepped back would be refused by the queue: count the work at the latest time seen.
    this.lastMs = Math.max(this.lastMs, startMs);
    this.queue.enqueue(0, this.lastMs / 1000, instructions);
  }

  /** Busy share of the window ending at `nowMs`, 0..1; more work than the node can do reads as 1. */
  share(nowMs: number): number {
    this.lastMs = Math.max(this.lastMs, nowMs);
    return this.queue.utilisation(0, this.lastMs / 1000);
  }
}
