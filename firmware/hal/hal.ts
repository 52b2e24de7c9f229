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

// Crypto comes from the HAL (node:crypto on a host, a vetted C library on a board): the kernel
// never holds the node's secret key and implements no primitive itself.

/** ed25519 signature by this node's own key over `len` bytes at msg, 64 bytes to sigOut; 0, or -1 if the node has no key. */
@external("hal", "sign")
export declare function halSign(msg: usize, len: i32, sigOut: usize): i32;

/** 1 if the 64-byte ed25519 signature at sig is valid for the 32-byte key at pub over `len` bytes at msg, else 0. */
@external("hal", "verify")
export declare function halVerify(pub: usize, msg: usize, len: i32, sig: usize): i32;

/** X25519 (RFC 7748) of the 32-byte scalar and point, 32 bytes to out; 0, or -1 for an all-zero result. */
@external("hal", "x25519")
export declare function halX25519(scalar: usize, point: usize, out: usize): i32;

/** HMAC-SHA256 of `len` bytes at data under the `keyLen`-byte key, 32 bytes to out. */
@external("hal", "mac")
export declare function halMac(key: usize, keyLen: i32, data: usize, len: i32, out: usize): void;

/** SHA-256 of `len` bytes at data, 32 bytes to out. */
@external("hal", "hash")
export declare function halHash(data: usize, len: i32, out: usize): void;

// Spores (docs/spores.md, Transfer): the kernel decides, the host holds the bytes.

/** The host's chunks index..index+count-1 (fewer at the module's end) of the module whose 32-byte hash is at hashPtr, then their subtree's proof, written at out; returns chunksLen | proofLen << 16, or -1 if not held. */
@external("hal", "spore_get")
export declare function halSporeGet(hashPtr: usize, index: i32, count: i32, out: usize, outCap: i32): i32;

/** A verified chunk of fetch `handle`: the host stores it. */
@external("hal", "spore_put")
export declare function halSporePut(handle: i32, index: i32, ptr: usize, len: i32): void;

/** Fetch `handle` ended: FETCH_OK (every chunk stored; the host checks the module hash) or a FETCH_* failure. */
@external("hal", "spore_done")
export declare function halSporeDone(handle: i32, status: i32): void;

export function halAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  halPanic(changetype<usize>(message), changetype<usize>(fileName), line, column);
  unreachable();
}
