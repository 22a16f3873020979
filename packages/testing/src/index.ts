export { buildFrame, concatBytes, hex, toHex, type RawFrame } from './frames.js';
export { whole, byteByByte, everySplit, allChunkings, randomChunks, seededRandom } from './chunks.js';
