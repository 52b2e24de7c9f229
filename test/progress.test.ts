import test from 'ava';
import { PassThrough } from 'node:stream';
import { createProgress } from '../host/cli/progress.ts';

function capture(isTTY: boolean) {
  const stream = Object.assign(new PassThrough(), { isTTY, columns: 120 });
  let out = '';
  stream.on('data', (c: Buffer) => (out += c.toString()));
  return { stream, text: () => out };
}

test('silent when the stream is not a TTY (CI logs, pipes)', (t) => {
  const c = capture(false);
  const p = createProgress({ total: 100, stream: c.stream });
  t.false(p.active);
  for (let v = 0; v <= 100; v++) p.update(v, 'x');
  p.stop();
  t.is(c.text(), '');
});

test('silent with --quiet even at a terminal', (t) => {
  const c = capture(true);
  const p = createProgress({ total: 100, stream: c.stream, quiet: true });
  t.false(p.active);
  p.update(50);
  p.stop();
  t.is(c.text(), '');
});

test('draws a bar at a terminal and finishes cleanly', (t) => {
  const c = capture(true);
  const p = createProgress({ total: 1800, stream: c.stream, label: 'sim', unit: 's simulated' });
  t.true(p.active);
  for (let v = 0; v <= 1800; v += 0.5) p.update(v, 'median error 0.12');
  p.stop();
  p.stop();
  t.regex(c.text(), /sim \|.*\| 100% \| 1800\/1800 s simulated \| median error 0\.12/);
});

test('a bad total is an error', (t) => {
  t.throws(() => createProgress({ total: 0 }), { message: /progress total must be a positive number/ });
  t.throws(() => createProgress({ total: NaN }), { message: /positive number/ });
});
