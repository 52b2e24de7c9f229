// A one-way serial line at a given byte rate, made of two pseudo-terminals: bytes written to `a`
// leave through socat, are paced by pv (`pv -L`, a rate limiter made for pipes) and come out of `b`
// through a second socat. A pty alone copies as fast as the processes do and ignores its baud
// setting; this is the closest a machine without a UART gets to one, with the pacing done by a tool
// that is not ours. Used by bench/serial.ts only: it needs pv (apt-get install pv).
import { spawn } from 'node:child_process';
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PtyPair } from './pty-pair.ts';


const HINT = 'the paced serial bench needs socat and pv: apt-get install socat pv';

/** A paced line as a pty pair: write to `a`, read from `b`. */
export async function openPacedLink(bytesPerSec: number): Promise<PtyPair> {
  if (!(Number.isInteger(bytesPerSec) && bytesPerSec > 0)) throw new RangeError(`byte rate must be a positive integer, got ${bytesPerSec}`);
  const dir = await mkdtemp(join(tmpdir(), 'cell-paced-'));
  const [la, lb] = [join(dir, 'a'), join(dir, 'b')];
  // pv's buffer is kept small so it does not hide the pacing behind a burst at the start.
  const line = `socat -d -d -u PTY,raw,echo=0,link=${la} STDOUT | pv -q -L ${bytesPerSec} -B 1024 | socat -d -d -u STDIN PTY,raw,echo=0,link=${lb}`;
  const child = spawn('sh', ['-c', `command -v socat >/dev/null && command -v pv >/dev/null || exit 127; ${line}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true, // its own process group, so close() stops all three processes
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      try { process.kill(-child.pid!, 'SIGTERM'); } catch { /* already gone */ }
    }
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await new Promise<void>((resolve, reject) => {
      let log = '';
      let ready = false;
      child.once('exit', (code, signal) => {
        if (!ready) reject(new Error(code === 127 ? HINT : `paced link exited (${code ?? signal}) before it was ready:\n${log}`));
      });
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (text: string) => {
        if (ready) return;
        log += text;
        // Both socats have made their pty and are copying.
        if ((log.match(/starting data transfer loop/g) ?? []).length === 2) {
          ready = true;
          resolve();
        }
      });
    });
    return { a: await realpath(la), b: await realpath(lb), close: stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
