// One simulated swarm run: build the latency model and the swarm, advance virtual time, sample
// the metrics along the way, and return the JSON report and the data for the HTML page.
import { Swarm, type SwarmCounters } from './swarm.ts';
import { CoordinateSnapshot } from './coordinates.ts';
import { loadLatencyModel, type LatencyModel } from './latency/model.ts';
import {
  evaluationPairs, relativeErrors, summarise, cdf, convergence, centroid, centroidDrift, choiceQuality, type PairSample, type ReplicaQuality,
} from './metrics.ts';
import type { ReportData } from './report-html.ts';
import type { Progress } from '../host/cli/progress.ts';
import { KernelInstance } from '../host/runtime/kernel-instance.ts';
import { ReplicaRouting, type RoutedCalls } from './replica-routing.ts';
import { describeChaos, type ChaosOptions } from './chaos/chaos-options.ts';
import type { ChaosCounters } from './chaos/chaos-layer.ts';

export interface SimOptions {
  kernelWasm: Uint8Array;
  nodes: number;
  /** Simulated seconds. */
  duration: number;
  seed: number;
  matrix?: string;
  latency?: 'geo' | 'matrix';
  jitter?: number;
  loss?: number;
  /** --sample: allow more nodes than the matrix has hosts, drawing hosts with replacement. */
  sample?: boolean;
  /** Seconds between metric samples (error over time). */
  sampleEvery?: number;
  /** Replica sets placed for the nearest-replica figure (one after another, after scoring), and replicas per set. */
  replicaSets?: number;
  replicasPerSet?: number;
  progress?: Progress;
  /** Spikes, partitions, churn, slow nodes, forgers (simulator/chaos/chaos-options.ts). */
  chaos?: ChaosOptions;
}

export interface SimReport {
  nodes: number;
  seed: number;
  latencyModel: string;
  warnings: string[];
  simSeconds: number;
  wallSeconds: number;
  events: number;
  peakRssBytes: number;
  vivaldi: {
    dims: number;
    pairs: number;
    medianRelError: number;
    p90RelError: number;
    p99RelError: number;
    convergenceSeconds: number | null;
    convergenceTo02Seconds: number | null;
    centroidDriftMs: number;
    errorOverTime: Array<{ t: number; median: number; p90: number }>;
  };
  /** The replicas the kernels' routing chose (simulator/replica-routing.ts), against the truly nearest. */
  routing: {
    source: 'kernel routing';
    sets: number;
    replicasPerSet: number;
    calls: number;
    /** Calls the kernel refused for want of a known replica. */
    unrouted: number;
    /** Share of routed calls sent to a truly nearest replica (by the latency model's RTT). */
    nearestHitRate: number;
    /** True RTT of the chosen replica / true RTT of the nearest: median and p90. */
    medianStretch: number;
    p90Stretch: number;
    /** Share of routed calls the kernels sent to a forging node (counted as misses in nearestHitRate). */
    forgedChoiceRate: number;
  };
  /** The conditions and what they did; null on a calm run. */
  chaos: { options: ChaosOptions; counters: ChaosCounters } | null;
  counters: SwarmCounters;
  kernel: { probesSent: number; pongsRx: number; badPayload: number };
}

export interface SimResult {
  report: SimReport;
  reportData: ReportData;
}

/** Keys of SimReport that depend on the machine, not the seed (the determinism test ignores them). */
export const MACHINE_DEPENDENT_KEYS = ['wallSeconds', 'peakRssBytes'] as const;

