/* Phase marks for the heap trace (docs/boards.md, RAM breakdown): in an image built with
 * -DBOARD_HEAP_TRACE the platform prints where the heap stands at each mark; otherwise nothing. */
#ifndef CELL_BOARD_HEAP_MARK_H
#define CELL_BOARD_HEAP_MARK_H
#ifdef BOARD_HEAP_TRACE
void board_heap_mark(const char *phase, int slot);
/* runtime.c: each runtime's wasm3 stack high-water mark, as "heap-mark wasm-stack-<bytes> <slot>". */
void board_trace_wasm_stacks(void);
#define HEAP_MARK(phase, slot) board_heap_mark((phase), (slot))
#define HEAP_STACKS() board_trace_wasm_stacks()
#else
#define HEAP_MARK(phase, slot) ((void)0)
#define HEAP_STACKS() ((void)0)
#endif
#endif
