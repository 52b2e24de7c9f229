// The firmware's mitosis / apoptosis decisions (firmware/kernel/mitosis.ts) through a harness wasm:
// single decisions against their rules, and swarms of replicas (one wasm instance per node, each
// running the kernel's division round, firmware/kernel/division.ts) driven round by round with the
// time passed in `now`. The swarm runner is test/mitosis-swarm.ts.
import test from 'ava';
import fc from 'fast-check';
import { node, runSwarm, sameViewRound, flaps, reachedAndHeld, type MitoHarness, type Policy } from './mitosis-swarm.ts';

const SPECIES = 0x5eed;
const h0 = node();
const cfg = h0.then((h) => ({
  settle: h.cfgSettleMs(),
  cooldown: h.cfgCooldownMs(),
  sustain: h.cfgSustainMs(),
  margin: h.cfgRetireMargin(),
  burst: h.cfgMaxBurst(),
  tolerance: h.cfgSpawnTolerance(),
}));

/** Slot 0 of `h` with a fresh policy and a smoothed share of exactly `share` (its first sample). */
function fresh(h: MitoHarness, p: Policy, share: number, now = 0): void {
  h.clear(0);
  h.setPolicy(0, SPECIES, p.cpuTarget, p.min, p.max);
  h.observe(0, share, now);
}

/** The fewest replicas m in [min, max] whose mean share load / m is at most `line`, found by counting up. */
function fewestUnder(p: Policy, load: number, line: number): number {
  let m = p.min;
  while (m < p.max && load / m > line * (1 + 1e-9)) m++; // 1e-9: float noise in a sum is not load
  return m;
}

/**
 * Where a replica sits in the swarm's node-id order (the seenBefore and sumBefore of a view) so that
 * its stretch of the shared deficit holds the first point (take) or none (see allot() in mitosis.ts).
 * Not taking needs a stretch shorter than one replica of the deficit.
 */
function place(h: MitoHarness, n: number, sum: number, take: boolean): [number, number] {
  const x = h.spawnExpectation(0, n, sum);
  if (!(x > 0)) return [0, 0];
  // Above min the deficit is laid out by share (sumBefore counts); below min evenly (seenBefore does).
  const all = Math.max(sum, h.share(0));
  const w = h.share(0) / all;
  const d = x / w;
  const b = take ? Math.max(0, 0.5 / d - w / 2) : (0.5 + 1e-6) / d;
  const dEven = x * n;
  const j = take ? Math.max(0, Math.ceil(n / (2 * dEven)) - 1) : Math.ceil(n / (2 * dEven) + 1e-9);
  return [j, b * all];
}

/** Fewest replicas the spawn rule leaves alone at this load: the mean share is within the tolerance. */
const leftUpFrom = (p: Policy, load: number, tolerance: number) => fewestUnder(p, load, p.cpuTarget * (1 + tolerance));

/** The middle of the band: the fewest replicas at or under cpu_target. */
const goal = (p: Policy, load: number) => fewestUnder(p, load, p.cpuTarget);

/** Largest count the retire rule leaves alone at this load: above it some replica may retire. */
function keptUpTo(p: Policy, load: number, margin: number): number {
  let n = p.min;
  while (n < p.max && load / n >= p.cpuTarget * margin) n++;
  return Math.max(n, goal(p, load));
}

const policyArb = fc.record({
  cpuTarget: fc.double({ min: 0.2, max: 0.9, noNaN: true }),
  min: fc.integer({ min: 1, max: 4 }),
  span: fc.integer({ min: 0, max: 25 }),
}).map(({ cpuTarget, min, span }) => ({ cpuTarget, min, max: min + span }));

