// The rp2040 serial mode and `cell flash --board rp2040` in the rp2040js emulator: the .uf2 holds
// the runtime image and a pre-filled module store; the board hashes each stored module at start-up,
// runs the kernel, answers the install protocol and mesh frames on UART0 and logs on UART1. What
// the emulator cannot show: writing flash (rp2040js has no bootrom, so the store cannot be written
// over the link there: BEGIN is refused storeError) and anything on a real Pico. Serial: each
// test boots an emulated chip that hashes its modules (about 10 s of a core each).
import test from 'ava';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildRp2040Image, rp2040Profile, rp2040ToolchainMissing, RP2040_FLASH_BASE, RP2040_STORE_BYTES, RP2040_STORE_OFFSET } from '../host/board/build-rp2040.ts';
import { Rp2040Emulation } from '../host/board/rp2040-emulator.ts';
import { storeImage } from '../host/board/store-image.ts';
import { planModules } from '../host/board/flash-modules.ts';
import { InstallLink } from '../host/board/install-link.ts';
import { fromUf2, UF2_FAMILY_RP2040 } from '../host/board/uf2.ts';
import { boot2CrcOk } from '../host/board/rp2040-boot2-crc.ts';
import { encodeSerialFrame, SerialDeframer } from '../host/wire/serial-framing.ts';
import { decodeHeader } from '../host/wire/header.ts';
import { KernelInstance } from '../host/runtime/kernel-instance.ts';
import { REPO_ROOT, BUILD_DIR } from '../host/build/paths.ts';
import { builtFile } from './fixtures/built.ts';

const run = promisify(execFile);
const CLI = join(REPO_ROOT, 'bin', 'cell.js');
const PEER = 0x11223344;

function flashWith(store: Uint8Array): Uint8Array {
  const image = buildRp2040Image({ kernelPath: '', cellPaths: [], tag: 'serial', serial: { wasm3StackBytes: rp2040Profile().wasm3StackBytes } });
  const flash = new Uint8Array(RP2040_STORE_OFFSET + store.length);
  flash.set(readFileSync(image.bin));
  flash.set(store, RP2040_STORE_OFFSET);
  return flash;
}

test.serial('cell flash --board rp2040 writes a .uf2 whose image and store boot on the emulated chip: kernel running, its SHA-256 listed', async (t) => {
  const missing = rp2040ToolchainMissing();
  if (missing) return t.fail(missing);
  const out = join(BUILD_DIR, 'test-rp2040', 'kernel.uf2');
  const { stdout } = await run(process.execPath, [CLI, 'flash', '--board', 'rp2040', '--out', out, '--json'], { cwd: REPO_ROOT });
  const r = JSON.parse(stdout) as { uf2: string; modules: { slot: number; sha256: string }[]; emulator: { kernelRunning: boolean; node: string } };
  t.is(r.uf2, out);
  t.true(r.emulator.kernelRunning);
  t.regex(r.emulator.node, /^[0-9a-f]{8}$/);
  const kernel = builtFile('kernel.wasm');
  const { createHash } = await import('node:crypto');
  t.deepEqual(r.modules.map((m) => [m.slot, m.sha256]), [[0, createHash('sha256').update(kernel).digest('hex')]]);
  const { baseAddress, image } = fromUf2(new Uint8Array(readFileSync(out)), UF2_FAMILY_RP2040);
  t.is(baseAddress, RP2040_FLASH_BASE);
  t.true(boot2CrcOk(image));
  t.deepEqual(image.subarray(RP2040_STORE_OFFSET + 4096, RP2040_STORE_OFFSET + 4096 + kernel.length), kernel, 'the kernel is in slot 0 of the store');
});

test.serial('cell flash --board rp2040 with echo passes the emulator check since echo declares 16 KiB of memory: kernel running, echo called, free RAM reported', async (t) => {
  const missing = rp2040ToolchainMissing();
  if (missing) return t.fail(missing);
  const out = join(BUILD_DIR, 'test-rp2040', `echo-${process.pid}.uf2`);
  const { stdout } = await run(process.execPath, [CLI, 'flash', '--board', 'rp2040', 'echo', '--out', out, '--json'], { cwd: REPO_ROOT });
  const r = JSON.parse(stdout) as { uf2: string; modules: { slot: number }[]; emulator: { kernelRunning: boolean; freeRamBytes: number } };
  t.log(`free RAM after the check: ${r.emulator.freeRamBytes} bytes`);
  t.true(r.emulator.kernelRunning);
  t.deepEqual(r.modules.map((m) => m.slot), [0, 1]);
  t.true(readFileSync(out).length > 0);
});

test.serial('cell flash --board rp2040 with echo and kv (which do not fit 264 KiB yet: a first call runs out of heap) fails naming why and writes nothing', async (t) => {
  const missing = rp2040ToolchainMissing();
  if (missing) return t.fail(missing);
  const out = join(BUILD_DIR, 'test-rp2040', `echo-kv-${process.pid}.uf2`);
  const err = await t.throwsAsync(run(process.execPath, [CLI, 'flash', '--board', 'rp2040', 'echo', 'kv', '--out', out], { cwd: REPO_ROOT })) as Error & { stderr: string };
  t.regex(err.stderr, /does not start and answer on the emulated rp2040.*no \.uf2 was written/s);
  t.regex(err.stderr, /memory allocation failed/);
  t.throws(() => readFileSync(out));
});