export async function runSimulation(opts: SimOptions): Promise<SimResult> {
  const wall0 = performance.now();
  const latency: LatencyModel = loadLatencyModel({
    matrix: opts.matrix, latency: opts.latency, nodes: opts.nodes, seed: opts.seed,
    jitter: opts.jitter ?? 0, loss: opts.loss ?? 0, sampleWithReplacement: opts.sample,
  });
  if (!(opts.duration > 0)) throw new RangeError(`--duration must be a positive number of seconds, got ${opts.duration}`);
  const routing = new ReplicaRouting(latency);
  const swarm = new Swarm({
    kernel: await KernelInstance.compile(opts.kernelWasm),
    latency,
    seed: opts.seed,
    bootstrap: 4,
    // A WAN swarm has no multicast domain: nodes learn each other through bootstrap and probe gossip.
    kernelConfig: { announceIntervalMs: 0 },
    hooks: routing.hooks,
    chaos: opts.chaos,
  });
  const run = advanceSampling(swarm, latency, opts);
  const errors = relativeErrors(latency, (i, j) => run.snap.predict(i, j), run.pairs);
  // Routing is measured after the coordinates were scored, so its calls and pheromones do not move them.
  const routed = routing.run(swarm, { seed: opts.seed, sets: opts.replicaSets, replicasPerSet: opts.replicasPerSet });
  const quality = forgerAwareQuality(latency, routed, swarm.chaos?.isForger);
  const peakRss = Math.max(run.peakRss, process.memoryUsage().rss);
  const report = buildReport(opts, latency, swarm, run, errors, { routed, quality }, peakRss, wall0);
  return { report, reportData: buildReportData(opts, latency, swarm, run, errors, quality) };
}

interface RoutingFigures {
  routed: RoutedCalls;
  quality: ReplicaQuality & { forgedChoiceRate: number };
}

/** The choice quality, where a call the kernel sent to a forger is a miss whatever its RTT (the forger hosts nothing). */
function forgerAwareQuality(latency: LatencyModel, routed: RoutedCalls, isForger: Uint8Array | undefined): RoutingFigures['quality'] {
  if (!isForger || !isForger.includes(1)) return { ...choiceQuality(latency, routed.choices), forgedChoiceRate: 0 };
  const honest = routed.choices.filter((c) => !isForger[c.chosen]);
  const q = choiceQuality(latency, honest);
  const forged = routed.choices.length - honest.length;
  const total = q.samples + forged;
  return { ...q, hitRate: total > 0 ? (q.hitRate * q.samples) / total : NaN, forgedChoiceRate: routed.choices.length > 0 ? forged / routed.choices.length : 0 };
}

/** What advancing the swarm left: the error series, the coordinates at the start and end, the pairs scored. */
interface SampledRun {
  series: Array<{ t: number; median: number; p90: number }>;
  start: CoordinateSnapshot;
  snap: CoordinateSnapshot;
  pairs: PairSample;
  peakRss: number;
}

/** Advances virtual time to the end, scoring the coordinates every sampleEvery seconds. */
function advanceSampling(swarm: Swarm, latency: LatencyModel, opts: SimOptions): SampledRun {
  let peakRss = process.memoryUsage().rss;
  const pairs = evaluationPairs(latency.size, opts.seed);
  const sampleEvery = opts.sampleEvery ?? Math.max(10, Math.round(opts.duration / 60));
  const series: Array<{ t: number; median: number; p90: number }> = [];
  const start = CoordinateSnapshot.of(swarm.kernels);
  let snap = start;
  for (let t = 0; t < opts.duration; ) {
    t = Math.min(opts.duration, t + sampleEvery);
    swarm.runUntil(t * 1000);
    snap = CoordinateSnapshot.of(swarm.kernels);
    const s = summarise(relativeErrors(latency, (i, j) => snap.predict(i, j), pairs));
    series.push({ t, median: s.median, p90: s.p90 });
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    opts.progress?.update(t, `median error ${s.median.toFixed(3)}`);
  }
  opts.progress?.stop();
  return { series, start, snap, pairs, peakRss };
}

function kernelTotals(swarm: Swarm): SimReport['kernel'] {
  const totals = { probesSent: 0, pongsRx: 0, badPayload: 0 };
  for (const k of swarm.kernels) {
    totals.probesSent += k.stat('probesSent');
    totals.pongsRx += k.stat('pongsRx');
    totals.badPayload += k.stat('badPayload');
  }
  return totals;
}

