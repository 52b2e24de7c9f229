import test from 'ava';
import { SCENARIO_NAMES, diurnal, flashCrowd, loadStep, nodeFailures, scenario } from '../simulator/mitosis/scenarios.ts';

const close = (a: number, b: number) => Math.abs(a - b) < 1e-9 * Math.max(1, Math.abs(b));

test('load-step: the base rate, then 10x from 20% of the duration', (t) => {
  const s = loadStep({ baseRate: 50, durationS: 1000 });
  t.is(s.changeAtS, 200);
  t.is(s.rate(0), 50);
  t.is(s.rate(199.9), 50);
  t.is(s.rate(200), 500);
  t.is(s.rate(1000), 500);
  t.is(s.peakRate, 500);
  t.deepEqual(s.failures, []);
  t.is(loadStep({ baseRate: 50, durationS: 1000, factor: 3 }).rate(500), 150);
});

test('diurnal: a compressed day between 0.5x (night, t = 0) and 8x (afternoon, half a day)', (t) => {
  const s = diurnal({ baseRate: 100, durationS: 7200 });
  t.is(s.changeAtS, null);
  t.true(close(s.rate(0), 50));
  t.true(close(s.rate(1800), 800));
  t.true(close(s.rate(900), 425));
  t.true(close(s.rate(3600), 50)); // the next midnight
  t.true(close(s.rate(5400), 800));
  t.is(s.peakRate, 800);
  for (let x = 0; x <= 7200; x += 7) t.true(s.rate(x) >= 50 - 1e-9 && s.rate(x) <= 800 + 1e-9);
  t.true(close(diurnal({ baseRate: 100, durationS: 600, dayS: 600 }).rate(300), 800));
  t.true(close(diurnal({ baseRate: 100, durationS: 600, dayS: 600, low: 0.2, high: 1.5 }).rate(300), 150));
});

test('flash-crowd: 100x for two minutes from 25% of the duration', (t) => {
  const s = flashCrowd({ baseRate: 2, durationS: 2000 });
  t.is(s.changeAtS, 500);
  t.is(s.rate(499), 2);
  t.is(s.rate(500), 200);
  t.is(s.rate(619.9), 200);
  t.is(s.rate(620), 2);
  t.is(s.peakRate, 200);
  t.throws(() => flashCrowd({ baseRate: 2, durationS: 150 }), { message: /must end within the run \(150 s\); use durationS >= 160/ });
});

test('node-failures: constant load and 30% of the nodes die at once at 30% of the duration', (t) => {
  const s = nodeFailures({ baseRate: 40, durationS: 1000 });
  t.is(s.rate(0), 40);
  t.is(s.rate(999), 40);
  t.is(s.peakRate, 40);
  t.is(s.changeAtS, 300);
  t.deepEqual(s.failures, [{ atS: 300, fraction: 0.3 }]);
  t.throws(() => nodeFailures({ baseRate: 40, durationS: 1000, fraction: 0 }), { message: /fraction must be in \(0, 1\]/ });
});

test('every scenario: zero outside the run, never above its peak, chosen by name', (t) => {
  for (const name of SCENARIO_NAMES) {
    const s = scenario(name, { baseRate: 10, durationS: 3600 });
    t.is(s.name, name);
    t.is(s.durationS, 3600);
    t.is(s.rate(-1), 0);
    t.is(s.rate(3601), 0);
    for (let x = 0; x <= 3600; x += 3.7) t.true(s.rate(x) <= s.peakRate * (1 + 1e-12), `${name} at ${x}`);
  }
  t.throws(() => scenario('tsunami', { baseRate: 1, durationS: 10 }), { message: /unknown scenario "tsunami"; expected one of load-step, diurnal/ });
  t.throws(() => loadStep({ baseRate: 0, durationS: 10 }), { message: /load-step: baseRate must be a positive number/ });
  t.throws(() => diurnal({ baseRate: 1, durationS: -5 }), { message: /diurnal: durationS must be a positive number/ });
  t.throws(() => diurnal({ baseRate: 1, durationS: 5, low: 2, high: 1 }), { message: /high \(1\) must not be below low \(2\)/ });
});
