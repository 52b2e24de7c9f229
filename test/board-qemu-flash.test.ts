// `cell flash` on the emulated board (issue #14 scope 3): the image without modules boots in QEMU
// on a pty, takes the kernel and echo over the install protocol, checks their SHA-256, reboots
// (a system reset: the store in the top 1 MiB of flash survives it) and answers an echo call.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { armToolchainMissing, buildQemuImage } from '../host/board/build-qemu.ts';
import { flashModules, planModules } from '../host/board/flash-modules.ts';
import { InstallLink } from '../host/board/install-link.ts';
import { openPort, startQemuPty } from '../host/board/qemu-pty.ts';
import { KernelInstance } from '../host/runtime/kernel-instance.ts';
import { encodeCall } from '../host/sdk/call-codec.ts';
import { encodeSerialFrame, SerialDeframer } from '../host/wire/serial-framing.ts';
import { builtFile } from './fixtures/built.ts';

const PEER = 0x11223344;

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
    const echoSchema = JSON.parse(readFileSync(join('build', 'cells', 'echo.schema.json'), 'utf8')) as { speciesId: number; schema: Parameters<typeof encodeCall>[0] };
    const first = await link.request({ op: 'info' });
    t.false(first.op === 'info' && first.info!.kernelRunning, 'the image carries no module');
    const r = await flashModules(link, planModules(kernel, [{ name: 'echo', species: echoSchema.speciesId, bytes: builtFile('cells/echo.wasm') }]));
    t.true(r.info.kernelRunning);
    t.true(r.info.freeRam !== null && r.info.freeRam > 0 && r.info.freeRam < 1024 * 1024, `free RAM ${r.info.freeRam}`);
    t.true(log.some((l) => l.includes('ready: kernel running from the store')), log.join('\n'));
    let sent: Uint8Array | undefined;
    const peer = KernelInstance.instantiate(await KernelInstance.compile(kernel), {
      send: (fr) => (sent = fr.slice()), now: () => 0, random: () => 4, cellCall: () => 0, deliver: () => {},
    });
    peer.init(PEER, 0);
    t.true(peer.call(r.info.node, echoSchema.speciesId, encodeCall(echoSchema.schema, 'echo', ['over qemu'])) >= 0);
    const want = Buffer.from('over qemu');
    const reply = new Promise<Uint8Array>((resolve) => {
      const d = new SerialDeframer((f) => { if (Buffer.from(f).includes(want)) resolve(f); });
      port.on('data', (x: Buffer) => d.push(x));
    });
    port.write(encodeSerialFrame(sent!));
    t.is(peer.onFrame(await reply), 0, 'the peer kernel accepts the board\'s REPLY');
    t.is(peer.stats().repliesDelivered, 1);
  } finally {
    link.close();
    port.close();
    q.child.kill();
  }
});
