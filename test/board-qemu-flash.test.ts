// `cell flash` on the emulated board (issue #14 scope 3): the image without modules boots in QEMU
// on a pty, takes the kernel and echo over the install protocol, checks their SHA-256, reboots
// (a system reset: the store in the top 1 MiB of flash survives it) and answers an echo call; and
// echo fetched as a spore by the board's own kernel from a node on the pty (host/board/spore-install.ts).
import test from 'ava';
import { armToolchainMissing, buildQemuImage, qemuWasm3StackBytes } from '../host/board/build-qemu.ts';
import { flashModules, planModules } from '../host/board/flash-modules.ts';
import { InstallLink } from '../host/board/install-link.ts';
import { openPort, startQemuPty } from '../host/board/qemu-pty.ts';
import { builtFile } from './fixtures/built.ts';
import { echoOverSerial, echoSchema } from './fixtures/echo-call.ts';


test('qemu-mps2-an386: kernel + echo flashed over the pty, rebooted into, node id read, an echo call answered', async (t) => {
  const missing = armToolchainMissing();
  if (missing) return t.fail(missing);
  const image = buildQemuImage({ kernelPath: '', cellPaths: [], ramBytes: 1024 * 1024, serial: { wasm3StackBytes: qemuWasm3StackBytes() }, tag: 'serial-test' });
  const log: string[] = [];
  const q = await startQemuPty(image.elf, { onLog: (l) => log.push(l) });
  const port = await openPort(q.ptyPath);
  const link = new InstallLink(port, port);
  try {
    const kernel = builtFile('kernel.wasm');
    const first = await link.request({ op: 'info' });
    t.false(first.op === 'info' && first.info!.kernelRunning, 'the image carries no module');
    const r = await flashModules(link, planModules(kernel, [{ name: 'echo', species: echoSchema.speciesId, bytes: builtFile('cells/echo.wasm') }]));
    t.true(r.info.kernelRunning);
    t.true(r.info.freeRam !== null && r.info.freeRam > 0 && r.info.freeRam < 1024 * 1024, `free RAM ${r.info.freeRam}`);
    t.true(log.some((l) => l.includes('ready: kernel running from the store')), log.join('\n'));
    t.deepEqual(await echoOverSerial(port, port, r.info.node, 'over qemu'), { accepted: 0, delivered: 1 }, 'the peer kernel accepts the board\'s REPLY');
  } finally {
    link.close();
    port.close();
    q.child.kill();
  }
});

test('qemu-mps2-an386: echo fetched as a spore by the emulated board\'s kernel over UART0, its SHA-256 of the stored bytes the module\'s, hosted and answering, again after a reset; a host serving bad chunks installs nothing; a fetch cut off resumes', async (t) => {
  const missing = armToolchainMissing();
  if (missing) return t.fail(missing);
  const { cableNode, fetchOntoBoard, BoardFetchError } = await import('../host/board/spore-install.ts');
  const { SporeBytes } = await import('../host/runtime/spore-bytes.ts');
  const { CellNode } = await import('../host/runtime/cell-node.ts');
  const image = buildQemuImage({ kernelPath: '', cellPaths: [], ramBytes: 1024 * 1024, serial: { wasm3StackBytes: qemuWasm3StackBytes() }, tag: 'serial-test' });
  const log: string[] = [];
  const q = await startQemuPty(image.elf, { onLog: (l) => log.push(l) });
  const port = await openPort(q.ptyPath);
  const link = new InstallLink(port, port);
  const kernel = builtFile('kernel.wasm');
  const echo = builtFile('cells/echo.wasm');
  const spore = { name: 'echo', species: echoSchema.speciesId, module: echo };
  try {
    const r = await flashModules(link, planModules(kernel, []));
    const { CorruptSpores, CutOffTransport, RecordingSpores } = await import('./fixtures/spore-cable.ts');
    const bad = await cableNode(link, kernel, new CorruptSpores());
    try {
      const err = await t.throwsAsync(fetchOntoBoard(link, { nodeId: bad.node.nodeId, spores: bad.spores }, spore), { instanceOf: BoardFetchError });
      t.true((err as InstanceType<typeof BoardFetchError>).report!.badChunks >= 1);
    } finally {
      await bad.node.close();
    }
    // The cable goes quiet after 5 chunks: the board gives the holder up and keeps those 5.
    const first = new SporeBytes();
    const quiet = await CellNode.create({ nodeId: 0xcab1e5f1, kernelWasm: kernel, transports: [new CutOffTransport(link, 5)], spores: first, config: { announceIntervalMs: 0, probeIntervalMs: 0 } });
    try {
      const err = await t.throwsAsync(fetchOntoBoard(link, { nodeId: quiet.nodeId, spores: first }, spore), { instanceOf: BoardFetchError });
      t.is((err as InstanceType<typeof BoardFetchError>).report!.held, 5);
    } finally {
      await quiet.close();
    }
    const { node, spores } = await cableNode(link, kernel, new RecordingSpores());
    try {
      const f = await fetchOntoBoard(link, { nodeId: node.nodeId, spores }, spore);
      t.is(f.resumed, 5, 'the fetch resumed from the chunks the cut-off one wrote');
      // Every missing chunk asked of the second host, none of the five (a slow answer may be asked twice).
      const total = Math.ceil(echo.length / 1024);
      t.deepEqual([...new Set((spores as InstanceType<typeof RecordingSpores>).asked)].sort((a, b) => a - b), Array.from({ length: total - 5 }, (_, i) => i + 5));
      t.is(f.chunksRx, Math.ceil(echo.length / 1024));
      t.is(f.slot, 1);
    } finally {
      await node.close();
    }
    t.true(log.some((l) => l.includes('module fetched, stored and hosted')), log.join('\n'));
    t.deepEqual(await echoOverSerial(port, port, r.info.node, 'fetched on qemu'), { accepted: 0, delivered: 1 });
    // After a reboot the fetched cell starts from the store like an uploaded one.
    t.is((await link.request({ op: 'reboot' })).status, 'ok');
    const { waitForKernel } = await import('../host/board/flash-modules.ts');
    const again = await waitForKernel(link); // a reset draws a new node id on this board
    t.deepEqual(await echoOverSerial(port, port, again.node, 'after reboot'), { accepted: 0, delivered: 1 });
  } finally {
    link.close();
    port.close();
    q.child.kill();
  }
});
