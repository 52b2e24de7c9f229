import test from 'ava';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseMatrix, readMatrixFile } from '../simulator/latency/matrix.ts';
import { loadLatencyModel } from '../simulator/latency/model.ts';
import { HostSample, LAN_RTT_MAX, LAN_RTT_MIN } from '../simulator/latency/host-sample.ts';
import { Rng } from '../simulator/rng.ts';

const SMALL = fileURLToPath(new URL('./fixtures/matrix-small.txt', import.meta.url));

function tmpFile(text: string): string {
  const p = join(mkdtempSync(join(tmpdir(), 'cell-matrix-')), 'm.txt');
  writeFileSync(p, text);
  return p;
}

test('a gzipped matrix reads as the same text, whatever its name; the full PlanetLab 490 ships gzipped', (t) => {
  const text = readFileSync(SMALL, 'utf8');
  const gz = tmpFile('');
  writeFileSync(gz, gzipSync(text));
  t.is(readMatrixFile(gz), text);
  t.is(readMatrixFile(SMALL), text);
  const full = loadLatencyModel({ matrix: fileURLToPath(new URL('./fixtures/planetlab490.txt.gz', import.meta.url)), nodes: 490, seed: 1 });
  t.is(full.size, 490);
  t.deepEqual(full.warnings, []);
  // matrix-small.txt is rows and columns 0, 10, ..., 480 of the full matrix.
  const small = loadLatencyModel({ matrix: SMALL, nodes: 49, seed: 1 });
  for (let i = 0; i < 49; i++) for (let j = 0; j < 49; j++) t.is(small.rtt(i, j), full.rtt(10 * i, 10 * j));
});

test('the shipped fixture loads: square, symmetric, diagonal 0, all known', (t) => {
  const m = loadLatencyModel({ matrix: SMALL, nodes: 49, seed: 1 });
  t.is(m.size, 49);
  t.is(m.name, 'matrix:matrix-small.txt');
  t.deepEqual(m.warnings, []);
  for (let i = 0; i < m.size; i++) {
    t.is(m.rtt(i, i), 0);
    for (let j = 0; j < m.size; j++) {
      t.true(m.known(i, j));
      t.is(m.rtt(i, j), m.rtt(j, i));
    }
  }
  // Row 0 of planetlab490 column 10 (4.127 ms), as float32.
  t.is(m.rtt(0, 1), Math.fround(4.127));
});

test('unknown entries: "-" and negatives; the other direction fills in when known', (t) => {
  const p = parseMatrix('0 - 10\n-1 0 -\n10 -5 0\n');
  t.is(p.size, 3);
  t.true(Number.isNaN(p.rtt[1 * 3 + 2]));
  t.true(Number.isNaN(p.rtt[2 * 3 + 1]));
  t.is(p.rtt[0 * 3 + 2], 10);
  t.true(p.warnings.some((w) => /^2 of 3 pairs \(66\.7%\) have no known RTT/.test(w)));
  const q = parseMatrix('0 -\n7 0');
  t.is(q.rtt[1], 7);
  t.is(q.rtt[2], 7);
});

test('model answers known(i, j) and loses frames between unknown pairs', (t) => {
  const m = loadLatencyModel({ matrix: tmpFile('0 - 10\n- 0 20\n10 20 0\n'), nodes: 3, seed: 1 });
  t.false(m.known(0, 1));
  t.true(m.known(0, 2));
  t.true(Number.isNaN(m.rtt(0, 1)));
  const rng = new Rng(1);
  t.is(m.oneWay(0, 1, rng), -1);
  t.is(m.oneWay(0, 2, rng), 5);
  t.true(m.warnings.length > 0);
});

test('asymmetry beyond the tolerance is a warning, not an error; the mean is used', (t) => {
  const p = parseMatrix('0 10 100\n50 0 10\n100 11 0\n');
  t.is(p.rtt[1], 30);
  t.is(p.rtt[3], 30);
  t.true(p.warnings.some((w) => /asymmetric matrix: 33\.3% of the pairs/.test(w)));
  t.deepEqual(parseMatrix('0 10\n12 0').warnings, []); // within tolerance
});

