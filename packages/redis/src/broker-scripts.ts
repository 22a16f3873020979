/**
 * The broker's Lua scripts: each runs atomically in Redis, so an entry's offset, its place in the
 * stream, the trimming and the live message are one step no other node can interleave with.
 *
 * Per channel (keys from `channelKeys`, one hash tag so one Cluster slot):
 * - meta (hash): `epoch`, `last` (last offset given), `floor` (offsets at or below it were
 *   trimmed), `bytes` (summed sizes of the entries kept);
 * - log (stream): the entries kept, with ids `0-<offset>`, fields `t` (time), `s` (size), `e` (JSON);
 * - live (shard channel): `<epoch> <offset> <JSON>` for every entry, volatile ones too.
 */

/** Shared by the scripts: makes the meta if missing (a new epoch), and trims by count, bytes, age. */
const PRELUDE = `
local meta, log = KEYS[1], KEYS[2]
local function ensure(candidate)
  local epoch = redis.call('HGET', meta, 'epoch')
  if epoch then return epoch end
  -- No meta: a new run of the channel (first use, expiry, or a Redis restart or flush).
  redis.call('DEL', log)
  redis.call('HSET', meta, 'epoch', candidate, 'last', 0, 'floor', 0, 'bytes', 0)
  return candidate
end
local function trim(now, count, bytes, age)
  local floor = nil
  while true do
    local kept = redis.call('XLEN', log)
    if kept == 0 then break end
    local oldest = redis.call('XRANGE', log, '-', '+', 'COUNT', 1)[1]
    local time, size = tonumber(oldest[2][2]), tonumber(oldest[2][4])
    local summed = tonumber(redis.call('HGET', meta, 'bytes'))
    if kept <= count and summed <= bytes and now - time <= age then break end
    redis.call('XDEL', log, oldest[1])
    redis.call('HINCRBY', meta, 'bytes', -size)
    floor = string.sub(oldest[1], 3)
  end
  if floor then redis.call('HSET', meta, 'floor', floor) end
end
local function keep(ttl)
  redis.call('PEXPIRE', meta, ttl)
  redis.call('PEXPIRE', log, ttl)
end
`;

/**
 * KEYS: meta, log, live. ARGV: candidate epoch, now, JSON, size, volatile (1/0), count, bytes,
 * age, ttl. Returns { epoch, offset }.
 */
export const PUBLISH_SCRIPT = `${PRELUDE}
local epoch = ensure(ARGV[1])
local now = tonumber(ARGV[2])
local offset = redis.call('HINCRBY', meta, 'last', 1)
if ARGV[5] == '0' then
  redis.call('XADD', log, '0-' .. offset, 't', ARGV[2], 's', ARGV[4], 'e', ARGV[3])
  redis.call('HINCRBY', meta, 'bytes', ARGV[4])
end
trim(now, tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8]))
keep(ARGV[9])
redis.call('SPUBLISH', KEYS[3], epoch .. ' ' .. offset .. ' ' .. ARGV[3])
return { epoch, offset }
`;

/**
 * KEYS: meta, log. ARGV: epoch, since, now, count, bytes, age. Returns { 'epoch' }, { 'gap' } or
 * { 'ok', epoch, id1, JSON1, id2, JSON2, ... }.
 */
export const HISTORY_SCRIPT = `${PRELUDE}
local epoch = redis.call('HGET', meta, 'epoch')
if not epoch or epoch ~= ARGV[1] then return { 'epoch' } end
trim(tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]))
local since = tonumber(ARGV[2])
local last, floor = tonumber(redis.call('HGET', meta, 'last')), tonumber(redis.call('HGET', meta, 'floor'))
if since > last or since < floor then return { 'gap' } end
local reply = { 'ok', epoch }
for _, kept in ipairs(redis.call('XRANGE', log, '0-' .. (since + 1), '+')) do
  reply[#reply + 1] = kept[1]
  reply[#reply + 1] = kept[2][6]
end
return reply
`;

/** KEYS: meta, log. ARGV: candidate epoch, ttl. Returns { epoch, last }. */
export const HEAD_SCRIPT = `${PRELUDE}
local epoch = ensure(ARGV[1])
keep(ARGV[2])
return { epoch, tonumber(redis.call('HGET', meta, 'last')) }
`;

/** One hash tag for all of a channel's keys; the `c:` keeps the tag non-empty for the channel ''. */
export function channelKeys(prefix: string, channel: string): { meta: string; log: string; live: string } {
  const tag = `${prefix}{c:${channel}}`;
  return { meta: `${tag}:meta`, log: `${tag}:log`, live: `${tag}:live` };
}
