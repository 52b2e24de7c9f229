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
import { BUILD_DIR } from '../build/paths.ts';
import type { TrustStore } from '../spore/trust.ts';

const NOT_BUILT: Record<string, string> = {
  'esp32-s3': 'esp32-s3: not built here. Flashing it needs an ESP-IDF build of boards/runtime and esptool-js with the device on a USB port; neither exists in this repository yet (docs/boards.md, "Not done")',
  'raspberry-pi-4': 'raspberry-pi-4 runs the host runtime (`cell run`), not a board image: there is nothing to flash',
};

interface FlashOpts { board: string; kernel: string; store?: string; port?: string; detach?: boolean; bootOnly?: boolean; log?: string; ram?: string; json?: boolean; quiet?: boolean; cellsDir: string; trust?: string[]; config?: string; out?: string }

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
    .description('install the mcu kernel into a board over its serial link (install protocol, docs/boards.md), then each cell as a spore the board\'s kernel fetches over the same link; the board checks each module\'s SHA-256. A .spore is verified on this host first, as cell run does (signature, module hash, expiry, trusted authority): if any is refused, nothing is sent. Boards: qemu-mps2-an386 (emulated, started here; its flash is kept in the --store file, so the modules and what cells stored outlive QEMU; --boot-only starts it again), posix (the board runtime as a process, --store FILE as its flash), rp2040 (writes a .uf2 to copy onto a Pico\'s RPI-RP2 drive, checked first in the rp2040js emulator; or, with --port, installs over the serial link of a Pico already running that image; untested on hardware)')
    .argument('[cells...]', 'cells to install (at most 4): names in --cells-dir, .wasm paths (local build outputs, not signed), or signed .spore files (installed only if their authority is given with --trust or [trust] in --config)')
    .requiredOption('--board <board>', 'qemu-mps2-an386, posix or rp2040 (esp32-s3: not built here)')
    .option('--kernel <file>', 'the mcu kernel', 'build/kernel.wasm')
    .option('--cells-dir <dir>', 'where cell names are looked up', 'build/cells')
    .option('--trust <key...>', 'authority public keys whose spores may be installed (64 hex digits, or a FILE.pub), as cell run takes them')
    .option('--config <file>', 'node config (TOML) whose [trust] table lists trusted (and revoked) authorities, as cell run reads it')
    .option('--store <file>', 'the file that stands for the board\'s flash (module store and cell store; created if missing): posix, required; qemu-mps2-an386, default build/board/qemu-mps2-an386.store, read by the board at start-up and written through on every flash write, so what was installed and what cells stored outlives QEMU')
    .option('--boot-only', 'qemu-mps2-an386: boot the board on its --store file and install nothing (after QEMU was stopped or killed); prints what the store holds and the node id. With --detach it keeps running; without, until Ctrl-C')
    .option('--log <file>', 'qemu-mps2-an386 with --detach: where QEMU and the board log (default build/board/qemu-mps2-an386.log)')
    .option('--port <path>', 'a board already running on this serial device or pty (e.g. one started with --detach); nothing is started')
    .option('--ram <bytes>', 'qemu-mps2-an386: the image\'s RAM cap (default: the board profile\'s)')
    .option('--out <file>', 'rp2040: where the .uf2 goes', 'build/board/rp2040/cell-rp2040.uf2')
    .option('--detach', 'qemu-mps2-an386: keep the board running after flashing (or --boot-only): writes build/board/<board>.pid and prints its serial path; stop it with kill PID, and boot it again with --boot-only')
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
      if (o.bootOnly && o.board !== 'qemu-mps2-an386') throw new Error('--boot-only is for qemu-mps2-an386 (posix: run build/board/posix/cell-board --store FILE)');
      if (o.bootOnly && o.port) throw new Error('--boot-only starts a board; --port is for one already running');
      if (o.bootOnly && cellArgs.length) throw new Error(`--boot-only installs nothing: give no cells (got ${cellArgs.join(' ')}); to install, leave --boot-only out`);
      if (o.log && !o.detach) throw new Error('--log is where a detached board logs: without --detach the board\'s log comes on this process\'s stderr');
      if (o.board === 'qemu-mps2-an386' && o.port && o.store) throw new Error('--store is the file a board started here keeps its flash in; the board on --port was started with its own');
      if (o.bootOnly) return bootOnly(o);
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
      const kernelBytes = readFileSync(o.kernel);
      const modules = planModules(kernelBytes, cells.map(({ name, species, bytes }) => ({ name, species, bytes })));
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
        const q = await startQemuBoard(o, (l) => boardLog.push(l));
        link = q.link;
        serialPath = q.ptyPath;
        pid = q.pid;
        stop = q.stop;
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
        const r = await flashKernelAndSpores(link, kernelBytes, cells.map((c) => ({ name: c.name, species: c.species, module: c.bytes, root: c.root })), kernelBytes, {
          start: (n) => { total += n; sent = 0; bar = createProgress({ total: n, label, unit: ' bytes', quiet: Boolean(o.quiet || o.json) }); },
          advance: (n) => { sent += n; bar?.update(sent); },
          stop: () => { bar?.stop(); label = cells[r0++]?.name ?? 'fetch'; },
        });
        const origin = (name: string) => cells.find((c) => c.name === name)?.spore;
        const result = {
          board: o.board, serial: serialPath ?? null, pid: o.detach ? pid : undefined, store: storeOf(o) ?? null, node: r.info.node.toString(16).padStart(8, '0'), freeRamBytes: r.info.freeRam, storeBytes: r.info.storeBytes, bytes: total, ms: Date.now() - started,
          modules: r.modules.map((m) => ({ name: m.name, slot: m.slot, size: m.size, sha256: m.sha256, spore: m.slot > 0 ? origin(m.name) ?? null : null, fetchedBy: m.slot > 0 ? 'board kernel' : 'install protocol' })),
        };
        if (o.detach && pid !== undefined) writePidFile(o.board, pid);
        if (o.json) console.log(JSON.stringify(result, null, 2));
        else {
          for (const m of result.modules) {
            console.log(`slot ${m.slot} ${m.name}: ${m.size} bytes, sha256 ${m.sha256} (${m.slot > 0 ? 'fetched as a spore by the board\'s kernel, ' : ''}checked by the board)`);
            if (m.spore) console.log(`  from ${m.spore.file}: signature verified here, authority ${m.spore.authority} (${m.spore.trustedVia}), revision ${m.spore.revision}, valid until ${m.spore.expires}`);
          }
          console.log(`node ${result.node}, free RAM ${r.info.freeRam === null ? 'not known on this board' : `${r.info.freeRam} bytes`}, ${total} bytes in ${result.ms} ms`);
          if (o.board === 'qemu-mps2-an386' && !o.port) console.log(`flash kept in ${storeOf(o)}: after QEMU stops, cell flash --board qemu-mps2-an386 --boot-only${o.store ? ` --store ${o.store}` : ''} --detach boots it again`);
          if (o.detach) console.log(`board running (pid ${pid}, build/board/${o.board}.pid, its log ${logOf(o)}); serial ${serialPath}: cell gateway --serial ${serialPath}`);
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

/** The host file behind the flash: --store, or for qemu-mps2-an386 build/board/qemu-mps2-an386.store. */
function storeOf(o: FlashOpts): string | undefined {
  if (o.store) return resolve(o.store);
  return o.board === 'qemu-mps2-an386' && !o.port ? join(BUILD_DIR, 'board', 'qemu-mps2-an386.store') : undefined;
}

function writePidFile(board: string, pid: number): void {
  const pidFile = join(BUILD_DIR, 'board', `${board}.pid`);
  mkdirSync(dirname(pidFile), { recursive: true });
  writeFileSync(pidFile, `${pid}\n`);
}

function logOf(o: FlashOpts): string {
  return o.log ? resolve(o.log) : join(BUILD_DIR, 'board', `${o.board}.log`);
}

/**
 * Two QEMU processes writing one store file would interleave their writes: a second is refused.
 * Any qemu-system-arm whose board command line names this store counts, detached or not (Linux's
 * /proc; elsewhere nothing is checked).
 */
async function refuseStoreInUse(board: string, store: string): Promise<void> {
  const { boardArg } = await import('../board/qemu-pty.ts');
  const { readdirSync } = await import('node:fs');
  const arg = boardArg('store', store);
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return;
  }
  for (const pid of pids) {
    let args: string[];
    try {
      args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // gone, or not ours to read
    }
    if (basename(args[0] ?? '') === 'qemu-system-arm' && args.some((a) => a.split(',').includes(arg))) {
      throw new Error(`a ${board} board (pid ${pid}) is already running on ${store}: stop it first (kill ${pid}), or install into it with --port`);
    }
  }
}