test('a decision never takes its own view outside [min, max] and spawns at most a burst', async (t) => {
  const h = await h0;
  const { burst } = await cfg;
  const step = fc.record({
    dt: fc.integer({ min: 0, max: 40_000 }),
    share: fc.double({ min: 0, max: 2, noNaN: true }),
    n: fc.integer({ min: 0, max: 40 }),
    perReplica: fc.double({ min: 0, max: 2, noNaN: true }),
    r: fc.nat({ max: 0xffffffff }),
    // Where the replica sits in the view's id order; hostile values (negative, past the sum) too.
    seenBefore: fc.integer({ min: -5, max: 45 }),
    before: fc.double({ min: -1, max: 3 }),
  });
  fc.assert(
    fc.property(policyArb, fc.array(step, { minLength: 1, maxLength: 60 }), (p, steps) => {
      fresh(h, p, 0);
      let now = 0;
      for (const s of steps) {
        now += s.dt;
        h.observe(0, s.share, now);
        const d = h.decide(0, now, s.n, s.n * s.perReplica, s.seenBefore, s.before * s.n * s.perReplica, s.r);
        const n = Math.max(1, s.n);
        if (!Number.isInteger(d) || d < -1 || d > burst) return false;
        if (d > 0 && n + d > p.max) return false;
        if (d < 0 && n <= p.min) return false;
        if ((h.needsReplacement(0, now, s.n) === 1) !== s.n < p.min) return false;
      }
      return true;
    }),
    { numRuns: 300 },
  );
  t.pass();
});

test('uniformly loaded replicas expect, together, exactly the deficit: the aim minus n', async (t) => {
  const h = await h0;
  const { tolerance } = await cfg;
  fc.assert(
    fc.property(policyArb, fc.integer({ min: 1, max: 30 }), fc.double({ min: 0, max: 40, noNaN: true }), (p, n, load) => {
      fresh(h, p, load / n);
      const x = h.spawnExpectation(0, n, load);
      if (n >= p.max) return x === 0;
      // The aim, from the band's definition (docs/mitosis-firmware.md): a swarm whose mean share is
      // far over the band's edge (more than the tolerance past it) aims at the middle, the fewest
      // replicas at or under cpu_target; nearer, at the fewest replicas inside the band (at or under the edge).
      const edge = p.cpuTarget * (1 + tolerance);
      const far = load / n > edge * (1 + tolerance);
      const deficit = fewestUnder(p, load, far ? p.cpuTarget : edge) - n;
      if (n < p.min) return Math.abs(n * x - deficit) < 1e-9;
      if (load / n <= edge || deficit <= 0) return x === 0;
      // With room for twice the deficit and one more, the spread of the rolls (about sqrt(deficit),
      // and d + 2 sqrt(d) <= 2d + 1) cannot cross the cap: all of it is expected. Nearer the cap the
      // approach is paced: some of it, never more than the room left.
      const room = p.max - n;
      if (room >= 2 * deficit + 1) return Math.abs(n * x - deficit) < 1e-9;
      return x > 0 && n * x <= Math.min(deficit, room) + 1e-9;
    }),
    { numRuns: 500 },
  );
  // Worked by hand, target 0.5, edge 0.55, max 100: 10 replicas at 1.0 are far over the edge (0.605),
  // aim 20, expect 10 between them; 10 at 0.6 are near it, aim 11 (6 / 11 = 0.545), expect 1.
  const p = { cpuTarget: 0.5, min: 1, max: 100 };
  fresh(h, p, 1.0);
  t.is(Math.round(10 * h.spawnExpectation(0, 10, 10) * 1e9) / 1e9, 10);
  fresh(h, p, 0.6);
  t.is(Math.round(10 * h.spawnExpectation(0, 10, 6) * 1e9) / 1e9, 1);
  // 18 replicas at 1.0 under max 20: the aim is capped at 20, deficit 2, paced to B(2) = 2^2 / (2 + 19) = 4/21.
  fresh(h, { ...p, max: 20 }, 1.0);
  t.is(Math.round(18 * h.spawnExpectation(0, 18, 18) * 1e9) / 1e9, Math.round((4 / 21) * 1e9) / 1e9);
});

