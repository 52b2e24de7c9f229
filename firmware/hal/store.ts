// The cell store's HAL imports (docs/abi.md, Store): a small durable key-value store per cell
// species on this node, a file on a host and flash on a board. Cells use firmware/sdk/store.ts.

@external("hal", "store_get")
export declare function halStoreGet(keyPtr: usize, keyLen: i32, outPtr: usize, outCap: i32): i32;

@external("hal", "store_put")
export declare function halStorePut(keyPtr: usize, keyLen: i32, valuePtr: usize, valueLen: i32): i32;

@external("hal", "store_del")
export declare function halStoreDel(keyPtr: usize, keyLen: i32): i32;

@external("hal", "store_next")
export declare function halStoreNext(keyPtr: usize, keyLen: i32, outPtr: usize, outCap: i32): i32;
