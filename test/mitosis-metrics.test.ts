import test from 'ava';
import {
  autoscalingMetrics,
  flaps,
  latencyQuantileSeries,
  minReplicasViolatedSeconds,
  p99LatencyMs,
  peakReplicas,
  replicaSeconds,
  sloViolationRate,
  timeToTarget,
  type ControlSample,
} from '../simulator/mitosis/metrics.ts';

/** Samples every 10 s from t = 0 with the given replica counts and CPU shares. */
const series = (replicas: number[], cpu: number[]): ControlSample[] => replicas.map((r, k) => ({ tS: 10 * k, replicas: r, meanCpuShare: cpu[k] }));

test('time to target: from the change until the CPU share stays within +-10% of the target', (t) => {
  // Target 0.6: band [0.54, 0.66]. The change is at t = 20; in band at 50, out at 60, in from 70 on.
  const s = series([2, 2, 2, 4, 6, 6, 6, 7, 7, 7], [0.6, 0.6, 1.0, 0.9, 0.7, 0.6, 0.5, 0.62, 0.58, 0.6]);
  t.is(timeToTarget(s, 20, 0.6), 50);
  // The band is relative and inclusive: 0.54 and 0.66 are in.
  t.is(timeToTarget(series([1, 1, 1], [0.9, 0.54, 0.66]), 0, 0.6), 10);
  // Already at the target from the change on: 0.
  t.is(timeToTarget(series([1, 1, 1], [0.6, 0.6, 0.6]), 10, 0.6), 0);
  // A change between samples counts from the change, not the sample.
  t.is(timeToTarget(series([1, 1, 1, 1], [0.9, 0.9, 0.6, 0.6]), 15, 0.6), 5);
  // Never settles (last sample out of band), or no sample after the change: null.
  t.is(timeToTarget(series([1, 1, 1], [0.6, 0.6, 0.9]), 0, 0.6), null);
  t.is(timeToTarget(series([1, 1], [0.6, 0.6]), 30, 0.6), null);
  // A wider band settles earlier.
  t.is(timeToTarget(s, 20, 0.6, 0.2), 20); // [0.48, 0.72]: in from t = 40
});

test('peak replicas and replica-seconds (each count holds until the next sample)', (t) => {
  const s = series([2, 4, 4, 1], [0, 0, 0, 0]);
  t.is(peakReplicas(s), 4);
  t.is(replicaSeconds(s), 20 + 40 + 40); // the last sample has no length without endS
  t.is(replicaSeconds(s, 50), 20 + 40 + 40 + 20);
  t.throws(() => replicaSeconds(s, 20), { message: /endS \(20\) must be a time at or after the last sample \(30\)/ });
});

test('flaps: opposite changes less than 60 s apart', (t) => {
  // up at 10, down at 20: a flap; up at 30: a second; then steady, down at 100 (70 s later): none.
  t.is(flaps(series([2, 3, 2, 3, 3, 3, 3, 3, 3, 3, 2], new Array(11).fill(0))), 2);
  // Several steps the same way are not flaps; pauses between changes are skipped over.
  t.is(flaps(series([1, 2, 4, 4, 8, 8], new Array(6).fill(0))), 0);
  t.is(flaps(series([4, 8, 8, 8, 4], new Array(5).fill(0))), 1); // 30 s apart across unchanged samples
  // Exactly 60 s apart is not "less than".
  t.is(flaps(series([4, 8, 8, 8, 8, 8, 8, 4], new Array(8).fill(0))), 0);
  t.is(flaps(series([4, 8, 8, 8, 8, 8, 8, 4], new Array(8).fill(0)), 61), 1);
});

test('seconds below minReplicas', (t) => {
  // min 3: below over [0, 10) and [30, 40) and [40, end=45).
  const s = series([2, 3, 3, 1, 2], [0, 0, 0, 0, 0]);
  t.is(minReplicasViolatedSeconds(s, 3, 45), 10 + 10 + 5);
  t.is(minReplicasViolatedSeconds(s, 1), 0);
});

test('p99 latency and SLO violations (slower than 5x the unloaded latency, per request)', (t) => {
  const latencyMs = Array.from({ length: 100 }, (_, k) => k + 1); // 1..100 ms
  const unloadedMs = new Array(100).fill(10);
  t.true(Math.abs(p99LatencyMs({ latencyMs, unloadedMs })! - 99.01) < 1e-9); // R type 7
  t.is(sloViolationRate({ latencyMs, unloadedMs }), 0.5); // 51..100 are over 50
  t.is(sloViolationRate({ latencyMs, unloadedMs }, 10), 0); // nothing over 100
  // Per request: a far client with a large unloaded latency is not a violation for being far.
  t.is(sloViolationRate({ latencyMs: [300, 60], unloadedMs: [200, 10] }), 0.5);
  t.is(p99LatencyMs({ latencyMs: [], unloadedMs: [] }), null);
  t.is(sloViolationRate({ latencyMs: [], unloadedMs: [] }), null);
  t.throws(() => p99LatencyMs({ latencyMs: [1, 2], unloadedMs: [1] }), { message: /2 latencies but 1 unloaded/ });
  t.throws(() => sloViolationRate({ latencyMs: [NaN], unloadedMs: [1] }), { message: /request 0: latency must be a non-negative number/ });
});

test('latency quantile per time bucket, NaN where a bucket is empty', (t) => {
  const s = latencyQuantileSeries([1, 2, 3, 25], [10, 20, 30, 5], 10, 30, 0.5);
  t.deepEqual(s.t, [10, 20, 30]);
  t.is(s.value[0], 20);
  t.true(Number.isNaN(s.value[1]));
  t.is(s.value[2], 5);
});

test('all metrics of one run together', (t) => {
  const samples = series([2, 2, 6, 6, 6], [0.6, 0.6, 0.9, 0.6, 0.6]);
  const m = autoscalingMetrics({
    samples,
    requests: { latencyMs: [10, 100], unloadedMs: [10, 10] },
    changeAtS: 20,
    cpuTarget: 0.6,
    minReplicas: 3,
    endS: 50,
  });
  t.deepEqual(m, {
    timeToTargetSeconds: 10,
    peakReplicas: 6,
    replicaSeconds: 20 + 20 + 60 + 60 + 60,
    flaps: 0,
    p99LatencyMs: 99.1,
    sloViolationRate: 0.5,
    minReplicasViolatedSeconds: 20,
    requests: 2,
  });
  t.is(autoscalingMetrics({ samples, requests: { latencyMs: [], unloadedMs: [] }, changeAtS: null, cpuTarget: 0.6, minReplicas: 1 }).timeToTargetSeconds, null);
});

test('bad series are refused with a clear message', (t) => {
  t.throws(() => peakReplicas([]), { message: /non-empty series/ });
  t.throws(() => peakReplicas([{ tS: 0, replicas: 1, meanCpuShare: 0 }, { tS: 0, replicas: 1, meanCpuShare: 0 }]), { message: /sample 1: times must strictly ascend/ });
  t.throws(() => peakReplicas([{ tS: 0, replicas: 1.5, meanCpuShare: 0 }]), { message: /sample 0: replicas must be a non-negative integer/ });
  t.throws(() => timeToTarget(series([1], [0.5]), 0, 0), { message: /cpuTarget must be a positive number/ });
  t.throws(() => flaps(series([1], [0.5]), -1), { message: /flap window must be a non-negative number/ });
});
