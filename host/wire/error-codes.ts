// ERROR payload codes of docs/wire.md and the payload itself: CBOR [code, message].
import { encodeCbor } from './cbor.ts';

export enum ErrorCode {
  UNKNOWN_SPECIES = 1,
  UNKNOWN_METHOD = 2,
  BAD_ARGS = 3,
  CELL_TRAP = 4,
  OUT_OF_FUEL = 5,
  OUT_OF_MEMORY = 6,
  CELL_ERROR = 7,
  TOO_LARGE = 8,
  TIMEOUT = 9,
  NO_ROUTE = 10,
  OVERLOADED = 11,
}

export function encodeErrorPayload(code: ErrorCode, message: string): Uint8Array {
  return encodeCbor([code, message]);
}
