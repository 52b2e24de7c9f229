// The capped tables that hold what strangers send (UDP addresses, routes): fill never passes the
// cap, and the rows used most recently survive a flood of new keys.
import test from 'ava';
import fc from 'fast-check';
import { CappedMap } from '../host/transport/capped-map.ts';

const opArb = fc.oneof(
  fc.record({ op: fc.constant('set' as const), key: fc.integer({ min: 0, max: 200 }), value: fc.nat() }),
  fc.record({ op: fc.constant('get' as const), key: fc.integer({ min: 0, max: 200 }) }),
  fc.record({ op: fc.constant('delete' as const), key: fc.integer({ min: 0, max: 200 }) }),
);

test('fill stays <= cap under random inserts; it agrees with an LRU model; evictions are counted (property)', (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 40 }), fc.array(opArb, { maxLength: 400 }), (cap, ops) => {
      const m = new CappedMap<number, number>(cap);
      // The model: keys in use order, least recent first.
      let model: Array<[number, number]> = [];
      let evictions = 0;
      for (const o of ops) {
        const at = model.findIndex(([k]) => k === o.key);
        if (o.op === 'set') {
          if (at >= 0) model.splice(at, 1);
          else if (model.length >= cap) {
            model.shift();
            evictions++;
          }
          model.push([o.key, o.value]);
          m.set(o.key, o.value);
        } else if (o.op === 'get') {
          const want = at >= 0 ? model[at]![1] : undefined;
          if (at >= 0) model.push(...model.splice(at, 1));
          if (m.get(o.key) !== want) return false;
        } else {
          if (at >= 0) model.splice(at, 1);
          m.delete(o.key);
        }
        if (m.size > cap) return false;
      }
      return m.stats.evictions === evictions && JSON.stringify([...m.entries()]) === JSON.stringify(model);
    }),
    { numRuns: 300 },
  );
  t.pass();
});

test('recent rows survive a flood of new keys (property)', (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 2, max: 64 }), fc.integer({ min: 1, max: 5000 }), (cap, flood) => {
      const m = new CappedMap<number, string>(cap);
      m.set(-1, 'busy peer');
      // A flood of forged keys, with the busy peer heard again before each new cap-1 of them.
      for (let i = 0; i < flood; i++) {
        if (i % (cap - 1) === 0) m.get(-1);
        m.set(i, 'forged');
      }
      return m.size <= cap && m.peek(-1) === 'busy peer';
    }),
  );
  t.throws(() => new CappedMap(0), { instanceOf: RangeError });
});