test('a non-zero diagonal is set to 0 with a warning', (t) => {
  const p = parseMatrix('0.5 3\n3 0\n');
  t.is(p.rtt[0], 0);
  t.true(p.warnings.some((w) => /1 diagonal entries were not 0/.test(w)));
});

test('errors: empty file', (t) => {
  t.throws(() => parseMatrix('', 'a.txt'), { message: 'a.txt: the file is empty; expected N lines of N RTTs in ms' });
  t.throws(() => parseMatrix('\n  \n\n', 'a.txt'), { message: /a\.txt: the file is empty/ });
});

test('errors: ragged rows point at line and column', (t) => {
  t.throws(() => parseMatrix('0 1 2\n1 0\n2 1 0\n', 'r.txt'), {
    message: 'r.txt:2:4: ragged row: 2 values, expected 3 like line 1',
  });
  t.throws(() => parseMatrix('0 1 2\n1 0 1 9\n2 1 0\n', 'r.txt'), {
    message: 'r.txt:2:7: ragged row: 4 values, expected 3 like line 1',
  });
});

test('errors: non-numbers point at line and column', (t) => {
  t.throws(() => parseMatrix('0 1\nabc 0\n', 'n.txt'), {
    message: 'n.txt:2:1: "abc" is not a number (RTTs are in ms; use - or a negative number for unknown)',
  });
  t.throws(() => parseMatrix('0\t1e999\n1 0', 'n.txt'), { message: 'n.txt:1:3: "1e999" is out of range' });
  for (const bad of ['NaN', 'Infinity', '0x10', '1,5', '--1']) {
    t.throws(() => parseMatrix(`0 ${bad}\n1 0`), { message: /:1:3: .* is not a number/ }, bad);
  }
});

test('errors: N values per row but a different number of rows', (t) => {
  t.throws(() => parseMatrix('0 1 2\n1 0 1\n', 'n.txt'), {
    message: 'n.txt: line 1 has 3 values but the file has 2 rows; the matrix must be square (N lines of N values)',
  });
  t.throws(() => parseMatrix('0 1\n1 0\n2 2\n'), { message: /line 1 has 2 values but the file has 3 rows/ });
});

test('errors: an empty line inside the matrix', (t) => {
  t.throws(() => parseMatrix('0 1 2\n\n2 1 0\n', 'e.txt'), { message: 'e.txt:2: empty line inside the matrix' });
});

test('CRLF line ends and extra whitespace are accepted', (t) => {
  const p = parseMatrix('  0\t 2 \r\n2   0\r\n\r\n');
  t.is(p.size, 2);
  t.is(p.rtt[1], 2);
});

test('loadLatencyModel: more nodes than hosts is an error that suggests --sample', (t) => {
  t.throws(() => loadLatencyModel({ matrix: SMALL, nodes: 100, seed: 1 }), {
    message: /--nodes 100 exceeds the 49 hosts in matrix-small\.txt; pass --sample/,
  });
});

test('loadLatencyModel: --sample draws hosts with replacement; duplicates get a LAN RTT', (t) => {
  const m = loadLatencyModel({ matrix: SMALL, nodes: 200, seed: 3, sampleWithReplacement: true });
  t.true(m instanceof HostSample);
  const hosts = (m as HostSample).hosts;
  let duplicates = 0;
  for (let i = 0; i < m.size; i++) {
    t.true(m.region(i) >= 0 && m.region(i) < m.regionNames.length);
    for (let j = 0; j < m.size; j++) {
      t.is(m.rtt(i, j), m.rtt(j, i));
      if (i !== j && hosts[i] === hosts[j]) {
        duplicates++;
        t.true(m.rtt(i, j) >= LAN_RTT_MIN && m.rtt(i, j) <= LAN_RTT_MAX);
      }
    }
  }
  t.true(duplicates > 0);
  const again = loadLatencyModel({ matrix: SMALL, nodes: 200, seed: 3, sampleWithReplacement: true }) as HostSample;
  t.deepEqual(again.hosts, hosts);
});

