// Every Vivaldi parameter, with the reason for its value. Measurements behind them: docs/vivaldi.md
// (`npx tsx simulator/vivaldi-bench.ts`). Values were chosen to hold on both the PlanetLab matrix
// and the geographic model, with and without noise, not to fit one matrix.
import {
  TUNE_CC, TUNE_CE, TUNE_GRAVITY_RHO, TUNE_FILTER_PERCENTILE, TUNE_MIN_SAMPLES, TUNE_NEAR, TUNE_NEAR_SHARE, TUNE_REPLACE_SHARE,
  TUNE_GOSSIP_NEAR_SHARE, TUNE_LONG_LINK_MS, TUNE_DIMS, TUNE_FILTER_OFF,
} from "../protocol/table";
import { KERNEL_NB_SLOTS } from "./target-tables";

// ---- coordinate ----

/** Euclidean dimensions. 4: most of the 8-D gain over 2-D on PlanetLab at half the bytes and math. */
export const VIV_DIMS: i32 = 4;
/** f64 words of a coordinate in storage and on the wire: the dimensions, then height, then error. */
export const VIV_WORDS: i32 = VIV_DIMS + 2;
/** Timestep scale (Dabek's cc). 0.35, above the paper's 0.25: VIV_LONG_LINK_MS shrinks the steps of long
 *  links, and this gives back convergence speed (median <= 0.15 within ~4 min) at no cost in accuracy
 *  (0.25..0.5 measured equal at the end). */
export const VIV_CC: f64 = 0.35;
/** Error-estimate smoothing (Dabek's ce). 0.25: the paper's value; lower reacts too slowly to a topology change. */
export const VIV_CE: f64 = 0.25;
/** Error estimate of a fresh node. 1: "knows nothing", so it moves fast and others discount it. */
export const VIV_ERROR_INIT: f64 = 1.0;
/** Error floor: a node never trusts itself so much that it stops moving (w = e / (e + e_remote) > 0). */
export const VIV_ERROR_MIN: f64 = 0.01;
/** Error ceiling (as HashiCorp Serf): one absurd sample cannot make a node ignore everyone for long. */
export const VIV_ERROR_MAX: f64 = 1.5;
/** Links longer than this (ms) pull with force scaled by VIV_LONG_LINK_MS / rtt. Accuracy is judged by
 *  relative error, but a plain spring weighs absolute error, so long links (and their spikes, and
 *  persistent outliers like PlanetLab's 3 s pairs) would dominate placement. 100 ms is about a
 *  continent across: within it every link counts fully (a LAN or a region behaves as textbook). */
export const VIV_LONG_LINK_MS: f64 = 100;
/** Height floor in ms. 0.01: heights must start above 0 to grow, and stay under the ~0.1 ms LAN RTTs seen. */
export const VIV_HEIGHT_MIN: f64 = 0.01;
/** Gravity radius in ms: pull toward the origin of (|x|/rho)^2 ms per update (Ledlie et al. 2007, who
 *  use 2^11). Asymmetric springs (near/far choice, unequal weights) make a swarm drift as a whole;
 *  1024 holds a 300 ms-wide swarm's centroid within ~80 ms of the origin (2048: ~190) and costs no
 *  measurable accuracy (pull < 0.1 ms per update at 300 ms). */
export const VIV_GRAVITY_RHO: f64 = 1024;
/** Below this separation (ms) two coordinates coincide and the push takes a random direction. */
export const VIV_COINCIDE_MS: f64 = 1e-6;

// ---- input guards ----

/** Largest RTT accepted (ms). A minute: no real round trip is longer; bigger means a broken clock. */
export const VIV_RTT_MAX: f64 = 60000;
/** Largest coordinate component, height or error accepted from a peer (ms); beyond is garbage. */
export const VIV_COORD_MAX: f64 = 1e6;

// ---- latency filter (Ledlie et al. 2007, moving percentile) ----

/** Samples kept per neighbour. 4: Ledlie's history length; a spike is out of the window in 4 probes. */
export const LF_SAMPLES: i32 = 4;
/** Order statistic reported. 0.25: queueing only adds delay, so a low percentile is nearest the base RTT;
 *  the rank is clamped to 1..n-2 so a single outlier on either side can never be the answer. */
