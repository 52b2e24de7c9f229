// Reads an AssemblyScript string (UTF-16LE, byte length as u32 at ptr - 4) out of linear memory.
export function readAsString(memory: WebAssembly.Memory, ptr: number): string | null {
  if (ptr === 0) return null;
  const bytes = new Uint8Array(memory.buffer);
  if (ptr < 4 || ptr > bytes.length) return `<bad string pointer ${ptr}>`;
  const len = new DataView(memory.buffer).getUint32(ptr - 4, true);
  if (len % 2 !== 0 || ptr + len > bytes.length) return `<bad string at ${ptr}>`;
  return Buffer.from(bytes.subarray(ptr, ptr + len)).toString('utf16le');
}
