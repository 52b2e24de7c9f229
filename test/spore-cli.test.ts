// The spore commands as a user runs them, end to end: keygen -> build --sign -> verify -> run the
// spore (and an empty node) -> call it -> spores. Separate processes, real files, UDP on loopback.
import test from 'ava';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cellBin, startCell } from '../bench/node-process.ts';
import { kernelWasm } from './fixtures/built.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const cell = (...args: string[]) => run(process.execPath, [cellBin(), ...args], { cwd: ROOT, timeout: 120_000 });
const stderrOf = (err: unknown) => String((err as { stderr?: string }).stderr);

test.before(() => {
  kernelWasm();
});

test('keygen -> build --sign -> verify -> run FILE.spore --trust -> call -> spores', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'spore-cli-'));
  process.env.CELL_HOME = join(dir, 'home'); // the child processes' cache: not the user's
  const key = join(dir, 'authority.key');
  const pub = (await cell('keygen', '--out', key)).stdout.trim();
  t.regex(pub, /^[0-9a-f]{64}$/);
  t.is((await stat(key)).mode & 0o777, 0o600);
  t.is((await readFile(`${key}.pub`, 'utf8')).trim(), pub);
  t.regex(stderrOf(await t.throwsAsync(cell('keygen', '--out', key))), /exists: not replacing/);

  const out = join(dir, 'cells');
  t.regex((await cell('build', 'firmware/cells/echo', '--out', out, '--sign', key)).stdout, /spore .*echo\.spore/);
  const spore = join(out, 'echo.spore');
  const v = await cell('verify', spore, '--trust', pub);
  t.regex(v.stdout, /echo\s+species 0x[0-9a-f]{8}/);
  t.regex(v.stdout, new RegExp(`authority  ${pub}`));
  t.regex(v.stdout, /signature OK/);
  const j = JSON.parse((await cell('verify', spore, '--json')).stdout);
  t.true(j.ok);
  t.is(j.authorityTrust, 'unchecked');
  const wrong = await t.throwsAsync(cell('verify', spore, '--trust', '11'.repeat(32)));
  t.regex(String((wrong as { stdout?: string }).stdout), /REFUSED untrusted-authority/);

  // Without --trust the node refuses, naming the authority and how to trust it.
  t.regex(stderrOf(await t.throwsAsync(cell('run', spore, '--ephemeral', '--port', '0', '--no-multicast'))), new RegExp(`untrusted-authority.*--trust ${pub}`));

  const { proc, match } = await startCell(['run', spore, '--trust', `${key}.pub`, '--ephemeral', '--port', '0', '--no-multicast', '--control', join(dir, 'a.sock')], /listening on udp [^\s]+:(\d+)/);
  const { proc: empty, match: emptyMatch } = await startCell(['run', '--trust', pub, '--ephemeral', '--port', '0', '--no-multicast', '--control', join(dir, 'b.sock')], /hosting nothing yet[^]*listening on udp [^\s]+:(\d+)/);
  try {
    const answer = await cell('call', 'echo', 'add', '[2, 40]', '--peer', `127.0.0.1:${match[1]}`);
    t.is(answer.stdout.trim(), '42');
    t.true(Number(emptyMatch[1]) > 0);
    const listed = JSON.parse((await cell('spores', '--json')).stdout);
    t.is(listed.spores.length, 1);
    t.is(listed.spores[0].name, 'echo');
    t.is(listed.spores[0].authority, pub);
    t.true(listed.spores[0].pinned, 'pinned while the node runs it');
    t.regex((await cell('spores')).stdout, /echo .* running/);
  } finally {
    proc.kill('SIGTERM');
    empty.kill('SIGTERM');
  }
});
