// Serial transport throughput over ptys: `npx tsx bench/serial.ts` (115200 and 921600).
// Sustained, end to end: a keeps a window of 64-byte-payload frames in flight and tops it up as b
// delivers them, so the figure includes encoding, the tty layer, socat and deframing.
//
// A pty does not enforce its baud rate: bytes move as fast as the two processes copy them. So two
// links are measured:
// - paced: a line at the baud's byte rate (bench/paced-pty-link.ts: pty -> socat -> pv -L -> socat
//   -> pty). `bytesPerSec` there, wire bytes (COBS + CRC + delimiter included) per second, against
//   `lineRateBytesPerSec` (baud / 10 for 8N1: a start bit, 8 data bits, a stop bit) says whether the
//   transport keeps a line busy; a stop-and-wait or a slow encoder would leave it idle.
// - unpaced (`ceilingBytesPerSec`): a plain socat pty pair, the host-side ceiling (how fast this
//   machine frames and unframes).
import { SerialTransport } from '../host/transport/serial-transport.ts';
import { encodeSerialFrame } from '../host/wire/serial-framing.ts';
import { encodeFrame, MsgType } from '../host/wire/header.ts';
import { openPtyPair, type PtyPair } from './pty-pair.ts';
import { openPacedLink } from './paced-pty-link.ts';

export interface SerialBenchResult {
  baud: number;
  /** Wire bytes per second (COBS + CRC + delimiter included) on a line paced at the line rate. */
  bytesPerSec: number;
  /** Wire bytes per second on an unpaced pty pair: the host's ceiling. */
  ceilingBytesPerSec: number;
  /** baud / 10: the byte rate of a real 8N1 line at this baud. */
  lineRateBytesPerSec: number;
  /** Frames per second on the paced line. */
  framesPerSec: number;
  /** Payload bytes per second on the paced line. */
  payloadBytesPerSec: number;
  /** Payload bytes / wire bytes for these frames. */
  framingEfficiency: number;
  /** Payload throughput a real line at this baud allows: line rate x framing efficiency. */
  payloadLineRateBytesPerSec: number;
}

const PAYLOAD = 64;
const WINDOW = 64;

export async function benchSerial(opts: { baud: number; seconds?: number }): Promise<SerialBenchResult> {
  const lineRate = opts.baud / 10;
  const seconds = opts.seconds ?? 2;
  const paced = await stream(opts.baud, seconds, await openPacedLink(lineRate));
  const ceiling = await stream(opts.baud, seconds, await openPtyPair());
  const efficiency = PAYLOAD / paced.wirePerFrame;
  return {
    baud: opts.baud,
    bytesPerSec: paced.framesPerSec * paced.wirePerFrame,
    ceilingBytesPerSec: ceiling.framesPerSec * ceiling.wirePerFrame,
    lineRateBytesPerSec: lineRate,
    framesPerSec: paced.framesPerSec,
    payloadBytesPerSec: paced.framesPerSec * PAYLOAD,
    framingEfficiency: efficiency,
    payloadLineRateBytesPerSec: lineRate * efficiency,
  };
}

/** Frames per second from link.a to link.b, sustained over `seconds` after a warm-up. */
async function stream(baud: number, seconds: number, pty: PtyPair): Promise<{ framesPerSec: number; wirePerFrame: number }> {
  const a = await SerialTransport.open({ path: pty.a, baudRate: baud });
  const b = await SerialTransport.open({ path: pty.b, baudRate: baud });
  try {
    // A CBOR-like payload with some zero bytes, as real payloads have.
    const payload = Uint8Array.from({ length: PAYLOAD }, (_, i) => (i % 9 === 0 ? 0 : (i * 31 + 7) & 0xff));
    const frame = (seq: number) => encodeFrame({ type: MsgType.CALL, flags: 0, src: 1, dst: 2, species: 0x11223344, seq: seq & 0xffff }, payload);
    // Every frame has the same wire length (86 body bytes: too short for a 254-byte COBS block).
    const wirePerFrame = encodeSerialFrame(frame(0)).length;
    let sent = 0;
    let received = 0;
    let sending = true;
    const sendOne = () => a.send(frame(sent++));
    const warmupMs = 500; // the paced line's buffers fill, and its rate settles
    const start = performance.now();
    let t0 = 0;
    let n0 = 0;
    let t1 = 0;
    let n1 = 0;
    const done = new Promise<void>((resolve) => {
      b.onFrame(() => {
        received++;
        const now = performance.now();
        if (t0 === 0 && now - start >= warmupMs) {
          t0 = now;
          n0 = received;
        }
        if (t0 !== 0 && sending && now - t0 >= seconds * 1000) {
          sending = false;
          t1 = now;
          n1 = received;
        }
        if (sending) sendOne();
        // Done when every frame sent has arrived or been counted as dropped (none are, normally).
        else if (received + b.stats.dropped >= sent - a.stats.backlogDropped) resolve();
      });
    });
    for (let i = 0; i < WINDOW; i++) sendOne();
    await done;
    return { framesPerSec: (n1 - n0) / ((t1 - t0) / 1000), wirePerFrame };
  } finally {
    await a.close();
    await b.close();
    await pty.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const baud of [115200, 921600]) {
    const r = await benchSerial({ baud });
    console.log(
      `serial ${baud} baud: ${Math.round(r.bytesPerSec)} B/s on the wire on a line paced at ${r.lineRateBytesPerSec} B/s ` +
        `(${(r.bytesPerSec / r.lineRateBytesPerSec).toFixed(3)}x), ${Math.round(r.payloadBytesPerSec)} B/s of payload; ` +
        `unpaced pty ${(r.ceilingBytesPerSec / 1e6).toFixed(2)} MB/s; framing efficiency ${(r.framingEfficiency * 100).toFixed(1)}%`,
    );
  }
}
