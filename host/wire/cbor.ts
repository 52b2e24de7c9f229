// The host's one CBOR configuration (cbor-x). Plain RFC 8949 maps, definite and shortest
// lengths, no cbor-x record/packing extensions, so the firmware codec can match it byte for byte.
// The `encode` entry point has the whole codec without cbor-x's stream classes and native-addon
// probe, which would cost every CLI start-up tens of ms.
import { Encoder, type Options } from 'cbor-x/encode';

// useTag259ForMaps is a real cbor-x option (a JS Map would otherwise get tag 259, which the
// firmware rejects) that cbor-x's typings omit.
const options: Options & { useTag259ForMaps: boolean } = {
  useRecords: false,
  mapsAsObjects: true,
  variableMapSize: true,
  tagUint8Array: false,
  useTag259ForMaps: false,
  pack: false,
};
const codec = new Encoder(options);

export function encodeCbor(value: unknown): Uint8Array {
  return codec.encode(value);
}

export function decodeCbor(bytes: Uint8Array): unknown {
  return codec.decode(bytes);
}
