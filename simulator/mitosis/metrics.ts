// What a user of an autoscaler cares about, computed the same way for mitosis and the HPA
// baseline from a run's time series: how fast it reaches the target after the load changes,
// what capacity it spent, whether it flaps, and what requests felt. docs/mitosis.md gives
// the definitions; each function below states its own.
import { quantile } from '../metrics.ts';

/** One sample of the control state, taken at regular times through a run. */
export interface ControlSample {
  tS: number;
  /** Live replicas (serving or starting) at tS. */
  replicas: number;
  /** Mean CPU share (0..1) over the replicas at tS. */
  meanCpuShare: number;
}

/** Per request: its latency and what it would have been with an empty queue (RTT + service). */
export interface LatencyRecords {
  latencyMs: ArrayLike<number>;
  unloadedMs: ArrayLike<number>;
}

export interface AutoscalingMetrics {
  timeToTargetSeconds: number | null;
  peakReplicas: number;
  replicaSeconds: number;
  flaps: number;
  p99LatencyMs: number | null;
  sloViolationRate: number | null;
  minReplicasViolatedSeconds: number;
  requests: number;
}

export interface AutoscalingMetricsInput {
  samples: readonly ControlSample[];
  requests: LatencyRecords;
  /** The scenario's change time (Scenario.changeAtS); null: no time-to-target. */
  changeAtS: number | null;
  cpuTarget: number;
  minReplicas: number;
  /** End of the run (s); the last sample's count holds until then. Default: the last sample's time. */
  endS?: number;
  /** Relative band around the target for time-to-target. Default 0.1 (+-10%). */
  band?: number;
  /** Opposite replica changes closer than this are a flap. Default 60 s. */
  flapWindowS?: number;
  /** A request violates the SLO when slower than this many times its unloaded latency. Default 5. */
  sloFactor?: number;
}

/** Checks a control series: non-empty, times strictly ascending, counts and shares sane. */
export function checkSamples(samples: readonly ControlSample[]): void {
  if (!Array.isArray(samples) || samples.length === 0) throw new RangeError('mitosis metrics need a non-empty series of samples');
  for (let k = 0; k < samples.length; k++) {
    const { tS, replicas, meanCpuShare } = samples[k];
    if (!Number.isFinite(tS)) throw new RangeError(`sample ${k}: tS must be finite, got ${tS}`);
    if (k > 0 && !(tS > samples[k - 1].tS)) throw new RangeError(`sample ${k}: times must strictly ascend (${tS} after ${samples[k - 1].tS})`);
    if (!(Number.isInteger(replicas) && replicas >= 0)) throw new RangeError(`sample ${k}: replicas must be a non-negative integer, got ${replicas}`);
    if (!(Number.isFinite(meanCpuShare) && meanCpuShare >= 0)) throw new RangeError(`sample ${k}: meanCpuShare must be a non-negative number, got ${meanCpuShare}`);
  }
}

function endOf(samples: readonly ControlSample[], endS: number | undefined): number {
  const last = samples[samples.length - 1].tS;
  if (endS === undefined) return last;
  if (!(Number.isFinite(endS) && endS >= last)) throw new RangeError(`endS (${endS}) must be a time at or after the last sample (${last})`);
  return endS;
}

/**
 * Seconds from the load change until the mean CPU share is within +-band (relative) of the
 * target and stays there to the end of the series: the time of the earliest sample at or
 * after changeAtS from which every later sample is in band, minus changeAtS. Null when the
 * last sample is out of band (never settled) or no sample is at or after changeAtS.
 */
export function timeToTarget(samples: readonly ControlSample[], changeAtS: number, cpuTarget: number, band = 0.1): number | null {
  checkSamples(samples);
  if (!Number.isFinite(changeAtS)) throw new RangeError(`changeAtS must be finite, got ${changeAtS}`);
  if (!(Number.isFinite(cpuTarget) && cpuTarget > 0)) throw new RangeError(`cpuTarget must be a positive number, got ${cpuTarget}`);
  if (!(Number.isFinite(band) && band >= 0)) throw new RangeError(`band must be a non-negative number, got ${band}`);
  // Inclusive; the slack keeps float noise (0.66 - 0.6 > 0.06) from moving the band's edge.
  const inBand = (s: ControlSample) => Math.abs(s.meanCpuShare - cpuTarget) <= band * cpuTarget * (1 + 1e-9);
  let first = -1;
  for (let k = samples.length - 1; k >= 0 && samples[k].tS >= changeAtS && inBand(samples[k]); k--) first = k;
  return first < 0 ? null : samples[first].tS - changeAtS;
}

export function peakReplicas(samples: readonly ControlSample[]): number {
  checkSamples(samples);
  return samples.reduce((m, s) => Math.max(m, s.replicas), 0);
}

/**
 * Integral of the replica count over time (replica-seconds: what the capacity cost). The
 * count is a step function: each sample's count holds until the next sample (the last one
 * until endS).
 */
export function replicaSeconds(samples: readonly ControlSample[], endS?: number): number {
  checkSamples(samples);
  const end = endOf(samples, endS);
  let total = 0;
  for (let k = 0; k < samples.length; k++) total += samples[k].replicas * ((k + 1 < samples.length ? samples[k + 1].tS : end) - samples[k].tS);
  return total;
}

/**
 * Flaps: reversals of the replica count's direction less than windowS apart. Each change
 * between consecutive samples is an increase or a decrease at the later sample's time;
 * samples without a change are skipped; a flap is an increase followed by a decrease (or a
 * decrease by an increase) as the next change, under windowS seconds later. Up, down, up
 * within a minute is two flaps.
 */
