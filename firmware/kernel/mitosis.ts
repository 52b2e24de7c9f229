// Mitosis and apoptosis: when a replica of a hosted species spawns a sibling or retires, decided
// by each replica alone from the pheromones its node hears (no global view, no coordinator).
// Fixed memory: StaticArrays of MAX_CELLS entries, allocated once at start; nothing afterwards.
// Formulas and reasons: docs/mitosis-firmware.md; parameters: ./mitosis-config.ts.
//
// API (slot = index 0..MAX_CELLS-1 in the kernel's cell table; a bad slot is ignored / answers 0):
//   mitoSetPolicy(slot, species, cpuTarget, minReplicas, maxReplicas)   a cell with [cell.biology]
//   mitoClear(slot)                                                     the cell is gone
//   mitoObserve(slot, cpuShare, now)       this replica's CPU share over the last meter window (0..1+)
//   mitoDecide(slot, now, replicasSeen, sumShareSeen, seenBefore, sumBefore, r): i32
//        k > 0: spawn k siblings (k <= MITO_MAX_BURST; one mitoPickTarget per sibling)
//        0: nothing;  -1: retire this replica
//        replicasSeen = live replicas of the species heard within MITO_FRESH_MS, this one included;
//        sumShareSeen = the sum of their announced shares (this one's mitoShare included);
//        seenBefore, sumBefore = how many of the others come before this replica in node-id order,
//        and the sum of their shares (where this replica's part of the deficit lies, see allot);
//        r = 32 random bits (hal.random).
//   mitoNeedsReplacement(slot, now, replicasSeen): bool   fewer than min_replicas are alive:
//        call mitoDecide now rather than at the next period
//   mitoPickTarget(n, ids, rtts, spares, hosts, minSpare): i32   index of the nearest candidate
//        with spare >= minSpare that does not already host the species, or -1
//   mitoShare(slot)       smoothed CPU share, to announce in pheromones
//   mitoMinSpare(slot)    the minSpare to pass to mitoPickTarget for this species
//   mitoSpawnExpectation / mitoRetireExpectation   the expected spawns / retire probability of
//        this replica for a view, without the time gates (for tests, stats and logs)
import { MAX_CELLS } from "./cells";
import {
  MITO_SMOOTH_MS, MITO_SETTLE_MS, MITO_COOLDOWN_MS, MITO_SUSTAIN_MS, MITO_RETIRE_MARGIN, MITO_SPAWN_GAIN,
  MITO_REBOUND, MITO_BOUND_K, MITO_MAX_BURST, MITO_SHARE_MAX, MITO_SPARE_FACTOR, MITO_HOLD_MS, MITO_SPAWN_TOLERANCE,
  MITO_RETIRE_K_FAR, MITO_FAR_FROM_MIN, MITO_SETTLED_MS, MITO_SPAWN_SUSTAIN_MS, MITO_SATURATED_SHARE,
} from "./mitosis-config";

const species = new StaticArray<u32>(MAX_CELLS); // 0 = no policy: every call answers "nothing"
const target = new StaticArray<f64>(MAX_CELLS);
const minR = new StaticArray<i32>(MAX_CELLS);
const maxR = new StaticArray<i32>(MAX_CELLS);
const share = new StaticArray<f64>(MAX_CELLS); // smoothed CPU share
const lastObs = new StaticArray<f64>(MAX_CELLS); // NaN: no sample yet
const underSince = new StaticArray<f64>(MAX_CELLS); // +Infinity: not under the retire threshold
const lastUp = new StaticArray<f64>(MAX_CELLS); // count rose, this replica spawned, or birth; NaN until first call
const lastRetireLike = new StaticArray<f64>(MAX_CELLS); // count fell when a retirement was possible
const lastRoll = new StaticArray<f64>(MAX_CELLS); // last spawn/retire roll, for the settle window
const prevSeen = new StaticArray<i32>(MAX_CELLS); // 0: no view yet
const prevSum = new StaticArray<f64>(MAX_CELLS);
const peakSum = new StaticArray<f64>(MAX_CELLS); // highest sum heard since peakAt (MITO_HOLD_MS)
const peakAt = new StaticArray<f64>(MAX_CELLS);
const meanAvg = new StaticArray<f64>(MAX_CELLS); // the view's mean share, averaged over MITO_SPAWN_SUSTAIN_MS
const meanAt = new StaticArray<f64>(MAX_CELLS); // NaN: no view yet
const inBandAt = new StaticArray<f64>(MAX_CELLS); // last round whose view was inside the band (or under)

