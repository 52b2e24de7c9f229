// The typed client: `const ex = await connect(Exchange, { node })` gives an object whose methods
// are the cell's handlers, typed by the generated client file. Calls go through the node's
// kernel, which picks the nearest healthy replica.
import type { CellSpecies } from './species.ts';
import { encodeCall, decodeReply, decodeError } from './call-codec.ts';
import type { CellNode } from '../runtime/cell-node.ts';

/** A call answered with an ERROR frame: the cell's (or the kernel's) code, name and message. */
export class CellCallError extends Error {
  constructor(readonly code: number, readonly codeName: string, readonly detail: string, readonly method: string) {
    super(`${method} failed: ${codeName} (${code}): ${detail}`);
  }
}

export interface ConnectOptions {
  /** The local node whose kernel routes the calls. */
  node: CellNode;
  /** Send to this node id instead of letting the kernel choose a replica. */
  dst?: number;
}

/** How long connect() waits for the confirming probes of the nearest replicas to come back. */
const CONFIRM_WAIT_MS = 250;

export async function connect<Api>(species: CellSpecies<Api>, opts: ConnectOptions): Promise<Api> {
  const { schema, speciesId } = species;
  // Replicas are ranked by predicted RTT; the best few are confirmed with a probe, so the first
  // call goes to the one that is nearest by measurement.
  if (opts.dst === undefined && opts.node.kernel.confirm(speciesId) > 0) await new Promise((r) => setTimeout(r, CONFIRM_WAIT_MS));
  const client: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const m of schema.methods) {
    client[m.name] = async (...args: unknown[]) => {
      const answer = await opts.node.call(speciesId, encodeCall(schema, m.name, args), opts.dst ?? 0);
      if (answer.kind === 'reply') return decodeReply(schema, m.name, answer.payload);
      const e = decodeError(answer.payload);
      throw new CellCallError(e.code, e.name, e.message, `${schema.name}.${m.name}`);
    };
  }
  return client as Api;
}
