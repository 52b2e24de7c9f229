// A geographic latency model for swarms larger than any measured matrix (--latency geo).
//
// Nodes are placed in metro areas by population and scattered around the centre. The RTT of a
// pair is computed on demand from the two nodes' attributes and a hash of the pair, so memory
// is O(N) (about 30 bytes a node) and 100,000 nodes need no N^2 table:
//
//   rtt(i, j) = access(i) + access(j)                       last mile, fixed per node
//             + 2 d / fibre * (1 + excess(i, j) * damp(d))  propagation over an inflated path
//             + detour(i, j)                                 a few pairs take a long way round
//
// d is the great-circle distance. excess is the routing overhead over the great circle
// (fixed per pair; heavier-tailed between regions). damp shrinks it on long paths, which follow
// long-haul cables nearly straight, so antipodal pairs stay under 400 ms. The detour on a
// deterministic share of pairs produces triangle-inequality violations as the real Internet
// has them (hot-potato routing, a far-away exchange point). docs/simulator.md gives the values'
// reasons.
import { Rng, hashUnit } from '../rng.ts';
import { outOfRange } from './matrix.ts';
import { METROS, REGIONS, type Metro } from './metros.ts';
import type { LatencyModel } from './model.ts';
import { checkPerturbation, frameDelay, jittered } from './perturbation.ts';

export interface GeoParams {
  nodes: number;
  seed: number;
  jitter: number;
  loss: number;
  /** Speed of light in fibre, km per ms (about 2/3 of c). */
  fibreKmPerMs: number;
  /** Path inflation over the great circle on short paths: from min to max, fixed per pair. */
  inflationMin: number;
  inflationMax: number;
  /** Distance (km) at which the inflation excess is halved. */
  inflationHalfKm: number;
  /** Last-mile RTT per node: lognormal with this median (ms) and log-sd, clipped to [min, max]. */
  accessMedianMs: number;
  accessSigma: number;
  accessMinMs: number;
  accessMaxMs: number;
  /** Gaussian scatter (km, per axis) of nodes around their metro centre. */
  metroSpreadKm: number;
  /** Share of nodes in a metro's hinterland, with a wider scatter. */
  regionalShare: number;
  regionalSpreadKm: number;
  /** Share of pairs whose route takes a detour, and the detour's extra RTT range (ms). */
  detourShare: number;
  detourMinMs: number;
  detourMaxMs: number;
}

export const GEO_DEFAULTS: Omit<GeoParams, 'nodes' | 'seed' | 'jitter' | 'loss'> = {
  fibreKmPerMs: 200,
  inflationMin: 1.3,
  inflationMax: 2.5,
  inflationHalfKm: 15000,
  accessMedianMs: 4,
  accessSigma: 0.7,
  accessMinMs: 1,
  accessMaxMs: 20,
  metroSpreadKm: 30,
  regionalShare: 0.15,
  regionalSpreadKm: 300,
  detourShare: 0.1,
  detourMinMs: 5,
  detourMaxMs: 50,
};

const EARTH_RADIUS_KM = 6371;
const KM_PER_DEGREE = (Math.PI * EARTH_RADIUS_KM) / 180;
// Salts so the per-pair draws are independent of each other and of the placement stream.
const SALT_EXCESS = 0x65786373;
const SALT_DETOUR = 0x64746f75;
const SALT_DETOUR_SIZE = 0x64747a65;

export class GeoModel implements LatencyModel {
  readonly name = 'geo';
  readonly size: number;
  readonly jitter: number;
  readonly loss: number;
  readonly regionNames: readonly string[] = REGIONS;
  readonly warnings: readonly string[] = [];
  readonly params: Readonly<GeoParams>;
  // Node attributes: unit vectors on the sphere, last-mile RTT, metro index.
  private readonly ux: Float64Array;
  private readonly uy: Float64Array;
  private readonly uz: Float64Array;
  private readonly access: Float32Array;
  private readonly metroIdx: Uint8Array;
  private readonly regionOfMetro: Uint8Array;
  private readonly salt: number;

  constructor(opts: Partial<GeoParams> & Pick<GeoParams, 'nodes' | 'seed'>) {
    const p: GeoParams = { jitter: 0, loss: 0, ...GEO_DEFAULTS, ...definedOnly(opts), nodes: opts.nodes, seed: opts.seed };
    checkParams(p);
    this.params = Object.freeze(p);
    const n = (this.size = p.nodes);
    this.jitter = p.jitter;
    this.loss = p.loss;
    // Pair hashes take 32 bits of seed; fold the high bits in so large seeds still differ.
    this.salt = (p.seed ^ Math.floor(p.seed / 4294967296)) >>> 0;
    this.ux = new Float64Array(n);
    this.uy = new Float64Array(n);
    this.uz = new Float64Array(n);
    this.access = new Float32Array(n);
    this.metroIdx = new Uint8Array(n);
    this.regionOfMetro = Uint8Array.from(METROS, (m) => m.region);

    const cumulative = new Float64Array(METROS.length);
    let total = 0;
    METROS.forEach((m, k) => (cumulative[k] = total += m.weight));
    const rng = new Rng(p.seed, 0x67656f);
    const logMedian = Math.log(p.accessMedianMs);
    for (let i = 0; i < n; i++) {
      const k = pickWeighted(cumulative, rng.next() * total);
      this.metroIdx[i] = k;
      const spread = rng.next() < p.regionalShare ? p.regionalSpreadKm : p.metroSpreadKm;
      const m = METROS[k];
      const lat = clamp(m.lat + (rng.normal() * spread) / KM_PER_DEGREE, -89.9, 89.9);
      const lon = m.lon + (rng.normal() * spread) / (KM_PER_DEGREE * Math.cos((lat * Math.PI) / 180));
      const phi = (lat * Math.PI) / 180, lambda = (lon * Math.PI) / 180;
      this.ux[i] = Math.cos(phi) * Math.cos(lambda);
      this.uy[i] = Math.cos(phi) * Math.sin(lambda);
      this.uz[i] = Math.sin(phi);
      this.access[i] = clamp(Math.exp(logMedian + p.accessSigma * rng.normal()), p.accessMinMs, p.accessMaxMs);
    }
  }