// A view whose total share is within this of an integer multiple of the target counts as that multiple:
// float noise in a sum of shares must not demand one more replica.
const EPS: f64 = 1e-9;

@inline function ok(slot: i32): bool {
  return slot >= 0 && slot < MAX_CELLS && unchecked(species[slot]) != 0;
}

export function mitoSetPolicy(slot: i32, sp: u32, cpuTarget: f64, minReplicas: i32, maxReplicas: i32): void {
  if (slot < 0 || slot >= MAX_CELLS) return;
  // A target outside (0, MITO_SHARE_MAX] cannot be compared with; such a cell never divides.
  if (sp == 0 || !(cpuTarget > 0) || !(cpuTarget <= MITO_SHARE_MAX)) {
    mitoClear(slot);
    return;
  }
  // A live replica counts itself, so the floor is 1 (scaling to zero would leave nobody to scale up).
  const lo = minReplicas < 1 ? 1 : minReplicas;
  const hi = maxReplicas < lo ? lo : maxReplicas;
  const same = unchecked(species[slot]) == sp;
  unchecked(species[slot] = sp);
  unchecked(target[slot] = cpuTarget);
  unchecked(minR[slot] = lo);
  unchecked(maxR[slot] = hi);
  // A new policy for the same species keeps the measurements and timers; a new species starts fresh.
  if (same) return;
  unchecked(share[slot] = 0);
  unchecked(lastObs[slot] = NaN);
  unchecked(underSince[slot] = Infinity);
  unchecked(lastUp[slot] = NaN);
  unchecked(lastRetireLike[slot] = -Infinity);
  unchecked(lastRoll[slot] = -Infinity);
  unchecked(prevSeen[slot] = 0);
  unchecked(prevSum[slot] = 0);
  unchecked(peakSum[slot] = 0);
  unchecked(peakAt[slot] = -Infinity);
  unchecked(meanAvg[slot] = 0);
  unchecked(meanAt[slot] = NaN);
  unchecked(inBandAt[slot] = -Infinity);
}

export function mitoClear(slot: i32): void {
  if (slot >= 0 && slot < MAX_CELLS) unchecked(species[slot] = 0);
}

export function mitoShare(slot: i32): f64 { return ok(slot) ? unchecked(share[slot]) : 0; }

/** The policy's min_replicas (at least 1), or 0 for a slot without a policy. */
export function mitoMinReplicas(slot: i32): i32 { return ok(slot) ? unchecked(minR[slot]) : 0; }
export function mitoMinSpare(slot: i32): f64 { return ok(slot) ? unchecked(target[slot]) * MITO_SPARE_FACTOR : Infinity; }

/** One step of a time-weighted EWMA with time constant `tau` (ms); no time passed, no change. */
@inline function ewmaStep(avg: f64, x: f64, dt: f64, tau: f64): f64 {
  return dt > 0 ? avg + (1 - Math.exp(-dt / tau)) * (x - avg) : avg;
}

/** The mean share over which the swarm grows: cpu_target * (1 + MITO_SPAWN_TOLERANCE). */
@inline function bandEdge(i: i32): f64 { return unchecked(target[i]) * (1 + MITO_SPAWN_TOLERANCE); }

/** A replica's birth is the first time the kernel tells it the time: it starts in cool-down, so a
 *  sibling spawned into a surge cannot retire before the surge is served for MITO_COOLDOWN_MS. */
@inline function touchBirth(i: i32, now: f64): void {
  if (isNaN(unchecked(lastUp[i]))) unchecked(lastUp[i] = now);
}

