// Where the QEMU board's RAM goes: the RAM hunt's session (bench/board.ts) on an image built with
// a heap trace (boards/runtime/platform/qemu-mps2-an386/heap-trace.c: wasm3's log of every
// allocation, the runtime's phase marks, the heap's top at each). Prints, per phase, the heap's
// top and the bytes wasm3 holds by kind, and the kinds at the heap's peak.
// `npx tsx --import ./test/loader/raw-binaryen.mjs bench/board-ram-breakdown.ts [cells...]`
// (cells: names under build/cells, default echo; kv as the second cell gets every 3rd call).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { runQemuBoard, type BoardStep } from '../host/board/board-script.ts';
import { armToolchainMissing, buildQemuImage, C_STACK_BYTES, qemuArgs } from '../host/board/build-qemu.ts';
import { REPO_ROOT } from '../host/build/paths.ts';
import { echoFrames, WASM3_STACK } from './board.ts';

const FUEL = 10_000_000;
export const TRACE_DEFINES = ['-DBOARD_HEAP_TRACE', '-Dd_m3LogHeapOps=1', '-Dfprintf=board_heap_fprintf'];

export interface HeapPhase {
  phase: string;
  /** The heap's top (bytes sbrk has handed out): the RAM the heap needs up to here. */
  top: number;
  /** Bytes wasm3 holds (its allocations, without malloc's own headers), by kind. */
  live: Map<string, number>;
}

/** Follows wasm3's heap log: which allocation (by address) is of which kind and size. */
export function parseHeapTrace(lines: string[]): { phases: HeapPhase[]; peak: HeapPhase } {
  const blocks = new Map<string, { kind: string; size: number }>();
  const phases: HeapPhase[] = [];
  const snapshot = (phase: string, top: number): HeapPhase => {
    const live = new Map<string, number>();
    for (const b of blocks.values()) live.set(b.kind, (live.get(b.kind) ?? 0) + b.size);
    return { phase, top, live };
  };
  let peak: HeapPhase = snapshot('start', 0);
  let slotPhase = '';
  for (const line of lines) {
    const m = /^heap-(op|mark) (.*) top=(\d+)$/.exec(line);
    if (!m) continue;
    const top = Number(m[3]);
    if (m[1] === 'mark') {
      const [what, slot] = m[2]!.split(' ');
      slotPhase = Number(slot) >= 0 ? `${what} ${slot}` : what!;
      phases.push(snapshot(slotPhase, top));
      continue;
    }
    // ;heap:OP;name;size;items;ptr;oldItems;oldPtr (m3_core.h, d_m3LogHeapOps)
    const f = m[2]!.split(';');
    const op = f[1]!.replace('heap:', '');
    const name = f[2]!;
    if (op === 'AllocStruct' || op === 'AllocMem') blocks.set(f[5]!, { kind: name, size: Number(f[3]) });
    else if (op === 'AllocArr') blocks.set(f[5]!, { kind: name, size: Number(f[3]) * Number(f[4]) });
    else if (op === 'ReallocArr' || op === 'ReallocMem') {
      const size = op === 'ReallocArr' ? Number(f[3]) * Number(f[4]) : Number(f[4]);
      blocks.delete(f[7]!);
      blocks.set(f[5]!, { kind: name, size });
    } else if (op === 'FreeMem') blocks.delete(f[5]!);
    if (top > peak.top) peak = snapshot(`in the step after ${slotPhase}`, top);
  }
  return { phases, peak };
}

function staticBytes(elf: string): { data: number; bss: number } {
  const cols = execFileSync('arm-none-eabi-size', [elf], { encoding: 'utf8' }).trim().split('\n')[1]!.trim().split(/\s+/).map(Number);
  return { data: cols[1]!, bss: cols[2]! };
}

export async function ramBreakdown(cells: string[]): Promise<{ phases: HeapPhase[]; peak: HeapPhase; data: number; bss: number; cStack: number }> {
  const cellPaths = cells.map((c) => join(REPO_ROOT, 'build', 'cells', `${c}.wasm`));
  const kernelPath = join(REPO_ROOT, 'build', 'kernel.wasm');
  const { setup, frames } = await echoFrames(24, cells.length > 1 ? 3 : 0);
  const steps: BoardStep[] = [...setup, ...frames, { op: 'now', ms: 5000 }, { op: 'tick' }];
  const image = buildQemuImage({ kernelPath, cellPaths, ramBytes: 4 << 20, tag: `heap-trace-${cells.length}`, defines: TRACE_DEFINES });
  const lines = await runQemuBoard({ command: 'qemu-system-arm', args: qemuArgs(image.elf) }, { seed: 1, fuelPerCall: FUEL, stackBytes: WASM3_STACK }, steps);
  return { ...parseHeapTrace(lines), ...staticBytes(image.elf), cStack: C_STACK_BYTES };
}

function table(r: Awaited<ReturnType<typeof ramBreakdown>>): string {
  const kinds = [...new Set(r.phases.flatMap((p) => [...p.live.keys()]).concat([...r.peak.live.keys()]))];
  const total = (p: HeapPhase) => [...p.live.values()].reduce((a, b) => a + b, 0);
  // Only the phases where something changed, and the peak.
  const rows: HeapPhase[] = [];
  for (const p of r.phases) {
    if (p.phase.startsWith('wasm-stack-') || p.phase.startsWith('linear-written-')) continue;
    if (!rows.length || rows.at(-1)!.top !== p.top || total(rows.at(-1)!) !== total(p)) rows.push(p);
  }
  const out = [`static: .data ${r.data} + .bss ${r.bss} bytes; C stack ${r.cStack} bytes`, '', 'phase | heap top | wasm3 live | by kind (bytes)', '---|---|---|---'];
  for (const p of [...rows, r.peak]) {
    const by = kinds.filter((k) => p.live.get(k)).map((k) => `${k} ${p.live.get(k)}`).join(', ');
    out.push(`${p === r.peak ? `**peak** ${p.phase}` : p.phase} | ${p.top} | ${total(p)} | ${by}`);
  }
  const stacks = r.phases.filter((p) => p.phase.startsWith('wasm-stack-')).map((p) => p.phase.replace('wasm-stack-', ''));
  const written = r.phases.filter((p) => p.phase.startsWith('linear-written-')).map((p) => p.phase.replace('linear-written-', ''));
  out.push('', `wasm3 stack high-water marks (bytes, kernel then cells): ${stacks.join(', ')}`);
  out.push(`linear memory written, up to the highest non-zero byte below the page's last 64 (kernel then cells): ${written.join(', ')}`);
  return out.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const missing = armToolchainMissing();
  if (missing) throw new Error(missing);
  const cells = process.argv.slice(2);
  console.log(table(await ramBreakdown(cells.length ? cells : ['echo'])));
}
