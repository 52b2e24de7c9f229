// A call over a serial line to the posix board (issue #14, `board.serialRttP50Us`): a host kernel
// calls the board's echo cell through a pseudo-terminal whose two directions are paced at the
// baud's byte rate, beside the line's floor (the CALL's and the REPLY's wire bytes at that rate)
// and the same calls on the unpaced pty, in one run.
//
// A pty copies as fast as the processes do, and `pv -L` (bench/paced-pty-link.ts) meters in
// bursts too coarse for one frame (a 60-byte frame is 0.65 ms at 921600 baud), so the pacing is
// done here: a byte handed to the line leaves it 10 bits later than the one before it, and the
// bench waits on the monotonic clock, spinning, until then. Spinning keeps one core busy; the
// board process has the other.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { ReadStream } from 'node:tty';
import { join } from 'node:path';
import { KernelInstance } from '../host/runtime/kernel-instance.ts';
import { encodeCall } from '../host/sdk/call-codec.ts';
import type { CellSchema } from '../host/sdk/schema.ts';
import { encodeSerialFrame, SerialDeframer } from '../host/wire/serial-framing.ts';
import { REPO_ROOT } from '../host/build/paths.ts';
import { openPtyPair } from './pty-pair.ts';
import { percentile } from './percentiles.ts';

const BOARD = 0xa1b2c3d4;
const PEER = 0x11223344;
const ECHO = 1;
const BITS_PER_BYTE = 10; // 8N1: a start bit, 8 data bits, a stop bit

export interface SerialRttFigures {
  baud: number;
  calls: number;
  /** Round trip of an echo call on the paced line, p50 and p99 (us). */
  serialRttP50Us: number;
  serialRttP99Us: number;
  /** The CALL's and the REPLY's wire bytes (COBS + CRC + delimiter) at the line rate (us). */
  serialFloorUs: number;
  callWireBytes: number;
  replyWireBytes: number;
  /** The same calls with no pacing: the board, the pty and the host kernel alone (us). */
  unpacedRttP50Us: number;
}

/** One direction of a serial line: when the last of `n` bytes handed to it now has left it. */
class PacedLine {
  private freeAt = 0n;
  constructor(private readonly nsPerByte: number) {}
  due(n: number, now: bigint): bigint {
    const start = now > this.freeAt ? now : this.freeAt;
    this.freeAt = start + BigInt(Math.round(n * this.nsPerByte));
    return this.freeAt;
  }
}

function spinUntil(t: bigint): void {
  while (process.hrtime.bigint() < t) { /* the line is still sending */ }
}

async function rtts(binary: string, calls: number, baud: number | null): Promise<{ us: number[]; callWire: number; replyWire: number }> {
  const kernelPath = join(REPO_ROOT, 'build', 'kernel.wasm');
  const echoPath = join(REPO_ROOT, 'build', 'cells', 'echo.wasm');
  const schema = (JSON.parse(readFileSync(join(REPO_ROOT, 'build', 'cells', 'echo.schema.json'), 'utf8')) as { schema: CellSchema }).schema;
  const pty = await openPtyPair();
  const boardFd = openSync(pty.b, 'r+');
  const hostFd = openSync(pty.a, 'r+');
  const board = spawn(binary, ['--kernel', kernelPath, '--cell', `${echoPath}:${ECHO}`, '--node', String(BOARD)], { stdio: [boardFd, boardFd, 'pipe'] });
  let boardErr = '';
  board.stderr!.setEncoding('utf8').on('data', (s: string) => (boardErr += s));
  const exited = new Promise<never>((_, reject) => board.once('exit', (code, sig) => reject(new Error(`the board exited (${code ?? sig}): ${boardErr}`))));
  exited.catch(() => {});
  const toBoard = baud ? new PacedLine((BITS_PER_BYTE * 1e9) / baud) : null;
  const toHost = baud ? new PacedLine((BITS_PER_BYTE * 1e9) / baud) : null;
  const t0 = performance.now();
  let answered: ((replyWire: number) => void) | null = null;
  let lastReplyWire = 0;
  let callWire = 0;
  const peer = KernelInstance.instantiate(await KernelInstance.compile(new Uint8Array(readFileSync(kernelPath))), {
    send: (frame) => {
      const wire = encodeSerialFrame(frame);
      callWire = wire.length;
      if (toBoard) spinUntil(toBoard.due(wire.length, process.hrtime.bigint()));
      writeSync(hostFd, wire);
    },
    now: () => performance.now() - t0,
    random: () => (Math.random() * 2 ** 32) >>> 0,
    cellCall: () => 0,
    deliver: () => answered?.(lastReplyWire),
  });
  peer.init(PEER, 0);
  const deframer = new SerialDeframer((frame) => {
    lastReplyWire = encodeSerialFrame(frame).length;
    peer.onFrame(frame);
  });
  const input = new ReadStream(hostFd);
  input.setRawMode(true);
  input.on('data', (chunk: Buffer) => {
    if (toHost) spinUntil(toHost.due(chunk.length, process.hrtime.bigint()));
    deframer.push(chunk);
  });
  const ticker = setInterval(() => peer.tick(performance.now() - t0), 50);
  const payload = encodeCall(schema, 'echo', ['hello board']);
  const us: number[] = [];
  let sentWire = 0;
  let replyWire = 0;
  try {
    for (let i = 0; i < calls; i++) {
      const got = new Promise<number>((resolve) => (answered = resolve));
      const start = process.hrtime.bigint();
      if (peer.call(BOARD, ECHO, payload) < 0) throw new Error(`the host kernel refused call ${i}`);
      sentWire = callWire;
      replyWire = await Promise.race([got, exited]);
      us.push(Number(process.hrtime.bigint() - start) / 1000);
    }
  } finally {
    clearInterval(ticker);
    input.destroy();
    board.kill();
    closeSync(boardFd);
    await pty.close();
  }
  return { us, callWire: sentWire, replyWire };
}

export async function benchSerialRtt(binary: string, opts: { baud?: number; calls?: number } = {}): Promise<SerialRttFigures> {
  const baud = opts.baud ?? 921_600;
  const calls = opts.calls ?? 200;
  await rtts(binary, 20, baud); // warm-up: page cache, V8 tiering of the host kernel
  const paced = await rtts(binary, calls, baud);
  const unpaced = await rtts(binary, calls, null);
  return {
    baud,
    calls,
    serialRttP50Us: percentile(paced.us, 0.5),
    serialRttP99Us: percentile(paced.us, 0.99),
    serialFloorUs: ((paced.callWire + paced.replyWire) * BITS_PER_BYTE * 1e6) / baud,
    callWireBytes: paced.callWire,
    replyWireBytes: paced.replyWire,
    unpacedRttP50Us: percentile(unpaced.us, 0.5),
  };
}
