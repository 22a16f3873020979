// The few web-platform globals the codec uses. They exist in browsers and in Node ≥ 20, so the
// codec stays free of node:* imports while its tsconfig keeps DOM and Node types out.
declare global {
  var crypto: { getRandomValues<T extends Uint8Array>(array: T): T };
  class TextEncoder {
    encode(input?: string): Uint8Array;
    encodeInto(input: string, destination: Uint8Array): { read: number; written: number };
  }
  function btoa(data: string): string;
  function atob(data: string): string;
  class TextDecoder {
    constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
    decode(input?: Uint8Array): string;
  }
}
export {};