export function mitoObserve(slot: i32, cpuShare: f64, now: f64): void {
  if (!ok(slot) || !(cpuShare >= 0)) return; // NaN and negatives are not measurements
  const x = cpuShare > MITO_SHARE_MAX ? MITO_SHARE_MAX : cpuShare;
  touchBirth(slot, now);
  const last = unchecked(lastObs[slot]);
  if (isNaN(last)) {
    unchecked(share[slot] = x);
  } else {
    // Time-weighted EWMA: the same smoothing whatever the meter window, and a late sample weighs more.
    unchecked(share[slot] = ewmaStep(share[slot], x, now - last, MITO_SMOOTH_MS));
  }
  unchecked(lastObs[slot] = now);
  if (unchecked(share[slot]) < unchecked(target[slot]) * MITO_RETIRE_MARGIN) {
    if (unchecked(underSince[slot]) == Infinity) unchecked(underSince[slot] = now);
  } else {
    unchecked(underSince[slot] = Infinity);
  }
}

/**
 * Replicas the load asks for, kept within [min, max]: ceil(sum / target), the middle of the band, while
 * the mean share is far over the band's edge (the meters of a climbing swarm lag its load: aiming at
 * the middle makes up for it); ceil(sum / edge), the fewest replicas inside the band, for the last step
 * of a climb, when the mean is within MITO_SPAWN_TOLERANCE of the edge (the load is nearly caught up,
 * and aiming at the middle would land one replica over what the band needs). A settled swarm that a
 * rising load pushes over the edge aims at the middle: the load is still rising, and a swarm kept at
 * the edge queues all the way up.
 */
function goal(i: i32, n: i32, sum: f64): i32 {
  const edge = bandEdge(i);
  const near = sum <= <f64>n * edge * (1 + MITO_SPAWN_TOLERANCE);
  const aim = near && !isSettled(i) ? edge : unchecked(target[i]);
  const need = sum > 0 ? <i32>Math.ceil(sum / aim - EPS) : 0;
  const lo = unchecked(minR[i]);
  const hi = unchecked(maxR[i]);
  return need < lo ? lo : need > hi ? hi : need;
}

/** The swarm settled inside the band: a view inside it came MITO_SETTLED_MS or more after the count
 *  last rose, when the new replicas' meters had caught up with their load. */
@inline function isSettled(i: i32): bool {
  return unchecked(inBandAt[i]) - unchecked(lastUp[i]) >= MITO_SETTLED_MS;
}

/** A real surge, served at once whatever the cool-downs: the mean share over cpu_target * MITO_REBOUND,
 *  or saturated (shares cannot exceed 1, so with a target over 1 / MITO_REBOUND a saturated swarm
 *  would otherwise never count as one). */
function isSurge(i: i32, n: i32, sum: f64): bool {
  const line = Math.min(unchecked(target[i]) * MITO_REBOUND, MITO_SATURATED_SHARE);
  return sum > <f64>n * line;
}

/** Expected changes per round when h replicas of room are left before a hard bound (see MITO_BOUND_K). */
@inline function bounded(h: f64): f64 { return h * h / (h + MITO_BOUND_K); }

/** A view could have let some replica retire (for telling a retirement from a failure afterwards). */
function retireWasPossible(i: i32, n: i32, sum: f64): bool {
  if (n <= unchecked(minR[i]) || n < 2) return false;
  return n > unchecked(maxR[i]) || sum < <f64>(n - 1) * unchecked(target[i]) * MITO_RETIRE_MARGIN;
}

@inline function cleanCount(n: i32): i32 { return n < 1 ? 1 : n; }
@inline function cleanSum(s: f64): f64 { return s >= 0 ? (s > MITO_SHARE_MAX * 1e6 ? MITO_SHARE_MAX * 1e6 : s) : 0; }

/**
 * Expected number of siblings this replica spawns in one round, for the view (n replicas, sum of shares).
 * Every replica of the swarm computes its own part of one shared deficit, so the parts add up to it:
 *   below min:  deficit = goal - n, split evenly:       x = (goal - n) / n        (every survivor)
 *   overloaded: deficit = goal - n, split by share:     x = gain * (goal - n) * share / sum
 *               (only when the mean share sum / n is over cpu_target * (1 + tolerance), and only a
 *               replica over cpu_target takes part; the hottest take the largest part, so siblings
 *               appear where the load is; near the max cap the deficit is paced by bounded())
 * goal = ceil(sum / cpu_target), or ceil(sum / edge) near the band, within [min, max] (see goal()).
 * x grows with this replica's overload (share and sum rise together) and, for a fixed total load,
 * shrinks as replicas are added (the deficit shrinks). mitoDecide allots the deficit (allot()).
 */
