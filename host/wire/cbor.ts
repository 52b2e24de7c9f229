// The host's one CBOR configuration (cbor-x). Plain RFC 8949 maps, definite and shortest
// lengths, no cbor-x record/packing extensions, so the firmware codec can match it byte for byte.
import { Encoder } from 'cbor-x';

const codec = new Encoder({
  useRecords: false,
  mapsAsObjects: true,
  variableMapSize: true,
  tagUint8Array: false,
  useTag259ForMaps: false,
  pack: false,
});

export function encodeCbor(value: unknown): Uint8Array {
  return codec.encode(value);
}

export function decodeCbor(bytes: Uint8Array): unknown {
  return codec.decode(bytes);
}
