// Where a new replica goes when the scheduler knows nothing about the network: a uniformly
// random node among those with spare capacity. This is what the HPA baseline gets (the
// Kubernetes scheduler spreads pods by resources, not by client latency), against mitosis,
// which places a sibling on the nearest node with room.
import type { Rng } from '../rng.ts';

/**
 * A node drawn uniformly from `nodesWithCapacity` (node indices). Throws when the list is
 * empty: the caller decides what an unschedulable replica means (a pending pod).
 */
export function randomPlacement(rng: Rng, nodesWithCapacity: ArrayLike<number>): number {
  const n = nodesWithCapacity.length;
  if (n === 0) throw new RangeError('randomPlacement: no node has spare capacity');
  const node = nodesWithCapacity[rng.int(n)];
  if (!Number.isInteger(node) || node < 0) throw new RangeError(`randomPlacement: node indices must be non-negative integers, got ${node}`);
  return node;
}
