// What installing a cell as a spore fetched by the board's own kernel costs the QEMU board's heap,
// beside the install protocol's upload of the same cell: `npx tsx bench/board-spore-ram.ts`.
// The serial-mode image (RAM cap 1 MiB, as bench/board-flash.ts) is booted twice:
//   upload: kernel + echo over BEGIN/CHUNK/COMMIT, reboot (both hashed at start-up, then run);
//   spore:  the kernel alone over BEGIN/CHUNK/COMMIT, reboot, then echo fetched by the running
//           kernel from a node on the cable (FETCH: hasher held open for the fetch, chunks into
//           flash, the module's SHA-256, its chunk tree, then the cell instantiated and hosted).
// INFO's free RAM is the heap the high-water mark never reached (core/bare-metal.c), so the
// difference between the two boots is what the spore path adds to the peak. One echo call is
// answered on each before the last reading. Also: how long the fetch took.
// With --hunt: the smallest RAM cap (linker script, 4 KiB steps between 192 KiB and 1 MiB) at
// which each path gets echo running and answering one call, as the RAM hunt of docs/boards.md.
import { readFileSync } from 'node:fs';
import { buildQemuImage } from '../host/board/build-qemu.ts';
import { InstallLink } from '../host/board/install-link.ts';
import { openPort, startQemuPty } from '../host/board/qemu-pty.ts';
import { flashModules, planModules } from '../host/board/flash-modules.ts';
import { cableNode, fetchOntoBoard } from '../host/board/spore-install.ts';
import { encodeCall, decodeReply } from '../host/sdk/call-codec.ts';

const RAM = Number(process.env.RAM ?? 1024 * 1024);
const imageFor = (ram: number) => buildQemuImage({ kernelPath: '', cellPaths: [], ramBytes: ram, serial: { wasm3StackBytes: 4096 }, tag: `serial-${ram}` });
let image = imageFor(RAM);
const kernel = readFileSync('build/kernel.wasm');
const echo = readFileSync('build/cells/echo.wasm');
const schema = JSON.parse(readFileSync('build/cells/echo.schema.json', 'utf8')) as { speciesId: number; schema: Parameters<typeof encodeCall>[0] };

async function boot<T>(run: (link: InstallLink, free: () => Promise<number>) => Promise<T>): Promise<T> {
  const q = await startQemuPty(image.elf);
  const port = await openPort(q.ptyPath);
  const link = new InstallLink(port, port);
  const free = () => link.freeRam();
  try {
    return await run(link, free);
  } finally {
    link.close();
    port.close();
    q.child.kill();
  }
}

/** One echo call from a node on the cable; the reply's text. */
async function echoOnce(link: InstallLink, board: number): Promise<string> {
  const { node } = await cableNode(link, kernel, undefined, 0x5eed0001);
  try {
    const a = await node.call(schema.speciesId, encodeCall(schema.schema, 'echo', ['ram']), board);
    if (a.kind !== 'reply') throw new Error(`the echo call failed: ${Buffer.from(a.payload).toString('latin1')}`);
    return decodeReply(schema.schema, 'echo', a.payload) as string;
  } finally {
    await node.close();
  }
}

async function uploadPath() {
  return boot(async (link, free) => {
    const r = await flashModules(link, planModules(kernel, [{ name: 'echo', species: schema.speciesId, bytes: echo }]));
    const booted = await free();
    await echoOnce(link, r.info.node);
    return { freeAfterBoot: booted, freeAfterCall: await free() };
  });
}

async function sporePath() {
  return boot(async (link, free) => {
    const r = await flashModules(link, planModules(kernel, []));
    const kernelOnly = await free();
    const { node, spores } = await cableNode(link, kernel);
    const t0 = Date.now();
    let f;
    try {
      f = await fetchOntoBoard(link, { nodeId: node.nodeId, spores }, { name: 'echo', species: schema.speciesId, module: echo }, { stallMs: 5000 });
    } finally {
      await node.close();
    }
    const fetchMs = Date.now() - t0;
    const fetched = await free();
    await echoOnce(link, r.info.node);
    return { freeKernelOnly: kernelOnly, freeAfterFetch: fetched, freeAfterCall: await free(), fetchMs, chunks: f.chunksRx, badChunks: f.badChunks };
  });
}

/** Whether `run` completes on an image capped at `ram` bytes (a board out of heap fails or stops answering). */
async function passes(ram: number, run: () => Promise<unknown>): Promise<boolean> {
  image = imageFor(ram);
  const limit = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer in 60 s')), 60_000).unref());
  try {
    await Promise.race([run(), limit]);
    return true;
  } catch {
    return false;
  }
}

async function hunt(run: () => Promise<unknown>): Promise<number> {
  let lo = 192 * 1024, hi = 1024 * 1024; // lo fails (checked below), hi passes
  if (await passes(lo, run)) return lo;
  while (hi - lo > 4096) {
    const mid = lo + Math.floor((hi - lo) / 2 / 4096) * 4096;
    if (await passes(mid, run)) hi = mid;
    else lo = mid;
  }
  return hi;
}

if (process.argv.includes('--hunt')) {
  const uploadRamBytes = await hunt(uploadPath);
  const sporeRamBytes = await hunt(sporePath);
  console.log(JSON.stringify({ uploadRamBytes, sporeRamBytes, sporeOverUploadBytes: sporeRamBytes - uploadRamBytes }, null, 2));
} else {
  const upload = await uploadPath();
  const spore = await sporePath();
  console.log(JSON.stringify({
    ramCapBytes: RAM,
    echoBytes: echo.length,
    upload,
    spore,
    // What the spore path adds to the heap's high-water mark over the upload path, kernel + echo, after one call.
    sporePeakOverUploadBytes: upload.freeAfterCall - spore.freeAfterCall,
    // What the fetch and hosting took above the running kernel's own peak.
    fetchOverKernelBytes: spore.freeKernelOnly - spore.freeAfterFetch,
  }, null, 2));
}
