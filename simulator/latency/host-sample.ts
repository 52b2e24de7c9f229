// A swarm of a different size than the measured matrix: each node runs on one of the matrix's
// hosts. Fewer nodes than hosts: a seeded sample without replacement. More (--sample): with
// replacement; two nodes on the same host are on one LAN and get a small RTT.
import { Rng, hashUnit } from '../rng.ts';
import { outOfRange } from './matrix.ts';
import type { LatencyModel } from './model.ts';
import { frameDelay, jittered } from './perturbation.ts';

/** RTT between two nodes on the same host: 0.2 ms (loopback-ish LAN) to 1 ms, fixed per pair. */
export const LAN_RTT_MIN = 0.2;
export const LAN_RTT_MAX = 1.0;

export class HostSample implements LatencyModel {
  readonly name: string;
  readonly size: number;
  readonly jitter: number;
  readonly loss: number;
  readonly warnings: readonly string[];
  /** hosts[node] = the matrix host the node runs on. */
  readonly hosts: Int32Array;
  private readonly seed: number;

  constructor(private readonly base: LatencyModel, opts: { nodes: number; seed: number; withReplacement: boolean }) {
    const { nodes, seed, withReplacement } = opts;
    const n = base.size;
    if (!withReplacement && nodes > n) {
      throw new RangeError(`cannot draw ${nodes} distinct hosts from ${n} without replacement`);
    }
    this.size = nodes;
    this.seed = seed;
    this.jitter = base.jitter;
    this.loss = base.loss;
    this.hosts = new Int32Array(nodes);
    const rng = new Rng(seed, 0x686f7374);
    if (withReplacement) {
      for (let i = 0; i < nodes; i++) this.hosts[i] = rng.int(n);
    } else {
      // Partial Fisher-Yates, then sorted so node order follows the file's order.
      const pool = Int32Array.from({ length: n }, (_, i) => i);
      for (let i = 0; i < nodes; i++) {
        const j = i + rng.int(n - i);
        [pool[i], pool[j]] = [pool[j], pool[i]];
      }
      this.hosts.set(pool.subarray(0, nodes).sort());
    }
    this.name = `${base.name} (${nodes} nodes on ${withReplacement ? 'hosts drawn with replacement' : 'a sample of hosts'})`;
    this.warnings = base.warnings;
  }

  get regionNames(): readonly string[] {
    return this.base.regionNames;
  }

  rtt(i: number, j: number): number {
    const n = this.size;
    if (i >>> 0 >= n || j >>> 0 >= n || (i | 0) !== i || (j | 0) !== j) throw outOfRange(i, j, n);
    if (i === j) return 0;
    const hi = this.hosts[i], hj = this.hosts[j];
    if (hi !== hj) return this.base.rtt(hi, hj);
    return LAN_RTT_MIN + (LAN_RTT_MAX - LAN_RTT_MIN) * hashUnit(this.seed, Math.min(i, j), Math.max(i, j));
  }

  known(i: number, j: number): boolean {
    const v = this.rtt(i, j);
    return v === v;
  }

  sample(i: number, j: number, rng: Rng): number {
    return jittered(this.rtt(i, j), this.jitter, rng);
  }

  oneWay(i: number, j: number, rng: Rng): number {
    return frameDelay(this.rtt(i, j), this.jitter, this.loss, rng);
  }

  region(i: number): number {
    if (i >>> 0 >= this.size || (i | 0) !== i) throw outOfRange(i, i, this.size);
    return this.base.region(this.hosts[i]);
  }
}
