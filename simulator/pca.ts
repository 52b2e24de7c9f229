// Principal-component projection of coordinate vectors to 2-D, so a report can draw Vivaldi
// coordinates of any dimension on a page. The dimension is small (2-8), so the covariance
// matrix is tiny and the cyclic Jacobi method diagonalises it exactly and simply.

export interface Projection {
  x: Float64Array;
  y: Float64Array;
  /** Share of the total variance along each of the two axes. */
  explained: [number, number];
}

export function project2d(vectors: readonly ArrayLike<number>[]): Projection {
  const n = vectors.length;
  if (n === 0) return { x: new Float64Array(0), y: new Float64Array(0), explained: [0, 0] };
  const dim = vectors[0].length;
  if (dim < 1) throw new RangeError('project2d: vectors must have at least one component');
  for (let i = 0; i < n; i++) {
    if (vectors[i].length !== dim) throw new RangeError(`project2d: vector ${i} has ${vectors[i].length} components, expected ${dim}`);
    for (let d = 0; d < dim; d++) {
      if (!Number.isFinite(vectors[i][d])) throw new RangeError(`project2d: vector ${i} component ${d} is ${vectors[i][d]}`);
    }
  }
  const mean = new Float64Array(dim);
  for (const v of vectors) for (let d = 0; d < dim; d++) mean[d] += v[d] / n;
  const cov = Array.from({ length: dim }, () => new Float64Array(dim));
  for (const v of vectors) {
    for (let a = 0; a < dim; a++) {
      const da = v[a] - mean[a];
      for (let b = a; b < dim; b++) cov[a][b] += da * (v[b] - mean[b]);
    }
  }
  for (let a = 0; a < dim; a++) for (let b = a; b < dim; b++) cov[b][a] = cov[a][b];
  const { values, vectors: eig } = jacobiEigen(cov);
  const order = Array.from(values.keys()).sort((p, q) => values[q] - values[p] || p - q);
  const axis = (k: number): Float64Array => {
    if (k >= dim) return new Float64Array(dim); // 1-D input: the second axis is flat
    const e = Float64Array.from({ length: dim }, (_, d) => eig[d][order[k]]);
    // Fix the sign (largest component positive) so the picture does not flip between runs.
    let big = 0;
    for (let d = 1; d < dim; d++) if (Math.abs(e[d]) > Math.abs(e[big])) big = d;
    if (e[big] < 0) for (let d = 0; d < dim; d++) e[d] = -e[d];
    return e;
  };
  const e1 = axis(0), e2 = axis(1);
  const x = new Float64Array(n), y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < dim; d++) {
      const c = vectors[i][d] - mean[d];
      x[i] += c * e1[d];
      y[i] += c * e2[d];
    }
  }
  const total = values.reduce((s, v) => s + Math.max(0, v), 0);
  const share = (k: number) => (k < dim && total > 0 ? Math.max(0, values[order[k]]) / total : 0);
  return { x, y, explained: [share(0), share(1)] };
}

/** Eigen-decomposition of a small symmetric matrix; eigenvectors are the columns of `vectors`. */
function jacobiEigen(m: Float64Array[]): { values: number[]; vectors: Float64Array[] } {
  const n = m.length;
  const a = m.map((row) => Float64Array.from(row));
  const v = Array.from({ length: n }, (_, i) => Float64Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p][q] * a[p][q];
    if (off < 1e-22) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (a[p][q] === 0) continue;
        // Rotation that zeroes a[p][q] (Numerical Recipes' stable form).
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k][p], akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p][k], aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k][p], vkq = v[k][q];
          v[k][p] = c * vkp - s * vkq;
          v[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: a.map((row, i) => row[i]), vectors: v };
}
