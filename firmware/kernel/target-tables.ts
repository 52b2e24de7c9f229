// The kernel's table sizes per build target (docs/protocol.toml [mcu_table]). asconfig.json's
// target `mcu` sets the integer constant FIRMWARE_MCU to 1 (`use`), target `host` to 0, so the
// board's kernel.wasm holds fewer rows than kernel.host.wasm. They are compile-time constants:
// memory.data sizes fold, and a table's code is the same on both but for its bound.
import {
  MCU_MAX_PEERS, MCU_NB_SLOTS, MCU_MAX_CALLS, MCU_MAX_SESSIONS, MCU_REPLAY_SHARED, MCU_REPLAY_LARGE,
  MCU_MAX_ACCESS, MCU_MAX_SERVE, MCU_KERNEL_BYTES, MAX_SESSIONS, MAX_ACCESS, MAX_SERVE, HOST_PAGES,
  MCU_MAX_CELLS, MCU_SPORE_FETCHES, SPORE_MAX_FETCHES, SPORE_MAX_RUN, SPORE_MAX_HOLDERS,
} from "../protocol/table";

// @ts-ignore: FIRMWARE_MCU is defined by the build target (asconfig.json "use"), not in source
export const TARGET_MCU: bool = FIRMWARE_MCU != 0;

export const KERNEL_MAX_PEERS: i32 = TARGET_MCU ? MCU_MAX_PEERS : 64;
export const KERNEL_NB_SLOTS: i32 = TARGET_MCU ? MCU_NB_SLOTS : 64;
export const KERNEL_MAX_CALLS: i32 = TARGET_MCU ? MCU_MAX_CALLS : 32;
export const KERNEL_MAX_SESSIONS: i32 = TARGET_MCU ? MCU_MAX_SESSIONS : MAX_SESSIONS;
export const KERNEL_REPLAY_SHARED: i32 = TARGET_MCU ? MCU_REPLAY_SHARED : 32;
export const KERNEL_REPLAY_LARGE: i32 = TARGET_MCU ? MCU_REPLAY_LARGE : 4;
export const KERNEL_MAX_CELLS: i32 = TARGET_MCU ? MCU_MAX_CELLS : 8;
export const KERNEL_SPORE_FETCHES: i32 = TARGET_MCU ? MCU_SPORE_FETCHES : SPORE_MAX_FETCHES;
// A board's 2 KiB frame holds one chunk and its proof: its kernel asks for and serves single chunks.
export const KERNEL_SPORE_RUN: i32 = TARGET_MCU ? 1 : SPORE_MAX_RUN;
// Peers a fetch asks, nearest first, once no hinted or announcing holder is left (a spore held
// only in a cache is found on request). A board fetches from the node on its cable: it asks none.
export const KERNEL_SPORE_ASK: i32 = TARGET_MCU ? 0 : SPORE_MAX_HOLDERS;
export const KERNEL_MAX_ACCESS: i32 = TARGET_MCU ? MCU_MAX_ACCESS : MAX_ACCESS;
export const KERNEL_MAX_SERVE: i32 = TARGET_MCU ? MCU_MAX_SERVE : MAX_SERVE;
/** The highest address + 1 the kernel may touch: its data and tables end below it (memory-top.ts). */
export const KERNEL_MEMORY_TOP: i32 = TARGET_MCU ? MCU_KERNEL_BYTES : HOST_PAGES << 16;
