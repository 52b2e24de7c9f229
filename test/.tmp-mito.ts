import fc from 'fast-check';
import { node, runSwarm, flaps, reachedAndHeld, type MitoHarness, type Policy } from './mitosis-swarm.ts';
const h = await node();
const tolerance = h.cfgSpawnTolerance(), margin = h.cfgRetireMargin();
function fewestUnder(p: Policy, load: number, line: number): number {
  let m = p.min;
  while (m < p.max && load / m > line * (1 + 1e-9)) m++;
  return m;
}
const leftUpFrom = (p: Policy, load: number, tol: number) => fewestUnder(p, load, p.cpuTarget * (1 + tol));
const goal = (p: Policy, load: number) => fewestUnder(p, load, p.cpuTarget);
let fails = 0, runs = 0;
const t0 = Date.now();
await fc.assert(fc.asyncProperty(fc.double({ min: 0.3, max: 1.5, noNaN: true }), fc.constantFrom(0.5, 0.6, 0.7), fc.nat(), async (base, cpuTarget, seed) => {
  const p = { cpuTarget, min: 2, max: 100 };
  const stepAt = 60_000, downAt = 360_000;
  const demand = (tm: number) => (tm >= stepAt && tm < downAt ? 10 * base : base);
  const tr = await runSwarm({ policy: p, initial: goal(p, base), demand, saturation: 1, seed, rounds: 900 });
  const up = { ...tr, t: tr.t.filter((x) => x < downAt), alive: tr.alive.filter((_, i) => tr.t[i]! < downAt) };
  const inBand = reachedAndHeld(up, leftUpFrom(p, 10 * base, tolerance));
  runs++;
  if (!(inBand >= stepAt && inBand - stepAt <= 45_000)) { fails++; console.log('FAIL', base, cpuTarget, seed, inBand, 'goal', goal(p, 10*base), 'band', leftUpFrom(p, 10*base, tolerance), 'alive', up.alive.slice(55, 160).join(',')); }
  return true;
}), { numRuns: 12000 });
console.log('runs', runs, 'fails', fails, (Date.now()-t0)/1000, 's');
