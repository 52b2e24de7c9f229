// `cell flash --board <board> [cells...]`: builds the board's image (QEMU: without modules), starts
// it, pushes the kernel over the install protocol (host/board/flash-modules.ts), checks the board's
// SHA-256, reboots it into that kernel, then has the board's kernel fetch each cell as a spore from a
// node this host runs on the cable (host/board/spore-install.ts), and reads the board's node id and
// free RAM. A cell given
// as a .spore is verified on this host first, as `cell run` verifies one (spore-loading.ts): the
// board checks integrity (the SHA-256 of what it stored), its paired host authenticity (docs/boards.md, Trust).
import type { Command } from 'commander';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { InstallLink } from '../board/install-link.ts';
import { BUILD_DIR, REPO_ROOT } from '../build/paths.ts';
import type { TrustStore } from '../spore/trust.ts';

const NOT_BUILT: Record<string, string> = {
  'esp32-s3': 'esp32-s3: not built here. Flashing it needs an ESP-IDF build of boards/runtime and esptool-js with the device on a USB port; neither exists in this repository yet (docs/boards.md, "Not done")',
  'raspberry-pi-4': 'raspberry-pi-4 runs the host runtime (`cell run`), not a board image: there is nothing to flash',
};

interface FlashOpts { board: string; kernel: string; store?: string; port?: string; detach?: boolean; ram?: string; json?: boolean; quiet?: boolean; cellsDir: string; trust?: string[]; config?: string; out?: string }

/** What a verified spore installed: its authority and validity, for the report. */
interface SporeOrigin { file: string; hash: string; authority: string; trustedVia: string; revision: number; expires: string }

interface FlashCell { name: string; species: number; bytes: Uint8Array; root?: Uint8Array; spore?: SporeOrigin }

/** A cell given as a name (looked up in --cells-dir) or a .wasm path; its species from <name>.schema.json beside it. */
function readCell(arg: string, dir: string): FlashCell {
  const wasm = arg.endsWith('.wasm') ? resolve(arg) : join(resolve(dir), `${arg}.wasm`);
  const schema = wasm.replace(/\.wasm$/, '.schema.json');
  if (!existsSync(wasm)) throw new Error(`no cell ${arg}: ${wasm} does not exist (build it: npx cell build firmware/cells/${basename(arg, '.wasm')})`);
  if (!existsSync(schema)) throw new Error(`no schema beside ${wasm}: ${schema} (cell build writes it; the species id comes from it)`);
  const s = JSON.parse(readFileSync(schema, 'utf8')) as { speciesId?: unknown };
  if (typeof s.speciesId !== 'number') throw new Error(`${schema} has no speciesId`);
  return { name: basename(wasm, '.wasm'), species: s.speciesId, bytes: readFileSync(wasm) };
}

/** A .spore verified under `trust` (the checks of `cell run`); its module is what the board stores, its manifest names the species. */
async function readSporeCell(file: string, trust: TrustStore): Promise<FlashCell> {
  const { readVerifiedSpore, SporeRefusedError } = await import('./spore-loading.ts');
  const { iso } = await import('../spore/verify-spore.ts');
  try {
    const { spore, learnt } = await readVerifiedSpore(file, trust);
    if (learnt) console.error(learnt);
    const m = spore.manifest;
    return {
      name: m.name, species: m.speciesId, bytes: spore.module, root: m.chunkRoot,
      spore: { file, hash: spore.hash, authority: Buffer.from(m.authority).toString('hex'), trustedVia: spore.trustedVia, revision: m.revision, expires: iso(m.expiresAt) },
    };
  } catch (err) {
    if (!(err instanceof SporeRefusedError)) throw err;
    const none = trust.isEmpty && err.reason === 'untrusted-authority' ? ' No --trust and no [trust] list were given: cell flash installs no spore without one.' : '';
    throw new Error(`${err.message}.${none} Nothing was sent to the board.`);
  }
}

