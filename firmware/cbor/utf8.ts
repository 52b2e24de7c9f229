// Strict UTF-8 validation (RFC 3629): the reader rejects text it could not hand to a cell as a
// string without guessing, so overlong forms, surrogates (U+D800..DFFF) and code points above
// U+10FFFF are errors. Reads byte by byte: no allocation, no alignment assumptions (wasm3 on MCUs).

// @ts-ignore: decorator
@inline
function cont(b: u32): bool {
  return (b & 0xc0) == 0x80;
}

/** True when the `len` bytes at `ptr` are well-formed UTF-8. */
export function validUtf8(ptr: usize, len: i32): bool {
  let i = 0;
  while (i < len) {
    let b0 = <u32>load<u8>(ptr + <usize>i);
    if (b0 < 0x80) {
      i++;
      continue;
    }
    // Second-byte range depends on the lead byte; this is what excludes overlongs,
    // surrogates and code points above U+10FFFF.
    let lo: u32 = 0x80;
    let hi: u32 = 0xbf;
    let need = 0;
    if (b0 < 0xc2) return false; // stray continuation byte, or overlong 2-byte lead C0/C1
    if (b0 < 0xe0) {
      need = 1;
    } else if (b0 < 0xf0) {
      need = 2;
      if (b0 == 0xe0) lo = 0xa0;
      else if (b0 == 0xed) hi = 0x9f;
    } else if (b0 < 0xf5) {
      need = 3;
      if (b0 == 0xf0) lo = 0x90;
      else if (b0 == 0xf4) hi = 0x8f;
    } else {
      return false;
    }
    if (need >= len - i) return false;
    let b1 = <u32>load<u8>(ptr + <usize>(i + 1));
    if (b1 < lo || b1 > hi) return false;
    for (let k = 2; k <= need; k++) {
      if (!cont(<u32>load<u8>(ptr + <usize>(i + k)))) return false;
    }
    i += need + 1;
  }
  return true;
}
