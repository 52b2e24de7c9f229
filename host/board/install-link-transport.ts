// The mesh side of a board's install link as a Transport: a host node (CellNode) on the cable
// exchanges kernel frames with the board's kernel over the same serial line as the install
// requests (the board tells them apart by byte 0). The host node serves the spores the board's
// kernel fetches (spore-install.ts).
import type { Transport, TransportStats } from '../transport/transport.ts';
import type { InstallLink } from './install-link.ts';

export class InstallLinkTransport implements Transport {
  readonly name = 'install-link';
  readonly stats: TransportStats = { framesOut: 0, framesIn: 0, dropped: 0 };
  private handler: ((frame: Uint8Array) => void) | undefined;
  private closed = false;

  constructor(private readonly link: InstallLink) {
    link.onMeshFrame((frame) => {
      if (this.closed) return;
      this.stats.framesIn++;
      // Delivered on a later turn, never from inside send (transport.ts).
      const h = this.handler;
      if (h) setImmediate(() => { if (!this.closed) h(frame); });
    });
  }

  send(frame: Uint8Array): void {
    if (this.closed) return;
    this.stats.framesOut++;
    this.link.sendMesh(frame);
  }

  onFrame(handler: (frame: Uint8Array) => void): void {
    this.handler = handler;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
