// A board receives a cell as a spore fetched by its own kernel over the serial link (issue #14,
// #13 scope 3): the posix board (wasm3, the mcu kernel) on one end of a real pty pair, the host on
// the other with a node that serves the module. The kernel is flashed over the install protocol
// first (it cannot fetch before it runs); then FETCH, and the board's kernel asks for the chunks,
// checks each against the chunk root with hal.hash (as-sha256 under wasm3), writes them into a
// store slot, checks the whole module's SHA-256, commits and hosts it.
import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SerialPort } from 'serialport';
import { buildPosixBoard } from '../host/board/build-runtime.ts';
import { InstallLink } from '../host/board/install-link.ts';
import { InstallLinkTransport } from '../host/board/install-link-transport.ts';
import { flashModules } from '../host/board/flash-modules.ts';
import { cableNode, fetchOntoBoard, flashKernelAndSpores, BoardFetchError, CABLE_NODE } from '../host/board/spore-install.ts';
import { openPort } from '../host/board/qemu-pty.ts';
import { CellNode } from '../host/runtime/cell-node.ts';
import { SporeBytes } from '../host/runtime/spore-bytes.ts';
import { openPtyPair, type PtyPair } from '../bench/pty-pair.ts';
import { encodeCall, decodeReply } from '../host/sdk/call-codec.ts';
import { builtFile } from './fixtures/built.ts';
import { waitUntil } from './fixtures/wait-until.ts';
import { echoSchema, serialCaller } from './fixtures/echo-call.ts';
import { CorruptSpores, CutOffTransport, RecordingSpores } from './fixtures/spore-cable.ts';

const BOARD = 0xb0a5f001;
const kernel = builtFile('kernel.wasm');
const hostKernel = builtFile('kernel.wasm');
const echo = builtFile('cells/echo.wasm');
const SLOT_BYTES = 208896; // a 1 MiB store (docs/boards.md, Module store)

interface Rig { pty: PtyPair; board: ChildProcess; port: SerialPort; link: InstallLink; store: string; log: () => string }

async function rig(): Promise<Rig> {
  const store = join(mkdtempSync(join(tmpdir(), 'cell-spore-board-')), 'store.bin');
  const pty = await openPtyPair();
  const fd = openSync(pty.a, 'r+');
  const board = spawn(buildPosixBoard(), ['--store', store, '--node', String(BOARD)], { stdio: [fd, fd, 'pipe'] });
  let log = '';
  board.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const port = await openPort(pty.b);
  return { pty, board, port, link: new InstallLink(port, port), store, log: () => log };
}

async function close(r: Rig): Promise<void> {
  r.link.close();
  r.board.kill();
  await new Promise<void>((res) => r.port.close(() => res()));
  await r.pty.close();
}

/** The bytes the board wrote into store slot `slot` (the posix board's flash is the file). */
function stored(r: Rig, slot: number, size: number): Uint8Array {
  return new Uint8Array(readFileSync(r.store)).subarray(4096 + slot * SLOT_BYTES, 4096 + slot * SLOT_BYTES + size);
}

async function echoCall(r: Rig, text: string) {
  const call = await serialCaller(r.port, r.port, BOARD, 0x5eed0000 + text.length);
  const a = await call(echoSchema.speciesId, encodeCall(echoSchema.schema, 'echo', [text]));
  return a.kind === 'reply' ? decodeReply(echoSchema.schema, 'echo', a.payload) : { error: Buffer.from(a.payload).toString('latin1') };
}

test('a cell fetched by the board\'s kernel arrives byte-exact, is stored, hosted and answers a call', async (t) => {
  const r = await rig();
  try {
    const res = await flashKernelAndSpores(r.link, kernel, [{ name: 'echo', species: echoSchema.speciesId, module: echo }], hostKernel);
    t.true(res.info.kernelRunning);
    const f = res.modules[1]!.fetch!;
    t.is(f.slot, 1);
    t.is(f.resumed, 0);
    t.is(f.chunksRx, Math.ceil(echo.length / 1024), 'every chunk verified by the board kernel once');
    t.is(f.badChunks, 0);
    t.true(f.served >= Math.ceil(echo.length / 1024), 'the cable node served every chunk (a slow answer may be asked twice)');
    t.deepEqual(Buffer.from(stored(r, 1, echo.length)), Buffer.from(echo));
    // stderr is its own pipe: the fetch's answer on the line may be read before this log line.
    await waitUntil(() => /module fetched, stored and hosted/.test(r.log()), 'the board to log the hosted module');
    t.deepEqual(await echoCall(r, 'fetched'), 'fetched');
  } finally {
    await close(r);
  }
});

test('the board is a mirror: a host node fetches the stored cell back from the board\'s kernel', async (t) => {
  const r = await rig();
  try {
    await flashKernelAndSpores(r.link, kernel, [{ name: 'echo', species: echoSchema.speciesId, module: echo }], hostKernel);
    // A second node on the cable, holding nothing, asks the board for the module.
    const spores = new SporeBytes();
    const node = await CellNode.create({ nodeId: 0x0fe7c400, kernelWasm: hostKernel, transports: [new InstallLinkTransport(r.link)], spores, config: { announceIntervalMs: 0, probeIntervalMs: 0 } });
    try {
      const { chunkRoot } = await import('../host/spore/chunk-tree.ts');
      const { createHash } = await import('node:crypto');
      const got = await node.fetchSpore({ species: echoSchema.speciesId, hash: new Uint8Array(createHash('sha256').update(echo).digest()), root: chunkRoot(echo), size: echo.length, hints: [BOARD] });
      t.deepEqual(Buffer.from(got), Buffer.from(echo));
      t.is(node.stats().kernel.sporeBadChunks, 0);
    } finally {
      await node.close();
    }
  } finally {
    await close(r);
  }
});