export const LF_PERCENTILE: f64 = 0.25;
/** Samples before a neighbour moves the coordinate. 2: a first, unfiltered spike cannot pull the
 *  coordinate (heavy noise: median 0.169 with 1, 0.117 with 2; no cost on clean data). */
export const LF_MIN_SAMPLES: i32 = 2;

// ---- neighbour set ----

/** Neighbour slots (id, misses, filtered RTT, filter ring: 40 bytes each, 2.5 KiB). 64 on a host: room
 *  for the 8 near peers and plenty of far ones to rotate; a board (few peers) holds MCU_NB_SLOTS. */
export const NB_SLOTS: i32 = KERNEL_NB_SLOTS; // 64 on a host, MCU_NB_SLOTS on a board (target-tables.ts)
/** Size of the near set (lowest filtered RTT). 8: enough close springs to place the node within its
 *  site/region, where relative error is hardest (short RTTs). */
export const NB_NEAR: i32 = 8;
/** Share of probes to the near set. 0.5: Dabek's finding that a mix of close and far beats either. */
export const NB_NEAR_SHARE: f64 = 0.5;
/** Chance that an offered peer replaces a random measured far slot when the table is full. 0.5: far
 *  peers rotate over minutes, so a node keeps sampling the whole swarm rather than a fixed 64. */
export const NB_REPLACE_SHARE: f64 = 0.5;
/** Unanswered probes in a row before a neighbour is dropped. 3: rides out loss, not a dead node. */
export const NB_MAX_MISSES: i32 = 3;
/** Share of gossip picks taken from the near set. 0.5: a near peer of my near peer is likely near me,
 *  which finds the real near set fast; the other half keeps far discovery going. */
export const NB_GOSSIP_NEAR_SHARE: f64 = 0.5;

// ---- tuning overrides ----
// Ids (TUNE_*) in docs/protocol.toml.
// Runtime copies of the tunable values above, so simulator/vivaldi-bench.ts sweeps the shipped code
// without recompiling. The kernel never changes them.

export let tuneCc: f64 = VIV_CC;
export let tuneCe: f64 = VIV_CE;
export let tuneGravityRho: f64 = VIV_GRAVITY_RHO;
export let tuneFilterPercentile: f64 = LF_PERCENTILE;
export let tuneMinSamples: i32 = LF_MIN_SAMPLES;
export let tuneNear: i32 = NB_NEAR;
export let tuneNearShare: f64 = NB_NEAR_SHARE;
export let tuneReplaceShare: f64 = NB_REPLACE_SHARE;
export let tuneGossipNearShare: f64 = NB_GOSSIP_NEAR_SHARE;
export let tuneLongLinkMs: f64 = VIV_LONG_LINK_MS;
export let tuneDims: i32 = VIV_DIMS;
export let tuneFilterOff: bool = false;

/** Sets one tunable; false for an unknown id or an out-of-range value. */
export function vivaldiTune(id: i32, v: f64): bool {
  if (!isFinite(v) || v < 0) return false;
  switch (id) {
    case TUNE_CC: if (v > 1) return false; tuneCc = v; return true;
    case TUNE_CE: if (v > 1) return false; tuneCe = v; return true;
    case TUNE_GRAVITY_RHO: if (v == 0) return false; tuneGravityRho = v; return true;
    case TUNE_FILTER_PERCENTILE: if (v > 1) return false; tuneFilterPercentile = v; return true;
    case TUNE_MIN_SAMPLES: if (v < 1 || v > <f64>LF_SAMPLES) return false; tuneMinSamples = <i32>v; return true;
    case TUNE_NEAR: if (v > <f64>NB_SLOTS) return false; tuneNear = <i32>v; return true;
    case TUNE_NEAR_SHARE: if (v > 1) return false; tuneNearShare = v; return true;
    case TUNE_REPLACE_SHARE: if (v > 1) return false; tuneReplaceShare = v; return true;
    case TUNE_GOSSIP_NEAR_SHARE: if (v > 1) return false; tuneGossipNearShare = v; return true;
    case TUNE_LONG_LINK_MS: tuneLongLinkMs = v; return true; // 0 turns the scaling off
    case TUNE_DIMS: if (v < 1 || v > <f64>VIV_DIMS) return false; tuneDims = <i32>v; return true;
    case TUNE_FILTER_OFF: tuneFilterOff = v != 0; return true; // the bench's "no filter" rows
  }
  return false;
}
