// `cell gateway` (host/gateway/gateway.ts): the posix board (wasm3, the mcu kernel and echo) on
// one end of a real pty pair, the gateway's cable node on the other, its LAN node and a keyed
// caller on an in-process LAN. The caller's sealed calls reach the board and come back; calls
// the board is slow to take wait without running twice; a dead board's species are withdrawn
// and the calls waiting on it answered UNKNOWN_SPECIES.
import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { join } from 'node:path';
import { CellNode } from '../host/runtime/cell-node.ts';
import { Gateway } from '../host/gateway/gateway.ts';
import { SerialTransport } from '../host/transport/serial-transport.ts';
import { LoopbackHub } from '../host/transport/loopback-transport.ts';
import { newIdentity } from '../host/identity/node-identity.ts';
import { buildPosixBoard } from '../host/board/build-runtime.ts';
import { connect, CellCallError } from '../host/sdk/connect.ts';
import { REPO_ROOT } from '../host/build/paths.ts';
import { openPtyPair } from '../bench/pty-pair.ts';
import { Echo } from '../build/cells/echo.client.ts';
import { Kv } from '../build/cells/kv.client.ts';
import { ErrorCode } from '../host/wire/error-codes.ts';
import { kernelWasm } from './fixtures/built.ts';
import { waitUntil } from './fixtures/wait-until.ts';

const BOARD = 0xb0a4d001;
const FAST = { announceIntervalMs: 100, callTimeoutMs: 20000 };

function startBoard(pty: string): ChildProcess {
  // The board's serial line is its stdin and stdout, here one end of the pty pair.
  const fd = openSync(pty, 'r+');
  return spawn(buildPosixBoard(), ['--kernel', join(REPO_ROOT, 'build', 'kernel.wasm'), '--cell', `${join(REPO_ROOT, 'build', 'cells', 'echo.wasm')}:${Echo.speciesId}`, '--node', String(BOARD)], { stdio: [fd, fd, 'pipe'] });
}

test.serial('a sealed LAN call reaches the board over its cable and comes back; 40 calls in fours and a burst of 12 each run once; a dead board is withdrawn', async (t) => {
  const pty = await openPtyPair();
  const board = startBoard(pty.a);
  const hub = new LoopbackHub();
  const cable = await CellNode.create({ nodeId: 0xcab1e001, kernelWasm: kernelWasm(), transports: [await SerialTransport.open({ path: pty.b, baudRate: 921600 })], open: true });
  const gid = await newIdentity();
  const lan = await CellNode.create({ nodeId: gid.nodeId, identity: gid, kernelWasm: kernelWasm(), transports: [hub.attach(gid.nodeId)], config: FAST });
  const log: string[] = [];
  const gateway = new Gateway({ lan, cables: [{ name: pty.b, node: cable }], silentMs: 1500, pollMs: 100, log: (l) => log.push(l) });
  const cid = await newIdentity();
  const caller = await CellNode.create({ nodeId: cid.nodeId, identity: cid, kernelWasm: kernelWasm(), transports: [hub.attach(cid.nodeId)], config: FAST });
  try {
    await waitUntil(() => gateway.routes.has(Echo.speciesId), 'the board\'s echo to be proxied', 10_000);
    t.is(gateway.routes.get(Echo.speciesId)!.board, BOARD);
    await waitUntil(() => caller.kernel.peers().some((p) => p.nodeId === gid.nodeId && p.species.includes(Echo.speciesId)), 'the caller to hear the gateway announce echo', 10_000);
    const echo = await connect(Echo, { node: caller });
    t.is(await echo.echo('hello board'), 'hello board');
    t.is(await echo.add(40, 2), 42);
    // 40 calls, 4 at a time (a caller's deferred calls each hold one of its 4 replay slots on the gateway).
    for (let b = 0; b < 10; b++) {
      const texts = Array.from({ length: 4 }, (_, i) => `call ${b}.${i}`);
      t.deepEqual(await Promise.all(texts.map((s) => echo.echo(s))), texts);
    }
    t.is(gateway.stats.forwarded, 42);
    t.is(gateway.stats.answered, 42);
    t.is(lan.kernel.stats().callsServed, 42);
    // 12 at once: beyond 4 waiting, a call is shed OVERLOADED (and re-sent by the caller's kernel);
    // each ends answered or OVERLOADED, never STALE, and runs on the board at most once.
    const burst = await Promise.all(Array.from({ length: 12 }, (_, i) => echo.echo(`burst ${i}`).then((r) => r, (e: CellCallError) => e.code)));
    for (const [i, r] of burst.entries()) t.true(r === `burst ${i}` || r === ErrorCode.OVERLOADED, `call ${i}: ${String(r)}`);
    const served = burst.filter((r) => typeof r === 'string').length;
    t.true(served >= 4, `${served} of 12 answered`);
    t.is(gateway.stats.forwarded, 42 + served, 'every forwarded call was answered, and only those');
    t.true(gateway.stats.shed > 0);
    t.is(gateway.stats.answersRefused, 0);
    // A species the board does not host is not announced: the caller finds no route.
    const kv = await connect(Kv, { node: caller });
    const noRoute = await t.throwsAsync(kv.get('a'));
    t.truthy(noRoute);
    // The board dies with calls on their way: those are answered UNKNOWN_SPECIES once it is withdrawn.
    board.kill('SIGKILL');
    const late = echo.echo('anyone there?').then(() => 'answered', (e: CellCallError) => e.code);
    await waitUntil(() => !gateway.routes.has(Echo.speciesId), 'the dead board\'s species to be withdrawn', 10_000);
    t.is(await late, ErrorCode.UNKNOWN_SPECIES);
    t.true(log.some((l) => l.includes('withdrawn from the LAN (board silent')), log.join('\n'));
    t.is(gateway.stats.withdrawals, 1);
  } finally {
    board.kill('SIGKILL');
    gateway.close();
    await caller.close();
    await lan.close();
    await cable.close();
    await pty.close();
  }
});

test('cell gateway with a serial device that is not there says so and exits, before any socket opens', async (t) => {
  const { execFile } = await import('node:child_process');
  const r = await new Promise<{ code: number | null; stderr: string }>((res) => {
    const p = execFile(process.execPath, [join(REPO_ROOT, 'bin', 'cell.js'), 'gateway', '--serial', '/dev/no-such-board', '--ephemeral', '--no-multicast', '--port', '0'], (_err, _out, stderr) => res({ code: p.exitCode, stderr }));
  });
  t.is(r.code, 1);
  t.regex(r.stderr, /--serial \/dev\/no-such-board: .*(No such file|cannot open)/);
});
