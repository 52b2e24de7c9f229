// Boots a qemu-mps2-an386 image with UART0 on a pseudo-terminal (`-serial pty`) and finds the
// pty's path in QEMU's output; opens it with serialport. The board's semihosting log lines
// (serial-main.c) come on QEMU's stderr and are handed to `onLog`.
import { spawn, type ChildProcess } from 'node:child_process';
import { SerialPort } from 'serialport';

export interface QemuPty {
  child: ChildProcess;
  ptyPath: string;
}

/** The qemu-system-arm arguments for an image in serial mode on a pty. */
export function qemuPtyArgs(elf: string): string[] {
  return ['-M', 'mps2-an386', '-display', 'none', '-monitor', 'none', '-serial', 'pty', '-semihosting', '-kernel', elf];
}

/** Starts QEMU; resolves once it has said where its pty is (within `timeoutMs`). */
export function startQemuPty(elf: string, opts: { detached?: boolean; timeoutMs?: number; onLog?: (line: string) => void } = {}): Promise<QemuPty> {
  const child = spawn('qemu-system-arm', qemuPtyArgs(elf), { stdio: ['ignore', 'pipe', 'pipe'], detached: opts.detached ?? false });
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
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
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
