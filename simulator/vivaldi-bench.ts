// Vivaldi accuracy bench: the firmware's Vivaldi (N harness instances, one per node) against
// textbook Vivaldi (cc = ce = 0.25, 32 random neighbours, no filter, 2-D + height) in the same run,
// on the same RTT samples model, over several topologies and noise conditions.
//
//   npx tsx simulator/vivaldi-bench.ts                       the full table (docs/vivaldi.md)
//   npx tsx simulator/vivaldi-bench.ts --topology planetlab --noise clean --every 60
//   npx tsx simulator/vivaldi-bench.ts --tune cc=0.15,nearShare=0.6   sweep a parameter
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { loadLatencyModel } from './latency/model.ts';
import { Rng } from './rng.ts';
import { runSwarm, type SampleFn } from './vivaldi-swarm.ts';
import type { ErrorStats } from './metrics.ts';
import { TUNE, type TuneName } from '../host/wire/protocol-table.ts';
import { runTextbook } from './vivaldi-textbook.ts';
import { densify, sphereTopology, type Topology } from './vivaldi-topologies.ts';

const DEFAULT_MATRIX = resolve(import.meta.dirname, '..', '..', 'shared', 'data', 'planetlab490.txt');

/** Sample models. Noise only adds delay (queueing, retransmission), as on real paths. */
export const NOISE: Record<string, SampleFn> = {
  clean: (b) => b,
  // 20% of samples noised: 15% queueing (x1-1.3), 5% spikes (x1.5-3).
  noisy: (b, rng: Rng) => {
    const u = rng.next();
    if (u < 0.05) return b * rng.range(1.5, 3);
    if (u < 0.2) return b * rng.range(1, 1.3);
    return b;
  },
  // Every sample queued (mean +10%, exponential) and 20% spiked x1.5-3: a congested network.
  heavy: (b, rng: Rng) => {
    const q = b * (1 + 0.1 * rng.exponential());
    return rng.next() < 0.2 ? q * rng.range(1.5, 3) : q;
  },
};

/** Half-way through, 20% of nodes move behind a slower access link (+20..80 ms): a route change. */
export function shifted(topo: Topology, seed: number): Topology {
  const rng = new Rng(seed, 0x73686674);
  const extra = Float64Array.from({ length: topo.n }, () => (rng.next() < 0.2 ? rng.range(20, 80) : 0));
  const matrix = new Float64Array(topo.n * topo.n);
  for (let i = 0; i < topo.n; i++) {
    for (let j = 0; j < topo.n; j++) matrix[i * topo.n + j] = i === j ? 0 : topo.matrix[i * topo.n + j] + extra[i] + extra[j];
  }
  return { name: `${topo.name}+shift`, n: topo.n, matrix, rtt: (i, j) => matrix[i * topo.n + j] };
}

export function topology(name: string, opts: { matrix: string; nodes: number; seed: number }): Topology {
  if (name === 'planetlab') {
    const m = loadLatencyModel({ matrix: opts.matrix, nodes: 490, seed: opts.seed });
    return densify('planetlab490', m.size, (i, j) => m.rtt(i, j));
  }
  if (name === 'geo') {
    // The simulator's geographic model: metros, access delays, path inflation, detours (TIVs).
    const m = loadLatencyModel({ latency: 'geo', nodes: opts.nodes, seed: opts.seed });
    return densify(`geo${opts.nodes}`, m.size, (i, j) => m.rtt(i, j));
  }
  if (name === 'sphere') return sphereTopology(opts.nodes, { seed: opts.seed, clusters: 8, accessMeanMs: 5 });
  throw new RangeError(`unknown topology ${name} (planetlab, geo, sphere)`);
}

