/** A call the kernel refused before anything was sent (no route, table full, too large). */
export class CallRefused extends Error {
  constructor(readonly reason: string) {
    super(`call refused by the kernel: ${reason}`);
  }
}