test('loadLatencyModel: fewer nodes than hosts take a seeded sample of distinct hosts', (t) => {
  const m = loadLatencyModel({ matrix: SMALL, nodes: 10, seed: 4 }) as HostSample;
  t.is(m.size, 10);
  t.is(new Set(m.hosts).size, 10);
  const full = loadLatencyModel({ matrix: SMALL, nodes: 49, seed: 4 });
  t.is(m.rtt(2, 5), full.rtt(m.hosts[2], m.hosts[5]));
});

test('loadLatencyModel: bad options get clear errors', (t) => {
  t.throws(() => loadLatencyModel({ latency: 'matrix', nodes: 5, seed: 1 }), { message: /--latency matrix needs --matrix FILE/ });
  t.throws(() => loadLatencyModel({ matrix: SMALL, latency: 'geo', nodes: 5, seed: 1 }), { message: /only read with --latency matrix/ });
  t.throws(() => loadLatencyModel({ matrix: '/nonexistent/m.txt', nodes: 5, seed: 1 }), { message: /cannot read the RTT matrix \/nonexistent\/m\.txt/ });
  t.throws(() => loadLatencyModel({ nodes: 0, seed: 1 }), { message: /--nodes must be a positive integer/ });
  t.throws(() => loadLatencyModel({ nodes: 5, seed: -1 }), { message: /--seed must be a non-negative integer/ });
  t.throws(() => loadLatencyModel({ nodes: 5, seed: 1, jitter: -0.1 }), { message: /--jitter must be a number >= 0/ });
  t.throws(() => loadLatencyModel({ nodes: 5, seed: 1, loss: 1.5 }), { message: /--loss must be in \[0, 1\]/ });
  t.throws(() => loadLatencyModel({ nodes: 5, seed: 1, latency: 'x' as 'geo' }), { message: /--latency must be "geo" or "matrix"/ });
  t.throws(() => loadLatencyModel({ matrix: tmpFile('0 x\n1 0'), nodes: 2, seed: 1 }), { message: /m\.txt:1:3: "x" is not a number/ });
});

test('index checks: out-of-range nodes throw', (t) => {
  const m = loadLatencyModel({ matrix: SMALL, nodes: 49, seed: 1 });
  t.throws(() => m.rtt(0, 49), { message: /node index out of range: \(0, 49\) with 49 nodes/ });
  t.throws(() => m.rtt(-1, 0), { message: /out of range/ });
  t.throws(() => m.rtt(0.5, 0), { message: /out of range/ });
  t.throws(() => m.region(49), { message: /out of range/ });
});

test('regions: matrix hosts are clustered by RTT deterministically', (t) => {
  const a = loadLatencyModel({ matrix: SMALL, nodes: 49, seed: 1 });
  const b = loadLatencyModel({ matrix: SMALL, nodes: 49, seed: 1 });
  const labels = Array.from({ length: 49 }, (_, i) => a.region(i));
  t.deepEqual(labels, Array.from({ length: 49 }, (_, i) => b.region(i)));
  t.true(new Set(labels).size > 1);
  // Hosts in one cluster are on average closer to each other than to the rest.
  let inSum = 0, inN = 0, outSum = 0, outN = 0;
  for (let i = 0; i < 49; i++) {
    for (let j = i + 1; j < 49; j++) {
      if (labels[i] === labels[j]) [inSum, inN] = [inSum + a.rtt(i, j), inN + 1];
      else [outSum, outN] = [outSum + a.rtt(i, j), outN + 1];
    }
  }
  t.true(inSum / inN < outSum / outN);
});

test('jitter only adds delay and averages to the configured share; loss drops that share', (t) => {
  const m = loadLatencyModel({ matrix: SMALL, nodes: 49, seed: 1, jitter: 0.2, loss: 0.1 });
  const rng = new Rng(8);
  const base = m.rtt(0, 1);
  let sum = 0, lost = 0;
  const n = 50_000;
  for (let k = 0; k < n; k++) {
    const s = m.sample(0, 1, rng);
    t.true(s >= base);
    sum += s;
    if (m.oneWay(0, 1, rng) < 0) lost++;
  }
  t.true(Math.abs(sum / n / base - 1.2) < 0.01);
  t.true(Math.abs(lost / n - 0.1) < 0.01);
});
