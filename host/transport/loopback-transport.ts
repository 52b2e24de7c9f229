// An in-process transport: nodes attached to one hub exchange frames through the event loop.
// For tests and single-process demos; it exercises exactly the frames a real transport carries.
import { checkFrame, BROADCAST } from '../wire/header.ts';
import type { Transport, TransportStats } from './transport.ts';

export class LoopbackHub {
  private readonly ports = new Map<number, LoopbackTransport>();
  private readonly queue: Array<[LoopbackTransport, Uint8Array]> = [];
  private scheduled = false;

  /** Attaches a node; `nodeId` is how frames addressed to it find it. */
  attach(nodeId: number): LoopbackTransport {
    if (this.ports.has(nodeId)) throw new Error(`node ${nodeId} is already attached to this hub`);
    const t = new LoopbackTransport(this, nodeId);
    this.ports.set(nodeId, t);
    return t;
  }

  detach(nodeId: number): void {
    this.ports.delete(nodeId);
  }

  route(from: LoopbackTransport, frame: Uint8Array): void {
    const dv = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
    const dst = frame.length >= 20 ? dv.getUint32(8, true) : 0;
    for (const [id, port] of this.ports) {
      if (port === from) continue;
      // dst 0 ("any host of the species") and broadcast reach every node; the kernels decide.
      if (dst === 0 || dst === BROADCAST || dst === id) this.enqueue(port, frame.slice());
    }
  }

  private enqueue(port: LoopbackTransport, frame: Uint8Array): void {
    this.queue.push([port, frame]);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.drain());
    }
  }

  private drain(): void {
    this.scheduled = false;
    const batch = this.queue.splice(0);
    for (const [port, frame] of batch) port.receive(frame);
  }
}

export class LoopbackTransport implements Transport {
  readonly name = 'loopback';
  readonly stats: TransportStats = { framesOut: 0, framesIn: 0, dropped: 0 };
  private handler: ((frame: Uint8Array) => void) | undefined;
  private closed = false;

  constructor(private readonly hub: LoopbackHub, readonly nodeId: number) {}

  send(frame: Uint8Array): void {
    if (this.closed) return;
    this.stats.framesOut++;
    this.hub.route(this, frame);
  }

  onFrame(handler: (frame: Uint8Array) => void): void {
    this.handler = handler;
  }

  receive(frame: Uint8Array): void {
    if (this.closed) return;
    if (checkFrame(frame) !== 0) {
      this.stats.dropped++;
      return;
    }
    this.stats.framesIn++;
    this.handler?.(frame);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.hub.detach(this.nodeId);
  }
}
