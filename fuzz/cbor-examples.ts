// Valid CBOR items for the CBOR targets: what call payloads and answers look like (arrays of
// ints, strings, byte strings, floats, maps, nesting), drawn from the seed.
import { Rng } from '../simulator/rng.ts';
import { encodeCbor } from '../host/wire/cbor.ts';

function value(rng: Rng, depth: number): unknown {
  const k = rng.int(depth > 2 ? 6 : 9);
  switch (k) {
    case 0: return rng.int(24);
    case 1: return rng.u32() * (rng.next() < 0.3 ? -1 : 1);
    case 2: return rng.next() * 1e6 - 5e5;
    case 3: return 'x'.repeat(rng.int(40)) + String.fromCharCode(0x61 + rng.int(26), 0xe9, 0x4e2d);
    case 4: return Uint8Array.from({ length: rng.int(40) }, () => rng.int(256));
    case 5: return [true, false, null][rng.int(3)];
    case 6: return Array.from({ length: rng.int(6) }, () => value(rng, depth + 1));
    case 7: return Object.fromEntries(Array.from({ length: rng.int(4) }, (_, i) => [`k${i}`, value(rng, depth + 1)]));
    default: return [rng.int(5), value(rng, depth + 1), value(rng, depth + 1)];
  }
}

export function cborExamples(seed: number, n = 24): Uint8Array[] {
  const rng = new Rng(seed, 0xcb0e);
  return Array.from({ length: n }, () => encodeCbor(value(rng, 0)));
}
