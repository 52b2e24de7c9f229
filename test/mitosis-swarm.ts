// A swarm of replicas of one species, each a separate instance of the mitosis harness (one node),
// driven in rounds of one decision period. All replicas hear the same view (the worst case for a
// stampede: nobody sees anybody else's roll of the same round). Used by test/mitosis.test.ts.
import { compileAssemblyScript } from '../host/build/asc.ts';

export interface MitoHarness {
  memory: WebAssembly.Memory;
  setPolicy(slot: number, species: number, cpuTarget: number, min: number, max: number): void;
  clear(slot: number): void;
  observe(slot: number, share: number, now: number): void;
  decide(slot: number, now: number, replicasSeen: number, sumShareSeen: number, seenBefore: number, sumBefore: number, r: number): number;
  needsReplacement(slot: number, now: number, replicasSeen: number): number;
  share(slot: number): number;
  minSpare(slot: number): number;
  spawnExpectation(slot: number, n: number, sum: number): number;
  retireExpectation(slot: number, n: number, sum: number): number;
  candCap(): number;
  candSet(i: number, id: number, rtt: number, spare: number, hosting: number): void;
  pickTarget(n: number, minSpare: number): number;
  cfgSettleMs(): number;
  cfgCooldownMs(): number;
  cfgSustainMs(): number;
  cfgRetireMargin(): number;
  cfgPeriodMs(): number;
  cfgMaxBurst(): number;
  cfgRebound(): number;
  cfgSpawnTolerance(): number;
  cfgSettledMs(): number;
  cfgSpawnSustainMs(): number;
}

const module = compileAssemblyScript({ entries: ['test/harness/mitosis-harness.ts'], runtime: 'stub' }).then((r) => WebAssembly.compile(r.binary));

/** A fresh node: its own fixed memory, as on a board. */
export async function node(): Promise<MitoHarness> {
  const instance = await WebAssembly.instantiate(await module, { hal: { panic: () => { throw new Error('mitosis panic'); } } });
  return instance.exports as unknown as MitoHarness;
}

export interface Policy {
  cpuTarget: number;
  min: number;
  max: number;
}

export interface SwarmOptions {
  policy: Policy;
  /** Replicas at time 0 (already past their birth cool-down if `warm`). */
  initial: number;
  /** Total demand in CPU-share units at time t (ms): what the replicas together would use if unsaturated. */
  demand: (t: number) => number;
  /** Most one replica can use (1 = a whole node); demand beyond it is queued, as a real meter sees. */
  saturation?: number;
  /** Ms from a spawn decision until the sibling is heard (fetch + host + announce). */
  lagMs?: number;
  /** Ms from a node's death until the others stop counting it (MITO_FRESH_MS in the kernel). */
  freshMs?: number;
  /** Seed of the random bits handed to mitoDecide. */
  seed: number;
  /** Rounds to run, each one decision period (1 s). */
  rounds: number;
  /** Kill this fraction of replicas at this time (ms), once. */
  kill?: { at: number; fraction: number };
  /** Starts replicas this long before time 0 so they are out of their birth cool-down. */
  warmMs?: number;
  /** Everybody decides on the same view each round (nobody hears a retirement before the next round). */
  sameView?: boolean;
}

interface Replica {
  h: MitoHarness;
  /** Node id: the order in which replicas lay out a shared deficit (mitosis.ts allot()). */
  id: number;
  /** Heard by the others from this time on (it serves load from then on too). */
  visibleAt: number;
  /** Dead nodes still count in views until this time. */
  deadUntil?: number;
}

export interface SwarmTrace {
  /** Time (ms) of each round. */
  t: number[];
  /** Replicas alive (spawned, not retired, not dead) after each round. */
  alive: number[];
  /** Replicas counted in the view of each round. */
  seen: number[];
  spawns: number;
  retires: number;
}

