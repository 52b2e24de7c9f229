// Mitosis between `cell run` processes on loopback UDP (issue #13, done when; the part done so
// far): six processes, one hosting a signed exchange spore whose [cell.biology] asks for
// min_replicas 3; the other five are empty nodes trusting its authority. The first replica's
// kernel places siblings on other processes, which fetch the spore from it, verify and serve it;
// after kill -9 of a process hosting a sibling, a survivor's kernel places a replacement. Nothing
// asserts on time: every wait is for a line a process prints.
import test from 'ava';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startExchangeProcesses, outputsText } from './fixtures/exchange-processes.ts';
import { waitUntil } from './fixtures/wait-until.ts';

test.serial('six cell run processes: siblings start from a fetched spore; kill -9 of one is replaced for min_replicas', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mitosis-processes-'));
  const base = 20000 + Math.floor(Math.random() * 30000);
  const ports = Array.from({ length: 6 }, (_, i) => base + i);
  const procs = await startExchangeProcesses({ dir, biology: { min_replicas: 3, max_replicas: 4, cpu_target: 0.6 }, ports });
  try {
    const hosting = () => procs.filter((p) => !p.dead && /hosting exchange|spawned exchange/.test(p.out) && !/retired exchange/.test(p.out));
    await waitUntil(() => hosting().length >= 3, 'three processes hosting exchange', 60_000);
    const siblings = procs.slice(1).filter((p) => /spawned exchange/.test(p.out));
    t.true(siblings.length >= 2, 'siblings started on other processes from a fetched spore');
    for (const s of siblings) t.regex(s.out, /fetched, verified, cached, serving/);
    // kill -9 of a process hosting a sibling: min_replicas needs a replacement on another process.
    const victim = siblings[0]!;
    victim.proc.kill('SIGKILL');
    await waitUntil(() => victim.dead, 'the killed process to exit');
    const before = new Set(siblings.map((s) => s.port));
    await waitUntil(() => procs.some((p) => !p.dead && !before.has(p.port) && /spawned exchange/.test(p.out)) || hosting().length >= 3 && hosting().some((p) => !before.has(p.port) && p !== procs[0]),
      'a replacement sibling on a process that did not host one', 60_000);
    t.true(hosting().length >= 3, `hosting after the kill: ${hosting().map((p) => p.port).join(', ')}`);
  } finally {
    for (const p of procs) if (!p.dead) p.proc.kill('SIGKILL');
    // What each process printed, for a failure's diagnosis.
    await writeFile(join(dir, 'outputs.txt'), outputsText(procs));
    t.log(`process outputs: ${join(dir, 'outputs.txt')}`);
  }
});