export function mitoSpawnExpectation(slot: i32, replicasSeen: i32, sumShareSeen: f64): f64 {
  if (!ok(slot)) return 0;
  const n = cleanCount(replicasSeen);
  const sum = viewSum(slot, cleanSum(sumShareSeen));
  const deficit = swarmDeficit(slot, n, sum);
  return deficit > 0 ? deficit * partWeight(slot, n, sum) : 0; // an idle view's weight is 0 / 0
}

/** The view's sum, at least this replica's own share (a view that missed its own pheromone). */
@inline function viewSum(slot: i32, sum: f64): f64 { return Math.max(sum, unchecked(share[slot])); }

/** This replica's weight in the swarm's deficit: 1 / n below min, share / sum above. */
@inline function partWeight(slot: i32, n: i32, sum: f64): f64 {
  return n < unchecked(minR[slot]) ? 1 / <f64>n : unchecked(share[slot]) / sum;
}

/** The deficit the swarm shares for the view (see mitoSpawnExpectation); 0 when this replica takes no part. */
function swarmDeficit(slot: i32, n: i32, sum: f64): f64 {
  const hi = unchecked(maxR[slot]);
  if (n >= hi) return 0;
  const g = goal(slot, n, sum);
  if (n < unchecked(minR[slot])) return <f64>(g - n);
  if (unchecked(share[slot]) <= unchecked(target[slot]) || g <= n || sum <= <f64>n * bandEdge(slot)) return 0;
  let deficit = MITO_SPAWN_GAIN * <f64>(g - n);
  // Near max, the spread of the swarm's rolls (about sqrt(deficit)) could cross the cap: pace the approach.
  const room = <f64>(hi - n);
  if (deficit + 2 * Math.sqrt(deficit) > room) deficit = Math.min(deficit, bounded(room));
  return deficit;
}

/**
 * Probability that this replica retires in one round for the view (0 when it must not).
 *   above max: surplus = n - max, split evenly, paced by bounded()
 *   underloaded: only if this replica is under cpu_target * margin and the others would stay under it
 *               after taking its load, sum / (n - 1) < cpu_target * margin (the hysteresis);
 *               surplus s = n - max(min, ceil(sum / (cpu_target * margin))), expected retirements
 *               B(s) = s^2 / (s + K), split by how far under target each replica is:
 *               p = B(s) * (target - share) / (n * target - sum)
 *               K = MITO_BOUND_K near min (the last places above min go slowly), else MITO_RETIRE_K_FAR
 * Paced so that the last replica above min is rarely joined by a second one in the same round.
 * mitoDecide passes the highest sum of the last MITO_HOLD_MS, not the latest one.
 */
export function mitoRetireExpectation(slot: i32, replicasSeen: i32, sumShareSeen: f64): f64 {
  if (!ok(slot)) return 0;
  const n = cleanCount(replicasSeen);
  const lo = unchecked(minR[slot]);
  if (n <= lo || n < 2) return 0;
  if (n > unchecked(maxR[slot])) return Math.min(1, bounded(<f64>(n - unchecked(maxR[slot]))) / <f64>n);
  const t = unchecked(target[slot]);
  const own = unchecked(share[slot]);
  const sum = Math.max(cleanSum(sumShareSeen), own);
  const line = t * MITO_RETIRE_MARGIN;
  if (own >= line || sum >= <f64>(n - 1) * line) return 0;
  const keep = <i32>Math.ceil(sum / line - EPS);
  const s = n - (keep > lo ? keep : lo);
  if (s < 1) return 0;
  // n * t - sum > 0 here (sum < (n - 1) * line < n * t); the weights of all replicas add up to 1.
  const k = n - s - lo >= MITO_FAR_FROM_MIN ? MITO_RETIRE_K_FAR : MITO_BOUND_K;
  return Math.min(1, (<f64>s * <f64>s / (<f64>s + k)) * (t - own) / (<f64>n * t - sum));
}