interface QemuBoard {
  link: InstallLink;
  ptyPath: string;
  pid: number | undefined;
  child: import('node:child_process').ChildProcess;
  /** Closes this process's end of the pty; a detached QEMU goes on, any other is stopped. */
  stop: () => void;
  /** Closes the pty only (the board goes on: --boot-only in the foreground). */
  closePort: () => void;
}

async function startQemuBoard(o: FlashOpts, onLog: (line: string) => void): Promise<QemuBoard> {
  const { armToolchainMissing, buildQemuImage, flashFitError, qemuProfile } = await import('../board/build-qemu.ts');
  const missing = armToolchainMissing();
  if (missing) throw new Error(missing);
  const profile = qemuProfile();
  const ram = o.ram === undefined ? profile.ramBytes : Number(o.ram);
  if (!Number.isInteger(ram) || ram < 64 * 1024 || ram > profile.ramBytes) throw new Error(`--ram must be an integer 65536..${profile.ramBytes}, not "${o.ram}"`);
  const store = storeOf(o)!;
  const { prepareQemuStoreFile } = await import('../board/qemu-store-file.ts');
  await refuseStoreInUse(o.board, store);
  const created = prepareQemuStoreFile(store);
  const image = buildQemuImage({ kernelPath: '', cellPaths: [], ramBytes: ram, serial: { wasm3StackBytes: profile.wasm3StackBytes }, tag: `serial-${ram}` });
  const tooLarge = flashFitError(image.flashBytes, profile.flashBytes);
  if (tooLarge) throw new Error(tooLarge);
  const { startQemuPty, openPort } = await import('../board/qemu-pty.ts');
  const logFile = o.detach ? logOf(o) : undefined;
  if (logFile) mkdirSync(dirname(logFile), { recursive: true });
  const q = await startQemuPty(image.elf, { store, detached: o.detach, logFile, onLog });
  const port = await openPort(q.ptyPath);
  const { InstallLink: Link } = await import('../board/install-link.ts');
  if (o.detach) q.child.unref();
  if (!o.quiet && !o.json) process.stderr.write(`${o.board}: image ${image.flashBytes} bytes of flash, RAM cap ${ram}; flash in ${store}${created ? ' (new)' : ''}; QEMU on ${q.ptyPath}\n`);
  const closePort = (): void => { if (port.isOpen) port.close(); };
  return { link: new Link(port, port), ptyPath: q.ptyPath, pid: q.child.pid, child: q.child, closePort, stop: () => { closePort(); if (!o.detach) q.child.kill(); } };
}

