// The 10x load-step property of test/mitosis.test.ts as a sweep over N seeded cases, for the figures
// in docs/mitosis-firmware.md: `npx tsx test/mitosis-step-sweep.ts N [FIRST_SEED]`.
import { runSwarm, flaps, reachedAndHeld, node, type Policy } from './mitosis-swarm.ts';
const goal = (p: Policy, load: number) => Math.min(p.max, Math.max(p.min, Math.ceil(load / p.cpuTarget - 1e-9)));
const band = (p: Policy, load: number) => Math.min(p.max, Math.max(p.min, Math.ceil(load / (p.cpuTarget * 1.1) - 1e-9)));
const margin = (await node()).cfgRetireMargin();
/** Largest count the retire rule leaves alone at this load (as keptUpTo in test/mitosis.test.ts). */
function kept(p: Policy, load: number): number {
  let n = p.min;
  while (n < p.max && load / n >= p.cpuTarget * margin) n++;
  return Math.max(n, goal(p, load));
}
let flapRuns = 0; const ttt: number[] = []; let worstOver = 0; let worstCase = '';
const N = Number(process.argv[2] ?? 100);
const firstSeed = Number(process.argv[3] ?? 1001);
for (let s = 1; s <= N; s++) {
  const base = 0.3 + ((s * 0.618) % 1.2); const cpuTarget = [0.5, 0.6, 0.7][s % 3]!;
  const p = { cpuTarget, min: 2, max: 100 };
  const stepAt = 60_000, downAt = 360_000;
  const tr = await runSwarm({ policy: p, initial: goal(p, base), demand: (tm: number) => (tm >= stepAt && tm < downAt ? 10 * base : base), saturation: 1, seed: firstSeed - 1 + s, rounds: 900 });
  if (flaps(tr).length) flapRuns++;
  const up = { ...tr, t: tr.t.filter((x) => x < downAt), alive: tr.alive.filter((_, i) => tr.t[i]! < downAt) };
  ttt.push((reachedAndHeld(up, band(p, 10 * base)) - stepAt) / 1000);
  // Overshoot over the count the retire rule keeps, in units of ceil(sqrt(kept)) (the test allows 2).
  const k = kept(p, 10 * base);
  const peak = Math.max(...up.alive.filter((_, i) => up.t[i]! >= stepAt));
  const over = (peak - k) / Math.ceil(Math.sqrt(k));
  if (over > worstOver) { worstOver = over; worstCase = `peak ${peak} over ${k}`; }
}
ttt.sort((a, b) => a - b);
console.log(`${N} runs: runs with a flap ${flapRuns}; time to the tolerance band median ${ttt[N >> 1]} s, p99 ${ttt[Math.floor(N * 0.99)]} s, worst ${ttt[N - 1]} s; overshoot at most ${worstOver.toFixed(2)} ceil(sqrt(kept)) (${worstCase || 'none'})`);
