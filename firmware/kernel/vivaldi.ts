// This node's Vivaldi coordinate (Dabek et al., SIGCOMM 2004) and its update math. Fixed memory:
// VIV_DIMS f64 + height + error estimate; nothing is allocated.
//
// API (remote coordinates are VIV_WORDS f64s in linear memory: [c0 .. c(D-1), height, error]):
//   vivaldiReset()                                   back to the origin, error VIV_ERROR_INIT
//   vivaldiUpdate(rttMs, remote, seed): bool         one spring step; false = input rejected (counted)
//   vivaldiPredict(remote): f64                      predicted RTT to `remote`, ms
//   ownCoord(i), ownHeight(), ownError(): f64        this node's state, for metrics and the wire
//   coordValid(ptr): bool                            remote words finite and within VIV_COORD_MAX
//
// Prediction (the simulator computes the same from exported values):
//   rtt(i, j) = ||x_i - x_j|| + h_i + h_j
import {
  VIV_DIMS, VIV_ERROR_INIT, VIV_ERROR_MIN, VIV_ERROR_MAX, VIV_HEIGHT_MIN, VIV_COINCIDE_MS,
  VIV_RTT_MAX, VIV_COORD_MAX, tuneCc, tuneCe, tuneGravityRho, tuneLongLinkMs, tuneDims,
} from "./vivaldi-config";
import { vivCount } from "./vivaldi-stats";
import { VS_UPDATES, VS_BAD_RTT, VS_BAD_COORD, VS_NON_FINITE } from "../protocol/table";

const X: usize = memory.data(VIV_DIMS * 8, 8);
// The step is computed here first and committed only if every value is finite.
const NEXT: usize = memory.data(VIV_DIMS * 8, 8);
// A random unit direction for coinciding coordinates.
const DIR: usize = memory.data(VIV_DIMS * 8, 8);
let height: f64 = VIV_HEIGHT_MIN;
let error: f64 = VIV_ERROR_INIT;

@inline function xAt(i: i32): f64 { return load<f64>(X + (<usize>i << 3)); }

export function vivaldiReset(): void {
  memory.fill(X, 0, <usize>(VIV_DIMS * 8));
  height = VIV_HEIGHT_MIN;
  error = VIV_ERROR_INIT;
}

export function ownCoord(i: i32): f64 { return i >= 0 && i < VIV_DIMS ? xAt(i) : 0; }
export function ownHeight(): f64 { return height; }
export function ownError(): f64 { return error; }

/** A peer's coordinate words are usable: finite, |c| and height <= VIV_COORD_MAX, error >= 0. */
export function coordValid(p: usize): bool {
  for (let i = 0; i < VIV_DIMS; i++) {
    const c = load<f64>(p + (<usize>i << 3));
    // NaN fails every comparison, so `!(a <= b)` rejects it along with the too-large.
    if (!(Math.abs(c) <= VIV_COORD_MAX)) return false;
  }
  const h = load<f64>(p + (<usize>VIV_DIMS << 3));
  const e = load<f64>(p + (<usize>(VIV_DIMS + 1) << 3));
  return h >= 0 && h <= VIV_COORD_MAX && e >= 0 && e <= VIV_COORD_MAX;
}

/** Euclidean distance between two stored coordinates, without heights. */
function distance(p: usize, q: usize): f64 {
  let s: f64 = 0;
  for (let i = 0; i < tuneDims; i++) {
    const d = load<f64>(p + (<usize>i << 3)) - load<f64>(q + (<usize>i << 3));
    s += d * d;
  }
  return Math.sqrt(s);
}

/** Euclidean distance between this node and `p`, without heights. */
@inline function euclid(p: usize): f64 { return distance(X, p); }

/** Predicted RTT between two stored coordinates (neither this node's): for placing a sibling. */
export function vivaldiBetween(p: usize, q: usize): f64 {
  if (!coordValid(p) || !coordValid(q)) return Infinity;
  return distance(p, q) + load<f64>(p + (<usize>VIV_DIMS << 3)) + load<f64>(q + (<usize>VIV_DIMS << 3));
}

export function vivaldiPredict(p: usize): f64 {
  if (!coordValid(p)) return Infinity;
  return euclid(p) + height + load<f64>(p + (<usize>VIV_DIMS << 3));
}

