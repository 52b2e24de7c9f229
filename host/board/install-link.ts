// A board's serial link seen from the host for the install protocol (install-frames.ts): one
// request at a time, each answered by one install reply. Mesh frames the board's kernel sends
// meanwhile (probes, announcements) are counted and skipped, or handed to a mesh handler (a host
// node on the cable, which serves the board's spore fetches: meshTransport); so are frames the line garbled.
import type { Readable, Writable } from 'node:stream';
import { encodeSerialFrame, SerialDeframer } from '../wire/serial-framing.ts';
import { decodeReply, encodeRequest, isInstallFrame, InstallFrameError, type InstallReply, type InstallRequest } from './install-frames.ts';

export class BoardSilentError extends Error {}

export class InstallLink {
  readonly stats = { replies: 0, meshFrames: 0, badReplies: 0 };
  private readonly deframer: SerialDeframer;
  private mesh: ((frame: Uint8Array) => void) | undefined;
  private waiting: { resolve: (r: InstallReply) => void; reject: (e: Error) => void } | undefined;
  private readonly onData = (d: Buffer): void => this.deframer.push(d);

  constructor(private readonly input: Readable, private readonly output: Writable) {
    this.deframer = new SerialDeframer((frame) => this.onFrame(frame), { checkHeader: false });
    input.on('data', this.onData);
  }

  get lineDrops(): number {
    return this.deframer.stats.dropped;
  }

  private onFrame(frame: Uint8Array): void {
    if (!isInstallFrame(frame)) { this.stats.meshFrames++; this.mesh?.(frame); return; }
    let reply: InstallReply;
    try {
      reply = decodeReply(frame);
    } catch (err) {
      this.stats.badReplies++;
      if (err instanceof InstallFrameError) this.waiting?.reject(new Error(`the board's reply is malformed: ${err.message}`));
      this.waiting = undefined;
      return;
    }
    this.stats.replies++;
    this.waiting?.resolve(reply);
    this.waiting = undefined;
  }

  /** Sends one request and waits for its reply; BoardSilentError after `timeoutMs`. */
  request(req: InstallRequest, timeoutMs = 3000): Promise<InstallReply> {
    if (this.waiting) throw new Error('one install request at a time');
    return new Promise<InstallReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        reject(new BoardSilentError(`the board does not answer (no reply to "${req.op}" in ${timeoutMs} ms)`));
      }, timeoutMs);
      this.waiting = {
        resolve: (r) => {
          clearTimeout(timer);
          if (r.op !== req.op) reject(new Error(`the board answered "${r.op}" to "${req.op}"`));
          else resolve(r);
        },
        reject: (e) => { clearTimeout(timer); reject(e); },
      };
      this.output.write(encodeSerialFrame(encodeRequest(req)));
    });
  }

  /** The board's free RAM (bytes of heap its high-water mark never reached), from an INFO. */
  async freeRam(): Promise<number> {
    const r = await this.request({ op: 'info' });
    if (r.op !== 'info' || r.info?.freeRam == null) throw new Error('the board reports no free RAM figure');
    return r.info.freeRam;
  }

  /** Mesh frames the board sends go to `handler` from now on. */
  onMeshFrame(handler: (frame: Uint8Array) => void): void {
    this.mesh = handler;
  }

  /** Frames a mesh frame (header + payload) onto the line beside the install requests. */
  sendMesh(frame: Uint8Array): void {
    this.output.write(encodeSerialFrame(frame));
  }

  close(): void {
    this.mesh = undefined;
    this.input.off('data', this.onData);
    this.waiting?.reject(new Error('the link was closed'));
    this.waiting = undefined;
  }
}