export function flaps(samples: readonly ControlSample[], windowS = 60): number {
  checkSamples(samples);
  if (!(Number.isFinite(windowS) && windowS >= 0)) throw new RangeError(`flap window must be a non-negative number of seconds, got ${windowS}`);
  let count = 0;
  let lastSign = 0;
  let lastT = -Infinity;
  for (let k = 1; k < samples.length; k++) {
    const sign = Math.sign(samples[k].replicas - samples[k - 1].replicas);
    if (sign === 0) continue;
    if (lastSign !== 0 && sign !== lastSign && samples[k].tS - lastT < windowS) count++;
    lastSign = sign;
    lastT = samples[k].tS;
  }
  return count;
}

/** Seconds during which fewer than minReplicas replicas were live (same step function as replicaSeconds). */
export function minReplicasViolatedSeconds(samples: readonly ControlSample[], minReplicas: number, endS?: number): number {
  checkSamples(samples);
  if (!(Number.isInteger(minReplicas) && minReplicas >= 0)) throw new RangeError(`minReplicas must be a non-negative integer, got ${minReplicas}`);
  const end = endOf(samples, endS);
  let total = 0;
  for (let k = 0; k < samples.length; k++) {
    if (samples[k].replicas < minReplicas) total += (k + 1 < samples.length ? samples[k + 1].tS : end) - samples[k].tS;
  }
  return total;
}

function checkRecords(r: LatencyRecords): number {
  if (r === null || typeof r !== 'object') throw new TypeError('request records must be { latencyMs, unloadedMs }');
  const n = r.latencyMs.length;
  if (r.unloadedMs.length !== n) throw new RangeError(`request records: ${n} latencies but ${r.unloadedMs.length} unloaded latencies`);
  for (let k = 0; k < n; k++) {
    const l = r.latencyMs[k];
    const u = r.unloadedMs[k];
    if (!(Number.isFinite(l) && l >= 0)) throw new RangeError(`request ${k}: latency must be a non-negative number of ms, got ${l}`);
    if (!(Number.isFinite(u) && u >= 0)) throw new RangeError(`request ${k}: unloaded latency must be a non-negative number of ms, got ${u}`);
  }
  return n;
}

/** 99th percentile of request latency (ms; linear interpolation between ranks), null without requests. */
export function p99LatencyMs(records: LatencyRecords): number | null {
  const n = checkRecords(records);
  if (n === 0) return null;
  return quantile(Float64Array.from(records.latencyMs).sort(), 0.99);
}

/**
 * Share of requests slower than sloFactor times their own unloaded latency (RTT + service
 * time with an empty queue), null without requests. Per request, so a far client is not
 * blamed for distance, only for waiting.
 */
export function sloViolationRate(records: LatencyRecords, sloFactor = 5): number | null {
  const n = checkRecords(records);
  if (!(Number.isFinite(sloFactor) && sloFactor >= 1)) throw new RangeError(`sloFactor must be a number >= 1, got ${sloFactor}`);
  if (n === 0) return null;
  let over = 0;
  for (let k = 0; k < n; k++) if (records.latencyMs[k] > sloFactor * records.unloadedMs[k]) over++;
  return over / n;
}

/**
 * A quantile of latency per time bucket, for the report's "p99 over time" chart: bucket b
 * holds the requests with tS in [b * bucketS, (b + 1) * bucketS); NaN for an empty bucket.
 */
export function latencyQuantileSeries(tS: ArrayLike<number>, latencyMs: ArrayLike<number>, bucketS: number, endS: number, q = 0.99): { t: number[]; value: number[] } {
  if (tS.length !== latencyMs.length) throw new RangeError(`${tS.length} times but ${latencyMs.length} latencies`);
  if (!(Number.isFinite(bucketS) && bucketS > 0)) throw new RangeError(`bucketS must be a positive number, got ${bucketS}`);
  if (!(Number.isFinite(endS) && endS > 0)) throw new RangeError(`endS must be a positive number, got ${endS}`);
  const buckets = Math.ceil(endS / bucketS);
  const lists: number[][] = Array.from({ length: buckets }, () => []);
  for (let k = 0; k < tS.length; k++) {
    const b = Math.floor(tS[k] / bucketS);
    if (b >= 0 && b < buckets) lists[b].push(latencyMs[k]);
  }
  return {
    t: lists.map((_, b) => (b + 1) * bucketS),
    value: lists.map((l) => (l.length === 0 ? NaN : quantile(Float64Array.from(l).sort(), q))),
  };
}

/** All of the above for one run. */
export function autoscalingMetrics(input: AutoscalingMetricsInput): AutoscalingMetrics {
  const { samples, requests, changeAtS, cpuTarget, minReplicas, endS } = input;
  checkSamples(samples);
  return {
    timeToTargetSeconds: changeAtS === null ? null : timeToTarget(samples, changeAtS, cpuTarget, input.band ?? 0.1),
    peakReplicas: peakReplicas(samples),
    replicaSeconds: replicaSeconds(samples, endS),
    flaps: flaps(samples, input.flapWindowS ?? 60),
    p99LatencyMs: p99LatencyMs(requests),
    sloViolationRate: sloViolationRate(requests, input.sloFactor ?? 5),
    minReplicasViolatedSeconds: minReplicasViolatedSeconds(samples, minReplicas, endS),
    requests: requests.latencyMs.length,
  };
}
