// The short CI run of `npm run fuzz` (10^4 inputs per target: every decoder, no crash), and the
// fuzz loop itself: it reproduces a run from the seed, and it does catch crashes and broken invariants.
import test from 'ava';
import fc from 'fast-check';
import { buildTargets, TARGET_NAMES } from '../fuzz/all-targets.ts';
import { runTarget, nthInput, InvariantViolation, type FuzzTarget } from '../fuzz/fuzz-target.ts';
import { mutate } from '../fuzz/mutations.ts';
import { validFrames } from '../fuzz/valid-frames.ts';
import { Rng } from '../simulator/rng.ts';

const CI_INPUTS = 10_000;

const targets = await buildTargets(1);

test('every decoder is a target, one per example cell', (t) => {
  const names = targets.map((x) => x.name);
  for (const n of TARGET_NAMES.filter((x) => x !== 'cells')) t.true(names.includes(n), n);
  for (const cell of ['echo', 'exchange', 'kv']) t.true(names.includes(`cell:${cell}`), cell);
});

for (const target of targets) {
  test(`fuzz ${target.name}: ${CI_INPUTS.toLocaleString('en')} inputs, no crash`, (t) => {
    const r = runTarget(target, { seed: 1, inputs: CI_INPUTS, seconds: Infinity });
    t.is(r.inputs, CI_INPUTS);
    t.is(r.crashes, 0, JSON.stringify(r.crashSamples, null, 1));
    // Not all one outcome: inputs get past the first check as well as being refused by it.
    t.true(Object.keys(r.outcomes).length >= 2, JSON.stringify(r.outcomes));
  });
}

/** A decoder with a bug a fuzzer must find: a length byte over 200 loses data, 0xEE throws. */
function buggy(): FuzzTarget {
  return {
    name: 'buggy', what: 'a planted bug', examples: [Uint8Array.of(1, 2, 3)], maxRandomBytes: 8,
    run(input) {
      if (input[0] === 0xee) throw new TypeError('boom');
      if ((input[1] ?? 0) > 200) throw new InvariantViolation('lost data');
      return input.length > 2 ? 'long' : 'short';
    },
  };
}

test('the loop reports crashes and broken invariants, with what reproduces them', (t) => {
  const r = runTarget(buggy(), { seed: 7, inputs: 5000, seconds: Infinity });
  t.true(r.crashes > 0);
  t.true((r.outcomes['CRASH invariant'] ?? 0) > 0 && (r.outcomes['CRASH exception'] ?? 0) > 0);
  const c = r.crashSamples[0]!;
  // Re-running to index + 1 with the same seed ends on the same input.
  const again = runTarget(buggy(), { seed: 7, inputs: c.index + 1, seconds: Infinity });
  t.is(again.crashSamples[again.crashSamples.length - 1]!.inputHex, c.inputHex);
});

test('property: the i-th input depends only on the seed, the target and i', (t) => {
  const target = targets.find((x) => x.name === 'kernel')!;
  fc.assert(fc.property(fc.nat(), fc.nat({ max: 1e6 }), (seed, i) => {
    const a = nthInput(target, i, new Rng(seed, i));
    const b = nthInput(target, i, new Rng(seed, i));
    return Buffer.compare(a, b) === 0;
  }), { numRuns: 300 });
  t.pass();
});

test('property: mutation never throws and stays within a bounded growth of its inputs', (t) => {
  const examples = validFrames();
  const longest = Math.max(...examples.map((e) => e.length));
  fc.assert(fc.property(fc.nat(), fc.nat(), (seed, k) => {
    const out = mutate(new Rng(seed), examples, k % examples.length);
    return out instanceof Uint8Array && out.length <= 2 * longest + 3 * 64;
  }), { numRuns: 2000 });
  t.pass();
});