test('spawn expectation grows with the overload and shrinks with the number of replicas', async (t) => {
  const h = await h0;
  const p = { cpuTarget: 0.5, min: 1, max: 1000 };
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 60 }),
      fc.double({ min: 0.5, max: 3, noNaN: true }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      (n, perReplica, more) => {
        // More load on every replica (own share and the sum together): no smaller expectation.
        fresh(h, p, perReplica);
        const a = h.spawnExpectation(0, n, n * perReplica);
        fresh(h, p, perReplica + more);
        const b = h.spawnExpectation(0, n, n * (perReplica + more));
        // The same total load and own share, seen among more replicas: no larger expectation.
        fresh(h, p, perReplica);
        const c = h.spawnExpectation(0, n + 1, n * perReplica);
        return b >= a - 1e-12 && c <= a + 1e-12;
      },
    ),
    { numRuns: 500 },
  );
  // 50 replicas at 1.4x: each spawns 0.4 on average, not 1 (the swarm needs 20 more, not 50).
  fresh(h, p, 0.7);
  t.is(Math.round(h.spawnExpectation(0, 50, 35) * 1000) / 1000, 0.4);
  // At 1.2x the mean is within the tolerance of the band's edge (0.55): the swarm aims at the fewest
  // replicas inside the band, ceil(30 / 0.55) = 55, not at ceil(30 / 0.5) = 60.
  fresh(h, p, 0.6);
  t.is(Math.round(h.spawnExpectation(0, 50, 30) * 1000) / 1000, 0.1);
  t.is(h.spawnExpectation(0, 50, 25), 0, 'at the target: nothing');
});

test('no stampede: overloaded replicas hearing the same view spawn exactly the deficit between them', async (t) => {
  const p = { cpuTarget: 0.5, min: 1, max: 200 };
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 2, max: 50 }),
      // Every replica over the target (so every one takes part), each with its own share.
      fc.array(fc.double({ min: 0.62, max: 1, noNaN: true }), { minLength: 50, maxLength: 50 }),
      fc.nat(),
      async (n, shares, seed) => {
        const mine = shares.slice(0, n);
        const sum = mine.reduce((a, b) => a + b, 0);
        // Each node runs the firmware's division round; the spawns are its hal.spawn calls.
        const { spawns, retires } = await sameViewRound(p, mine, seed);
        // The mean is over 0.605 (far from the band's edge): the swarm aims at ceil(sum / 0.5).
        return retires === 0 && spawns === Math.min(p.max, Math.ceil(sum / p.cpuTarget - 1e-9)) - n;
      },
    ),
    { numRuns: 200 },
  );
  t.pass();
});

test('3 replicas at 2x the target become 6 in one round, then nothing changes', async (t) => {
  const tr = await runSwarm({ policy: { cpuTarget: 0.5, min: 1, max: 20 }, initial: 3, demand: () => 3, saturation: 1, seed: 7, rounds: 240, sameView: true });
  t.is(tr.alive[0], 6);
  t.deepEqual(new Set(tr.alive), new Set([6]));
  t.is(tr.retires, 0);
});

test('retirement needs underload sustained for MITO_SUSTAIN_MS; a spike restarts the clock', async (t) => {
  const h = await h0;
  const { sustain, cooldown } = await cfg;
  const p = { cpuTarget: 0.5, min: 1, max: 10 };
  // Born long ago with 4 replicas at 0.1 each: the others could take this one's load many times over.
  const born = -10 * cooldown;
  fresh(h, p, 0.1, born);
  h.decide(0, born, 4, 0.4, 0, 0, 0); // the first view: no change of the count yet
  // A burst at t = 0 puts the smoothed share over the line; it falls back under ~1.5 s later.
  h.observe(0, 0.9, 0);
  // r = 0 makes every roll with a positive probability succeed: the rules alone decide.
  let first = -1;
  for (let now = 1000; now <= 200_000 && first < 0; now += 1000) {
    h.observe(0, 0.1, now);
    if (h.decide(0, now, 4, 0.4, 0, 0, 0) === -1) first = now;
  }
  t.true(first >= sustain && first <= sustain + 3000, `first retirement at ${first} ms`);
  // Never at min, whatever the load.
  fresh(h, { ...p, min: 4 }, 0.0, born);
  for (let now = 0; now <= 200_000; now += 1000) {
    h.observe(0, 0, now);
    t.not(h.decide(0, now, 4, 0, 0, 0, 0), -1);
  }
});

