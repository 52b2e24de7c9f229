// The pieces together: the HPA baseline scaling a replica set over the load model through a
// load step. Not the simulator's run loop (that drives real kernels), just enough of one to
// show that the controller, the queues, the arrivals and the metrics fit and behave.
import test from 'ava';
import { HpaController } from '../simulator/mitosis/hpa.ts';
import { ServiceQueues, serveRequest } from '../simulator/mitosis/load-model.ts';
import { PoissonArrivals } from '../simulator/mitosis/arrivals.ts';
import { loadStep } from '../simulator/mitosis/scenarios.ts';
import { randomPlacement } from '../simulator/mitosis/placement.ts';
import { autoscalingMetrics, type ControlSample } from '../simulator/mitosis/metrics.ts';
import { Rng } from '../simulator/rng.ts';

function run(seed: number) {
  const nodes = 40;
  const capacity = 1e6; // instructions per second
  const cost = 2800; // 2.8 ms of service
  const rttMs = 20;
  const target = 0.6;
  const sc = loadStep({ baseRate: 100, durationS: 2400 }); // 0.28 of a replica's time, then 2.8 from t = 480
  const queues = new ServiceQueues(nodes, capacity);
  const hpa = new HpaController({ minReplicas: 1, maxReplicas: 20, targetUtilisation: target, initialReplicas: 1 });
  const rng = new Rng(seed, 1);
  const pods: Array<{ node: number; startedS: number }> = [{ node: 0, startedS: -1000 }];
  const arrivals = new PoissonArrivals(sc.rate, sc.peakRate, new Rng(seed, 2), 0, sc.durationS);
  const samples: ControlSample[] = [];
  const latencyMs: number[] = [];
  const unloadedMs: number[] = [];
  let at = arrivals.next();
  for (let now = 0; now <= sc.durationS; now += 5) {
    // Requests reaching a replica by now go to a random Ready pod (what a Service's load
    // balancing does); the same RTT for every client keeps arrivals in time order per node.
    for (; at + rttMs / 2000 <= now; at = arrivals.next()) {
      const ready = pods.filter((p) => at >= p.startedS + hpa.readinessDelayS);
      const node = ready[rng.int(ready.length)].node;
      const r = serveRequest(queues, node, at + rttMs / 2000, rttMs, cost);
      latencyMs.push(r.latencyMs);
      unloadedMs.push(r.unloadedMs);
    }
    const cpu = pods.map((p) => queues.utilisation(p.node, now));
    samples.push({ tS: now, replicas: pods.length, meanCpuShare: cpu.reduce((s, c) => s + c, 0) / cpu.length });
    const desired = hpa.sync(now, pods.map((p, k) => ({ cpu: cpu[k], startedS: p.startedS })));
    while (pods.length < desired) {
      const free = Array.from({ length: nodes }, (_, i) => i).filter((i) => !pods.some((p) => p.node === i));
      pods.push({ node: randomPlacement(rng, free), startedS: now });
    }
    // Scale-down removes the newest pods (a ReplicaSet's preference among equals).
    pods.length = Math.min(pods.length, desired);
  }
  return { samples, metrics: autoscalingMetrics({ samples, requests: { latencyMs, unloadedMs }, changeAtS: sc.changeAtS, cpuTarget: target, minReplicas: 1 }) };
}

test('the HPA brings a 10x load step back to its CPU target, without flapping', (t) => {
  const { samples, metrics } = run(1);
  // The backlog built while the first pod was overloaded keeps the old pods at 100% as they
  // drain, so the HPA overshoots (a load of 2.8 needs 5 pods at 0.6), then steps down one
  // 300 s stabilisation window at a time: slow, and what the baseline really does.
  t.not(metrics.timeToTargetSeconds, null);
  t.true(metrics.timeToTargetSeconds! < 1200, `settled after ${metrics.timeToTargetSeconds} s`);
  t.true(metrics.peakReplicas >= 6 && metrics.peakReplicas <= 8, `peak ${metrics.peakReplicas}`);
  t.is(samples[samples.length - 1].replicas, 5);
  t.is(metrics.flaps, 0);
  t.is(metrics.minReplicasViolatedSeconds, 0);
  t.deepEqual(run(1).metrics, metrics); // deterministic
});
