// What a fuzz target is, and the loop that runs one: seeded inputs (random, or mutated from the
// target's valid examples), every outcome counted by reason, every crash kept with what
// reproduces it. A crash is an uncaught exception, a trap outside the expected trap path, or a
// broken invariant (the target throws InvariantViolation).
import { Rng, mix32 } from '../simulator/rng.ts';
import { mutate, randomBytes } from './mutations.ts';

/** A check the target makes on its own output failed: lost data, corrupted state, a disagreement. */
export class InvariantViolation extends Error {}

export interface FuzzTarget {
  readonly name: string;
  /** What it decodes, in one line (printed, and in docs/fuzz.md). */
  readonly what: string;
  /** Valid inputs to mutate (frames, streams, payloads); several, so splices mix them. */
  readonly examples: readonly Uint8Array[];
  /** Longest random input worth generating. */
  readonly maxRandomBytes: number;
  /** Well-formed inputs with random contents (structure-aware), for targets whose mutants rarely get past the first check. */
  generate?(rng: Rng): Uint8Array;
  /** Decodes one input; returns the outcome's reason ('ok', or why it was dropped). Throws on a crash. */
  run(input: Uint8Array, rng: Rng): string;
}

export interface Crash {
  index: number;
  inputHex: string;
  error: string;
}

export interface TargetResult {
  name: string;
  inputs: number;
  seconds: number;
  inputsPerSecond: number;
  crashes: number;
  /** The first few crashes, each reproducible with `--only NAME --seed SEED --inputs index+1`. */
  crashSamples: Crash[];
  /** Outcomes by reason, most frequent first. */
  outcomes: Record<string, number>;
}

export interface RunLimits {
  seed: number;
  inputs: number;
  /** Stop a target early after this many seconds (Infinity: no limit). */
  seconds: number;
  onProgress?: (done: number) => void;
}

const KEEP_CRASHES = 5;

/** A stream per target, so adding a target does not change another's inputs. */
function targetStream(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return mix32(h) >>> 0;
}

/** The i-th input of a target: random bytes, a mutated example, or a generated one, in turn. Deterministic in the seed of `rng`. */
export function nthInput(target: FuzzTarget, i: number, rng: Rng): Uint8Array {
  const kind = i % (target.generate ? 3 : 2);
  if (kind === 2) return target.generate!(rng);
  if (kind === 0 || target.examples.length === 0) return randomBytes(rng, rng.int(target.maxRandomBytes + 1));
  return mutate(rng, target.examples, rng.int(target.examples.length));
}

export function runTarget(target: FuzzTarget, limits: RunLimits): TargetResult {
  const outcomes = new Map<string, number>();
  const crashSamples: Crash[] = [];
  let crashes = 0;
  const stream = targetStream(target.name);
  const t0 = performance.now();
  const deadline = t0 + limits.seconds * 1000;
  let done = 0;
  for (let i = 0; i < limits.inputs; i++) {
    const rng = new Rng(limits.seed, (stream ^ mix32(i)) >>> 0);
    const input = nthInput(target, i, rng);
    let reason: string;
    try {
      reason = target.run(input, rng);
    } catch (err) {
      crashes++;
      reason = err instanceof InvariantViolation ? 'CRASH invariant' : 'CRASH exception';
      if (crashSamples.length < KEEP_CRASHES) {
        crashSamples.push({ index: i, inputHex: Buffer.from(input).toString('hex'), error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
      }
    }
    outcomes.set(reason, (outcomes.get(reason) ?? 0) + 1);
    done = i + 1;
    if ((done & 1023) === 0) {
      limits.onProgress?.(done);
      if (performance.now() > deadline) break;
    }
  }
  limits.onProgress?.(done);
  const seconds = (performance.now() - t0) / 1000;
  return {
    name: target.name,
    inputs: done,
    seconds: Math.round(seconds * 100) / 100,
    inputsPerSecond: Math.round(done / seconds),
    crashes,
    crashSamples,
    outcomes: Object.fromEntries([...outcomes].sort((a, b) => b[1] - a[1])),
  };
}