  /** Bytes held by the per-node arrays: O(N), the model's whole footprint. */
  get byteLength(): number {
    return this.ux.byteLength + this.uy.byteLength + this.uz.byteLength + this.access.byteLength + this.metroIdx.byteLength;
  }

  rtt(i: number, j: number): number {
    const n = this.size;
    if (i >>> 0 >= n || j >>> 0 >= n || (i | 0) !== i || (j | 0) !== j) throw outOfRange(i, j, n);
    if (i === j) return 0;
    const p = this.params;
    const d = this.distanceKm(i, j);
    const lo = i < j ? i : j, hi = i < j ? j : i;
    // Within a region most paths are near the minimum; between regions the tail is heavier.
    const u = hashUnit(this.salt ^ SALT_EXCESS, lo, hi);
    const sameRegion = this.regionOfMetro[this.metroIdx[i]] === this.regionOfMetro[this.metroIdx[j]];
    const excess = p.inflationMin - 1 + (p.inflationMax - p.inflationMin) * (sameRegion ? u * u * u : u * u);
    const damp = 1 / (1 + d / p.inflationHalfKm);
    let rtt = this.access[i] + this.access[j] + ((2 * d) / p.fibreKmPerMs) * (1 + excess * damp);
    if (hashUnit(this.salt ^ SALT_DETOUR, lo, hi) < p.detourShare) {
      const size = hashUnit(this.salt ^ SALT_DETOUR_SIZE, lo, hi);
      rtt += (p.detourMinMs + (p.detourMaxMs - p.detourMinMs) * size) * damp;
    }
    return rtt;
  }

  known(i: number, j: number): boolean {
    this.rtt(i, j); // range check
    return true;
  }

  sample(i: number, j: number, rng: Rng): number {
    return jittered(this.rtt(i, j), this.jitter, rng);
  }

  oneWay(i: number, j: number, rng: Rng): number {
    return frameDelay(this.rtt(i, j), this.jitter, this.loss, rng);
  }

  region(i: number): number {
    return this.regionOfMetro[this.metro(i)];
  }

  /** Index into METROS of node i's metro. */
  metro(i: number): number {
    if (i >>> 0 >= this.size || (i | 0) !== i) throw outOfRange(i, i, this.size);
    return this.metroIdx[i];
  }

  metroInfo(i: number): Metro {
    return METROS[this.metro(i)];
  }

  /** Great-circle distance in km between nodes i and j. */
  distanceKm(i: number, j: number): number {
    // Chord length, then the arc: accurate for nodes a few km apart, unlike acos of a dot product.
    const dx = this.ux[i] - this.ux[j], dy = this.uy[i] - this.uy[j], dz = this.uz[i] - this.uz[j];
    const chord = Math.sqrt(dx * dx + dy * dy + dz * dz);
    return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, chord / 2));
  }

  /** Node i's last-mile RTT contribution in ms. */
  accessMs(i: number): number {
    if (i >>> 0 >= this.size || (i | 0) !== i) throw outOfRange(i, i, this.size);
    return this.access[i];
  }
}

function pickWeighted(cumulative: Float64Array, x: number): number {
  let lo = 0, hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid] > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function checkParams(p: GeoParams): void {
  if (!Number.isInteger(p.nodes) || p.nodes < 1 || p.nodes > 2 ** 31 - 1) {
    throw new RangeError(`geo model: nodes must be a positive integer, got ${p.nodes}`);
  }
  if (!Number.isSafeInteger(p.seed) || p.seed < 0) throw new RangeError(`geo model: seed must be a non-negative integer, got ${p.seed}`);
  checkPerturbation(p.jitter, p.loss);
  const positive = ['fibreKmPerMs', 'inflationHalfKm', 'accessMedianMs'] as const;
  for (const k of positive) if (!(p[k] > 0 && Number.isFinite(p[k]))) throw new RangeError(`geo model: ${k} must be > 0, got ${p[k]}`);
  const nonNegative = ['accessSigma', 'accessMinMs', 'metroSpreadKm', 'regionalSpreadKm', 'detourMinMs'] as const;
  for (const k of nonNegative) if (!(p[k] >= 0 && Number.isFinite(p[k]))) throw new RangeError(`geo model: ${k} must be >= 0, got ${p[k]}`);
  if (!(p.inflationMin >= 1 && p.inflationMax >= p.inflationMin && Number.isFinite(p.inflationMax))) {
    throw new RangeError(`geo model: need 1 <= inflationMin <= inflationMax, got ${p.inflationMin}, ${p.inflationMax}`);
  }
  if (!(p.accessMaxMs >= p.accessMinMs && Number.isFinite(p.accessMaxMs))) {
    throw new RangeError(`geo model: need accessMinMs <= accessMaxMs, got ${p.accessMinMs}, ${p.accessMaxMs}`);
  }
  if (!(p.detourMaxMs >= p.detourMinMs && Number.isFinite(p.detourMaxMs))) {
    throw new RangeError(`geo model: need detourMinMs <= detourMaxMs, got ${p.detourMinMs}, ${p.detourMaxMs}`);
  }
  for (const k of ['regionalShare', 'detourShare'] as const) {
    if (!(p[k] >= 0 && p[k] <= 1)) throw new RangeError(`geo model: ${k} must be in [0, 1], got ${p[k]}`);
  }
}
