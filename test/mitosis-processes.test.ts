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
import type { ChildProcess } from 'node:child_process';
import { startCell } from '../bench/node-process.ts';
import { generateAuthorityKey, hex } from '../host/spore/authority-key.ts';
import { signSpore } from '../host/spore/sign-spore.ts';
import { inspectWasm } from '../host/build/inspect.ts';
import type { CellSchema } from '../host/sdk/schema.ts';
import { cellWasm } from './fixtures/built.ts';
import { waitUntil } from './fixtures/wait-until.ts';

interface Proc { proc: ChildProcess; port: number; out: string; dead: boolean }

test.serial('six cell run processes: siblings start from a fetched spore; kill -9 of one is replaced for min_replicas', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mitosis-processes-'));
  const key = generateAuthorityKey();
  const module = cellWasm('exchange');
  const now = Math.floor(Date.now() / 1000);
  const spore = signSpore({ module, schema: inspectWasm(module).schema as CellSchema, biology: { min_replicas: 3, max_replicas: 4, cpu_target: 0.6 }, limits: { in_bytes: 1024, out_bytes: 2028 } },
    { key, issuedAt: now - 10, expiresAt: now + 3600, revision: 1 });
  const file = join(dir, 'exchange.spore');
  await writeFile(file, spore);
  const base = 20000 + Math.floor(Math.random() * 30000);
  const ports = Array.from({ length: 6 }, (_, i) => base + i);
  const procs: Proc[] = [];
  try {
    for (const [i, port] of ports.entries()) {
      const peers = ports.filter((p) => p !== port).flatMap((p) => ['--peer', `127.0.0.1:${p}`]);
      const args = ['run', ...(i === 0 ? [file] : []), '--trust', hex(key.publicKey), '--port', String(port), '--ephemeral', '--no-multicast',
        '--spore-cache', join(dir, `cache-${i}`), '--control', join(dir, `node-${i}.sock`), ...peers];
      const { proc } = await startCell(args, /listening on udp/);
      // Lines before "listening" went to startCell; the first process hosts the spore it was given.
      const p: Proc = { proc, port, out: i === 0 ? 'hosting exchange (its command line)\n' : '', dead: false };
      proc.stdout!.on('data', (d) => (p.out += d));
      proc.stderr!.on('data', (d) => (p.out += d));
      proc.once('exit', () => (p.dead = true));
      procs.push(p);
    }
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
    await writeFile(join(dir, 'outputs.txt'), procs.map((p) => `--- port ${p.port}\n${p.out}`).join('\n'));
    t.log(`process outputs: ${join(dir, 'outputs.txt')}`);
  }
});
