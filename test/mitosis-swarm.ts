// A swarm of replicas of one species, each a separate instance of the mitosis harness (one node),
// driven in rounds of one decision period. Each round every replica's node runs the firmware's own
// division round (firmware/kernel/division.ts divisionRound) over its own peer table: this file
// only delivers pheromones (who hosts the species, at what share) and carries out what the
// firmware asks through hal.spawn and hal.retire. Used by test/mitosis.test.ts.
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
  host(slot: number, species: number): number;
  hear(id: number, now: number, species: number, load: number, spare: number): void;
  round(now: number, self: number): number;
  cfgFreshMs(): number;
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

// Host target: a host node's 64-row peer table (the mcu build holds a board's MCU_MAX_PEERS).
const module = compileAssemblyScript({ entries: ['test/harness/mitosis-harness.ts'], target: 'host', runtime: 'stub' }).then((r) => WebAssembly.compile(r.binary));

/** What the firmware asks of its host (docs/abi.md): spawn a sibling at a node, retire a slot. */
export interface NodeHal {
  spawn(species: number, target: number): number;
  retire(slot: number): void;
  random(): number;
}

const idleHal: NodeHal = { spawn: () => -1, retire: () => {}, random: () => 0 };

/** A fresh node: its own fixed memory, as on a board. */
export async function node(hal: NodeHal = idleHal): Promise<MitoHarness> {
  const instance = await WebAssembly.instantiate(await module, {
    hal: {
      panic: () => { throw new Error('mitosis panic'); },
      spawn: (species: number, target: number) => hal.spawn(species >>> 0, target >>> 0),
      retire: (slot: number) => hal.retire(slot),
      random: () => hal.random(),
    },
  });
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
  /** Ms from a spawn until the sibling is heard (fetch + host + announce). */
  lagMs?: number;
  /** Seed of the random bits the firmware draws (hal.random) and of the ids and order. */
  seed: number;
  /** Rounds to run, each one decision period (1 s). */
  rounds: number;
  /** Kill this fraction of replicas at this time (ms), once: their pheromones stop. */
  kill?: { at: number; fraction: number };
  /** Starts replicas this long before time 0 so they are out of their birth cool-down. */
  warmMs?: number;
  /** Everybody decides on the pheromones of the start of the round (nobody hears a retirement before the next round). */
  sameView?: boolean;
}

/** Idle nodes with spare capacity each replica's node hears of: where its siblings can go. */
const IDLE_PEERS = 8;

interface Replica {
  h: MitoHarness;
  /** Node id: the order in which replicas lay out a shared deficit (mitosis.ts allot()). */
  id: number;
  /** Heard by the others from this time on (it serves load from then on too). */
  visibleAt: number;
  /** Idle nodes this replica's node hears announce spare capacity (distinct per node, as neighbourhoods are). */
  idle: number[];
}

