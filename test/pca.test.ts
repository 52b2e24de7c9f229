import test from 'ava';
import { project2d } from '../simulator/pca.ts';
import { Rng } from '../simulator/rng.ts';

test('2-D input is only rotated: pairwise distances are kept', (t) => {
  const rng = new Rng(1);
  const pts = Array.from({ length: 50 }, () => [rng.normal() * 30, rng.normal() * 5]);
  const p = project2d(pts);
  for (let i = 0; i < 50; i++) {
    for (let j = i + 1; j < 50; j++) {
      const before = Math.hypot(pts[i][0] - pts[j][0], pts[i][1] - pts[j][1]);
      const after = Math.hypot(p.x[i] - p.x[j], p.y[i] - p.y[j]);
      t.true(Math.abs(before - after) < 1e-9);
    }
  }
  t.true(Math.abs(p.explained[0] + p.explained[1] - 1) < 1e-12);
});

test('the first axis follows the direction of largest variance', (t) => {
  const rng = new Rng(2);
  // Points along (1, 1, 0, 0) with a little noise in every direction.
  const pts = Array.from({ length: 200 }, () => {
    const s = rng.normal() * 50;
    return [s + rng.normal(), s + rng.normal(), rng.normal(), rng.normal()];
  });
  const p = project2d(pts);
  t.true(p.explained[0] > 0.99);
  // The axis is (1, 1, 0, 0) / sqrt 2 with a positive sign, so x is the centred projection on it.
  const along = pts.map((v) => (v[0] + v[1]) / Math.SQRT2);
  const mean = along.reduce((a, b) => a + b, 0) / along.length;
  for (let i = 0; i < 200; i++) t.true(Math.abs(p.x[i] - (along[i] - mean)) < 3);
  // Deterministic sign: the same input gives the same picture.
  t.deepEqual(project2d(pts).x, p.x);
});

test('edge cases: empty, 1-D, and bad vectors', (t) => {
  t.is(project2d([]).x.length, 0);
  const one = project2d([[1], [3], [5]]);
  t.deepEqual(Array.from(one.x), [-2, 0, 2]);
  t.deepEqual(Array.from(one.y), [0, 0, 0]);
  t.throws(() => project2d([[1, 2], [3]]), { message: /vector 1 has 1 components, expected 2/ });
  t.throws(() => project2d([[1, NaN]]), { message: /vector 0 component 1 is NaN/ });
  t.throws(() => project2d([[]]), { message: /at least one component/ });
});
