// Boots a qemu-mps2-an386 image with UART0 on a pseudo-terminal (`-serial pty`) and finds the
// pty's path in QEMU's output; opens it with serialport. The board's semihosting log lines
// (serial-main.c) come on QEMU's stderr and are handed to `onLog`. The board's command line
// (semihosting) names the host file behind its flash (`store`) and its entropy source.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SerialPort } from 'serialport';

export interface QemuPty {
  child: ChildProcess;
  ptyPath: string;
}

export interface QemuBoardFiles {
  /** The host file behind the board's flash (store-file.ts): kept across QEMU processes. Without it the stores live in RAM. */
  store?: string;
  /** Where the board reads its random numbers (default: the host's /dev/urandom). */
  entropy?: string;
}

/**
 * One word of the board's command line (`arg=KEY=PATH` of -semihosting-config): the board splits
 * its command line on spaces and decodes %XX (serial-main.c), so a path may hold any byte; a space,
 * '%' and ',' (QEMU's option separator) are encoded, as is every byte outside 0x21..0x7e.
 */
export function boardArg(key: string, path: string): string {
  const enc = [...Buffer.from(resolve(path))].map((b) => (b > 0x20 && b < 0x7f && b !== 0x25 && b !== 0x2c ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0')}`)).join('');
  return `arg=${key}=${enc}`;
}

/** The board reads at most this many bytes of its command line, its NUL included (serial-main.c). */
export const BOARD_CMDLINE_BYTES = 640;

/** The qemu-system-arm arguments for an image in serial mode on a pty. */
export function qemuPtyArgs(elf: string, files: QemuBoardFiles = {}): string[] {
  const args = ['arg=cell-board', ...(files.store ? [boardArg('store', files.store)] : []), ...(files.entropy ? [boardArg('entropy', files.entropy)] : [])];
  // QEMU joins the arg= values with spaces; the board's buffer must hold them.
  const line = args.map((a) => a.slice('arg='.length)).join(' ').length + 1;
  if (line > BOARD_CMDLINE_BYTES) throw new Error(`the board's command line would be ${line} bytes, more than the ${BOARD_CMDLINE_BYTES} it reads: give a shorter --store path`);
  return ['-M', 'mps2-an386', '-display', 'none', '-monitor', 'none', '-serial', 'pty', '-semihosting-config', ['enable=on', 'target=native', ...args].join(','), '-kernel', elf];
}

/**
 * Starts QEMU; resolves once it has said where its pty is (within `timeoutMs`). With `logFile`
 * (a detached board outlives this process) QEMU's output goes to that file, which is read for the
 * pty's path; otherwise it comes through pipes and every other line goes to `onLog`.
 */
export function startQemuPty(elf: string, opts: QemuBoardFiles & { detached?: boolean; logFile?: string; timeoutMs?: number; onLog?: (line: string) => void } = {}): Promise<QemuPty> {
  const fd = opts.logFile ? openSync(opts.logFile, 'w') : undefined;
  const child = spawn('qemu-system-arm', qemuPtyArgs(elf, opts), { stdio: fd === undefined ? ['ignore', 'pipe', 'pipe'] : ['ignore', fd, fd], detached: opts.detached ?? false });
  if (fd !== undefined) closeSync(fd);
  return new Promise<QemuPty>((resolve, reject) => {
    let found = false;
    let text = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`qemu-system-arm named no pty in ${opts.timeoutMs ?? 5000} ms: ${text.trim()}`));
    }, opts.timeoutMs ?? 5000);
    const onData = (d: Buffer): void => {
      for (const line of d.toString().split('\n')) {
        if (!line) continue;
        const m = /char device redirected to (\S+)/.exec(line);
        if (m && !found) {
          found = true;
          clearTimeout(timer);
          resolve({ child, ptyPath: m[1]! });
        } else if (!m) {
          text += `${line}\n`;
          opts.onLog?.(line);
        }
      }
    };
    if (opts.logFile) {
      const file = opts.logFile;
      const poll = setInterval(() => {
        const m = /char device redirected to (\S+)/.exec(readFileSync(file, 'utf8'));
        if (m) { clearInterval(poll); found = true; clearTimeout(timer); resolve({ child, ptyPath: m[1]! }); }
      }, 20);
      child.on('exit', () => clearInterval(poll));
    } else {
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
    }
    child.on('error', (err) => { clearTimeout(timer); reject(new Error(`cannot start qemu-system-arm: ${err.message}`)); });
    child.on('exit', (code) => { clearTimeout(timer); if (!found) reject(new Error(`qemu-system-arm exited (${code}) before naming its pty: ${text.trim()}`)); });
  });
}

/** Opens a serial device or pty raw; resolves with the port. */
export async function openPort(path: string, baudRate = 921600): Promise<SerialPort> {
  const port = new SerialPort({ path, baudRate, autoOpen: false, lock: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(new Error(`cannot open ${path}: ${err.message}`)) : resolve())));
  return port;
}