export function registerFlash(program: Command): void {
  program
    .command('flash')
    .description('install the mcu kernel and cells into a board over its serial link (install protocol, docs/boards.md); the board checks each module\'s SHA-256. A .spore is verified on this host first, as cell run does (signature, module hash, expiry, trusted authority): if any is refused, nothing is sent. Boards: qemu-mps2-an386 (emulated, started here), posix (the board runtime as a process, --store FILE as its flash), rp2040 (writes a .uf2 to copy onto a Pico\'s RPI-RP2 drive, checked first in the rp2040js emulator; or, with --port, installs over the serial link of a Pico already running that image; untested on hardware)')
    .argument('[cells...]', 'cells to install (at most 4): names in --cells-dir, .wasm paths (local build outputs, not signed), or signed .spore files (installed only if their authority is given with --trust or [trust] in --config)')
    .requiredOption('--board <board>', 'qemu-mps2-an386, posix or rp2040 (esp32-s3: not built here)')
    .option('--kernel <file>', 'the mcu kernel', 'build/kernel.wasm')
    .option('--cells-dir <dir>', 'where cell names are looked up', 'build/cells')
    .option('--trust <key...>', 'authority public keys whose spores may be installed (64 hex digits, or a FILE.pub), as cell run takes them')
    .option('--config <file>', 'node config (TOML) whose [trust] table lists trusted (and revoked) authorities, as cell run reads it')
    .option('--store <file>', 'posix board: the file that stands for its flash (created if missing)')
    .option('--port <path>', 'a board already running on this serial device or pty (e.g. one started with --detach); nothing is started')
    .option('--ram <bytes>', 'qemu-mps2-an386: the image\'s RAM cap (default: the board profile\'s)')
    .option('--out <file>', 'rp2040: where the .uf2 goes', 'build/board/rp2040/cell-rp2040.uf2')
    .option('--detach', 'keep the board running after flashing: writes build/board/<board>.pid and prints its serial path')
    .option('--json', 'print the result as JSON')
    .option('-q, --quiet', 'no progress bar')
    .action(async (cellArgs: string[], o: FlashOpts) => {
      if (NOT_BUILT[o.board]) throw new Error(NOT_BUILT[o.board]);
      if (o.board !== 'posix' && o.board !== 'qemu-mps2-an386' && o.board !== 'rp2040') {
        const { boardNames } = await import('../runtime/board-profile.ts');
        throw new Error(`unknown board "${o.board}"; cell flash knows qemu-mps2-an386, posix and rp2040 (profiles: ${(await boardNames()).join(', ')})`);
      }
      if (o.board === 'rp2040' && o.detach) throw new Error('--detach is for qemu-mps2-an386: for rp2040 cell flash writes a .uf2 (or, with --port, installs into a running Pico)');
      if (o.board === 'posix' && !o.store && !o.port) throw new Error('--board posix needs --store FILE (the file that stands for its flash)');
      if (o.board === 'posix' && o.detach) throw new Error('--detach is for qemu-mps2-an386: the posix board runs on its parent\'s stdin/stdout; run build/board/posix/cell-board --store FILE yourself');
      if (!existsSync(o.kernel)) throw new Error(`no kernel at ${o.kernel} (npm run build makes it)`);
      // Every spore is verified before a board is built, started or opened: a refused one sends nothing.
      // The trust inputs are read whenever given, so a mistake in them stops the flash even without a spore.
      let trust: TrustStore | undefined;
      if (o.trust || o.config || cellArgs.some((c) => c.endsWith('.spore'))) {
        const { trustStoreOf } = await import('./spore-loading.ts');
        const { readNodeConfig, parseNodeConfig } = await import('../runtime/node-config.ts');
        trust = await trustStoreOf(o.trust ?? [], (o.config ? await readNodeConfig(o.config) : parseNodeConfig('')).trust);
      }
      const cells: FlashCell[] = [];
      for (const c of cellArgs) {
        if (!c.endsWith('.spore')) {
          cells.push(readCell(c, o.cellsDir));
          continue;
        }
        if (!existsSync(c)) throw new Error(`no spore ${c}: the file does not exist (cell build --sign KEY writes NAME.spore beside the .wasm)`);
        cells.push(await readSporeCell(c, trust!));
      }
      const { planModules } = await import('../board/flash-modules.ts');
      const modules = planModules(readFileSync(o.kernel), cells.map(({ name, species, bytes }) => ({ name, species, bytes })));
      if (o.board === 'rp2040' && !o.port) {
        const { flashRp2040Uf2 } = await import('./flash-rp2040.ts');
        const r = await flashRp2040Uf2(modules, resolve(o.out!), (line) => { if (!o.quiet && !o.json) process.stderr.write(`${line}\n`); });
        if (o.json) { console.log(JSON.stringify(r, null, 2)); return; }
        for (const m of r.modules) console.log(`slot ${m.slot} ${m.name}: ${m.size} bytes, sha256 ${m.sha256}${r.emulator ? ' (checked by the emulated board)' : ''}`);
        if (r.emulator) console.log(`emulated rp2040: kernel running, node ${r.emulator.node}, free RAM ${r.emulator.freeRamBytes} bytes (rp2040js; a Pico draws its own node id from its ring oscillator)`);
        console.log(`wrote ${r.uf2} (${r.uf2Bytes} bytes: the ${r.imageBytes}-byte runtime image and a ${r.storeBytes}-byte module store)`);
        console.log('copy it onto the RPI-RP2 drive (hold BOOTSEL while plugging the Pico in). The link is UART0 (GPIO0 TX, GPIO1 RX) at 921600 baud, the log UART1 (GPIO4 TX); not tested on a real Pico.');
        return;
      }
      const { InstallLink: Link } = await import('../board/install-link.ts');

      let link: InstallLink;
      let serialPath = o.port;
      let stop: () => void = () => {};
      let pid: number | undefined;
      const boardLog: string[] = [];
      if (o.port) {
        const { openPort } = await import('../board/qemu-pty.ts');
        const port = await openPort(o.port);
        link = new Link(port, port);
        stop = () => port.close();
      } else if (o.board === 'posix') {
        const { buildPosixBoard } = await import('../board/build-runtime.ts');
        const { spawn } = await import('node:child_process');
        const child = spawn(buildPosixBoard(), ['--store', resolve(o.store!)], { stdio: ['pipe', 'pipe', 'pipe'] });
        child.stderr.on('data', (d: Buffer) => boardLog.push(...d.toString().trim().split('\n')));
        child.stdin.on('error', () => {});
        link = new Link(child.stdout, child.stdin);
        pid = child.pid;
        stop = () => { child.stdin.end(); child.kill(); };
      } else {
        const { armToolchainMissing, buildQemuImage, flashFitError } = await import('../board/build-qemu.ts');
        const missing = armToolchainMissing();
        if (missing) throw new Error(missing);
        const profile = JSON.parse(readFileSync(join(REPO_ROOT, 'boards', `${o.board}.json`), 'utf8')) as { ramBytes: number; flashBytes: number; wasm3StackBytes: number };
        const ram = o.ram === undefined ? profile.ramBytes : Number(o.ram);
        if (!Number.isInteger(ram) || ram < 64 * 1024 || ram > profile.ramBytes) throw new Error(`--ram must be an integer 65536..${profile.ramBytes}, not "${o.ram}"`);
        const image = buildQemuImage({ kernelPath: '', cellPaths: [], ramBytes: ram, serial: { wasm3StackBytes: profile.wasm3StackBytes }, tag: `serial-${ram}` });
        const tooLarge = flashFitError(image.flashBytes, profile.flashBytes);
        if (tooLarge) throw new Error(tooLarge);
        const { startQemuPty, openPort } = await import('../board/qemu-pty.ts');
        const logFile = o.detach ? join(BUILD_DIR, 'board', `${o.board}.log`) : undefined;
        const q = await startQemuPty(image.elf, { detached: o.detach, logFile, onLog: (l) => boardLog.push(l) });
        const port = await openPort(q.ptyPath);
        link = new Link(port, port);
        serialPath = q.ptyPath;
        pid = q.child.pid;
        stop = () => { port.close(); if (!o.detach) q.child.kill(); };
        if (o.detach) q.child.unref();
        if (!o.quiet && !o.json) process.stderr.write(`${o.board}: image ${image.flashBytes} bytes of flash, RAM cap ${ram}; QEMU on ${q.ptyPath}\n`);
      }

      const { createProgress } = await import('./progress.ts');
      let bar: ReturnType<typeof createProgress> | undefined;
      let sent = 0;
      let total = 0;
      let r0 = 0;
      try {
        const started = Date.now();
        const { flashKernelAndSpores } = await import('../board/spore-install.ts');
        // One bar per module: the kernel's upload, then each cell's fetch by the board's kernel.
        let label = 'kernel';
        const kernelBytes = readFileSync(o.kernel);
        const r = await flashKernelAndSpores(link, kernelBytes, cells.map((c) => ({ name: c.name, species: c.species, module: c.bytes, root: c.root })), kernelBytes, {
          start: (n) => { total += n; sent = 0; bar = createProgress({ total: n, label, unit: ' bytes', quiet: Boolean(o.quiet || o.json) }); },
          advance: (n) => { sent += n; bar?.update(sent); },
          stop: () => { bar?.stop(); label = cells[r0++]?.name ?? 'fetch'; },
        });
        const origin = (name: string) => cells.find((c) => c.name === name)?.spore;
        const result = {
          board: o.board, serial: serialPath ?? null, pid: o.detach ? pid : undefined, node: r.info.node.toString(16).padStart(8, '0'), freeRamBytes: r.info.freeRam, storeBytes: r.info.storeBytes, bytes: total, ms: Date.now() - started,
          modules: r.modules.map((m) => ({ name: m.name, slot: m.slot, size: m.size, sha256: m.sha256, spore: m.slot > 0 ? origin(m.name) ?? null : null, fetchedBy: m.slot > 0 ? 'board kernel' : 'install protocol' })),
        };
        if (o.detach && pid !== undefined) {
          const pidFile = join(BUILD_DIR, 'board', `${o.board}.pid`);
          mkdirSync(dirname(pidFile), { recursive: true });
          writeFileSync(pidFile, `${pid}\n`);
        }
        if (o.json) console.log(JSON.stringify(result, null, 2));
        else {
          for (const m of result.modules) {
            console.log(`slot ${m.slot} ${m.name}: ${m.size} bytes, sha256 ${m.sha256} (${m.slot > 0 ? 'fetched as a spore by the board\'s kernel, ' : ''}checked by the board)`);
            if (m.spore) console.log(`  from ${m.spore.file}: signature verified here, authority ${m.spore.authority} (${m.spore.trustedVia}), revision ${m.spore.revision}, valid until ${m.spore.expires}`);
          }
          console.log(`node ${result.node}, free RAM ${r.info.freeRam === null ? 'not known on this board' : `${r.info.freeRam} bytes`}, ${total} bytes in ${result.ms} ms`);
          if (o.detach) console.log(`board running (pid ${pid}, build/board/${o.board}.pid, its log build/board/${o.board}.log); serial ${serialPath}: cell gateway --serial ${serialPath}`);
        }
      } catch (err) {
        const tail = boardLog.slice(-5).join('\n  ');
        throw new Error(`${(err as Error).message}${tail ? `\n  board log:\n  ${tail}` : ''}`);
      } finally {
        link.close();
        stop();
      }
    });
}
