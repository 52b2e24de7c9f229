// Names for the kernel's numbers, from the protocol table (docs/protocol.toml): counters,
// settings, and the negative results of k_on_frame / k_call.
import { HeaderReject, KernelResult } from '../wire/protocol-table.ts';

export { KERNEL_STATS, KernelConfig, PeerField, type KernelConfigKey, type KernelStatName } from '../wire/protocol-table.ts';

/** The name of a k_on_frame / k_call result: a header reason (1-8) or a kernel result (9-). */
export function kernelResultName(code: number): string {
  return HeaderReject[code] ?? KernelResult[code] ?? `code ${code}`;
}