/** `--boot-only`: the board boots on its store file; nothing is installed. */
async function bootOnly(o: FlashOpts): Promise<void> {
  const boardLog: string[] = [];
  const q = await startQemuBoard(o, (l) => { boardLog.push(l); if (!o.detach && !o.json && !o.quiet) process.stderr.write(`board: ${l}\n`); });
  const logTail = (): string => {
    const lines = o.detach && existsSync(logOf(o)) ? readFileSync(logOf(o), 'utf8').trim().split('\n') : boardLog;
    return lines.slice(-6).join('\n  ');
  };
  let result;
  let ok = false;
  try {
    // The board answers INFO once its start-up (hash checks, the cell store opened) is over.
    const r = await q.link.request({ op: 'info' }, 20_000);
    const info = r.op === 'info' ? r.info : undefined;
    if (!info) throw new Error(`the board does not answer INFO (${r.status})`);
    if (o.detach && q.pid !== undefined) writePidFile(o.board, q.pid); // a detached board goes on either way
    if (!info.kernelRunning) {
      const left = o.detach ? ` It is still running (pid ${q.pid}) and takes install frames: cell flash --board ${o.board} --port ${q.ptyPath} CELLS...` : '';
      throw new Error(`the board booted on ${storeOf(o)}, but no kernel runs from it (none stored, or its SHA-256 no longer matches: the board's log says which).${left}${o.detach || o.json || o.quiet ? `\n  board log:\n  ${logTail()}` : ''}`);
    }
    const listed = await q.link.request({ op: 'list' });
    const modules = listed.op === 'list' ? (listed.modules ?? []).map((m) => ({ slot: m.slot, species: m.species, size: m.size, sha256: Buffer.from(m.sha256).toString('hex') })) : [];
    result = { board: o.board, serial: q.ptyPath, pid: o.detach ? q.pid : undefined, store: storeOf(o)!, node: info.node.toString(16).padStart(8, '0'), freeRamBytes: info.freeRam, kernelRunning: info.kernelRunning, modules };
    ok = true;
  } finally {
    q.link.close();
    // A foreground board that would not boot is stopped; one that did is left its pty.
    if (o.detach || !ok) q.stop();
    else q.closePort();
  }
  // In the foreground the board runs until a signal or its own exit; the handlers are in place
  // before the line that says so is printed.
  const stopped = o.detach ? undefined : new Promise<void>((done) => {
    let asked = false;
    const end = (): void => { asked = true; q.child.kill(); done(); };
    process.once('SIGINT', end);
    process.once('SIGTERM', end);
    q.child.once('exit', (code, signal) => {
      if (!asked) { console.error(`cell: QEMU stopped by itself (${signal ?? `exit ${code}`})`); process.exitCode = 1; }
      done();
    });
  });
  if (o.json) console.log(JSON.stringify(result, null, 2));
  else {
    for (const m of result.modules) console.log(`slot ${m.slot} ${m.slot === 0 ? 'kernel' : `species ${m.species.toString(16).padStart(8, '0')}`}: ${m.size} bytes, sha256 ${m.sha256} (from ${result.store}, checked by the board at start-up)`);
    console.log(`node ${result.node}, free RAM ${result.freeRamBytes === null ? 'not known on this board' : `${result.freeRamBytes} bytes`}, kernel running from the store`);
    if (o.detach) console.log(`board running (pid ${q.pid}, build/board/${o.board}.pid, its log ${logOf(o)}); serial ${q.ptyPath}: cell gateway --serial ${q.ptyPath}`);
    else console.log(`board running (QEMU pid ${q.pid}) on ${q.ptyPath}: cell gateway --serial ${q.ptyPath}; Ctrl-C stops it`);
  }
  await stopped; // the pty is left to the user's gateway meanwhile
}