/** Randomised rounding: floor(x), plus one with probability frac(x); r is 32 random bits. */
function roll(x: f64, r: u32): i32 {
  const whole = Math.floor(x);
  const u = <f64>r / 4294967296.0;
  return <i32>whole + (u < x - whole ? 1 : 0);
}

/**
 * This replica's siblings out of a deficit shared by the swarm, its weight being w: the whole
 * replicas of the deficit, D = floor(deficit), are laid along [0, D) in node-id order, each replica
 * over a stretch D * w long that starts at D * b (b = the weights of the replicas before it), and a
 * replica spawns one sibling for each point m + 1/2 on its stretch. Replicas with the same view thus
 * spawn exactly D between them (independent rolls of the same parts spread by about sqrt(D): one
 * replica split evenly over 13 gave none 35% of the time, two or more 26%). The fraction left is
 * rolled (roll()).
 */
function allot(deficit: f64, w: f64, b: f64, r: u32): i32 {
  if (!(w > 0)) return 0;
  const whole = Math.floor(deficit + EPS);
  const before = b < 0 ? 0 : b > 1 - w ? 1 - w : b;
  const k = Math.floor(whole * (before + w) + 0.5) - Math.floor(whole * before + 0.5);
  const rest = deficit - whole;
  return <i32>k + (rest > 0 ? roll(rest * w, r) : 0);
}

export function mitoDecide(
  slot: i32, now: f64, replicasSeen: i32, sumShareSeen: f64, seenBefore: i32, sumBefore: f64, r: u32,
): i32 {
  if (!ok(slot) || !isFinite(now)) return 0;
  const n = cleanCount(replicasSeen);
  const sum = cleanSum(sumShareSeen);
  touchBirth(slot, now);
  noteCount(slot, now, n, sum);
  noteMean(slot, now, n, sum);

  // One roll per settle window: the outcome of the last roll (everyone's) must be visible first.
  if (now - unchecked(lastRoll[slot]) < MITO_SETTLE_MS) return 0;

  const all = viewSum(slot, sum);
  const deficit = swarmDeficit(slot, n, all);
  if (deficit > 0) return spawnShare(slot, now, n, sum, all, deficit, seenBefore, sumBefore, r);
  return retireRoll(slot, now, n, r);
}

/**
 * Changes of the count as this replica hears them: a rise starts the retire cool-down; a fall that a
 * retirement could explain starts the spawn cool-down (a fall the load could not explain is a failure).
 * Also keeps the load as retirement sees it: the highest sum heard in the last MITO_HOLD_MS, and after
 * a fall of the count the sum heard before it (the departed replica's load is still on its way to the others).
 */
@inline function noteCount(slot: i32, now: f64, n: i32, sum: f64): void {
  const prev = unchecked(prevSeen[slot]);
  const before = unchecked(prevSum[slot]);
  const fell = prev > 0 && n < prev;
  if (prev > 0 && n > prev) unchecked(lastUp[slot] = now);
  if (fell && retireWasPossible(slot, prev, before)) unchecked(lastRetireLike[slot] = now);
  unchecked(prevSeen[slot] = n);
  unchecked(prevSum[slot] = sum);
  if (sum >= unchecked(peakSum[slot]) || now - unchecked(peakAt[slot]) > MITO_HOLD_MS) {
    unchecked(peakSum[slot] = sum);
    unchecked(peakAt[slot] = now);
  }
  if (fell) {
    if (before > unchecked(peakSum[slot])) unchecked(peakSum[slot] = before);
    unchecked(peakAt[slot] = now);
  }
}

/** The mean share heard, averaged over about one meter window (time-weighted, as the share itself),
 *  and when the view was last inside the band. */
@inline function noteMean(slot: i32, now: f64, n: i32, sum: f64): void {
  const mean = sum / <f64>n;
  const at = unchecked(meanAt[slot]);
  if (!(now <= at)) { // the first view (NaN), or a later one
    unchecked(meanAvg[slot] = isNaN(at) ? mean : ewmaStep(meanAvg[slot], mean, now - at, MITO_SPAWN_SUSTAIN_MS));
    unchecked(meanAt[slot] = now);
  }
  if (mean <= bandEdge(slot)) unchecked(inBandAt[slot] = now);
}

