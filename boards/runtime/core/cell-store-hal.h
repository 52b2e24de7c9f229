/* The cell store's HAL imports (docs/abi.md: store_get, store_put, store_del, store_next) for a
 * cell module under wasm3, checked as the host checks them (host/runtime/cell-instance.ts). */
#ifndef CELL_BOARD_CELL_STORE_HAL_H
#define CELL_BOARD_CELL_STORE_HAL_H
#include "wasm3.h"

/* Links the four imports of a cell module loaded into `slot` (an import it does not have is
 * skipped). NULL or wasm3's error. */
M3Result cell_store_link(IM3Module mod, int slot);

#endif
