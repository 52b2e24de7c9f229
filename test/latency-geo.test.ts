import test from 'ava';
import { GEO_DEFAULTS, GeoModel } from '../simulator/latency/geo.ts';
import { METROS, REGIONS } from '../simulator/latency/metros.ts';
import { loadLatencyModel } from '../simulator/latency/model.ts';
import { Rng } from '../simulator/rng.ts';

const geo = new GeoModel({ nodes: 3000, seed: 1 });

function nodesIn(g: GeoModel, metro: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < g.size; i++) if (g.metroInfo(i).name === metro) out.push(i);
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

function pairRtts(g: GeoModel, a: number[], b: number[]): number[] {
  const out: number[] = [];
  for (const i of a) for (const j of b) if (i !== j) out.push(g.rtt(i, j));
  return out;
}

test('symmetric, positive off the diagonal, 0 on it, always known', (t) => {
  const rng = new Rng(2);
  for (let k = 0; k < 20_000; k++) {
    const i = rng.int(geo.size), j = rng.int(geo.size);
    const r = geo.rtt(i, j);
    if (i === j) t.is(r, 0);
    else t.true(r > 0 && Number.isFinite(r));
    if (r !== geo.rtt(j, i)) t.fail(`asymmetric at ${i}, ${j}`);
    t.true(geo.known(i, j));
  }
});

test('plausible magnitudes: same metro, transatlantic, antipodal', (t) => {
  const tokyo = nodesIn(geo, 'Tokyo');
  const ny = nodesIn(geo, 'New York');
  const london = nodesIn(geo, 'London');
  t.true(tokyo.length > 30 && ny.length > 10 && london.length > 10);
  const sameMetro = median(pairRtts(geo, tokyo, tokyo));
  t.true(sameMetro < 30, `same metro median ${sameMetro}`);
  t.true(sameMetro > 2, `same metro median ${sameMetro}`);
  const atlantic = median(pairRtts(geo, ny, london));
  t.true(atlantic > 70 && atlantic < 120, `New York - London median ${atlantic}`);
  // Nearly antipodal pairs, and the bound over every sampled pair.
  const rng = new Rng(3);
  let far = 0, max = 0;
  for (let k = 0; k < 200_000; k++) {
    const i = rng.int(geo.size), j = rng.int(geo.size);
    const r = geo.rtt(i, j);
    max = Math.max(max, r);
    if (geo.distanceKm(i, j) > 17_000) {
      far++;
      t.true(r > 150 && r < 400, `antipodal ${r}`);
    }
  }
  t.true(far > 0);
  t.true(max < 400, `max ${max}`);
});

test('distances: great circle of known city pairs', (t) => {
  const g = new GeoModel({ nodes: 3000, seed: 1, metroSpreadKm: 0, regionalShare: 0 });
  const [ny] = nodesIn(g, 'New York');
  const [london] = nodesIn(g, 'London');
  t.true(Math.abs(g.distanceKm(ny, london) - 5570) < 30);
  t.true(Math.abs(g.distanceKm(ny, ny)) < 1e-9);
});

// PlanetLab490 (shared/data): 17.6% of random triangles have a side longer than the sum of
// the other two. The geo model's default parameters give about 19%; the band guards the
// model against losing violations entirely or producing far too many.
const TIV_BAND = [0.1, 0.3];

test(`triangle-inequality violations are within [${TIV_BAND}] of sampled triangles`, (t) => {
  const rng = new Rng(4);
  let violations = 0, total = 0;
  for (let k = 0; k < 100_000; k++) {
    const a = rng.int(geo.size), b = rng.int(geo.size), c = rng.int(geo.size);
    if (a === b || b === c || a === c) continue;
    const x = geo.rtt(a, b), y = geo.rtt(b, c), z = geo.rtt(a, c);
    total++;
    if (2 * Math.max(x, y, z) > x + y + z) violations++;
  }
  const share = violations / total;
  t.true(share >= TIV_BAND[0] && share <= TIV_BAND[1], `violation share ${share}`);
});

test('detours add delay to a deterministic share of pairs', (t) => {
  const plain = new GeoModel({ nodes: 500, seed: 9, detourShare: 0 });
  const all = new GeoModel({ nodes: 500, seed: 9, detourShare: 1 });
  const some = new GeoModel({ nodes: 500, seed: 9 });
  let detoured = 0, pairs = 0;
  for (let i = 0; i < 500; i++) {
    for (let j = i + 1; j < 500; j++) {
      pairs++;
      t.true(all.rtt(i, j) > plain.rtt(i, j));
      if (some.rtt(i, j) > plain.rtt(i, j)) detoured++;
    }
  }
  t.true(Math.abs(detoured / pairs - GEO_DEFAULTS.detourShare) < 0.01);
});