/** A unit vector from a 32-bit seed (xorshift32), so no Math.random and no env.seed import. */
function randomDirection(seed: u32): void {
  let s = seed | 1;
  let n: f64 = 0;
  for (let i = 0; i < tuneDims; i++) {
    s ^= s << 13; s ^= s >> 17; s ^= s << 5;
    const v = <f64>s / 4294967296.0 - 0.5;
    store<f64>(DIR + (<usize>i << 3), v);
    n += v * v;
  }
  n = Math.sqrt(n);
  for (let i = 0; i < tuneDims; i++) {
    const p = DIR + (<usize>i << 3);
    store<f64>(p, n > 0 ? load<f64>(p) / n : (i == 0 ? 1.0 : 0.0));
  }
}

/**
 * One Vivaldi step toward agreement with a measured (filtered) RTT to the peer whose coordinate is
 * at `remote`. `seed` (HAL random bits) only picks a direction when the two coordinates coincide.
 * Returns false, counts and changes nothing when the RTT or the coordinate is unusable.
 */
export function vivaldiUpdate(rttMs: f64, remote: usize, seed: u32): bool {
  if (!(rttMs > 0 && rttMs <= VIV_RTT_MAX)) {
    vivCount(VS_BAD_RTT);
    return false;
  }
  if (!coordValid(remote)) {
    vivCount(VS_BAD_COORD);
    return false;
  }
  const rh = load<f64>(remote + (<usize>VIV_DIMS << 3));
  const re = Math.min(Math.max(load<f64>(remote + (<usize>(VIV_DIMS + 1) << 3)), VIV_ERROR_MIN), VIV_ERROR_MAX);
  const ed = euclid(remote);
  const hs = height + rh;
  const dist = ed + hs;
  // Sample weight: trust the side that is more sure of its own position (Dabek's w).
  const w = error / (error + re);
  const es = Math.min(Math.abs(dist - rttMs) / rttMs, VIV_ERROR_MAX);
  const ce = tuneCe * w;
  const newError = Math.min(Math.max(es * ce + error * (1 - ce), VIV_ERROR_MIN), VIV_ERROR_MAX);
  // Adaptive timestep: delta = cc * w; the spring moves us delta of the way to agreement.
  let force = tuneCc * w * (rttMs - dist);
  // Long links pull less: the goal is relative accuracy, and a spring weighs absolute error.
  if (tuneLongLinkMs > 0 && rttMs > tuneLongLinkMs) force *= tuneLongLinkMs / rttMs;
  let newHeight = height;
  if (ed > VIV_COINCIDE_MS) {
    // Along the unit vector of the height-vector space: [x_i - x_j, h_i + h_j] / dist.
    const k = force / dist;
    for (let i = 0; i < tuneDims; i++) {
      const o = <usize>i << 3;
      store<f64>(NEXT + o, xAt(i) + k * (xAt(i) - load<f64>(remote + o)));
    }
    newHeight = height + k * hs;
  } else {
    // Coinciding points (e.g. everyone at the origin at start): push apart in a random direction.
    randomDirection(seed);
    for (let i = 0; i < tuneDims; i++) {
      const o = <usize>i << 3;
      store<f64>(NEXT + o, xAt(i) + force * load<f64>(DIR + o));
    }
  }
  if (newHeight < VIV_HEIGHT_MIN) newHeight = VIV_HEIGHT_MIN;
  gravity();
  // Commit only finite results: a bad state would poison every peer that learns it.
  let ok = isFinite(newHeight) && isFinite(newError);
  for (let i = 0; i < VIV_DIMS && ok; i++) ok = isFinite(load<f64>(NEXT + (<usize>i << 3)));
  if (!ok) {
    vivCount(VS_NON_FINITE);
    return false;
  }
  memory.copy(X, NEXT, <usize>(VIV_DIMS * 8));
  height = newHeight;
  error = newError;
  vivCount(VS_UPDATES);
  return true;
}

/** Pulls NEXT toward the origin by (|x| / rho)^2 ms (Ledlie et al.), never past it. */
function gravity(): void {
  let m: f64 = 0;
  for (let i = 0; i < VIV_DIMS; i++) {
    const v = load<f64>(NEXT + (<usize>i << 3));
    m += v * v;
  }
  m = Math.sqrt(m);
  if (!(m > 0) || !isFinite(m)) return;
  const g = (m / tuneGravityRho) * (m / tuneGravityRho);
  const f = Math.min(g, m) / m;
  for (let i = 0; i < VIV_DIMS; i++) {
    const p = NEXT + (<usize>i << 3);
    store<f64>(p, load<f64>(p) * (1 - f));
  }
}
