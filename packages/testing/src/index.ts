export { buildFrame, concatBytes, hex, toHex, type RawFrame } from './frames.js';
export { whole, byteByByte, everySplit, allChunkings, randomChunks, seededRandom } from './chunks.js';
export { HttpProxy, CuttingProxy, DelayingProxy, type HttpProxyOptions, type DelayOptions } from './proxies.js';
export { launchChromium, findChromium, servePage, CHROMIUM_ARGS, WEBRTC_ARGS, type LaunchChromiumOptions, type PageServer, type ServePageOptions } from './chromium.js';
export { startRedis, type RedisServer } from './redis.js';
