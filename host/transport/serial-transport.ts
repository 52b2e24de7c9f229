// Serial transport (docs/wire.md, Transports: Serial) over the `serialport` package: a UART, a
// USB CDC device or a pty. A serial link is point-to-point, so every frame handed to it goes out
// whatever its dst (the node hands it only frames for nodes heard on it, and broadcasts). Received bytes go through SerialDeframer, which
// resynchronises at each 0x00 and counts every dropped run by reason.
import { SerialPort } from 'serialport';
import { encodeSerialFrame, SerialDeframer, DEFAULT_SERIAL_MAX_FRAME, type SerialDropReason } from '../wire/serial-framing.ts';
import type { Transport, TransportStats } from './transport.ts';

export interface SerialTransportOptions {
  /** Device path, e.g. /dev/ttyUSB0, /dev/ttyACM0 or a /dev/pts/N. */
  path: string;
  /** Line rate, 8N1 (default 115200). */
  baudRate?: number;
  /** Largest frame (header + payload) sent or accepted (default 20 + 4096). */
  maxFrame?: number;
  /** Bytes queued for the port beyond which new frames are dropped (default 64 KiB): a slow line must not grow memory without bound. */
  maxBacklog?: number;
  /** Exclusive open (TIOCEXCL), as serialport does by default. */
  lock?: boolean;
}

export interface SerialTransportStats extends TransportStats {
  /** Received runs dropped, by reason (they add up to `dropped`). */
  drops: Record<SerialDropReason, number>;
  /** Frames not sent: larger than maxFrame, so the peer would drop them anyway. */
  tooLargeOut: number;
  /** Frames not sent because maxBacklog bytes were already waiting for the line. */
  backlogDropped: number;
  /** Errors the port reported (the last one is in lastError). */
  errors: number;
}

export class SerialTransport implements Transport {
  readonly name = 'serial';
  readonly stats: SerialTransportStats;
  /** The last error the port reported, if any. */
  lastError: Error | undefined;
  private handler: ((frame: Uint8Array) => void) | undefined;
  private readonly deframer: SerialDeframer;
  private closed = false;

  private constructor(private readonly port: SerialPort, readonly maxFrame: number, private readonly maxBacklog: number) {
    this.deframer = new SerialDeframer((frame) => {
      this.stats.framesIn++;
      this.handler?.(frame);
    }, { maxFrame });
    this.stats = { framesOut: 0, framesIn: 0, dropped: 0, drops: this.deframer.stats.drops, tooLargeOut: 0, backlogDropped: 0, errors: 0 };
    port.on('data', (chunk: Buffer) => {
      if (this.closed) return;
      this.deframer.push(chunk);
      this.stats.dropped = this.deframer.stats.dropped;
    });
    // Without a listener an I/O error (device unplugged, EIO) would crash the process.
    port.on('error', (err: Error) => {
      this.stats.errors++;
      this.lastError = err;
    });
    port.on('close', () => {
      this.closed = true;
    });
  }

  static async open(opts: SerialTransportOptions): Promise<SerialTransport> {
    const baudRate = opts.baudRate ?? 115200;
    if (!Number.isInteger(baudRate) || baudRate <= 0) throw new RangeError(`baudRate must be a positive integer, got ${opts.baudRate}`);
    const maxFrame = opts.maxFrame ?? DEFAULT_SERIAL_MAX_FRAME;
    const maxBacklog = opts.maxBacklog ?? 64 * 1024;
    if (!(maxBacklog > 0)) throw new RangeError(`maxBacklog must be positive, got ${opts.maxBacklog}`);
    const port = new SerialPort({ path: opts.path, baudRate, autoOpen: false, lock: opts.lock ?? true });
    // Built before opening so a bad maxFrame is reported without touching the device.
    const transport = new SerialTransport(port, maxFrame, maxBacklog);
    await new Promise<void>((resolve, reject) =>
      port.open((err) => (err ? reject(new Error(`cannot open serial port ${opts.path} at ${baudRate} baud: ${err.message}`)) : resolve())),
    );
    return transport;
  }

  get path(): string {
    return this.port.path;
  }

  get baudRate(): number {
    return this.port.baudRate;
  }

  send(frame: Uint8Array): void {
    if (this.closed) return;
    if (frame.length > this.maxFrame) {
      this.stats.tooLargeOut++;
      return;
    }
    if (this.port.writableLength >= this.maxBacklog) {
      this.stats.backlogDropped++;
      return;
    }
    const wire = encodeSerialFrame(frame);
    this.stats.framesOut++;
    this.port.write(Buffer.from(wire.buffer, wire.byteOffset, wire.byteLength));
  }

  onFrame(handler: (frame: Uint8Array) => void): void {
    this.handler = handler;
  }

  /** Resolves when every queued byte has been handed to the device. */
  drain(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => this.port.drain(() => resolve()));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Let queued frames reach the line first: without flow control a UART always drains.
    await this.drain();
    this.closed = true;
    if (!this.port.isOpen) return;
    await new Promise<void>((resolve) => this.port.close(() => resolve()));
  }
}
