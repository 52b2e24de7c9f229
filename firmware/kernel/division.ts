// The kernel's side of mitosis: once a period, each hosted cell with a [cell.biology] policy
// looks at the replicas of its species that this node hears (pheromones: ANNOUNCE frames and
// probe answers), and mitosis.ts decides to spawn siblings, retire, or do nothing. A sibling goes
// to the node with spare capacity nearest to where this replica's calls come from (callers.ts):
// placed next to the spawner instead, siblings cluster around the first replicas and far callers
// stay far. The host fetches the spore there (hal.spawn).
import { halSpawn, halRetire, halRandom } from "../hal/hal";
import { MAX_CELLS, cellsSpeciesAt, cellsHandleAt, cellsUnhost } from "./cells";
import { peerCount, peerId, peerHosts, peerHealthy, peerBusy, peerLastSeen, peerLoad, peerSpare, peerAddSpecies, peerFind, peerCoordLen, MAX_PEERS } from "./peers";
import { peerRtt } from "./routing";
import { predictBetweenPeers } from "./coords";
import { callersCount, callerId, callerWeight, callersDecay, MAX_CALLERS } from "./callers";
import { mitoDecide, mitoShare, mitoMinSpare, mitoMinReplicas, mitoPickTarget, mitoClear } from "./mitosis";
import { MITO_FRESH_MS, MITO_RETIRE_FRESH_MS } from "./mitosis-config";
import { count } from "./stats";
import { S_SPAWNS, S_RETIREMENTS } from "../protocol/table";

const ids = new StaticArray<u32>(MAX_PEERS);
const rtts = new StaticArray<f64>(MAX_PEERS);
const spares = new StaticArray<f64>(MAX_PEERS);
const hosts = new StaticArray<bool>(MAX_PEERS);
const peerIdx = new StaticArray<i32>(MAX_PEERS);
const callerPeer = new StaticArray<i32>(MAX_CALLERS);
const callerW = new StaticArray<f64>(MAX_CALLERS);

/** One decision round for every hosted cell with a policy on node `self`; true if a replica retired. */
export function divisionRound(now: f64, self: u32): bool {
  callersDecay();
  let retired = false;
  for (let c = 0; c < MAX_CELLS; c++) {
    const sp = cellsSpeciesAt(c);
    if (sp == 0) continue;
    // The species' replicas as this node hears them: itself plus fresh, healthy peers hosting it.
    let seen = 1;
    let sum = mitoShare(c);
    // The replicas before this one in node-id order (an order every replica of the view agrees on).
    let seenBefore = 0;
    let sumBefore: f64 = 0;
    // The siblings heard within MITO_RETIRE_FRESH_MS: what stays if this replica retires.
    let recent = 0;
    const n = peerCount();
    for (let i = 0; i < n; i++) {
      if (peerHosts(i, sp) && peerHealthy(i, now) && now - peerLastSeen(i) <= MITO_FRESH_MS) {
        const load = peerLoad(i);
        seen++;
        if (now - peerLastSeen(i) <= MITO_RETIRE_FRESH_MS) recent++;
        sum += load;
        if (peerId(i) < self) {
          seenBefore++;
          sumBefore += load;
        }
      }
    }
    const d = mitoDecide(c, now, seen, sum, seenBefore, sumBefore, halRandom());
    if (d > 0) spawn(c, sp, d, now);
    else if (d < 0 && recent >= mitoMinReplicas(c)) {
      retire(c);
      retired = true;
    }
  }
  return retired;
}

/**
 * The heaviest caller whose coordinate this node does not know (0 if none): the kernel probes it,
 * so its coordinate and spare capacity are in the peer table when a sibling has to be placed.
 */
export function callerToProbe(): u32 {
  let best: u32 = 0;
  let bestW: f64 = 0;
  for (let j = 0; j < callersCount(); j++) {
    const p = peerFind(callerId(j));
    if ((p < 0 || peerCoordLen(p) == 0) && callerWeight(j) > bestW) {
      best = callerId(j);
      bestW = callerWeight(j);
    }
  }
  return best;
}

/** Callers with a known coordinate, as peer indices and weights summing to 1; returns how many. */
function placedCallers(): i32 {
  let m = 0;
  let total: f64 = 0;
  for (let j = 0; j < callersCount(); j++) {
    const p = peerFind(callerId(j));
    if (p >= 0 && peerCoordLen(p) > 0 && callerWeight(j) > 0) {
      unchecked(callerPeer[m] = p);
      unchecked(callerW[m] = callerWeight(j));
      total += callerWeight(j);
      m++;
    }
  }
  for (let j = 0; j < m; j++) unchecked(callerW[j] /= total);
  return m;
}

/** Where candidate i stands for this replica's load: the call-weighted mean predicted RTT to its callers. */
function towardCallers(i: i32, m: i32): f64 {
  let sum: f64 = 0;
  for (let j = 0; j < m; j++) sum += unchecked(callerW[j]) * predictBetweenPeers(i, unchecked(callerPeer[j]));
  return sum;
}

function spawn(c: i32, sp: u32, k: i32, now: f64): void {
  const n = peerCount();
  // No caller placed yet (a quiet replica, or probes still on their way): nearest to this node.
  const m = placedCallers();
  for (let i = 0; i < n; i++) {
    unchecked(ids[i] = peerHealthy(i, now) && !peerBusy(i, now) ? peerId(i) : 0);
    unchecked(rtts[i] = m > 0 ? towardCallers(i, m) : peerRtt(i));
    unchecked(spares[i] = peerSpare(i));
    unchecked(hosts[i] = peerHosts(i, sp));
    unchecked(peerIdx[i] = i);
  }
  const minSpare = mitoMinSpare(c);
  for (let j = 0; j < k; j++) {
    const t = mitoPickTarget(n, ids, rtts, spares, hosts, minSpare);
    if (t < 0) return;
    unchecked(hosts[t] = true);
    if (halSpawn(sp, unchecked(ids[t])) == 0) {
      count(S_SPAWNS);
      // Optimistic: route to and count the sibling now; its own pheromones confirm or correct this.
      peerAddSpecies(unchecked(peerIdx[t]), sp);
    }
  }
}

function retire(c: i32): void {
  const slot = cellsHandleAt(c);
  mitoClear(c);
  cellsUnhost(slot);
  count(S_RETIREMENTS);
  halRetire(slot);
}
