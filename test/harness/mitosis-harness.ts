// Exposes the mitosis decisions (firmware/kernel/mitosis.ts) and the division round that drives them
// (firmware/kernel/division.ts) to the tests through WASM. One instance stands for one node; its
// slots are the species it hosts.
import "../../firmware/hal/hal";
import {
  mitoSetPolicy, mitoClear, mitoObserve, mitoDecide, mitoNeedsReplacement, mitoPickTarget, mitoShare, mitoMinSpare,
  mitoSpawnExpectation, mitoRetireExpectation,
} from "../../firmware/kernel/mitosis";
import * as C from "../../firmware/kernel/mitosis-config";
import { divisionRound } from "../../firmware/kernel/division";
import { peerTouch, peerClearSpecies, peerAddSpecies, peerSetLoad } from "../../firmware/kernel/peers";
import { cellsHost } from "../../firmware/kernel/cells";

export function setPolicy(slot: i32, species: u32, cpuTarget: f64, minReplicas: i32, maxReplicas: i32): void {
  mitoSetPolicy(slot, species, cpuTarget, minReplicas, maxReplicas);
}
export function clear(slot: i32): void { mitoClear(slot); }
export function observe(slot: i32, cpuShare: f64, now: f64): void { mitoObserve(slot, cpuShare, now); }
export function decide(slot: i32, now: f64, replicasSeen: i32, sumShareSeen: f64, seenBefore: i32, sumBefore: f64, r: u32): i32 {
  return mitoDecide(slot, now, replicasSeen, sumShareSeen, seenBefore, sumBefore, r);
}
export function needsReplacement(slot: i32, now: f64, replicasSeen: i32): bool { return mitoNeedsReplacement(slot, now, replicasSeen); }
export function share(slot: i32): f64 { return mitoShare(slot); }
export function minSpare(slot: i32): f64 { return mitoMinSpare(slot); }
export function spawnExpectation(slot: i32, n: i32, sum: f64): f64 { return mitoSpawnExpectation(slot, n, sum); }
export function retireExpectation(slot: i32, n: i32, sum: f64): f64 { return mitoRetireExpectation(slot, n, sum); }

// Candidate table for mitoPickTarget, filled one row at a time by the test.
const CAND: i32 = 64;
const ids = new StaticArray<u32>(CAND);
const rtts = new StaticArray<f64>(CAND);
const spares = new StaticArray<f64>(CAND);
const hosts = new StaticArray<bool>(CAND);

export function candCap(): i32 { return CAND; }
export function candSet(i: i32, id: u32, rtt: f64, spare: f64, hosting: bool): void {
  if (i < 0 || i >= CAND) return;
  ids[i] = id;
  rtts[i] = rtt;
  spares[i] = spare;
  hosts[i] = hosting;
}
export function pickTarget(n: i32, minSpareShare: f64): i32 { return mitoPickTarget(n, ids, rtts, spares, hosts, minSpareShare); }

// The parameters, so tests read them from the firmware rather than repeat them.
export function cfgSettleMs(): f64 { return C.MITO_SETTLE_MS; }
export function cfgCooldownMs(): f64 { return C.MITO_COOLDOWN_MS; }
export function cfgSustainMs(): f64 { return C.MITO_SUSTAIN_MS; }
export function cfgRetireMargin(): f64 { return C.MITO_RETIRE_MARGIN; }
export function cfgPeriodMs(): f64 { return C.MITO_PERIOD_MS; }
export function cfgMaxBurst(): i32 { return C.MITO_MAX_BURST; }
export function cfgRebound(): f64 { return C.MITO_REBOUND; }
export function cfgSpawnTolerance(): f64 { return C.MITO_SPAWN_TOLERANCE; }
export function cfgSettledMs(): f64 { return C.MITO_SETTLED_MS; }
export function cfgSpawnSustainMs(): f64 { return C.MITO_SPAWN_SUSTAIN_MS; }

// The kernel's division round itself (firmware/kernel/division.ts) over this node's own peer table
// and cell table: the swarm tests feed it pheromones and read its spawns and retirements through
// hal.spawn and hal.retire.
export function host(slot: i32, species: u32): i32 { return cellsHost(slot, species); }
/** The peer-table part of a pheromone (ANNOUNCE) from `id`: seen now, its species, load and spare. */
export function hear(id: u32, now: f64, species: u32, load: f64, spare: f64): void {
  const p = peerTouch(id, now);
  peerClearSpecies(p);
  if (species != 0) peerAddSpecies(p, species);
  peerSetLoad(p, load, spare);
}
export function round(now: f64, self: u32): bool { return divisionRound(now, self); }
export function cfgFreshMs(): f64 { return C.MITO_FRESH_MS; }
