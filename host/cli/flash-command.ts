// `cell flash --board <board> [cells...]`: builds the board's image (QEMU: without modules), starts
// it, pushes the kernel and the chosen cells over the install protocol (host/board/flash-modules.ts),
// checks the board's SHA-256 of each, reboots it and reads its node id and free RAM.
import type { Command } from 'commander';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { InstallLink } from '../board/install-link.ts';
import { BUILD_DIR, REPO_ROOT } from '../build/paths.ts';

const NOT_BUILT: Record<string, string> = {
  'esp32-s3': 'esp32-s3: not built here. Flashing it needs an ESP-IDF build of boards/runtime and esptool-js with the device on a USB port; neither exists in this repository yet (docs/boards.md, "Not done")',
  'raspberry-pi-4': 'raspberry-pi-4 runs the host runtime (`cell run`), not a board image: there is nothing to flash',
};

interface FlashOpts { board: string; kernel: string; store?: string; port?: string; detach?: boolean; ram?: string; json?: boolean; quiet?: boolean; cellsDir: string }

/** A cell given as a name (looked up in --cells-dir) or a .wasm path; its species from <name>.schema.json beside it. */
function readCell(arg: string, dir: string): { name: string; species: number; bytes: Uint8Array } {
  const wasm = arg.endsWith('.wasm') ? resolve(arg) : join(resolve(dir), `${arg}.wasm`);
  const schema = wasm.replace(/\.wasm$/, '.schema.json');
  if (!existsSync(wasm)) throw new Error(`no cell ${arg}: ${wasm} does not exist (build it: npx cell build firmware/cells/${basename(arg, '.wasm')})`);
  if (!existsSync(schema)) throw new Error(`no schema beside ${wasm}: ${schema} (cell build writes it; the species id comes from it)`);
  const s = JSON.parse(readFileSync(schema, 'utf8')) as { speciesId?: unknown };
  if (typeof s.speciesId !== 'number') throw new Error(`${schema} has no speciesId`);
  return { name: basename(wasm, '.wasm'), species: s.speciesId, bytes: readFileSync(wasm) };
}

export function registerFlash(program: Command): void {
  program
    .command('flash')
    .description('install the mcu kernel and cells into a board over its serial link (install protocol, docs/boards.md); boards: qemu-mps2-an386 (emulated, started here), posix (the board runtime as a process, --store FILE as its flash)')
    .argument('[cells...]', 'cells to install (at most 4): names in --cells-dir or .wasm paths')
    .requiredOption('--board <board>', 'qemu-mps2-an386 or posix (esp32-s3: not built here)')
    .option('--kernel <file>', 'the mcu kernel', 'build/kernel.wasm')
    .option('--cells-dir <dir>', 'where cell names are looked up', 'build/cells')
    .option('--store <file>', 'posix board: the file that stands for its flash (created if missing)')
    .option('--port <path>', 'a board already running on this serial device or pty (e.g. one started with --detach); nothing is started')
    .option('--ram <bytes>', 'qemu-mps2-an386: the image\'s RAM cap (default: the board profile\'s)')
    .option('--detach', 'keep the board running after flashing: writes build/board/<board>.pid and prints its serial path')
    .option('--json', 'print the result as JSON')
    .option('-q, --quiet', 'no progress bar')
    .action(async (cellArgs: string[], o: FlashOpts) => {
      if (NOT_BUILT[o.board]) throw new Error(NOT_BUILT[o.board]);
      if (o.board !== 'posix' && o.board !== 'qemu-mps2-an386') {
        const { boardNames } = await import('../runtime/board-profile.ts');
        throw new Error(`unknown board "${o.board}"; cell flash knows qemu-mps2-an386 and posix (profiles: ${(await boardNames()).join(', ')})`);
      }
      if (o.board === 'posix' && !o.store && !o.port) throw new Error('--board posix needs --store FILE (the file that stands for its flash)');
      if (o.board === 'posix' && o.detach) throw new Error('--detach is for qemu-mps2-an386: the posix board runs on its parent\'s stdin/stdout; run build/board/posix/cell-board --store FILE yourself');
      if (!existsSync(o.kernel)) throw new Error(`no kernel at ${o.kernel} (npm run build makes it)`);
      const cells = cellArgs.map((c) => readCell(c, o.cellsDir));
      const { planModules, flashModules } = await import('../board/flash-modules.ts');
      const modules = planModules(readFileSync(o.kernel), cells);
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

      const { createProgress } = await import('../../simulator/progress.ts');
      let bar: ReturnType<typeof createProgress> | undefined;
      let sent = 0;
      let total = 0;
      try {
        const started = Date.now();
        const r = await flashModules(link, modules, {
          start: (n) => { total = n; bar = createProgress({ total: n, label: 'flash', unit: ' bytes', quiet: Boolean(o.quiet || o.json) }); },
          advance: (n) => { sent += n; bar?.update(sent); },
          stop: () => bar?.stop(),
        });
        const result = { board: o.board, serial: serialPath ?? null, pid: o.detach ? pid : undefined, node: r.info.node.toString(16).padStart(8, '0'), freeRamBytes: r.info.freeRam, storeBytes: r.info.storeBytes, bytes: total, ms: Date.now() - started, modules: r.modules };
        if (o.detach && pid !== undefined) {
          const pidFile = join(BUILD_DIR, 'board', `${o.board}.pid`);
          mkdirSync(dirname(pidFile), { recursive: true });
          writeFileSync(pidFile, `${pid}\n`);
        }
        if (o.json) console.log(JSON.stringify(result, null, 2));
        else {
          for (const m of r.modules) console.log(`slot ${m.slot} ${m.name}: ${m.size} bytes, sha256 ${m.sha256} (checked by the board)`);
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
