// ERROR payloads of docs/wire.md: CBOR [code, message], codes from the protocol table.
import { encodeCbor } from './cbor.ts';

import { ErrorCode } from './protocol-table.ts';

export { ErrorCode };

export function encodeErrorPayload(code: ErrorCode, message: string): Uint8Array {
  return encodeCbor([code, message]);
}