function parseTune(s: string | undefined): Partial<Record<TuneName, number>> {
  const out: Partial<Record<TuneName, number>> = {};
  if (!s) return out;
  for (const kv of s.split(',')) {
    const [k, v] = kv.split('=');
    if (!(k in TUNE) || !Number.isFinite(Number(v))) throw new RangeError(`--tune ${kv}: known: ${Object.keys(TUNE).join(', ')}`);
    out[k as TuneName] = Number(v);
  }
  return out;
}

const fmt = (s: ErrorStats) => [s.median, s.p90, s.p99].map((v) => v.toFixed(3).padStart(6)).join(' ');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      topology: { type: 'string', default: 'planetlab,geo,sphere' },
      noise: { type: 'string', default: 'clean,noisy,heavy,shift' },
      matrix: { type: 'string', default: DEFAULT_MATRIX },
      nodes: { type: 'string', default: '490' },
      seconds: { type: 'string', default: '1800' },
      seed: { type: 'string', default: '1' },
      every: { type: 'string', default: '0' },
      tune: { type: 'string' },
      'no-baseline': { type: 'boolean', default: false },
    },
  });
  const seconds = Number(values.seconds);
  const seed = Number(values.seed);
  const nodes = Number(values.nodes);
  const every = Number(values.every);
  const tune = parseTune(values.tune);
  console.log(`seconds=${seconds} (1 probe/node/s) seed=${seed} tune=${JSON.stringify(tune)}`);
  console.log('topology       noise  algorithm              median    p90    p99   worst median after first <= 0.15');
  for (const tname of values.topology.split(',')) {
    const topo = topology(tname, { matrix: values.matrix, nodes, seed });
    for (const noise of values.noise.split(',')) {
      // "shift": clean samples, and the network changes half-way (error measured against the new one).
      const change = noise === 'shift' ? { changeAt: Math.floor(seconds / 2), rttAfter: shifted(topo, seed).rtt } : {};
      const sample = NOISE[noise === 'shift' ? 'clean' : noise];
      if (!sample) throw new RangeError(`unknown noise ${noise} (${Object.keys(NOISE).join(', ')})`);
      const label = `${topo.name.padEnd(14)} ${noise.padEnd(6)}`;
      if (!values['no-baseline']) {
        for (const dims of [2, 8]) {
          const tb = runTextbook({ n: topo.n, rtt: topo.rtt, sample, seconds, seed, dims, ...change });
          console.log(`${label} textbook ${dims}-D+h         ${fmt(tb.final)}`);
        }
        if (noise !== 'clean' && noise !== 'shift') {
          // The same firmware with its latency filter off (latest sample, applied at once).
          const noFilter = { ...tune, filterOff: 1, minSamples: 1 };
          const raw = await runSwarm({ n: topo.n, rtt: topo.rtt, sample, seconds, seed, tune: noFilter });
          console.log(`${label} firmware, no filter     ${fmt(raw.final)}`);
        }
      }
      // Worst median once the swarm has first converged below 0.15: catches oscillation and drift.
      let converged = -1;
      let worstAfter = 0;
      let shiftWorst = 0;
      const r = await runSwarm({
        n: topo.n, rtt: topo.rtt, sample, seconds, seed, tune, every: every || 60, ...change,
        onCheckpoint: (t, s) => {
          if (converged < 0 && s.median <= 0.15) converged = t;
          if (converged >= 0) worstAfter = Math.max(worstAfter, s.median);
          if (change.changeAt !== undefined && t > change.changeAt) shiftWorst = Math.max(shiftWorst, s.median);
          if (every) console.log(`${label}   t=${String(t).padStart(5)}s             ${fmt(s)}`);
        },
      });
      let conv = converged < 0 ? 'never' : `${worstAfter.toFixed(3)} (from t=${converged}s)`;
      if (change.changeAt !== undefined) conv += `; worst after the shift ${shiftWorst.toFixed(3)}`;
      console.log(`${label} firmware ${r.dims}-D+h          ${fmt(r.final)}   ${conv}`);
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('vivaldi-bench.ts')) {
  await main();
}