test.serial('the serial image runs its stored kernel: INFO, LIST and a mesh call answered over UART0; flash writes refused without a bootrom', async (t) => {
  const missing = rp2040ToolchainMissing();
  if (missing) return t.fail(missing);
  const kernel = builtFile('kernel.wasm');
  const board = new Rp2040Emulation(flashWith(storeImage(planModules(kernel, []), RP2040_STORE_BYTES)));
  const link = new InstallLink(board.fromBoard, board.toBoard);
  // The board's mesh frames, for the peer below.
  const mesh: Uint8Array[] = [];
  const sources = new Set<number>();
  const deframer = new SerialDeframer((f) => { if (f[0] === 0xce) { mesh.push(f.slice()); sources.add(decodeHeader(f).src); } }, { checkHeader: false });
  board.fromBoard.on('data', (d: Buffer) => deframer.push(d));
  try {
    board.start();
    await board.waitForLog(/^1 ready: kernel running from the store$/, 300_000);
    const info = await link.request({ op: 'info' }, 30_000);
    t.true(info.op === 'info' && info.info!.kernelRunning);
    const node = info.op === 'info' ? info.info!.node : 0;
    t.true(info.op === 'info' && info.info!.freeRam! > 0 && info.info!.freeRam! < 264 * 1024, 'free RAM is a figure within the chip');
    const list = await link.request({ op: 'list' }, 30_000);
    t.is(list.op === 'list' ? list.modules!.length : -1, 1);
    // A V8 kernel calls species 1 on the board, which hosts nothing: the board's kernel answers.
    const answers: number[] = [];
    const peer = KernelInstance.instantiate(await KernelInstance.compile(kernel), {
      send: (f) => board.toBoard.write(encodeSerialFrame(f.slice())), now: () => 0, random: () => 7, cellCall: () => 0,
      deliver: (_kind, _seq, src) => answers.push(src),
    });
    peer.init(PEER, 0);
    t.true(peer.call(node, 1, new Uint8Array([1, 2, 3])) >= 0);
    for (let i = 0; i < 200 && answers.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      for (const f of mesh.splice(0)) peer.onFrame(f);
    }
    t.deepEqual(answers, [node], 'the peer got the board\'s answer');
    t.deepEqual([...sources], [node], 'every mesh frame on the link is from the board\'s node');
    const begin = await link.request({ op: 'begin', slot: 1, species: 5, size: 100 }, 30_000);
    t.is(begin.status, 'storeError');
    await board.waitForLog(/store write refused: no RP2040 bootrom/, 5000);
    t.deepEqual(board.errors, [], 'no unaligned access or unmodelled register error');
  } finally {
    board.stop();
    link.close();
  }
});

test.serial('a stored kernel whose bytes no longer match its committed SHA-256 is not run (start-up check on the chip)', async (t) => {
  const missing = rp2040ToolchainMissing();
  if (missing) return t.fail(missing);
  const store = storeImage(planModules(builtFile('kernel.wasm'), []), RP2040_STORE_BYTES);
  store[4096 + 100]! ^= 0x01;
  const board = new Rp2040Emulation(flashWith(store));
  const link = new InstallLink(board.fromBoard, board.toBoard);
  try {
    board.start();
    await board.waitForLog(/^1 ready: no kernel; install frames only$/, 300_000);
    t.truthy(board.log.find((l) => /slot 0 not run: its SHA-256 differs/.test(l)));
    const info = await link.request({ op: 'info' }, 30_000);
    t.false(info.op === 'info' && info.info!.kernelRunning);
  } finally {
    board.stop();
    link.close();
  }
});

test.serial('cell flash --board rp2040 refuses what it cannot do, each with a clear message, before building anything', async (t) => {
  for (const [args, message] of [
    [['--board', 'rp2040', '--detach'], /--detach is for qemu-mps2-an386: for rp2040 cell flash writes a \.uf2/],
    [['--board', 'rp2040', 'no-such-cell'], /no cell no-such-cell/],
    [['--board', 'rp2040', 'echo', 'kv', 'exchange', 'echo', 'kv'], /a board holds at most 4 cells, got 5/],
  ] as const) {
    const e = await t.throwsAsync(run(process.execPath, [CLI, 'flash', ...args], { cwd: REPO_ROOT }));
    t.regex((e as Error & { stderr: string }).stderr, message);
  }
  const { stdout } = await run(process.execPath, [CLI, 'flash', '--help'], { cwd: REPO_ROOT });
  t.regex(stdout, /rp2040 \(writes a \.uf2 to\s+copy onto a Pico's\s+RPI-RP2\s+drive/);
  t.regex(stdout, /untested\s+on\s+hardware/);
});
