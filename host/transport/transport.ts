// What every transport offers the node: whole frames out, whole frames in.
// Transports deliver received frames asynchronously (never from inside send), so a kernel is
// never re-entered while it is handling a frame.

export interface TransportStats {
  framesOut: number;
  framesIn: number;
  /** Received bytes that were not a valid frame (counted, dropped). */
  dropped: number;
}

export interface Transport {
  readonly name: string;
  /** Sends one frame (20-byte header + payload). The header's dst decides where it goes. */
  send(frame: Uint8Array): void;
  /** Registers the receiver of incoming frames (one per transport). */
  onFrame(handler: (frame: Uint8Array) => void): void;
  readonly stats: TransportStats;
  /** The largest frame it carries (header included); absent: any frame a kernel builds. */
  readonly maxFrame?: number;
  close(): Promise<void>;
}
