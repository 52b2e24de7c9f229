// What can go wrong in a simulated swarm besides steady jitter and loss (those live in the
// latency model): the options of `cell sim` and how their text is read.

export interface JitterSpikes {
  /** Probability that a frame is caught in a spike. */
  probability: number;
  /** Extra one-way delay of a frame caught in a spike (ms). */
  ms: number;
}

export interface Partition {
  /** Start of the window (simulated s). */
  atS: number;
  durationS: number;
  /** Share of nodes cut off from the rest (seeded choice). */
  share: number;
}

export interface Churn {
  /** Share of the nodes that leave per simulated minute (a Poisson process). */
  perMinute: number;
  /** Mean time away (s, exponential); a node comes back as a fresh kernel with the same id. */
  meanDownS: number;
}

export interface SlowNodes {
  share: number;
  /** Timers fire this many times later, and frames it sends take this many times their delay. */
  factor: number;
}

export interface ChaosOptions {
  jitterSpikes?: JitterSpikes;
  partition?: Partition;
  churn?: Churn;
  slow?: SlowNodes;
  /** Share of nodes that forge announcements (every species heard, negative load, a coordinate claiming to be near everyone). */
  forgers?: number;
}

export const DEFAULT_CHURN_DOWN_S = 60;

export function hasChaos(c: ChaosOptions | undefined): c is ChaosOptions {
  return c !== undefined && (c.jitterSpikes !== undefined || c.partition !== undefined || c.churn !== undefined || c.slow !== undefined || (c.forgers ?? 0) > 0);
}

function numbers(flag: string, text: string, min: number, max: number): number[] {
  const parts = text.split(',').map((s) => s.trim());
  if (parts.length < min || parts.length > max || parts.some((p) => p === '' || !Number.isFinite(Number(p)))) {
    throw new RangeError(`${flag} takes ${min === max ? min : `${min} to ${max}`} comma-separated numbers, not "${text}"`);
  }
  return parts.map(Number);
}

function check(flag: string, ok: boolean, what: string): void {
  if (!ok) throw new RangeError(`${flag}: ${what}`);
}

const isShare = (v: number) => v >= 0 && v <= 1;

/** `--jitter-spikes p,ms`. */
export function parseJitterSpikes(text: string): JitterSpikes {
  const [probability, ms] = numbers('--jitter-spikes', text, 2, 2) as [number, number];
  check('--jitter-spikes', isShare(probability), `probability ${probability} is not in [0, 1]`);
  check('--jitter-spikes', ms >= 0, `spike ${ms} ms is negative`);
  return { probability, ms };
}

/** `--partition at,duration,share` (seconds, seconds, share of nodes). */
export function parsePartition(text: string): Partition {
  const [atS, durationS, share] = numbers('--partition', text, 3, 3) as [number, number, number];
  check('--partition', atS >= 0 && durationS > 0, `window ${atS}+${durationS} s must start at >= 0 and last > 0`);
  check('--partition', share > 0 && share < 1, `share ${share} must be in (0, 1)`);
  return { atS, durationS, share };
}

/** `--churn rate[,meanDownS]`: share of the nodes leaving per minute. */
export function parseChurn(text: string): Churn {
  const [perMinute, meanDownS = DEFAULT_CHURN_DOWN_S] = numbers('--churn', text, 1, 2) as [number, number?];
  check('--churn', perMinute >= 0 && perMinute <= 1, `rate ${perMinute} must be a share of the nodes per minute in [0, 1]`);
  check('--churn', meanDownS > 0, `mean time away ${meanDownS} s must be > 0`);
  return { perMinute, meanDownS };
}

/** `--slow share,factor`. */
export function parseSlow(text: string): SlowNodes {
  const [share, factor] = numbers('--slow', text, 2, 2) as [number, number];
  check('--slow', isShare(share), `share ${share} is not in [0, 1]`);
  check('--slow', factor >= 1, `factor ${factor} must be >= 1`);
  return { share, factor };
}

/** `--forgers share`. */
export function parseForgers(text: string): number {
  const [share] = numbers('--forgers', text, 1, 1) as [number];
  check('--forgers', share >= 0 && share < 1, `share ${share} must be in [0, 1)`);
  return share;
}

/** One line naming the conditions, for tables and titles. */
export function describeChaos(c: ChaosOptions | undefined, loss = 0): string {
  const parts: string[] = [];
  if (loss > 0) parts.push(`loss ${loss}`);
  if (c?.jitterSpikes) parts.push(`jitter spikes ${c.jitterSpikes.probability},${c.jitterSpikes.ms} ms`);
  if (c?.partition) parts.push(`partition ${c.partition.share} of nodes at ${c.partition.atS} s for ${c.partition.durationS} s`);
  if (c?.churn) parts.push(`churn ${c.churn.perMinute}/min, ${c.churn.meanDownS} s away`);
  if (c?.slow) parts.push(`slow ${c.slow.share} x${c.slow.factor}`);
  if (c?.forgers) parts.push(`forgers ${c.forgers}`);
  return parts.length > 0 ? parts.join('; ') : 'calm';
}
