// Serial transport throughput over a socat pty pair: `npx tsx bench/serial.ts` (115200 and 921600).
// Sustained, end to end: a keeps a window of 64-byte-payload frames in flight and tops it up as b
// delivers them, so the figure includes encoding, the tty layer, socat and deframing.
//
// A pty does not enforce its baud rate: bytes move as fast as the two processes copy them. So
// `bytesPerSec` is the host-side ceiling (how fast this machine frames and unframes), and
// `lineRateBytesPerSec` (baud / 10 for 8N1: a start bit, 8 data bits, a stop bit) is what a real
// UART at that baud would allow. When bytesPerSec is far above the line rate, the host is not the
// bottleneck and a real link is limited by the line; `payloadLineRateBytesPerSec` (line rate times
// framing efficiency) is then the useful throughput to expect on hardware.
import { SerialTransport } from '../host/transport/serial-transport.ts';
import { encodeSerialFrame } from '../host/wire/serial-framing.ts';
import { encodeFrame, MsgType } from '../host/wire/header.ts';
import { openPtyPair } from '../test/pty-pair.ts';

export interface SerialBenchResult {
  baud: number;
  /** Wire bytes per second (COBS + CRC + delimiter included), measured on the pty. */
  bytesPerSec: number;
  /** baud / 10: the byte rate of a real 8N1 line at this baud. */
  lineRateBytesPerSec: number;
  framesPerSec: number;
  /** Payload bytes per second, measured on the pty. */
  payloadBytesPerSec: number;
  /** Payload bytes / wire bytes for these frames. */
  framingEfficiency: number;
  /** Payload throughput a real line at this baud allows: line rate x framing efficiency. */
  payloadLineRateBytesPerSec: number;
}

const PAYLOAD = 64;
const WINDOW = 64;

export async function benchSerial(opts: { baud: number; seconds?: number }): Promise<SerialBenchResult> {
  const seconds = opts.seconds ?? 2;
  const pty = await openPtyPair();
  const a = await SerialTransport.open({ path: pty.a, baudRate: opts.baud });
  const b = await SerialTransport.open({ path: pty.b, baudRate: opts.baud });
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
    const warmupMs = 200;
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
    const secs = (t1 - t0) / 1000;
    const frames = n1 - n0;
    const lineRate = opts.baud / 10;
    const efficiency = PAYLOAD / wirePerFrame;
    return {
      baud: opts.baud,
      bytesPerSec: (frames * wirePerFrame) / secs,
      lineRateBytesPerSec: lineRate,
      framesPerSec: frames / secs,
      payloadBytesPerSec: (frames * PAYLOAD) / secs,
      framingEfficiency: efficiency,
      payloadLineRateBytesPerSec: lineRate * efficiency,
    };
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
      `serial ${baud} baud (pty): ${Math.round(r.framesPerSec)} frames/s, ${(r.bytesPerSec / 1e6).toFixed(2)} MB/s on the wire ` +
        `(${(r.payloadBytesPerSec / 1e6).toFixed(2)} MB/s payload), ${(r.bytesPerSec / r.lineRateBytesPerSec).toFixed(1)}x the ${r.lineRateBytesPerSec} B/s ` +
        `line rate; framing efficiency ${(r.framingEfficiency * 100).toFixed(1)}%, so a real line carries ${Math.round(r.payloadLineRateBytesPerSec)} B/s of payload`,
    );
  }
}