export interface SwarmTrace {
  /** Time (ms) of each round. */
  t: number[];
  /** Replicas alive (spawned, not retired, not dead) after each round. */
  alive: number[];
  /** Replicas that served the load in each round (heard, alive at its start). */
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
const SLOT = 0;
const SPECIES = 0x5eed;

function shuffle<T>(xs: T[], rand: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor((rand() / 2 ** 32) * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

/** The swarm: replicas (one harness instance each), the dead, and the nodes' ids. */
class MitoSwarm {
  live: Replica[] = [];
  readonly dead: Replica[] = [];
  readonly trace: SwarmTrace = { t: [], alive: [], seen: [], spawns: 0, retires: 0 };
  private readonly used = new Set<number>();
  /** The replica whose division round is running (hal calls come from it), and what it asked for. */
  private deciding: Replica | null = null;
  private asked: { targets: number[]; retired: boolean } = { targets: [], retired: false };
  private readonly hal: NodeHal;

  constructor(readonly o: SwarmOptions, readonly rand: () => number) {
    this.hal = {
      random: () => this.rand(),
      spawn: (_species, target) => {
        if (!this.deciding || !this.deciding.idle.includes(target)) return -1;
        this.asked.targets.push(target);
        return 0;
      },
      retire: () => {
        this.asked.retired = true;
      },
    };
  }

  freshId(): number {
    let id = this.rand();
    while (id === 0 || id === 0xffffffff || this.used.has(id)) id = this.rand();
    this.used.add(id);
    return id;
  }

  /** A replica of the species on node `id`, with the policy, its first share at `now`, heard from `visibleAt`. */
  async replica(id: number, now: number, visibleAt: number, share: number): Promise<Replica> {
    const { cpuTarget, min, max } = this.o.policy;
    const h = await node(this.hal);
    if (h.host(SLOT, SPECIES) !== 0) throw new Error('the harness cell table is full');
    h.setPolicy(SLOT, SPECIES, cpuTarget, min, max);
    h.observe(SLOT, share, now);
    return { h, id, visibleAt, idle: [] };
  }

  /** Pheromones reach replica r at `now`: the other replicas heard (hosting, share), retirements, and its idle neighbours. */
  hearAll(r: Replica, now: number, heard: readonly Replica[], retired: readonly Replica[]): void {
    for (const o of heard) if (o !== r) r.h.hear(o.id, now, SPECIES, o.h.share(SLOT), 0);
    // A retiring kernel announces without the species at once.
    for (const o of retired) r.h.hear(o.id, now, 0, 0, 1);
    while (r.idle.length < IDLE_PEERS) r.idle.push(this.freshId());
    for (const id of r.idle) r.h.hear(id, now, 0, 0, 1);
  }

  /** Runs r's division round; returns the targets of its spawns and whether it retired. */
  decide(r: Replica, now: number): { targets: number[]; retired: boolean } {
    this.deciding = r;
    this.asked = { targets: [], retired: false };
    const retired = r.h.round(now, r.id) === 1;
    this.deciding = null;
    if (retired !== this.asked.retired) throw new Error('divisionRound and hal.retire disagree');
    // A target becomes a replica: it is no longer an idle neighbour of its spawner.
    r.idle = r.idle.filter((id) => !this.asked.targets.includes(id));
    return this.asked;
  }
}

export async function runSwarm(o: SwarmOptions): Promise<SwarmTrace> {
  const rand = prng(o.seed);
  const lag = o.lagMs ?? 2000;
  const sat = o.saturation ?? 1;
  const warm = o.warmMs ?? 120_000;
  const sw = new MitoSwarm(o, rand);
  // Warm replicas have served the initial load since -warm: settled share, no pending cool-down.
  const share0 = o.initial > 0 ? Math.min(sat, o.demand(0) / o.initial) : 0;
  for (let i = 0; i < o.initial; i++) sw.live.push(await sw.replica(sw.freshId(), -warm, -warm, share0));
  const trace = sw.trace;
  let killed = false;
  for (let round = 0; round < o.rounds; round++) {
    const now = round * PERIOD_MS;
    if (o.kill && !killed && now >= o.kill.at) {
      killed = true;
      const k = Math.round(sw.live.length * o.kill.fraction);
      for (let i = 0; i < k; i++) {
        const [r] = sw.live.splice(Math.floor((rand() / 2 ** 32) * sw.live.length), 1);
        sw.dead.push(r!);
      }
    }
    // Load spreads evenly over the replicas that are heard (clients route to what they hear).
    const serving = sw.live.filter((r) => r.visibleAt <= now);
    const each = serving.length > 0 ? Math.min(sat, o.demand(now) / serving.length) : 0;
    for (const r of sw.live) r.h.observe(SLOT, r.visibleAt <= now ? each : 0, now);
    // Each replica runs its division round at its own phase of the round (a random order), having
    // heard the others' pheromones: a retirement at once (the kernel announces without the species
    // when it unhosts), a sibling only after `lag`, the dead never again. The replicas that decided
    // before a retirement in the round never hear it announced, only that the sibling went silent:
    // the lost pheromone the firmware must survive (division.ts, MITO_RETIRE_FRESH_MS). With `sameView` everybody
    // hears the pheromones of the start of the round.
    const order = shuffle([...serving], rand);
    const retired: Replica[] = [];
    const born: Replica[] = [];
    if (o.sameView) for (const r of order) sw.hearAll(r, now, serving, []);
    for (const r of order) {
      if (!o.sameView) sw.hearAll(r, now, serving.filter((x) => !retired.includes(x)), retired);
      const d = sw.decide(r, now);
      if (d.retired) {
        trace.retires++;
        retired.push(r);
      }
      for (const target of d.targets) born.push(await sw.replica(target, now, now + lag, 0));
      trace.spawns += d.targets.length;
    }
    sw.live = [...sw.live.filter((r) => !retired.includes(r)), ...born];
    trace.t.push(now);
    trace.alive.push(sw.live.length);
    trace.seen.push(serving.length);
  }
  return trace;
}

/**
 * One round of replicas long past their birth, with these shares, all hearing the same pheromones
 * (nobody sees another's roll of the same round): the spawns and retirements their division rounds ask for.
 */
export async function sameViewRound(policy: Policy, shares: readonly number[], seed: number): Promise<{ spawns: number; retires: number }> {
  const sw = new MitoSwarm({ policy, initial: 0, demand: () => 0, seed, rounds: 1 }, prng(seed));
  for (const share of shares) sw.live.push(await sw.replica(sw.freshId(), -200_000, -200_000, share));
  for (const r of sw.live) sw.hearAll(r, 0, sw.live, []);
  let spawns = 0, retires = 0;
  for (const r of sw.live) {
    const d = sw.decide(r, 0);
    spawns += d.targets.length;
    if (d.retired) retires++;
  }
  return { spawns, retires };
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
