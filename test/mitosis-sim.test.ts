// Mitosis in the simulator on a small swarm where the right outcome is known: a 10x load step
// on a species at half its target needs about 5x the replicas; the kernels must get there on
// their own, stay within [min, max], and a central HPA on the same seed must run beside them.
import test from 'ava';
import { runMitosis } from '../simulator/mitosis/run-mitosis.ts';
import { kernelWasm } from './fixtures/built.ts';

test('load-step: replicas rise to cover a 10x step, within [min, max], deterministic by seed', async (t) => {
  const opts = { kernelWasm: kernelWasm(), nodes: 80, seed: 3, scenario: 'load-step', duration: 300, clients: 40 };
  const r = await runMitosis(opts);
  const { minReplicas, maxReplicas, cpuTarget } = r.biology;
  t.true(r.costInstructions > 1000, 'the cost comes from the metered cell');
  const cell = r.cell.series.replicas;
  t.true(cell.every((n) => n >= minReplicas && n <= maxReplicas), `replicas ${cell}`);
  // Base load puts min_replicas at half the target; 10x needs ceil(min * 0.5 * 10) = 15 replicas at the target.
  const needed = Math.ceil(minReplicas * 0.5 * 10);
  const end = cell.slice(-5);
  t.true(Math.min(...end) >= needed * 0.8, `cell ends with ${end}, needs about ${needed}`);
  // Every replica beyond the first min_replicas came from a kernel's own spawn decision.
  t.true(r.cell.kernel.spawns >= Math.max(...end) - minReplicas, `spawns ${r.cell.kernel.spawns}`);
  const share = r.cell.series.cpuShare.slice(-5);
  t.true(share.every((s) => s < cpuTarget * 1.5), `final CPU share ${share}`);
  t.true(r.hpa.metrics.peakReplicas > minReplicas, 'the HPA scales too');
  t.is(r.hpa.kernel.spawns, 0, 'under the HPA the kernels do not divide');
  const again = await runMitosis(opts);
  t.deepEqual(again.cell.series, r.cell.series);
  t.deepEqual(again.hpa.series, r.hpa.series);
  // Routing figures are the kernels' own CALLs, one per answered-or-pending request, and as deterministic.
  t.true(r.cell.routing.calls > 0 && r.cell.routing.nearestHitRate >= 0 && r.cell.routing.nearestHitRate <= 1);
  t.true(r.cell.routing.p90Stretch >= r.cell.routing.medianStretch && r.cell.routing.medianStretch >= 1);
  t.deepEqual(again.cell.routing, r.cell.routing);
});

test('node-failures: replicas lost with their nodes are replaced by the survivors', async (t) => {
  // A seed where the failure takes out replicas; min_replicas must be restored within 30 s.
  const r = await runMitosis({ kernelWasm: kernelWasm(), nodes: 60, seed: 2, scenario: 'node-failures', duration: 200, clients: 30 });
  t.true(r.cell.replicasLost > 0, 'the failure took out replicas');
  t.true(r.cell.metrics.minReplicasViolatedSeconds <= 30, `below min for ${r.cell.metrics.minReplicasViolatedSeconds} s`);
  t.true(r.cell.series.replicas.every((n) => n <= r.biology.maxReplicas));
});
