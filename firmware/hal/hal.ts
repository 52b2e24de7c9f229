// The Cell HAL: the only way out of firmware. See docs/abi.md.
// Every firmware module is compiled with `--use abort=firmware/hal/hal/halAbort`,
// so AssemblyScript aborts end here instead of importing env.abort.

@external("hal", "send")
export declare function halSend(ptr: usize, len: i32): void;

@external("hal", "now")
export declare function halNow(): f64;

@external("hal", "random")
export declare function halRandom(): u32;

@external("hal", "log")
export declare function halLog(level: i32, ptr: usize, len: i32): void;

@external("hal", "panic")
export declare function halPanic(msg: usize, file: usize, line: u32, col: u32): void;

@external("hal", "cell_call")
export declare function halCellCall(slot: i32, inPtr: usize, inLen: i32, outPtr: usize, outCap: i32): i32;

@external("hal", "deliver")
export declare function halDeliver(kind: i32, seq: i32, src: u32, ptr: usize, len: i32): void;

@external("hal", "spawn")
export declare function halSpawn(species: u32, target: u32): i32;

@external("hal", "retire")
export declare function halRetire(slot: i32): void;

export function halAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  halPanic(changetype<usize>(message), changetype<usize>(fileName), line, column);
  unreachable();
}
