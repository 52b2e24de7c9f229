import test from 'ava';
import fc from 'fast-check';
import { EventQueue } from '../simulator/event-queue.ts';

type Op = { push: true; time: number; a: number } | { push: false };

test('pops come out ordered by (time, insertion order) for interleaved pushes and pops', (t) => {
  const op: fc.Arbitrary<Op> = fc.oneof(
    // Few distinct times, so ties are common and the sequence tie-break is exercised.
    fc.record({ push: fc.constant(true as const), time: fc.integer({ min: 0, max: 20 }).map((x) => x / 4), a: fc.integer() }),
    fc.record({ push: fc.constant(false as const) }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 400 }), fc.nat({ max: 40 }), (ops, initial) => {
      const q = new EventQueue(initial);
      // Reference model: a plain array sorted on demand.
      const model: { time: number; seq: number; a: number }[] = [];
      let seq = 0;
      const check = () => {
        model.sort((x, y) => x.time - y.time || x.seq - y.seq);
        const want = model.shift()!;
        q.pop();
        return q.time === want.time && q.seq === want.seq && q.a === want.a && q.kind === 7 && q.b === (-want.a | 0);
      };
      for (const o of ops) {
        if (o.push) {
          const s = q.push(o.time, 7, o.a, -o.a | 0);
          if (s !== seq) return false;
          model.push({ time: o.time, seq: seq++, a: o.a });
        } else if (model.length > 0) {
          if (!check()) return false;
        }
        if (q.size !== model.length) return false;
      }
      while (model.length > 0) if (!check()) return false;
      return q.size === 0;
    }),
    { numRuns: 300 },
  );
  t.pass();
});

test('grows past its initial capacity and keeps every event', (t) => {
  const q = new EventQueue(0);
  t.is(q.capacity, 16);
  const n = 10_000;
  // Descending times: every push sifts to the root, the worst case for growth bookkeeping.
  for (let i = 0; i < n; i++) q.push(n - i, 1, i, i * 2);
  t.is(q.size, n);
  t.true(q.capacity >= n);
  t.is(q.peekTime(), 1);
  for (let i = 0; i < n; i++) {
    q.pop();
    t.is(q.time, i + 1);
    t.is(q.a, n - 1 - i);
    t.is(q.b, (n - 1 - i) * 2);
  }
  t.is(q.size, 0);
});

test('equal times pop in insertion order', (t) => {
  const q = new EventQueue();
  for (let i = 0; i < 100; i++) q.push(5, 0, i, 0);
  for (let i = 0; i < 100; i++) {
    q.pop();
    t.is(q.a, i);
  }
});

test('empty pop and peek throw clear errors', (t) => {
  const q = new EventQueue();
  t.throws(() => q.pop(), { message: /queue is empty/ });
  t.throws(() => q.peekTime(), { message: /queue is empty/ });
  q.push(1, 0, 0, 0);
  q.pop();
  t.throws(() => q.pop(), { message: /queue is empty/ });
});

test('bad inputs are rejected', (t) => {
  const q = new EventQueue();
  t.throws(() => q.push(NaN, 0, 0, 0), { message: /time must be finite/ });
  t.throws(() => q.push(Infinity, 0, 0, 0), { message: /time must be finite/ });
  t.throws(() => q.push(1, 0.5, 0, 0), { message: /must be int32/ });
  t.throws(() => q.push(1, 0, 2 ** 31, 0), { message: /must be int32/ });
  t.throws(() => new EventQueue(-1), { message: /non-negative integer/ });
  t.is(q.size, 0);
});

test('clear empties the queue but keeps the global order of sequence numbers', (t) => {
  const q = new EventQueue();
  q.push(1, 0, 0, 0);
  q.clear();
  t.is(q.size, 0);
  t.is(q.push(1, 0, 0, 0), 1);
});
