// A real pseudo-terminal pair joined by socat, for the serial transport's tests and bench:
// bytes written to one end come out of the other, through the kernel's tty layer, as from a UART.
import { spawn } from 'node:child_process';

export interface PtyPair {
  /** The two /dev/pts paths. */
  a: string;
  b: string;
  close(): Promise<void>;
}

const INSTALL_HINT = 'the serial tests need socat for a pseudo-terminal pair: apt-get install socat (npm test installs it when run as root)';

/** Starts socat (`command` is only for testing the missing-socat message). */
export function openPtyPair(command = 'socat'): Promise<PtyPair> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, ['-d', '-d', 'pty,raw,echo=0', 'pty,raw,echo=0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    let ready = false;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.once('error', (err: NodeJS.ErrnoException) => {
      reject(new Error(err.code === 'ENOENT' ? INSTALL_HINT : `socat failed to start: ${err.message}`));
    });
    child.once('exit', (code, signal) => {
      if (!ready) reject(new Error(`socat exited (${code ?? signal}) before the pty pair was ready:\n${log}`));
    });
    // Keep reading stderr for socat's whole life: a full pipe would stall it.
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      if (ready) return;
      log += text;
      const paths = [...log.matchAll(/PTY is (\/dev\/\S+)/g)].map((m) => m[1]!);
      // Both ptys exist and socat is copying once it says so.
      if (paths.length === 2 && /starting data transfer loop/.test(log)) {
        ready = true;
        resolve({
          a: paths[0]!,
          b: paths[1]!,
          close: async () => {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
            await exited;
          },
        });
      }
    });
  });
}