test('a settled swarm spawns for an overload short of a surge only when its averaged mean share crosses the edge; a surge at once', async (t) => {
  const h = await h0;
  const { tolerance } = await cfg;
  const [settled, tau, rebound] = [h.cfgSettledMs(), h.cfgSpawnSustainMs(), h.cfgRebound()];
  const p = { cpuTarget: 0.6, min: 3, max: 64 };
  const n = 14;
  const m0 = p.cpuTarget * 1.05; // inside the band
  const edge = p.cpuTarget * (1 + tolerance);
  fc.assert(
    fc.property(
      // How far over the band's edge the mean share goes (short of a surge), and for how long.
      fc.double({ min: 0.001, max: rebound / (1 + tolerance) - 1 - 1e-6, noNaN: true }),
      fc.integer({ min: 1, max: 60 }),
      fc.boolean(),
      (over, seconds, surge) => {
        // A replica born long ago whose swarm has sat inside the band well past MITO_SETTLED_MS.
        const born = -200_000;
        fresh(h, p, m0, born);
        for (let now = born; now < 0; now += 1000) {
          h.observe(0, m0, now);
          h.decide(0, now, n, n * m0, ...place(h, n, n * m0, false), 0xffffffff);
        }
        const m1 = surge ? p.cpuTarget * rebound * 1.01 : edge * (1 + over);
        // Settled, it aims at the middle of the band (ceil(load / target)) even near the edge.
        const deficit = (h.spawnExpectation(0, n, n * m1) * n * m1) / h.share(0);
        if (Math.abs(deficit - (goal(p, n * m1) - n)) > 1e-9) return false;
        // r = 0: every roll with a positive expectation spawns, so only the gates hold it back.
        let first = -1;
        for (let j = 0; j < seconds && first < 0; j++) {
          h.observe(0, m1, j * 1000);
          if (h.decide(0, j * 1000, n, n * m1, ...place(h, n, n * m1, true), 0) > 0) first = j;
        }
        if (surge) return first === 0;
        // The average (time constant tau, 1 s steps from m0) first exceeds the edge in round jStar.
        let jStar = 0;
        while (m1 + (m0 - m1) * Math.exp(-((jStar + 1) * 1000) / tau) <= edge) jStar++;
        if (first === -1) return jStar >= seconds - 1;
        return Math.abs(first - jStar) <= 1; // one round for the last bit of float rounding
      },
    ),
    { numRuns: 300 },
  );
  // A swarm whose count rose and has not been seen inside the band since (still ramping, its new
  // replicas' meters catching up) is not held back.
  fresh(h, p, 0.6, -200_000);
  for (let now = -200_000; now < -5000; now += 1000) {
    h.observe(0, 0.6, now);
    h.decide(0, now, n - 4, (n - 4) * 0.6, 0, 0, 0xffffffff);
  }
  h.observe(0, 0.75, -5000);
  t.is(h.decide(0, -5000, n, n * 0.75, ...place(h, n, n * 0.75, false), 0xffffffff), 0, 'the count rose (no point of the deficit on this stretch)');
  h.observe(0, 0.75, 0);
  t.true(h.decide(0, 0, n, n * 0.75, ...place(h, n, n * 0.75, true), 0) > 0, 'a ramp continues at once');
  t.true(settled > tau);
});

