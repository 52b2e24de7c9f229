// The callers table (firmware/kernel/callers.ts) through its harness: space-saving heavy hitters.
import test from 'ava';
import fc from 'fast-check';
import { compileAssemblyScript } from '../host/build/asc.ts';

interface Callers {
  callersNote(id: number): void;
  callersDecay(): void;
  callersClear(): void;
  callersCount(): number;
  callerId(i: number): number;
  callerWeight(i: number): number;
}

const module = compileAssemblyScript({ entries: ['test/harness/callers-harness.ts'], runtime: 'stub' }).then((r) => WebAssembly.compile(r.binary));
const fresh = async () => (await WebAssembly.instantiate(await module, { hal: { panic: () => { throw new Error('panic'); } } })).exports as unknown as Callers;

function table(c: Callers): Map<number, number> {
  const m = new Map<number, number>();
  for (let i = 0; i < c.callersCount(); i++) m.set(c.callerId(i) >>> 0, c.callerWeight(i));
  return m;
}

test('space-saving: at most 8 callers; every caller with more than 1/8 of the calls is held, never undercounted', async (t) => {
  const c = await fresh();
  // Skewed ids: a few heavy callers among many light ones, as at a replica near a city.
  const id = fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 1, max: 4 }) }, { weight: 2, arbitrary: fc.integer({ min: 5, max: 2000 }) });
  fc.assert(
    fc.property(fc.array(id, { maxLength: 400 }), (ids) => {
      c.callersClear();
      const truth = new Map<number, number>();
      for (const x of ids) {
        c.callersNote(x);
        truth.set(x, (truth.get(x) ?? 0) + 1);
      }
      const held = table(c);
      if (held.size > 8 || held.size !== Math.min(8, truth.size)) return false;
      // The weights add up to the calls counted (no decay here).
      const sum = [...held.values()].reduce((a, b) => a + b, 0);
      if (Math.abs(sum - ids.length) > 1e-9) return false;
      for (const [x, n] of truth) {
        if (n > ids.length / 8 && !held.has(x)) return false;
        if (held.has(x) && held.get(x)! < n) return false;
      }
      return true;
    }),
    { numRuns: 300 },
  );
  t.pass();
});

test('decay follows recent demand; id 0 (no caller) is not counted', async (t) => {
  const c = await fresh();
  for (let i = 0; i < 10; i++) c.callersNote(7);
  c.callersNote(0);
  t.deepEqual([...table(c)], [[7, 10]]);
  for (let i = 0; i < 10; i++) c.callersDecay();
  t.true(Math.abs(table(c).get(7)! - 10 * 0.9 ** 10) < 1e-9);
  // A newcomer in a full table takes the lightest place: old, decayed callers give way first.
  for (let k = 1; k <= 7; k++) for (let i = 0; i < 5; i++) c.callersNote(100 + k);
  c.callersNote(999);
  const held = table(c);
  t.is(held.size, 8);
  t.false(held.has(7), 'the decayed caller gave way');
  t.true(held.has(999));
});