/** Deterministic 32-bit PRNG (mulberry32), so a failing case replays exactly. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return (x ^ (x >>> 14)) >>> 0;
  };
}

export const PERIOD_MS = 1000;

function shuffle<T>(xs: T[], rand: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor((rand() / 2 ** 32) * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}
const SPECIES = 0x5eed;

export async function runSwarm(o: SwarmOptions): Promise<SwarmTrace> {
  const rand = prng(o.seed);
  const lag = o.lagMs ?? 2000;
  const fresh = o.freshMs ?? 3500;
  const sat = o.saturation ?? 1;
  const warm = o.warmMs ?? 120_000;
  const { cpuTarget, min, max } = o.policy;
  const spawn = async (now: number, visibleAt: number, share = 0): Promise<Replica> => {
    const h = await node();
    h.setPolicy(0, SPECIES, cpuTarget, min, max);
    h.observe(0, share, now);
    return { h, id: rand(), visibleAt };
  };
  let live: Replica[] = [];
  const dead: Replica[] = [];
  // Warm replicas have served the initial load since -warm: settled share, no pending cool-down.
  const share0 = o.initial > 0 ? Math.min(sat, o.demand(0) / o.initial) : 0;
  for (let i = 0; i < o.initial; i++) live.push(await spawn(-warm, -warm, share0));
  const trace: SwarmTrace = { t: [], alive: [], seen: [], spawns: 0, retires: 0 };
  let killed = false;
  for (let round = 0; round < o.rounds; round++) {
    const now = round * PERIOD_MS;
    if (o.kill && !killed && now >= o.kill.at) {
      killed = true;
      const k = Math.round(live.length * o.kill.fraction);
      for (let i = 0; i < k; i++) {
        const [r] = live.splice(Math.floor((rand() / 2 ** 32) * live.length), 1);
        dead.push({ ...r!, deadUntil: now + fresh });
      }
    }
    // Load spreads evenly over the replicas that are heard (clients route to what they hear).
    const serving = live.filter((r) => r.visibleAt <= now);
    const each = serving.length > 0 ? Math.min(sat, o.demand(now) / serving.length) : 0;
    for (const r of live) r.h.observe(0, r.visibleAt <= now ? each : 0, now);
    // Each replica decides at its own phase of the round (a random order). A retirement is heard at
    // once (the kernel announces without the species when it unhosts); a sibling only after `lag`.
    // With `sameView`, everybody decides on the view at the start of the round instead.
    const ghosts = dead.filter((d) => (d.deadUntil ?? 0) > now);
    const order = shuffle(live.filter((r) => r.visibleAt <= now), rand);
    const retired = new Set<Replica>();
    const born: Replica[] = [];
    const viewOf = () => {
      const v = [...serving.filter((r) => !retired.has(r)), ...ghosts];
      return { members: v, seen: v.length, sum: v.reduce((s, r) => s + r.h.share(0), 0) };
    };
    const first = viewOf();
    for (const r of order) {
      const v = o.sameView ? first : viewOf();
      const before = v.members.filter((m) => m.id < r.id);
      const d = r.h.decide(0, now, v.seen, v.sum, before.length, before.reduce((s, m) => s + m.h.share(0), 0), rand());
      if (d < 0) {
        trace.retires++;
        retired.add(r);
        continue;
      }
      for (let k = 0; k < d; k++) born.push(await spawn(now, now + lag));
      trace.spawns += Math.max(0, d);
    }
    const seen = first.seen;
    const next = live.filter((r) => !retired.has(r));
    live = [...next, ...born];
    trace.t.push(now);
    trace.alive.push(live.length);
    trace.seen.push(seen);
  }
  return trace;
}

/** Pairs of opposite changes of the count closer than `windowMs`: the flaps. */
export function flaps(trace: SwarmTrace, windowMs = 60_000): Array<{ up: number; down: number }> {
  const changes: Array<{ t: number; dir: number }> = [];
  for (let i = 1; i < trace.alive.length; i++) {
    const d = trace.alive[i]! - trace.alive[i - 1]!;
    if (d !== 0) changes.push({ t: trace.t[i]!, dir: Math.sign(d) });
  }
  const out: Array<{ up: number; down: number }> = [];
  for (let i = 0; i < changes.length; i++) {
    for (let j = i + 1; j < changes.length && changes[j]!.t - changes[i]!.t < windowMs; j++) {
      if (changes[j]!.dir !== changes[i]!.dir) {
        const [a, b] = [changes[i]!, changes[j]!];
        out.push(a.dir > 0 ? { up: a.t, down: b.t } : { up: b.t, down: a.t });
      }
    }
  }
  return out;
}

/** First time (ms) from which the alive count stays >= `count` to the end, or -1. */
export function reachedAndHeld(trace: SwarmTrace, count: number): number {
  let at = -1;
  for (let i = 0; i < trace.alive.length; i++) {
    if (trace.alive[i]! >= count) {
      if (at < 0) at = trace.t[i]!;
    } else at = -1;
  }
  return at;
}
