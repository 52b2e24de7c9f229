// The host CBOR codec (cbor-x through host/wire/cbor.ts), which decodes every CALL payload and
// answer the host handles: any input either throws an Error or decodes to a value that
// re-encodes and decodes to the same value.
import { decodeCbor, encodeCbor } from '../../host/wire/cbor.ts';
import { InvariantViolation, type FuzzTarget } from '../fuzz-target.ts';
import { cborExamples } from '../cbor-examples.ts';

/** Structural equality for decoded values: NaN equals NaN, byte strings by content. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b) === 0;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}

/** A reason for a decode error: its message with numbers taken out, so reasons group. */
export function errorReason(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  return m.replace(/\d+/g, 'N').slice(0, 60);
}

export function hostCborTarget(seed: number): FuzzTarget {
  return {
    name: 'host-cbor',
    what: 'host CBOR decoder (cbor-x via host/wire/cbor.ts): decode, re-encode, decode again',
    examples: cborExamples(seed),
    maxRandomBytes: 64,
    run(input) {
      let v: unknown;
      try {
        v = decodeCbor(input);
      } catch (err) {
        if (!(err instanceof Error)) throw err;
        if (err instanceof RangeError && /call stack/.test(err.message)) throw err; // recursion, not a decode error
        return `error: ${errorReason(err)}`;
      }
      const again = decodeCbor(encodeCbor(v));
      if (!sameValue(v, again)) throw new InvariantViolation('a decoded value does not survive re-encoding');
      return 'ok';
    },
  };
}
