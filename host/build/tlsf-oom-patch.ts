// AssemblyScript's TLSF allocator, built with `--lowMemoryLimit N` (a cell whose memory is below
// one page, host/build/cell-memory.ts), never calls memory.grow: when its N bytes are full it runs a
// bare `unreachable`. The build's grow guard (grow-guard.ts) only sees memory.grow, so that case
// would read as a plain trap instead of OUT_OF_MEMORY. This patch puts a memory.grow that can never
// succeed (65536 pages, the whole wasm32 address space, on top of the current size) just before
// that `unreachable`: the guard raises `cell_oom`, the grow returns -1 and changes nothing, on V8
// and on wasm3 alike. The branch is compiled out unless the limit is set, so every other build is
// unchanged byte for byte.

/** What the low-limit branch of growMemory in assemblyscript 0.28's std/assembly/rt/tlsf.ts reads. */
const ORIGINAL = 'if (ASC_LOW_MEMORY_LIMIT) {\n    unreachable();\n    return;\n  }';
const PATCHED = 'if (ASC_LOW_MEMORY_LIMIT) {\n    memory.grow(0x10000); // fails: the grow guard raises cell_oom (host/build/tlsf-oom-patch.ts)\n    unreachable();\n    return;\n  }';

/** Part of the compile cache's key: a change here recompiles. */
export const TLSF_PATCH_ID = 'tlsf-oom-1';

/** Patches the compiler's bundled copy of rt/tlsf (held in memory by `assemblyscript/asc`) once per process. */
export function patchTlsf(libraryFiles: Record<string, string>): void {
  const text = libraryFiles['rt/tlsf'];
  if (typeof text !== 'string') throw new Error('patchTlsf: the AssemblyScript compiler has no rt/tlsf library file');
  if (text.includes(PATCHED)) return;
  const at = text.indexOf(ORIGINAL);
  if (at < 0 || text.indexOf(ORIGINAL, at + 1) >= 0) {
    throw new Error('patchTlsf: rt/tlsf.ts of this AssemblyScript version does not have the low-memory branch host/build/tlsf-oom-patch.ts expects; update the patch');
  }
  libraryFiles['rt/tlsf'] = text.slice(0, at) + PATCHED + text.slice(at + ORIGINAL.length);
}
