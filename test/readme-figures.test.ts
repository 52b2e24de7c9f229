// The README's measured tables are what bench/figures.ts wrote from one run (docs/measured.json),
// and the sizes in them are the sizes of what `npm run build` makes from this tree.
import test from 'ava';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../host/build/paths.ts';
import { renderReadme, renderMeasured, replaceBetween, type Measured } from '../bench/measured-table.ts';
import { builtFile } from './fixtures/built.ts';

const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
const measured: Measured = JSON.parse(readFileSync(join(REPO_ROOT, 'docs', 'measured.json'), 'utf8'));

test('the README measured tables are the ones rendered from docs/measured.json', (t) => {
  // A hand edit of a figure, or a re-measure without re-rendering, makes these differ.
  t.is(readme, renderReadme(readme, measured), 'run `npm run figures -- --render-only` (or a full `npm run figures`)');
});

test('the kernel and cell sizes the README states are the sizes of the build', (t) => {
  const size = (rel: string) => (builtFile(rel), statSync(join(REPO_ROOT, 'build', rel)).size);
  const stale = 'the firmware changed since the figures were taken: run `npm run figures -- --only sizes`';
  t.is(measured.sizes.kernelMcu, size('kernel.wasm'), stale);
  t.is(measured.sizes.kernelHost, size('kernel.host.wasm'), stale);
  for (const [cell, bytes] of Object.entries(measured.sizes.cells)) t.is(bytes, size(`cells/${cell}.wasm`), `${cell}: ${stale}`);
  // And the README says them: the rendered row holds the kernel's size as printed.
  t.true(readme.includes(`${measured.sizes.kernelMcu.toLocaleString('en')} bytes`));
});

test('replaceBetween keeps the text around the markers and refuses a README without them', (t) => {
  t.is(replaceBetween('a<b>old</e>z', '<b>', '</e>', 'new'), 'a<b>\nnew\n</e>z');
  t.throws(() => replaceBetween('no markers', '<b>', '</e>', 'x'), { message: /markers/ });
  t.throws(() => replaceBetween('</e> then <b>', '<b>', '</e>', 'x'), { message: /markers/ });
});

test('every rendered row names the command that produced it', (t) => {
  const rows = renderMeasured(measured).split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| what'));
  t.true(rows.length >= 2);
  for (const row of rows) t.regex(row, /\| `[^`]+` \|$/, row);
});
