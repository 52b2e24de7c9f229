// The exported globals that the build's rewrites (meter.ts, grow-guard.ts) add to every cell, by
// name. The runtime reads them on every call; they live apart from the rewrites so that hosting
// or calling a cell does not load binaryen.

/** Name of the exported fuel global (docs/abi.md, Cell ABI). */
export const FUEL_EXPORT = 'cell_fuel';

/** Name of the exported flag; 1 after a memory.grow that could not succeed. */
export const OOM_EXPORT = 'cell_oom';
