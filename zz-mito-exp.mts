import { runSwarm, flaps, reachedAndHeld } from '/work/main/test/mitosis-swarm.ts';
const mode = process.argv[2];
if (mode === 'const') {
  // constant load, converge from below
  const res: Record<string, number> = {};
  let over = 0, under = 0, exact = 0, changesLate = 0, aboveMax = 0;
  for (let seed = 1; seed <= 200; seed++) {
    const target = 0.5, min = 1, max = 12;
    const load = 0.3 + (seed % 23) * 0.25; // 0.3..5.8
    const nstar = Math.min(max, Math.max(min, Math.ceil(load / target - 1e-9)));
    const tr = await runSwarm({ policy: { cpuTarget: target, min, max }, initial: 1, demand: () => load, saturation: 10, seed, rounds: 300 });
    const fin = tr.alive.at(-1)!;
    if (fin > nstar) over++; else if (fin < nstar) under++; else exact++;
    if (Math.max(...tr.alive) > max) aboveMax++;
    const late = tr.alive.slice(150); if (Math.min(...late) !== Math.max(...late)) changesLate++;
    if (fin !== nstar) console.log('seed', seed, 'load', load, 'nstar', nstar, 'final', fin, 'flaps', flaps(tr).length, tr.alive.filter((_, i) => i % 10 == 0).join(','));
  }
  console.log({ exact, over, under, changesLate, aboveMax });
}
if (mode === 'step') {
  for (let seed = 1; seed <= 20; seed++) {
    const target = 0.5;
    const tr = await runSwarm({ policy: { cpuTarget: target, min: 2, max: 100 }, initial: 2, demand: (t) => (t < 20000 ? 0.9 : 9) * (1 + 0 * seed), saturation: 1, seed, rounds: 400 });
    const fl = flaps(tr);
    console.log(seed, 'reach18 at', reachedAndHeld(tr, 18), 'final', tr.alive.at(-1), 'max', Math.max(...tr.alive), 'flaps', fl.length, tr.alive.filter((_, i) => i % 10 == 0).join(','));
  }
}
if (mode === 'kill') {
  for (let seed = 1; seed <= 20; seed++) {
    const tr = await runSwarm({ policy: { cpuTarget: 0.5, min: 10, max: 50 }, initial: 10, demand: () => 2, seed, rounds: 120, kill: { at: 30000, fraction: 0.3 } });
    console.log(seed, 'restored at', reachedAndHeld(tr, 10), tr.alive.filter((_, i) => i % 2 == 0).slice(10, 40).join(','), 'flaps', flaps(tr).length, 'final', tr.alive.at(-1));
  }
}
if (mode === 'pulse') {
  let tot = 0;
  for (let seed = 1; seed <= Number(process.argv[3] ?? 20); seed++) {
    const tr = await runSwarm({ policy: { cpuTarget: 0.5, min: 2, max: 100 }, initial: 2, demand: (t) => (t < 20000 || t >= 200000 ? 0.9 : 9), saturation: 1, seed, rounds: 600 });
    const rs = tr.alive.reduce((a, b) => a + b, 0);
    tot += flaps(tr).length;
    if (seed <= 10 || flaps(tr).length) console.log(seed, 'flaps', flaps(tr).length, 'replica-s', rs, tr.alive.filter((_, i) => i % 20 == 0).join(','));
  }
  console.log('total flaps', tot);
}
if (mode === 'dbg') {
  const seed = Number(process.argv[3]);
  const tr = await runSwarm({ policy: { cpuTarget: 0.5, min: 2, max: 100 }, initial: 2, demand: (t) => (t < 20000 || t >= 200000 ? 0.9 : 9), saturation: 1, seed, rounds: 600 });
  console.log(flaps(tr));
  for (let i = 1; i < tr.alive.length; i++) if (tr.alive[i] !== tr.alive[i-1]) console.log(tr.t[i], tr.alive[i-1], '->', tr.alive[i], 'seen', tr.seen[i]);
}