test('no replica retires within the cool-down after the count rose (its own spawn or one heard)', async (t) => {
  const h = await h0;
  const { sustain, cooldown } = await cfg;
  const p = { cpuTarget: 0.5, min: 1, max: 20 };
  fc.assert(
    fc.property(fc.integer({ min: 2, max: 15 }), fc.integer({ min: 0, max: 200_000 }), (n, riseAt) => {
      fresh(h, p, 0.05, -10 * cooldown);
      for (let now = -sustain - 1000; now < riseAt; now += 1000) h.observe(0, 0.05, now);
      h.decide(0, riseAt - 1000, n, n * 0.05, 0, 0, 0xffffffff); // the view before the rise (r high: no roll succeeds)
      let firstRetire = -1;
      for (let now = riseAt; now <= riseAt + cooldown + 60_000 && firstRetire < 0; now += 1000) {
        h.observe(0, 0.05, now);
        if (h.decide(0, now, n + 1, (n + 1) * 0.05, 0, 0, 0) === -1) firstRetire = now;
      }
      return firstRetire >= riseAt + cooldown && firstRetire <= riseAt + cooldown + 1000;
    }),
    { numRuns: 60 },
  );
  t.pass();
});

// The 30 swarms of the constant-load property, pinned so every run checks the same ones. Both
// constant-load tests draw the same cases; each swarm is run once and its trace shared.
const CONSTANT_LOAD_RUNS = { numRuns: 30, seed: 11 };
const constantLoadTraces = new Map<string, ReturnType<typeof runSwarm>>();
function constantLoadSwarm(p: Policy, load: number, initial: number, seed: number): ReturnType<typeof runSwarm> {
  const key = JSON.stringify([p, load, initial, seed]);
  let tr = constantLoadTraces.get(key);
  if (!tr) constantLoadTraces.set(key, (tr = runSwarm({ policy: p, initial, demand: () => load, saturation: 1, seed, rounds: 900 })));
  return tr;
}

test('constant load: the swarm settles on a count within [min, max] that the rules keep, and stays', async (t) => {
  const { margin, tolerance } = await cfg;
  await fc.assert(
    fc.asyncProperty(
      policyArb,
      fc.double({ min: 0.05, max: 12, noNaN: true }),
      fc.integer({ min: 0, max: 6 }),
      fc.nat(),
      async (p, load, extra, seed) => {
        const initial = Math.min(p.max, p.min + extra);
        const tr = await constantLoadSwarm(p, load, initial, seed);
        const last = tr.alive.slice(-300);
        const final = tr.alive.at(-1)!;
        // Not a guarantee of the firmware: two replicas can take the last place under max in the same
        // round (nobody hears another's sibling until it runs). Rare (2 of 150 approaches to a binding
        // cap on the division round), by one, and trimmed after the cool-down: the count ends <= max.
        t.true(Math.max(...tr.alive) <= p.max + 1 && final <= p.max, `max ${p.max}, peak ${Math.max(...tr.alive)}, final ${final}`);
        t.deepEqual(flaps(tr), [], 'no direction change within 60 s');
        t.is(Math.min(...last), Math.max(...last), 'no change in the last 300 s');
        // Saturated replicas (share capped at 1) can hide load: the counts are over the load actually served.
        // Between the spawn line (mean over target * (1 + tolerance)) and the retire rule nothing changes.
        const served = Math.min(load, final);
        t.true(final >= leftUpFrom(p, served, tolerance) && final <= keptUpTo(p, served, margin), `final ${final} for load ${load} (${JSON.stringify(p)})`);
        return true;
      },
    ),
    CONSTANT_LOAD_RUNS,
  );
});