/** Siblings this replica spawns for a positive deficit, unless a cool-down or a settled swarm holds it back. */
@inline function spawnShare(
  slot: i32, now: f64, n: i32, sum: f64, all: f64, deficit: f64, seenBefore: i32, sumBefore: f64, r: u32,
): i32 {
  const cooling = now - unchecked(lastRetireLike[slot]) < MITO_COOLDOWN_MS;
  const surge = isSurge(slot, n, sum);
  if (cooling && !surge) return 0;
  // A swarm that settled inside the band (seen there MITO_SETTLED_MS after its last rise, when the
  // meters had caught up with it) leaves it for an overload short of a surge only when the mean
  // share averaged over a meter window is over the edge too: noise and hot spots lift the sum over
  // the edge for seconds, and each lift would add a replica that no retirement takes back (the
  // band holds both counts). A load that really grows crosses in the average a few seconds later.
  if (isSettled(slot) && !surge && n >= unchecked(minR[slot]) && unchecked(meanAvg[slot]) <= bandEdge(slot)) return 0;
  unchecked(lastRoll[slot] = now);
  // Where this replica's stretch starts: the weights of the replicas before it (as partWeight()).
  const b = n < unchecked(minR[slot]) ? <f64>seenBefore / <f64>n : cleanSum(sumBefore) / all;
  let k = allot(deficit, partWeight(slot, n, all), b, r);
  const room = unchecked(maxR[slot]) - n;
  if (k > room) k = room;
  if (k > MITO_MAX_BURST) k = MITO_MAX_BURST;
  if (k > 0) unchecked(lastUp[slot] = now);
  return k;
}

/** -1 when this replica retires this round: past the cool-down, after sustained underload (or above max), by a roll. */
@inline function retireRoll(slot: i32, now: f64, n: i32, r: u32): i32 {
  if (now - unchecked(lastUp[slot]) < MITO_COOLDOWN_MS) return 0;
  // Above max the cap is enforced whatever the load; otherwise only after sustained underload.
  if (n <= unchecked(maxR[slot]) && now - unchecked(underSince[slot]) < MITO_SUSTAIN_MS) return 0;
  const p = mitoRetireExpectation(slot, n, unchecked(peakSum[slot]));
  if (p <= 0) return 0;
  unchecked(lastRoll[slot] = now);
  return roll(p, r) > 0 ? -1 : 0;
}

export function mitoNeedsReplacement(slot: i32, now: f64, replicasSeen: i32): bool {
  return ok(slot) && isFinite(now) && replicasSeen < unchecked(minR[slot]);
}

/**
 * The node a sibling should go to: among candidates that do not host the species and announce
 * spare >= minSpare, the smallest predicted RTT (NaN counts as unknown, i.e. +Infinity, so such a
 * node is chosen only if nothing better exists); ties go to the larger spare, then the smaller id,
 * so every caller with the same table picks the same node. Returns the index, or -1.
 */
export function mitoPickTarget(
  n: i32, ids: StaticArray<u32>, rtts: StaticArray<f64>, spares: StaticArray<f64>, hosts: StaticArray<bool>, minSpare: f64,
): i32 {
  let m = n;
  if (m > ids.length) m = ids.length;
  if (m > rtts.length) m = rtts.length;
  if (m > spares.length) m = spares.length;
  if (m > hosts.length) m = hosts.length;
  let best = -1;
  let bestRtt: f64 = Infinity;
  let bestSpare: f64 = 0;
  let bestId: u32 = 0;
  for (let i = 0; i < m; i++) {
    const id = unchecked(ids[i]);
    const spare = unchecked(spares[i]);
    if (id == 0 || unchecked(hosts[i]) || !(spare >= minSpare)) continue;
    let rtt = unchecked(rtts[i]);
    if (!(rtt >= 0)) rtt = Infinity;
    const better = best < 0 || rtt < bestRtt ||
      (rtt == bestRtt && (spare > bestSpare || (spare == bestSpare && id < bestId)));
    if (better) {
      best = i;
      bestRtt = rtt;
      bestSpare = spare;
      bestId = id;
    }
  }
  return best;
}
