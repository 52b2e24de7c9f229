// The compile cache of host/build/asc.ts: a second compile with the same arguments comes from
// build/asc-cache, and a change to any file the compiler read (an import, not only the entry)
// makes it compile again.
import test from 'ava';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ascCacheFile, compileAssemblyScript } from '../host/build/asc.ts';
import { BUILD_DIR } from '../host/build/paths.ts';

const DIR = join(BUILD_DIR, `asc-cache-test-${process.pid}`);
test.after.always(() => rmSync(DIR, { recursive: true, force: true }));

test('a repeat compile is served from the cache; changing an imported file compiles again', async (t) => {
  if (process.env.CELL_ASC_CACHE === '0') return t.pass('the cache is turned off in this environment');
  mkdirSync(DIR, { recursive: true });
  const entry = join(DIR, 'entry.ts');
  writeFileSync(join(DIR, 'dep.ts'), 'export function k(): i32 { return 1; }\n');
  writeFileSync(entry, "import '../../firmware/hal/hal';\nimport { k } from './dep';\nexport function f(): i32 { return k(); }\n");
  const first = await compileAssemblyScript({ entries: [entry], runtime: 'stub' });
  const file = ascCacheFile({ entries: [entry], runtime: 'stub' });
  const stored = JSON.parse(readFileSync(file, 'utf8')) as { files: Record<string, string | null>; binary: string };
  t.true(join(DIR, 'dep.ts') in stored.files, 'the imported file is recorded');
  // Mark the stored output: a second compile returns the mark, so it came from the cache.
  writeFileSync(file, JSON.stringify({ ...stored, binary: Buffer.from('marked').toString('base64') }));
  t.is(Buffer.from((await compileAssemblyScript({ entries: [entry], runtime: 'stub' })).binary).toString(), 'marked');
  writeFileSync(join(DIR, 'dep.ts'), 'export function k(): i32 { return 2; }\n');
  const third = await compileAssemblyScript({ entries: [entry], runtime: 'stub' });
  t.notDeepEqual(third.binary, first.binary, 'a changed import compiles again');
  t.is(third.binary[0], 0, 'a wasm module, not the mark');
  rmSync(file);
});
