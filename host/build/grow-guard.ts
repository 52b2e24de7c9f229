// Makes "out of memory" observable. AssemblyScript 0.28's runtimes (stub and minimal/TLSF) do not
// abort when the heap is full: they call memory.grow, and when that fails they execute a bare
// `unreachable`, indistinguishable from any other trap. This rewrite routes every memory.grow
// delta through a check that raises an exported flag `cell_oom` (mutable i32, sticky until the
// host clears it) when the grow must fail, i.e. when delta > maximum - current pages. The host
// clears the flag before a call and reports OUT_OF_MEMORY when a trapping call raised it.
import binaryen from 'binaryen';
import {
  checkRewriteInput, definedFunctions, emitProfileModule, expressions, freshFunctionName, freshGlobalName,
  RewriteError, setters, withModule, type Expr,
} from './wasm-ir.ts';
import { OOM_EXPORT } from './cell-globals.ts';

/** wasm32 address space in pages: the limit for a memory declared without a maximum. */
const MAX_WASM32_PAGES = 65536;

export function guardMemoryGrow(wasm: Uint8Array): Uint8Array {
  const facts = checkRewriteInput(wasm, 'guardMemoryGrow');
  if (facts.exports.some((e) => e.name === OOM_EXPORT)) {
    throw new RewriteError(`guardMemoryGrow: the module already exports "${OOM_EXPORT}" (guarded twice?)`);
  }
  if (!facts.memory) throw new RewriteError('guardMemoryGrow: the module has no memory to guard');
  const maxPages = facts.memory.maximumPages ?? MAX_WASM32_PAGES;
  return withModule(wasm, (mod) => {
    const flag = freshGlobalName(mod, OOM_EXPORT);
    mod.addGlobal(flag, binaryen.i32, true, mod.i32.const(0));
    mod.addGlobalExport(flag, OOM_EXPORT);

    const grows: Expr[] = [];
    for (const fn of definedFunctions(mod)) {
      for (const expr of expressions(fn)) if (binaryen.getExpressionId(expr) === binaryen.MemoryGrowId) grows.push(expr);
    }
    if (grows.length > 0) {
      // check(delta) = { if (delta >u max - memory.size) cell_oom = 1; return delta }
      const check = freshFunctionName(mod, 'cell_oom_check');
      const delta = () => mod.local.get(0, binaryen.i32);
      mod.addFunction(check, binaryen.i32, binaryen.i32, [], mod.block(null, [
        mod.if(mod.i32.gt_u(delta(), mod.i32.sub(mod.i32.const(maxPages), mod.memory.size())), mod.global.set(flag, mod.i32.const(1))),
        delta(),
      ], binaryen.i32));
      for (const grow of grows) {
        const original = (binaryen.getExpressionInfo(grow) as binaryen.MemoryGrowInfo).delta;
        setters.MemoryGrow.setDelta(grow, mod.call(check, [original], binaryen.i32));
      }
    }
    return emitProfileModule(mod, 'guardMemoryGrow');
  });
}
