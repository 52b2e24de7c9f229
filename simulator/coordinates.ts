// A snapshot of every node's coordinate and the RTT it predicts between two nodes.
// The formula (||xi - xj|| + hi + hj, docs/vivaldi.md) is the kernel's; this is the host's
// fast path for millions of pairs, held equal to the kernel's k_predict by test/swarm.test.ts.
import type { KernelInstance } from '../host/runtime/kernel-instance.ts';

export class CoordinateSnapshot {
  readonly words: number;
  readonly data: Float64Array;

  constructor(readonly dims: number, readonly size: number) {
    this.words = dims + 2;
    this.data = new Float64Array(size * this.words);
  }

  static of(kernels: readonly KernelInstance[]): CoordinateSnapshot {
    const dims = kernels[0]?.coordDims ?? 0;
    const snap = new CoordinateSnapshot(dims, kernels.length);
    kernels.forEach((k, i) => k.readCoord(snap.data, i * snap.words));
    return snap;
  }

  /** Words of node i: dims, then height, then error. */
  coord(i: number): Float64Array {
    return this.data.subarray(i * this.words, (i + 1) * this.words);
  }

  /** The Euclidean part of every coordinate, packed (for centroids and the 2-D plot). */
  vectors(): Float64Array[] {
    const out: Float64Array[] = [];
    for (let i = 0; i < this.size; i++) out.push(this.data.slice(i * this.words, i * this.words + this.dims));
    return out;
  }

  euclidean(): Float64Array {
    const out = new Float64Array(this.size * this.dims);
    for (let i = 0; i < this.size; i++) out.set(this.data.subarray(i * this.words, i * this.words + this.dims), i * this.dims);
    return out;
  }

  predict(i: number, j: number): number {
    const d = this.data, w = this.words, dims = this.dims;
    const a = i * w, b = j * w;
    let s = 0;
    for (let k = 0; k < dims; k++) {
      const x = d[a + k]! - d[b + k]!;
      s += x * x;
    }
    return Math.sqrt(s) + d[a + dims]! + d[b + dims]!;
  }
}
