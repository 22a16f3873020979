/**
 * The session store's Lua scripts: each is one atomic step on one session's keys, which share one
 * hash tag (`<prefix>{s:<id>}`, one Cluster slot):
 * - rec (hash): `tokenHash`, `remoteAddress`, `createdAt`, `lastSeen`, `cseq` (client events
 *   processed), `seq` (last number on the session's own stream), `receipted`, `data` (JSON, if any);
 * - rooms (hash): room → `<epoch> <offset>` where the session joined the room's stream;
 * - out (stream): the session's own packets not yet receipted, ids `0-<seq>`, field `b`;
 * - live (shard channel): every commit as JSON `{ "c": cseq, "p": [[seq, body], ...], "d": data }`
 *   (`d` only when the data changed: its JSON, or '-' for none), for the
 *   node that carries the session's client.
 * Every write keeps all three for another ttl (the resume window); a session whose record is gone
 * is gone, and no write brings it back.
 */

const PRELUDE = `
local rec, rooms, out, live = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local function keep(ttl)
  redis.call('PEXPIRE', rec, ttl)
  redis.call('PEXPIRE', rooms, ttl)
  redis.call('PEXPIRE', out, ttl)
end
`;

/** ARGV: ttl, tokenHash, remoteAddress, createdAt. */
export const CREATE_SCRIPT = `${PRELUDE}
redis.call('DEL', rec, rooms, out)
redis.call('HSET', rec, 'tokenHash', ARGV[2], 'remoteAddress', ARGV[3], 'createdAt', ARGV[4], 'lastSeen', ARGV[4], 'cseq', 0, 'seq', 0, 'receipted', 0)
keep(ARGV[1])
return 1
`;

/** Returns { rec fields..., }, { rooms fields... } or nil. */
export const LOAD_SCRIPT = `${PRELUDE}
if redis.call('EXISTS', rec) == 0 then return nil end
return { redis.call('HGETALL', rec), redis.call('HGETALL', rooms) }
`;

/**
 * One script for the small writes. ARGV: ttl, origin, op, then per op: touch lastSeen | join room
 * position | leave room | data JSON ('' for none). Joins and leaves are announced on live (`j`:
 * [room, position], `l`: room, `o`: origin). Returns 0 when the session is gone.
 */
export const UPDATE_SCRIPT = `${PRELUDE}
if redis.call('EXISTS', rec) == 0 then return 0 end
local op = ARGV[3]
local cseq = tonumber(redis.call('HGET', rec, 'cseq'))
if op == 'touch' then
  redis.call('HSET', rec, 'lastSeen', ARGV[4])
elseif op == 'join' then
  redis.call('HSET', rooms, ARGV[4], ARGV[5])
  redis.call('SPUBLISH', live, cjson.encode({ c = cseq, p = {}, j = { ARGV[4], ARGV[5] }, o = ARGV[2] }))
elseif op == 'leave' then
  if redis.call('HDEL', rooms, ARGV[4]) == 1 then
    redis.call('SPUBLISH', live, cjson.encode({ c = cseq, p = {}, l = ARGV[4], o = ARGV[2] }))
  end
elseif op == 'data' then
  if ARGV[4] == '' then redis.call('HDEL', rec, 'data') else redis.call('HSET', rec, 'data', ARGV[4]) end
end
keep(ARGV[1])
return 1
`;

/**
 * ARGV: ttl, cseq ('' for none), data ('' unchanged, '-' none, else JSON), packets... Returns { 'missing' }, { 'duplicate' }, { 'gap' } or
 * { 'ok', seq1, seq2, ... }: the cseq check, its advance and the appends are one step.
 */
export const COMMIT_SCRIPT = `${PRELUDE}
if redis.call('EXISTS', rec) == 0 then return { 'missing' } end
if ARGV[2] ~= '' then
  local cseq, stored = tonumber(ARGV[2]), tonumber(redis.call('HGET', rec, 'cseq'))
  if cseq <= stored then return { 'duplicate' } end
  if cseq > stored + 1 then return { 'gap' } end
  redis.call('HSET', rec, 'cseq', cseq)
end
if ARGV[3] == '-' then redis.call('HDEL', rec, 'data') elseif ARGV[3] ~= '' then redis.call('HSET', rec, 'data', ARGV[3]) end
local reply, announced = { 'ok' }, {}
for i = 4, #ARGV do
  local seq = redis.call('HINCRBY', rec, 'seq', 1)
  redis.call('XADD', out, '0-' .. seq, 'b', ARGV[i])
  reply[#reply + 1] = seq
  announced[#announced + 1] = { seq, ARGV[i] }
end
keep(ARGV[1])
-- An empty Lua table encodes as {}, not []: the reader takes either.
local message = { c = tonumber(redis.call('HGET', rec, 'cseq')), p = announced }
if ARGV[3] ~= '' then message.d = ARGV[3] end
redis.call('SPUBLISH', live, cjson.encode(message))
return reply
`;

/** ARGV: since. Returns nil (gone, or a gap) or { 'ok', id1, body1, ... }. */
export const SINCE_SCRIPT = `${PRELUDE}
if redis.call('EXISTS', rec) == 0 then return nil end
local since = tonumber(ARGV[1])
local seq, receipted = tonumber(redis.call('HGET', rec, 'seq')), tonumber(redis.call('HGET', rec, 'receipted'))
if since < receipted or since > seq then return nil end
local reply = { 'ok' }
for _, kept in ipairs(redis.call('XRANGE', out, '0-' .. (since + 1), '+')) do
  reply[#reply + 1] = kept[1]
  reply[#reply + 1] = kept[2][2]
end
return reply
`;

/** ARGV: ttl, seq. Drops the packets up to seq (never past what was sent, never back). */
export const RECEIPT_SCRIPT = `${PRELUDE}
if redis.call('EXISTS', rec) == 0 then return 0 end
local upTo = math.min(tonumber(ARGV[2]), tonumber(redis.call('HGET', rec, 'seq')))
if upTo <= tonumber(redis.call('HGET', rec, 'receipted')) then return 0 end
redis.call('XTRIM', out, 'MINID', '0-' .. (upTo + 1))
redis.call('HSET', rec, 'receipted', upTo)
keep(ARGV[1])
return 1
`;

/** One hash tag for all of a session's keys. */
export function sessionKeys(prefix: string, id: string): [rec: string, rooms: string, out: string, live: string] {
  const tag = `${prefix}{s:${id}}`;
  return [`${tag}:rec`, `${tag}:rooms`, `${tag}:out`, `${tag}:live`];
}
