// The user story, end to end, as a user runs it: `cell flash --detach` boots the emulated
// Cortex-M4 and installs the kernel, echo and kv over its UART pty; `cell gateway --serial <pty>`
// makes the board's cells callable on the LAN; `cell call` (another process, its own key) gets
// the board's answer, and kv's values are kept in the board's cell store (its flash region).
import test from 'ava';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../host/build/paths.ts';
import { armToolchainMissing } from '../host/board/build-qemu.ts';
import { freeUdpPort } from './fixtures/free-udp-port.ts';

const CELL = join(REPO_ROOT, 'bin', 'cell.js');
const run = (args: string[], timeoutMs = 60_000) => new Promise<{ code: number | null; out: string; err: string }>((res) => {
  const p = execFile(process.execPath, [CELL, ...args], { cwd: REPO_ROOT, timeout: timeoutMs }, (_e, out, err) => res({ code: p.exitCode, out, err }));
});

test('cell flash --detach, cell gateway --serial <its pty>, cell call: the emulated board answers LAN calls, and kv keeps a put value in its cell store', async (t) => {
  const missing = armToolchainMissing();
  if (missing) return t.fail(missing);
  // A store file of its own (a fresh flash), not the default build/board/qemu-mps2-an386.store a user's board keeps.
  const dir = mkdtempSync(join(tmpdir(), 'cell-e2e-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const flash = await run(['flash', '--board', 'qemu-mps2-an386', 'echo', 'kv', '--detach', '--quiet', '--store', join(dir, 'board.store')]);
  t.is(flash.code, 0, flash.err);
  const pty = /serial (\/dev\/pts\/\d+)/.exec(flash.out)?.[1];
  t.truthy(pty, flash.out);
  const pid = Number(readFileSync(join(REPO_ROOT, 'build', 'board', 'qemu-mps2-an386.pid'), 'utf8'));
  const port = await freeUdpPort();
  const gateway = spawn(process.execPath, [CELL, 'gateway', '--serial', pty!, '--ephemeral', '--no-multicast', '--port', String(port)], { cwd: REPO_ROOT });
  try {
    let log = '';
    await new Promise<void>((resolve, reject) => {
      gateway.stdout.on('data', (d: Buffer) => {
        log += d.toString();
        if (/now callable from the LAN/.test(log)) resolve();
      });
      gateway.once('exit', (code) => reject(new Error(`cell gateway exited (${code}): ${log}`)));
      setTimeout(() => reject(new Error(`no board species within 20 s: ${log}`)), 20_000).unref();
    });
    const call = await run(['call', 'echo', 'echo', '"hello emulated M4"', '--peer', `127.0.0.1:${port}`], 20_000);
    t.is(call.code, 0, call.err);
    t.is(call.out.trim(), '"hello emulated M4"');
    const add = await run(['call', 'echo', 'add', '[20,22]', '--peer', `127.0.0.1:${port}`], 20_000);
    t.is(add.out.trim(), '42');
    // The user story: kv on the board, its value in the board's cell store.
    const put = await run(['call', 'kv', 'put', '{"key":"a","value":"1"}', '--peer', `127.0.0.1:${port}`], 20_000);
    t.is(put.code, 0, put.err);
    const get = await run(['call', 'kv', 'get', '{"key":"a"}', '--peer', `127.0.0.1:${port}`], 20_000);
    t.is(get.code, 0, get.err);
    t.is(get.out.trim(), '"1"');
    const keys = await run(['call', 'kv', 'keys', '[]', '--peer', `127.0.0.1:${port}`], 20_000);
    t.is(keys.out.trim(), '["a"]');
  } finally {
    gateway.kill();
    try {
      process.kill(pid);
    } catch {
      // already gone
    }
  }
});