function buildReport(
  opts: SimOptions, latency: LatencyModel, swarm: Swarm, run: SampledRun, errors: Float64Array, { routed, quality }: RoutingFigures,
  peakRss: number, wall0: number,
): SimReport {
  const { snap, series } = run;
  const final = summarise(errors);
  const conv = convergence(series.map(({ t, median }) => ({ t, median })));
  const drift = snap.dims > 0 ? centroidDrift(centroid(run.start.euclidean(), snap.dims), centroid(snap.euclidean(), snap.dims)) : 0;
  return {
    nodes: latency.size,
    seed: opts.seed,
    latencyModel: latency.name,
    warnings: [...latency.warnings],
    simSeconds: opts.duration,
    wallSeconds: Math.round((performance.now() - wall0) / 10) / 100,
    events: swarm.counters.events,
    peakRssBytes: peakRss,
    vivaldi: {
      dims: snap.dims,
      pairs: final.pairs,
      medianRelError: final.median,
      p90RelError: final.p90,
      p99RelError: final.p99,
      convergenceSeconds: conv.settled,
      convergenceTo02Seconds: conv.reachedThreshold,
      centroidDriftMs: drift,
      errorOverTime: series,
    },
    routing: {
      source: 'kernel routing',
      sets: routed.sets,
      replicasPerSet: routed.replicasPerSet,
      calls: routed.calls,
      unrouted: routed.unrouted,
      nearestHitRate: quality.hitRate,
      medianStretch: quality.stretchMedian,
      p90Stretch: quality.stretchP90,
      forgedChoiceRate: quality.forgedChoiceRate,
    },
    chaos: swarm.chaos ? { options: swarm.chaos.options, counters: { ...swarm.chaos.counters } } : null,
    counters: { ...swarm.counters },
    kernel: kernelTotals(swarm),
  };
}

function buildReportData(
  opts: SimOptions, latency: LatencyModel, swarm: Swarm, run: SampledRun, errors: Float64Array, quality: ReplicaQuality,
): ReportData {
  const { snap, series } = run;
  const final = summarise(errors);
  const conv = convergence(series.map(({ t, median }) => ({ t, median })));
  const sortedStretch = Float64Array.from(quality.stretch).sort();
  return {
    title: `Cell swarm: ${latency.size} nodes, ${latency.name}, ${opts.duration} s`,
    summary: [
      { label: 'nodes', value: latency.size },
      { label: 'latency model', value: latency.name },
      { label: 'seed', value: opts.seed },
      { label: 'simulated seconds', value: opts.duration },
      { label: 'events', value: swarm.counters.events },
      { label: 'median relative error', value: final.median.toFixed(4) },
      { label: 'p90 relative error', value: final.p90.toFixed(4) },
      { label: 'p99 relative error', value: final.p99.toFixed(4) },
      { label: 'converged (within 10% of final) at s', value: conv.settled ?? 'never' },
      { label: 'calls to the truly nearest replica (kernel routing)', value: quality.hitRate.toFixed(3) },
      { label: 'stretch p50 / p90 (kernel routing)', value: `${quality.stretchMedian.toFixed(3)} / ${quality.stretchP90.toFixed(3)}` },
      ...(swarm.chaos ? [{ label: 'chaos', value: describeChaos(swarm.chaos.options, opts.loss ?? 0) }, { label: 'chaos counters', value: JSON.stringify(swarm.chaos.counters) }] : []),
    ],
    errorCdf: cdf(errors),
    errorOverTime: { t: series.map((s) => s.t), median: series.map((s) => s.median), p90: series.map((s) => s.p90) },
    coordinates: {
      vectors: snap.vectors(),
      region: Int32Array.from({ length: latency.size }, (_, i) => latency.region(i)),
      regionNames: latency.regionNames,
    },
    stretchCdf: cdf(sortedStretch),
  };
}