// Found when these properties moved from a TypeScript re-model onto the firmware's own division
// round: a replica that retired was still counted by the siblings that had decided before it in that
// round (they hear it only go silent), so the last replica of a min-1 swarm retired too (seed 11 ended
// one swarm at 0). division.ts now counts, for a retirement, only the siblings heard within
// MITO_RETIRE_FRESH_MS. The harness keeps that partial delivery on purpose: it is a lost pheromone.
test('constant load: the count never goes below min_replicas', async (t) => {
  await fc.assert(
    fc.asyncProperty(policyArb, fc.double({ min: 0.05, max: 12, noNaN: true }), fc.integer({ min: 0, max: 6 }), fc.nat(), async (p, load, extra, seed) => {
      const initial = Math.min(p.max, p.min + extra);
      const tr = await constantLoadSwarm(p, load, initial, seed);
      if (Math.min(...tr.alive) < p.min) throw new Error(`under min: ${JSON.stringify(p)}, load ${load}, initial ${initial}, seed ${seed}, lowest ${Math.min(...tr.alive)}`);
      return true;
    }),
    CONSTANT_LOAD_RUNS,
  );
  t.pass();
});

test('a 10x load step: on target within 45 s, with zero flaps up and down', async (t) => {
  const { margin, tolerance } = await cfg;
  await fc.assert(
    fc.asyncProperty(
      fc.double({ min: 0.3, max: 1.5, noNaN: true }),
      fc.constantFrom(0.5, 0.6, 0.7),
      fc.nat(),
      async (base, cpuTarget, seed) => {
        const p = { cpuTarget, min: 2, max: 100 };
        // A load whose share on one replica fewer sits within 1% above the band's edge
        // (target x (1 + tolerance)) is on the boundary: staying there or taking one more are both
        // right, and the measured share decides. (Seed 1948660962, base 0.3080, target 0.7: 4
        // replicas at 0.7700 for an edge of 0.77.)
        const band = leftUpFrom(p, 10 * base, tolerance);
        fc.pre(band <= p.min || (10 * base) / (band - 1) > cpuTarget * (1 + tolerance) * 1.01);
        const stepAt = 60_000, downAt = 360_000;
        const demand = (tm: number) => (tm >= stepAt && tm < downAt ? 10 * base : base);
        const tr = await runSwarm({ policy: p, initial: goal(p, base), demand, saturation: 1, seed, rounds: 900 });
        t.deepEqual(flaps(tr), [], 'zero flaps');
        // Time to target as the simulator scores it (mean share within +10% of the target) within 45 s of the
        // step, held until the load fell, and no overshoot. Typically 10-25 s: saturated
        // replicas (share capped at 1) hide the load, so the swarm grows by at most 1 / target per round.
        // The HPA acts once per 15 s sync, adds at most max(4, 100%) per sync, and counts a new pod only
        // once it is Ready, 30 s after its start.
        const up = { ...tr, t: tr.t.filter((x) => x < downAt), alive: tr.alive.filter((_, i) => tr.t[i]! < downAt) };
        const inBand = reachedAndHeld(up, leftUpFrom(p, 10 * base, tolerance));
        t.true(inBand >= stepAt && inBand - stepAt <= 45_000, `within 10% of the target from ${inBand} ms (base ${base}, cpuTarget ${cpuTarget}, seed ${seed})`);
        // No stampede: the deficit is allotted, so replicas with the same view spawn exactly it; views a
        // second apart can put one point on two stretches. In 300 seeded cases (test/mitosis-step-sweep.ts)
        // the peak passed what the retire rule keeps by at most 2 (0.40 of this bound). The bound is the
        // spread of independent rolls (about sqrt of the deficit), which the allotment replaced.
        const high = up.alive.filter((_, i) => up.t[i]! >= stepAt);
        const kept = keptUpTo(p, 10 * base, margin);
        t.true(Math.max(...high) <= kept + Math.ceil(Math.sqrt(kept)), `peak ${Math.max(...high)} for goal ${goal(p, 10 * base)}, kept up to ${kept}`);
        // And came back down after the load fell (the last surplus replica may still be waiting its turn).
        t.true(tr.alive.at(-1)! <= keptUpTo(p, base, margin) + 1, `final ${tr.alive.at(-1)}`);
        return true;
      },
    ),
    { numRuns: 200 },
  );
});

