// Appends a WebAssembly custom section. Custom sections may sit anywhere, the end included, and
// engines ignore their contents, so adding one never changes what a module does.

/** `wasm` followed by custom section `name` holding `payload`: id 0, size, name length, name, bytes. */
export function appendCustomSection(wasm: Uint8Array, name: string, payload: Uint8Array): Uint8Array<ArrayBuffer> {
  if (wasm.length < 8 || wasm[0] !== 0x00 || wasm[1] !== 0x61 || wasm[2] !== 0x73 || wasm[3] !== 0x6d) {
    throw new Error('appendCustomSection: not a WebAssembly module (no \\0asm header)');
  }
  const nameBytes = new TextEncoder().encode(name);
  const body = [...uleb128(nameBytes.length), ...nameBytes];
  const size = body.length + payload.length;
  const out = new Uint8Array(wasm.length + 1 + uleb128(size).length + size);
  let at = 0;
  const put = (bytes: ArrayLike<number>) => {
    out.set(bytes, at);
    at += bytes.length;
  };
  put(wasm);
  put([0]);
  put(uleb128(size));
  put(body);
  put(payload);
  return out;
}

function uleb128(n: number): number[] {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`uleb128: ${n} is not a u32`);
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}