test('deterministic by seed; different seeds place nodes differently', (t) => {
  const a = new GeoModel({ nodes: 1000, seed: 7 });
  const b = new GeoModel({ nodes: 1000, seed: 7 });
  const c = new GeoModel({ nodes: 1000, seed: 8 });
  let differ = 0;
  for (let i = 0; i < 1000; i++) {
    const j = (i * 31 + 5) % 1000;
    t.is(a.rtt(i, j), b.rtt(i, j));
    t.is(a.region(i), b.region(i));
    if (a.rtt(i, j) !== c.rtt(i, j)) differ++;
  }
  t.true(differ > 900);
});

test('nodes follow metro population', (t) => {
  const g = new GeoModel({ nodes: 50_000, seed: 5 });
  const total = METROS.reduce((s, m) => s + m.weight, 0);
  const counts = new Array(METROS.length).fill(0);
  for (let i = 0; i < g.size; i++) counts[g.metro(i)]++;
  METROS.forEach((m, k) => {
    const want = (m.weight / total) * g.size;
    t.true(Math.abs(counts[k] - want) < 5 * Math.sqrt(want) + 5, `${m.name}: ${counts[k]} vs ${want}`);
  });
  t.deepEqual(g.regionNames, REGIONS);
});

test('last-mile delay is fixed per node and within its clip range', (t) => {
  const g = new GeoModel({ nodes: 2000, seed: 6 });
  for (let i = 0; i < g.size; i++) {
    const a = g.accessMs(i);
    t.true(a >= GEO_DEFAULTS.accessMinMs && a <= GEO_DEFAULTS.accessMaxMs);
  }
  t.is(g.accessMs(3), new GeoModel({ nodes: 2000, seed: 6 }).accessMs(3));
});

test('100,000 nodes: O(N) memory, no N^2 table', (t) => {
  const before = process.memoryUsage().arrayBuffers;
  const g = new GeoModel({ nodes: 100_000, seed: 1 });
  const grown = process.memoryUsage().arrayBuffers - before;
  // 3 float64 coordinates + float32 access + uint8 metro = 29 bytes a node; N^2 float32 would be 40 GB.
  t.is(g.byteLength, 29 * 100_000);
  t.true(grown < 8 * 1024 * 1024, `array buffers grew by ${grown} bytes`);
  t.true(g.rtt(0, 99_999) > 0);
  t.throws(() => g.rtt(0, 100_000), { message: /out of range/ });
});

test('loadLatencyModel builds the geo model by default and passes jitter and loss', (t) => {
  const m = loadLatencyModel({ nodes: 100, seed: 2, jitter: 0.1, loss: 0.05 });
  t.is(m.name, 'geo');
  t.is(m.size, 100);
  t.is(m.jitter, 0.1);
  t.is(m.loss, 0.05);
  const rng = new Rng(1);
  t.true(m.sample(0, 1, rng) >= m.rtt(0, 1));
  const custom = loadLatencyModel({ nodes: 100, seed: 2, latency: 'geo', geo: { detourShare: 0 } }) as GeoModel;
  t.is(custom.params.detourShare, 0);
});

test('bad parameters get clear errors', (t) => {
  t.throws(() => new GeoModel({ nodes: 0, seed: 1 }), { message: /nodes must be a positive integer/ });
  t.throws(() => new GeoModel({ nodes: 10, seed: 1.5 }), { message: /seed must be a non-negative integer/ });
  t.throws(() => new GeoModel({ nodes: 10, seed: 1, inflationMin: 0.5 }), { message: /1 <= inflationMin <= inflationMax/ });
  t.throws(() => new GeoModel({ nodes: 10, seed: 1, fibreKmPerMs: 0 }), { message: /fibreKmPerMs must be > 0/ });
  t.throws(() => new GeoModel({ nodes: 10, seed: 1, detourShare: 2 }), { message: /detourShare must be in \[0, 1\]/ });
  t.throws(() => new GeoModel({ nodes: 10, seed: 1, accessMinMs: 30 }), { message: /accessMinMs <= accessMaxMs/ });
  t.throws(() => new GeoModel({ nodes: 10, seed: 1, jitter: NaN }), { message: /--jitter must be a number >= 0/ });
});