test('after 30% of the nodes die, the survivors restore min_replicas within 30 s', async (t) => {
  for (let seed = 1; seed <= 12; seed++) {
    const p = { cpuTarget: 0.5, min: 10, max: 40 };
    const killAt = 100_000;
    const tr = await runSwarm({ policy: p, initial: 10, demand: () => 2, seed, rounds: 200, kill: { at: killAt, fraction: 0.3 } });
    const after = tr.alive.slice(tr.t.indexOf(killAt));
    t.true(after[0]! < p.min, 'the failure took the swarm below min');
    const back = reachedAndHeld(tr, p.min);
    t.true(back > killAt && back - killAt <= 30_000, `seed ${seed}: min restored ${back - killAt} ms after the failure`);
    t.true(Math.max(...tr.alive) <= p.max);
  }
});

test('mitoPickTarget: the nearest node with spare capacity that does not host the species', async (t) => {
  const h = await h0;
  const cand = fc.record({
    id: fc.integer({ min: 0, max: 20 }),
    rtt: fc.oneof(fc.double({ min: 0, max: 300, noNaN: true }), fc.constantFrom(Number.NaN, Infinity, -1, 5, 5)),
    spare: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0.5, 0.5, Number.NaN)),
    hosts: fc.boolean(),
  });
  fc.assert(
    fc.property(fc.array(cand, { maxLength: h.candCap() }), fc.double({ min: 0, max: 1, noNaN: true }), (cs, minSpare) => {
      cs.forEach((c, i) => h.candSet(i, c.id, c.rtt, c.spare, c.hosts ? 1 : 0));
      const got = h.pickTarget(cs.length, minSpare);
      // Reference: eligible ones sorted by RTT (unknown = +Infinity), larger spare, smaller id.
      const rtt = (x: number) => (x >= 0 ? x : Infinity);
      const ok = cs.map((c, i) => ({ ...c, i, r: rtt(c.rtt) })).filter((c) => c.id !== 0 && !c.hosts && c.spare >= minSpare);
      ok.sort((a, b) => a.r - b.r || b.spare - a.spare || a.id - b.id || a.i - b.i);
      const want = ok.length ? ok[0]! : null;
      if (!want) return got === -1;
      const g = cs[got]!;
      return rtt(g.rtt) === want.r && g.spare === want.spare && g.id === want.id && !g.hosts;
    }),
    { numRuns: 1000 },
  );
  t.is(h.pickTarget(0, 0), -1);
});

test('bad inputs change nothing: NaN or negative shares, bad slots, a policy without a target', async (t) => {
  const h = await h0;
  const p = { cpuTarget: 0.5, min: 1, max: 10 };
  fresh(h, p, 0.3);
  h.observe(0, Number.NaN, 1000);
  h.observe(0, -1, 2000);
  t.is(h.share(0), 0.3);
  for (const slot of [-1, 8, 1000]) {
    h.setPolicy(slot, SPECIES, 0.5, 1, 10);
    h.observe(slot, 0.9, 0);
    t.is(h.decide(slot, 0, 1, 0.9, 0, 0, 0), 0);
    t.is(h.share(slot), 0);
  }
  for (const target of [0, -0.5, Number.NaN, Infinity]) {
    h.setPolicy(1, SPECIES, target, 1, 10);
    h.observe(1, 1, 0);
    t.is(h.decide(1, 100_000, 1, 1, 0, 0, 0), 0, `target ${target}`);
  }
  // min below 1 is 1 (a live replica counts itself); max below min is min.
  h.setPolicy(2, SPECIES, 0.5, 0, -3);
  h.observe(2, 0, 0);
  t.is(h.needsReplacement(2, 0, 0), 1);
  t.is(h.needsReplacement(2, 0, 1), 0);
  h.observe(2, 2, 1);
  t.is(h.decide(2, 1, 1, 2, 0, 0, 0), 0, 'max clamps to min = 1: no spawn');
});
