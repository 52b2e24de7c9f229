// Installing a cell on a board as a spore transfer over the serial link (issue #14): the host on
// the cable runs a node of its own (open and keyless, as the board) that serves the module, tells
// the board's install protocol to FETCH it, and the board's own kernel fetches it chunk by chunk
// (which holder, which chunk, retries, proofs: firmware/kernel/spore-fetch.ts), writes each
// verified chunk into a free cell slot of its flash, checks the whole module's SHA-256, commits
// and hosts it (boards/runtime/core/spore-hal.c). The host watches with FETCH_STATUS and checks the
// hash the board reports and its store's listing. The kernel itself still goes over BEGIN/CHUNK/COMMIT
// (flash-modules.ts): it cannot fetch before it runs.
import { CellNode } from '../runtime/cell-node.ts';
import { SporeBytes } from '../runtime/spore-bytes.ts';
import { chunkCount, chunkRoot } from '../spore/chunk-tree.ts';
import { SPORE_CHUNK_BYTES } from '../wire/protocol-table.ts';
import { fetchWhyText, statusText, type FetchReport, type BoardInfo } from './install-frames.ts';
import { InstallLinkTransport } from './install-link-transport.ts';
import { flashModules, ModuleRejectedError, type FlashProgress, type FlashResult } from './flash-modules.ts';
import type { InstallLink } from './install-link.ts';

/** The cable node's id: any id the board does not use; the board learns it from FETCH. */
export const CABLE_NODE = 0xcab1e5f0;

export interface BoardSpore {
  name: string;
  species: number;
  module: Uint8Array;
  /** The chunk root from the signed manifest; computed from the module when not given (a .wasm). */
  root?: Uint8Array;
}

export interface BoardFetchResult {
  name: string;
  slot: number;
  size: number;
  sha256: string;
  /** Chunks the board already held from a fetch of the same module that was cut off. */
  resumed: number;
  /** The board kernel's counters after the fetch (since its start). */
  chunksRx: number;
  badChunks: number;
  /** Chunks this host served for it. */
  served: number;
}

export class BoardFetchError extends ModuleRejectedError {
  constructor(message: string, readonly report?: FetchReport) {
    super(message);
  }
}

export interface FetchOptions {
  progress?: FlashProgress;
  /** How often the board is asked how the fetch stands (ms). */
  pollMs?: number;
  /** The fetch is given up when the board's chunk count has not moved for this long (ms); the board's kernel normally ends it first. */
  stallMs?: number;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A node on the cable that serves spores to the board's kernel over the link's mesh frames. */
export async function cableNode(link: InstallLink, kernelWasm: Uint8Array, spores = new SporeBytes(), nodeId = CABLE_NODE): Promise<{ node: CellNode; spores: SporeBytes }> {
  // No announcements or probes: this node only answers the board's SPORE_GETs.
  const node = await CellNode.create({ nodeId, kernelWasm, transports: [new InstallLinkTransport(link)], spores, config: { announceIntervalMs: 0, probeIntervalMs: 0 } });
  return { node, spores };
}

/** Has the board's kernel fetch `spore` from the cable node `server` serves it from; resolves once the board stored, checked and hosts it. */
export async function fetchOntoBoard(link: InstallLink, server: { nodeId: number; spores: SporeBytes }, spore: BoardSpore, opts: FetchOptions = {}): Promise<BoardFetchResult> {
  const pollMs = opts.pollMs ?? 50;
  const stallMs = opts.stallMs ?? 30_000;
  const hash = server.spores.serve(spore.module);
  const root = spore.root ?? chunkRoot(spore.module);
  const size = spore.module.length;
  const begun = await link.request({ op: 'fetch', species: spore.species, size, hash, root, holder: server.nodeId });
  if (begun.status !== 'ok' || begun.op !== 'fetch') throw new BoardFetchError(`${spore.name}: fetch: ${statusText(begun.status)}`);
  const total = chunkCount(size);
  opts.progress?.start(size);
  let shown = 0;
  const show = (held: number) => {
    const bytes = Math.min(size, held * SPORE_CHUNK_BYTES);
    if (bytes > shown) { opts.progress?.advance(bytes - shown); shown = bytes; }
  };
  show(begun.resumed ?? 0);
  let report: FetchReport | undefined;
  let moved = Date.now();
  let last = -1;
  try {
    for (;;) {
      const r = await link.request({ op: 'fetchStatus' });
      if (r.status !== 'ok' || r.op !== 'fetchStatus' || !r.report) throw new BoardFetchError(`${spore.name}: fetch status: ${statusText(r.status)}`);
      report = r.report;
      show(report.held);
      if (report.state === 'done') break;
      if (report.state === 'failed') {
        const bad = report.badChunks ? `; the board's kernel counted ${report.badChunks} bad chunks` : '';
        throw new BoardFetchError(`${spore.name}: the board's fetch failed: ${fetchWhyText(report.why)} (${report.held} of ${total} chunks held${bad})`, report);
      }
      if (report.held !== last) { last = report.held; moved = Date.now(); }
      else if (Date.now() - moved > stallMs) throw new BoardFetchError(`${spore.name}: the board's fetch made no progress for ${stallMs} ms (${report.held} of ${total} chunks)`, report);
      await sleep(pollMs);
    }
  } finally {
    opts.progress?.stop();
  }
  const want = hex(hash);
  if (hex(report.sha256) !== want) throw new BoardFetchError(`${spore.name}: the board reported SHA-256 ${hex(report.sha256)}, expected ${want}`, report);
  const listed = await link.request({ op: 'list' });
  const m = listed.op === 'list' ? listed.modules?.find((x) => x.slot === report!.slot) : undefined;
  if (!m || hex(m.sha256) !== want || m.species !== spore.species >>> 0) throw new BoardFetchError(`${spore.name}: the board's store does not list it in slot ${report.slot} after the fetch`, report);
  return {
    name: spore.name, slot: report.slot, size, sha256: want, resumed: begun.resumed ?? 0,
    chunksRx: report.chunksRx, badChunks: report.badChunks, served: server.spores.servedCount(hash),
  };
}

/**
 * `cell flash`'s order: the kernel over BEGIN/CHUNK/COMMIT into slot 0 (every cell slot erased),
 * a reboot into it, then each cell fetched by that kernel as a spore from a node on the cable.
 */
export async function flashKernelAndSpores(
  link: InstallLink, kernel: Uint8Array, cells: BoardSpore[], hostKernelWasm: Uint8Array, progress?: FlashProgress,
): Promise<{ info: BoardInfo; modules: (FlashResult['modules'][number] & { fetch?: BoardFetchResult })[] }> {
  const k = await flashModules(link, [{ name: 'kernel', slot: 0, species: 0, bytes: kernel }], progress);
  if (cells.length === 0) return k;
  const { node, spores } = await cableNode(link, hostKernelWasm);
  try {
    const modules: (FlashResult['modules'][number] & { fetch?: BoardFetchResult })[] = [...k.modules];
    for (const c of cells) {
      const f = await fetchOntoBoard(link, { nodeId: node.nodeId, spores }, c, { progress });
      modules.push({ name: c.name, slot: f.slot, size: f.size, sha256: f.sha256, fetch: f });
    }
    const info = await link.request({ op: 'info' });
    return { info: info.op === 'info' && info.info ? info.info : k.info, modules };
  } finally {
    await node.close();
  }
}