test('a host that serves a bad chunk: the board counts it, gives the holder up and installs nothing', async (t) => {
  const r = await rig();
  try {
    await flashModules(r.link, [{ name: 'kernel', slot: 0, species: 0, bytes: kernel }]);
    const { node, spores } = await cableNode(r.link, hostKernel, new CorruptSpores());
    try {
      const err = await t.throwsAsync(fetchOntoBoard(r.link, { nodeId: node.nodeId, spores }, { name: 'echo', species: echoSchema.speciesId, module: echo }), { instanceOf: BoardFetchError });
      t.regex(err!.message, /no holder left/);
      t.true((err as BoardFetchError).report!.badChunks >= 1, 'the board kernel counted the bad chunk');
      t.is((err as BoardFetchError).report!.held, 0, 'no bad chunk was written');
    } finally {
      await node.close();
    }
    const l = await r.link.request({ op: 'list' });
    t.deepEqual(l.op === 'list' && l.modules!.map((m) => m.slot), [0], 'only the kernel is stored');
    const a = await echoCall(r, 'x');
    t.regex((a as { error: string }).error, /species/, 'the echo call is answered UNKNOWN_SPECIES: nothing was hosted');
  } finally {
    await close(r);
  }
});

test('a fetch cut off fails without committing, and the next fetch of the module asks only for the chunks missing', async (t) => {
  const r = await rig();
  try {
    await flashModules(r.link, [{ name: 'kernel', slot: 0, species: 0, bytes: kernel }]);
    const total = Math.ceil(echo.length / 1024);
    const first = new SporeBytes();
    const cut = new CutOffTransport(r.link, 5);
    const n1 = await CellNode.create({ nodeId: CABLE_NODE, kernelWasm: hostKernel, transports: [cut], spores: first, config: { announceIntervalMs: 0, probeIntervalMs: 0 } });
    const spore = { name: 'echo', species: echoSchema.speciesId, module: echo };
    try {
      const err = await t.throwsAsync(fetchOntoBoard(r.link, { nodeId: n1.nodeId, spores: first }, spore), { instanceOf: BoardFetchError });
      t.is((err as BoardFetchError).report!.held, 5, 'the five chunks that arrived are kept');
      t.is((err as BoardFetchError).report!.why, 'noHolder');
    } finally {
      await n1.close();
    }
    const l = await r.link.request({ op: 'list' });
    t.deepEqual(l.op === 'list' && l.modules!.map((m) => m.slot), [0], 'nothing committed');
    const { node, spores } = await cableNode(r.link, hostKernel, new RecordingSpores());
    try {
      const f = await fetchOntoBoard(r.link, { nodeId: node.nodeId, spores }, spore);
      t.is(f.resumed, 5);
      // The second host is asked for every missing chunk and for none of the five (a slow answer may be asked twice).
      t.deepEqual([...new Set((spores as RecordingSpores).asked)].sort((a, b) => a - b), Array.from({ length: total - 5 }, (_, i) => i + 5));
      t.deepEqual(Buffer.from(stored(r, f.slot, echo.length)), Buffer.from(echo));
    } finally {
      await node.close();
    }
    t.deepEqual(await echoCall(r, 'resumed'), 'resumed');
  } finally {
    await close(r);
  }
});

test('FETCH refusals: a species already held, and no kernel running', async (t) => {
  const r = await rig();
  try {
    const hash = new Uint8Array(32);
    const none = await r.link.request({ op: 'fetch', species: 1, size: 100, hash, root: hash, holder: CABLE_NODE });
    t.is(none.status, 'noKernel');
    await flashKernelAndSpores(r.link, kernel, [{ name: 'echo', species: echoSchema.speciesId, module: echo }], hostKernel);
    const again = await r.link.request({ op: 'fetch', species: echoSchema.speciesId, size: echo.length, hash, root: hash, holder: CABLE_NODE });
    t.is(again.status, 'speciesHeld');
    const big = await r.link.request({ op: 'fetch', species: 7, size: SLOT_BYTES, hash, root: hash, holder: CABLE_NODE });
    t.is(big.status, 'tooLarge', 'a module whose chunk tree would not fit beside it in a slot');
  } finally {
    await close(r);
  }
});

test('a slot erased after a cut-off fetch loses its chunks: the next fetch asks for all of them', async (t) => {
  const r = await rig();
  try {
    await flashModules(r.link, [{ name: 'kernel', slot: 0, species: 0, bytes: kernel }]);
    const spore = { name: 'echo', species: echoSchema.speciesId, module: echo };
    const first = new SporeBytes();
    const n1 = await CellNode.create({ nodeId: CABLE_NODE, kernelWasm: hostKernel, transports: [new CutOffTransport(r.link, 3)], spores: first, config: { announceIntervalMs: 0, probeIntervalMs: 0 } });
    let slot = 0;
    try {
      const err = await t.throwsAsync(fetchOntoBoard(r.link, { nodeId: n1.nodeId, spores: first }, spore), { instanceOf: BoardFetchError });
      slot = (err as BoardFetchError).report!.slot;
      t.is((err as BoardFetchError).report!.held, 3);
    } finally {
      await n1.close();
    }
    t.is((await r.link.request({ op: 'erase', slot })).status, 'ok');
    const { node, spores } = await cableNode(r.link, hostKernel, new RecordingSpores());
    try {
      const f = await fetchOntoBoard(r.link, { nodeId: node.nodeId, spores }, spore);
      t.is(f.resumed, 0);
      t.is(new Set((spores as RecordingSpores).asked).size, Math.ceil(echo.length / 1024), 'every chunk asked again');
    } finally {
      await node.close();
    }
  } finally {
    await close(r);
  }
});
