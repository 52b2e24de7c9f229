// Issue #14, the QEMU board's flash outliving QEMU, as a user runs it: `cell flash --detach` boots
// the emulated board on a store file and installs the kernel, echo and kv; `cell gateway` + `cell
// call kv put` store a value; QEMU is killed (SIGKILL); `cell flash --boot-only --detach` starts a
// new QEMU on the same file; through a new gateway, echo answers and `kv get` returns the value.
import test from 'ava';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../host/build/paths.ts';
import { armToolchainMissing } from '../host/board/build-qemu.ts';
import { freeUdpPort } from './fixtures/free-udp-port.ts';

const CELL = join(REPO_ROOT, 'bin', 'cell.js');
const run = (args: string[], timeoutMs = 60_000) => new Promise<{ code: number | null; out: string; err: string }>((res) => {
  const p = execFile(process.execPath, [CELL, ...args], { cwd: REPO_ROOT, timeout: timeoutMs }, (_e, out, err) => res({ code: p.exitCode, out, err }));
});

interface BoardJson { serial: string; pid: number; store: string; node: string; modules: { slot: number; sha256: string }[] }

/** A gateway on the board's pty until `use` is done; `use` gets the UDP port to call through. */
async function throughGateway<T>(pty: string, use: (port: number) => Promise<T>): Promise<T> {
  const port = await freeUdpPort();
  const gateway = spawn(process.execPath, [CELL, 'gateway', '--serial', pty, '--ephemeral', '--no-multicast', '--port', String(port)], { cwd: REPO_ROOT });
  try {
    let log = '';
    await new Promise<void>((resolve, reject) => {
      gateway.stdout.on('data', (d: Buffer) => {
        log += d.toString();
        if ((log.match(/now callable from the LAN/g) ?? []).length >= 2) resolve();
      });
      gateway.once('exit', (code) => reject(new Error(`cell gateway exited (${code}): ${log}`)));
      setTimeout(() => reject(new Error(`the board's two species not callable within 20 s: ${log}`)), 20_000).unref();
    });
    return await use(port);
  } finally {
    const gone = new Promise((r) => gateway.once('exit', r));
    gateway.kill();
    await gone;
  }
}

const call = (port: number, species: string, method: string, arg: string) => run(['call', species, method, arg, '--peer', `127.0.0.1:${port}`], 20_000);

function killed(pid: number): Promise<void> {
  process.kill(pid, 'SIGKILL');
  return gone(pid);
}

function gone(pid: number): Promise<void> {
  return new Promise((resolve) => {
    const poll = setInterval(() => {
      try {
        process.kill(pid, 0);
      } catch {
        clearInterval(poll);
        resolve();
      }
    }, 20);
  });
}

test('cell flash --detach, kv put, QEMU killed, cell flash --boot-only --detach on the same store: the modules are there and kv get returns the value', async (t) => {
  const missing = armToolchainMissing();
  if (missing) return t.fail(missing);
  const dir = mkdtempSync(join(tmpdir(), 'cell-qemu-persist-'));
  const store = join(dir, 'board.store');
  const pids: number[] = [];
  try {
    const flash = await run(['flash', '--board', 'qemu-mps2-an386', 'echo', 'kv', '--detach', '--json', '--store', store, '--log', join(dir, 'first.log')]);
    t.is(flash.code, 0, flash.err);
    const first = JSON.parse(flash.out) as BoardJson;
    pids.push(first.pid);
    t.is(first.store, store);
    const put = await throughGateway(first.serial, (port) => call(port, 'kv', 'put', '{"key":"a","value":"kept"}'));
    t.is(put.code, 0, put.err);

    // A second QEMU on the same file would interleave writes with the first: refused.
    const twice = await run(['flash', '--board', 'qemu-mps2-an386', '--boot-only', '--detach', '--store', store]);
    t.is(twice.code, 1);
    t.regex(twice.err, new RegExp(`already running on ${store.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: stop it first \\(kill ${first.pid}\\)`));

    await killed(first.pid);
    const boot = await run(['flash', '--board', 'qemu-mps2-an386', '--boot-only', '--detach', '--json', '--store', store, '--log', join(dir, 'second.log')]);
    t.is(boot.code, 0, boot.err);
    const second = JSON.parse(boot.out) as BoardJson;
    pids.push(second.pid);
    t.not(second.pid, first.pid);
    t.deepEqual(second.modules.map((m) => [m.slot, m.sha256]), first.modules.map((m) => [m.slot, m.sha256]), 'the same modules, by the board\'s own SHA-256');
    await throughGateway(second.serial, async (port) => {
      const get = await call(port, 'kv', 'get', '{"key":"a"}');
      t.is(get.code, 0, get.err);
      t.is(get.out.trim(), '"kept"');
      const echo = await call(port, 'echo', 'echo', '"after a kill"');
      t.is(echo.out.trim(), '"after a kill"');
    });
    const extra = await run(['flash', '--board', 'qemu-mps2-an386', '--boot-only', 'echo']);
    t.is(extra.code, 1);
    t.regex(extra.err, /--boot-only installs nothing: give no cells/);

    // In the foreground: the board runs until Ctrl-C, which stops its QEMU too.
    await killed(second.pid);
    const fg = spawn(process.execPath, [CELL, 'flash', '--board', 'qemu-mps2-an386', '--boot-only', '--store', store], { cwd: REPO_ROOT });
    let out = '';
    const qemuPid = await new Promise<number>((resolve, reject) => {
      fg.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /board running \(QEMU pid (\d+)\) on \/dev\/pts\/\d+: .*Ctrl-C stops it/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      fg.once('exit', (code) => reject(new Error(`cell flash --boot-only exited (${code}): ${out}`)));
    });
    pids.push(qemuPid);
    t.regex(out, /slot 2 species [0-9a-f]{8}: \d+ bytes, sha256 [0-9a-f]{64} \(from .*board\.store, checked by the board at start-up\)/);
    const exited = new Promise<number | null>((resolve) => fg.once('exit', resolve));
    fg.kill('SIGINT');
    t.is(await exited, 0);
    await gone(qemuPid);
    t.pass('QEMU stopped with it');
  } finally {
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
});
