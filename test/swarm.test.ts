// The simulator running real kernels: determinism, the host's prediction fast path against the
// kernel's own formula, and accuracy on the small measured matrix shipped in the repo.
import test from 'ava';
import fc from 'fast-check';
import { runSimulation, MACHINE_DEPENDENT_KEYS, type SimReport } from '../simulator/run-sim.ts';
import { Swarm } from '../simulator/swarm.ts';
import { CoordinateSnapshot } from '../simulator/coordinates.ts';
import { loadLatencyModel } from '../simulator/latency/model.ts';
import { KernelInstance } from '../host/runtime/kernel-instance.ts';
import { kernelWasm } from './fixtures/built.ts';
import { fileURLToPath } from 'node:url';

const MATRIX = fileURLToPath(new URL('./fixtures/matrix-small.txt', import.meta.url));

function machineFree(r: SimReport): unknown {
  const copy: Record<string, unknown> = { ...r };
  for (const k of MACHINE_DEPENDENT_KEYS) delete copy[k];
  return copy;
}

test('the same seed gives the same report, byte for byte; another seed does not', async (t) => {
  const opts = { kernelWasm: kernelWasm(), nodes: 49, duration: 300, matrix: MATRIX, jitter: 0.1, loss: 0.01 };
  const a = await runSimulation({ ...opts, seed: 3 });
  const b = await runSimulation({ ...opts, seed: 3 });
  const c = await runSimulation({ ...opts, seed: 4 });
  t.is(JSON.stringify(machineFree(a.report)), JSON.stringify(machineFree(b.report)));
  t.not(JSON.stringify(machineFree(a.report)), JSON.stringify(machineFree(c.report)));
  t.true(a.report.counters.framesLost > 0, 'loss is applied');
});

test('the report holds measured values under the documented keys', async (t) => {
  const { report } = await runSimulation({ kernelWasm: kernelWasm(), nodes: 49, duration: 600, seed: 1, matrix: MATRIX });
  t.is(report.nodes, 49);
  t.is(report.simSeconds, 600);
  t.true(report.events > 49 * 600, 'at least a probe per node per second went through the engine');
  // Wall time and memory are the machine's, not the seed's: measured, and left out of the byte-for-byte comparison.
  for (const k of MACHINE_DEPENDENT_KEYS) t.true(Number.isFinite(report[k]) && report[k] > 0, `${k} ${report[k]}`);
  for (const k of ['medianRelError', 'p90RelError'] as const) t.true(Number.isFinite(report.vivaldi[k]), k);
  for (const k of ['nearestHitRate', 'medianStretch', 'p90Stretch'] as const) t.true(Number.isFinite(report.routing[k]), k);
  // 49 measured PlanetLab hosts, 10 simulated minutes: well inside the ceiling of 0.15.
  t.true(report.vivaldi.medianRelError < 0.15, `median ${report.vivaldi.medianRelError}`);
  // The kernels' own routing: every client heard the replicas, and most calls went to the nearest.
  t.is(report.routing.unrouted, 0);
  t.true(report.routing.nearestHitRate > 0.5, `nearest ${report.routing.nearestHitRate}`);
  t.true(report.kernel.probesSent > 0 && report.kernel.pongsRx > 0);
  t.is(report.kernel.badPayload, 0);
});

test('the host fast path predicts exactly what the kernel predicts', async (t) => {
  const latency = loadLatencyModel({ nodes: 30, seed: 5, latency: 'geo' });
  const swarm = new Swarm({ kernel: await KernelInstance.compile(kernelWasm()), latency, seed: 5 });
  swarm.runUntil(120_000);
  const snap = CoordinateSnapshot.of(swarm.kernels);
  t.true(snap.dims > 0);
  for (let i = 0; i < 30; i++) {
    for (let j = 0; j < 30; j++) {
      if (i === j) continue;
      const kernel = swarm.kernels[i]!.predict(snap.coord(j));
      t.true(Math.abs(kernel - snap.predict(i, j)) <= 1e-9 * Math.max(1, kernel), `pair ${i},${j}`);
    }
  }
  // And for arbitrary coordinates, not only converged ones.
  await fc.assert(
    fc.property(fc.array(fc.double({ min: -500, max: 500, noNaN: true }), { minLength: snap.words, maxLength: snap.words }), fc.integer({ min: 0, max: 29 }), (words, i) => {
      const coord = Float64Array.from(words);
      coord[snap.dims] = Math.abs(coord[snap.dims]!) + 0.01; // height is positive
      coord[snap.dims + 1] = 0.5; // error estimate in range
      const probe = new CoordinateSnapshot(snap.dims, 2);
      probe.data.set(snap.coord(i), 0);
      probe.data.set(coord, snap.words);
      const kernel = swarm.kernels[i]!.predict(coord);
      return Math.abs(kernel - probe.predict(0, 1)) <= 1e-9 * Math.max(1, kernel);
    }),
    { numRuns: 300 },
  );
});

test('a matrix smaller than --nodes is refused unless sampling is asked for', async (t) => {
  await t.throwsAsync(runSimulation({ kernelWasm: kernelWasm(), nodes: 60, duration: 10, seed: 1, matrix: MATRIX }), { message: /--sample/ });
  const { report } = await runSimulation({ kernelWasm: kernelWasm(), nodes: 60, duration: 30, seed: 1, matrix: MATRIX, sample: true });
  t.is(report.nodes, 60);
});
