// `cell flash` on the emulated board (issue #14 scope 3): the image without modules boots in QEMU
// on a pty, takes the kernel and echo over the install protocol, checks their SHA-256, reboots
// (a system reset: the store in the top 1 MiB of flash survives it) and answers an echo call.
import test from 'ava';
import { armToolchainMissing, buildQemuImage } from '../host/board/build-qemu.ts';
import { flashModules, planModules } from '../host/board/flash-modules.ts';
import { InstallLink } from '../host/board/install-link.ts';
import { openPort, startQemuPty } from '../host/board/qemu-pty.ts';
import { builtFile } from './fixtures/built.ts';
import { echoOverSerial, echoSchema } from './fixtures/echo-call.ts';


test('qemu-mps2-an386: kernel + echo flashed over the pty, rebooted into, node id read, an echo call answered', async (t) => {
  const missing = armToolchainMissing();
  if (missing) return t.fail(missing);
  const image = buildQemuImage({ kernelPath: '', cellPaths: [], ramBytes: 1024 * 1024, serial: { wasm3StackBytes: 4096 }, tag: 'serial-test' });
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
