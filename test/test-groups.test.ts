// Keeps `npm run test:unit` honest: the files it runs (all but test/groups/system-tests.mjs) and
// the test helpers they import name no process, socket, worker or browser API, and the unit
// config loads the runtime guard that throws if one is reached some other way.
import test from 'ava';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SYSTEM_TESTS } from './groups/system-tests.mjs';
import unitConfig from './groups/unit.ava.config.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SYSTEM_API = /from\s+'node:(child_process|dgram|net|http|https|worker_threads)'|import\('node:(child_process|dgram|net|http|https|worker_threads)'\)|chromium|pty-pair|cell-process|node-process/;

/** The file and every module under test/ it imports, directly or through another. */
function testModules(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  for (const m of readFileSync(file, 'utf8').matchAll(/(?:from\s+|import\()'(\.{1,2}\/[^']+)'/g)) {
    const target = resolve(dirname(file), m[1]!);
    if (target.startsWith(join(ROOT, 'test')) && existsSync(target)) testModules(target, seen);
  }
  return seen;
}

const allTests = readdirSync(join(ROOT, 'test')).filter((f) => f.endsWith('.test.ts')).map((f) => `test/${f}`);

test('every listed system test exists', (t) => {
  for (const f of Object.keys(SYSTEM_TESTS)) t.true(allTests.includes(f), f);
});

test('unit test files and their test helpers use no process, socket, worker or browser', (t) => {
  // This file names those APIs to look for them, and only reads files.
  const unit = allTests.filter((f) => !(f in SYSTEM_TESTS) && f !== 'test/test-groups.test.ts');
  t.true(unit.length > Object.keys(SYSTEM_TESTS).length, `${unit.length} unit files`);
  for (const f of unit) {
    for (const m of testModules(join(ROOT, f))) {
      const hit = SYSTEM_API.exec(readFileSync(m, 'utf8'));
      t.is(hit, null, `${f} -> ${relative(ROOT, m)} uses ${hit?.[0]}: list ${f} in test/groups/system-tests.mjs`);
    }
  }
});

test('the unit config leaves out exactly the system tests and loads the runtime guard', (t) => {
  const excluded = unitConfig.files.filter((f) => f.startsWith('!')).map((f) => f.slice(1));
  t.deepEqual(excluded.sort(), Object.keys(SYSTEM_TESTS).sort());
  t.true(unitConfig.nodeArguments.some((a) => a.startsWith('--import=') && a.endsWith('/test/groups/no-system-access.mjs')));
});
