// The firmware's CBOR codec: import { CborWriter, CborReader, CborError } from "../cbor".
export * from "./writer";
export * from "./reader";
export * from "./utf8";
