// The load scenarios mitosis and the HPA baseline are compared on. Each is a request rate
// for the whole swarm as a function of time, plus the data a run needs around it: the peak
// (for drawing arrivals), when the load changes (for time-to-target), and node failures.

export type ScenarioName = 'load-step' | 'diurnal' | 'flash-crowd' | 'node-failures';
export const SCENARIO_NAMES: readonly ScenarioName[] = ['load-step', 'diurnal', 'flash-crowd', 'node-failures'];

export interface NodeFailure {
  /** When the nodes die (s). */
  atS: number;
  /** Share of the nodes alive at atS that die at once, in (0, 1]. */
  fraction: number;
}

export interface Scenario {
  name: ScenarioName;
  durationS: number;
  /** Requests per second of the base load. */
  baseRate: number;
  /** Requests per second for the whole swarm at tS (0 outside [0, durationS]). */
  rate: (tS: number) => number;
  /** Upper bound of rate over the run. */
  peakRate: number;
  /** When the disturbance time-to-target is measured from; null when there is none (diurnal). */
  changeAtS: number | null;
  failures: NodeFailure[];
}

export interface ScenarioParams {
  /** Requests per second, > 0. */
  baseRate: number;
  /** Seconds, > 0. */
  durationS: number;
}

function checkParams(name: string, p: ScenarioParams): void {
  if (p === null || typeof p !== 'object') throw new TypeError(`${name}: parameters must be an object`);
  if (!(Number.isFinite(p.baseRate) && p.baseRate > 0)) throw new RangeError(`${name}: baseRate must be a positive number of requests per second, got ${p.baseRate}`);
  if (!(Number.isFinite(p.durationS) && p.durationS > 0)) throw new RangeError(`${name}: durationS must be a positive number of seconds, got ${p.durationS}`);
}

function positive(name: string, key: string, v: number): number {
  if (!(Number.isFinite(v) && v > 0)) throw new RangeError(`${name}: ${key} must be a positive number, got ${v}`);
  return v;
}

const inRun = (durationS: number, f: (tS: number) => number) => (tS: number) => (tS >= 0 && tS <= durationS ? f(tS) : 0);

/** The base rate, then `factor` (default 10) times it from 20% of the duration to the end. */
export function loadStep(p: ScenarioParams & { factor?: number }): Scenario {
  checkParams('load-step', p);
  const factor = positive('load-step', 'factor', p.factor ?? 10);
  const { baseRate, durationS } = p;
  const changeAtS = 0.2 * durationS;
  return {
    name: 'load-step',
    durationS,
    baseRate,
    rate: inRun(durationS, (t) => (t < changeAtS ? baseRate : baseRate * factor)),
    peakRate: baseRate * Math.max(1, factor),
    changeAtS,
    failures: [],
  };
}

/**
 * A day compressed into `dayS` seconds (default 3600: an hour), repeating: a sinusoid from
 * 0.5x the base rate at t = 0 (night) to 8x at dayS / 2 (the afternoon peak), back to 0.5x
 * at dayS. The trough is not zero (a service always has some users); the peak needs several
 * times the replicas of the base, so both controllers must follow the day up and down.
 */
export function diurnal(p: ScenarioParams & { dayS?: number; low?: number; high?: number }): Scenario {
  checkParams('diurnal', p);
  const dayS = positive('diurnal', 'dayS', p.dayS ?? 3600);
  const low = positive('diurnal', 'low', p.low ?? 0.5);
  const high = positive('diurnal', 'high', p.high ?? 8);
  if (high < low) throw new RangeError(`diurnal: high (${high}) must not be below low (${low})`);
  const { baseRate, durationS } = p;
  const mid = (high + low) / 2;
  const amp = (high - low) / 2;
  return {
    name: 'diurnal',
    durationS,
    baseRate,
    rate: inRun(durationS, (t) => baseRate * (mid - amp * Math.cos((2 * Math.PI * t) / dayS))),
    peakRate: baseRate * high,
    changeAtS: null,
    failures: [],
  };
}

/** `factor` (default 100) times the base rate for `lengthS` (default 120) from 25% of the duration. */
export function flashCrowd(p: ScenarioParams & { factor?: number; lengthS?: number }): Scenario {
  checkParams('flash-crowd', p);
  const factor = positive('flash-crowd', 'factor', p.factor ?? 100);
  const lengthS = positive('flash-crowd', 'lengthS', p.lengthS ?? 120);
  const { baseRate, durationS } = p;
  const changeAtS = 0.25 * durationS;
  if (changeAtS + lengthS > durationS) {
    throw new RangeError(`flash-crowd: the crowd (${lengthS} s from ${changeAtS} s) must end within the run (${durationS} s); use durationS >= ${lengthS / 0.75}`);
  }
  return {
    name: 'flash-crowd',
    durationS,
    baseRate,
    rate: inRun(durationS, (t) => (t >= changeAtS && t < changeAtS + lengthS ? baseRate * factor : baseRate)),
    peakRate: baseRate * Math.max(1, factor),
    changeAtS,
    failures: [],
  };
}

/** Constant base load; `fraction` (default 0.3) of the nodes die at once at 30% of the duration. */
export function nodeFailures(p: ScenarioParams & { fraction?: number }): Scenario {
  checkParams('node-failures', p);
  const fraction = p.fraction ?? 0.3;
  if (!(fraction > 0 && fraction <= 1)) throw new RangeError(`node-failures: fraction must be in (0, 1], got ${fraction}`);
  const { baseRate, durationS } = p;
  const atS = 0.3 * durationS;
  return {
    name: 'node-failures',
    durationS,
    baseRate,
    rate: inRun(durationS, () => baseRate),
    peakRate: baseRate,
    changeAtS: atS,
    failures: [{ atS, fraction }],
  };
}

/** A scenario by name (the CLI's --scenario). */
export function scenario(name: string, p: ScenarioParams): Scenario {
  switch (name) {
    case 'load-step':
      return loadStep(p);
    case 'diurnal':
      return diurnal(p);
    case 'flash-crowd':
      return flashCrowd(p);
    case 'node-failures':
      return nodeFailures(p);
    default:
      throw new RangeError(`unknown scenario ${JSON.stringify(name)}; expected one of ${SCENARIO_NAMES.join(', ')}`);
  }
}
