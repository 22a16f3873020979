/**
 * The presence's Lua scripts: each change is one atomic step (member, counts, indexes and the
 * announcement together), so nodes never see half a join.
 *
 * Every key and the change channel share one hash tag (one Cluster slot), so the scripts may name
 * room and session keys they compute: `ARGV[1]` is the key prefix, `KEYS[1]` the sizes hash that
 * routes the call. Under that prefix:
 * - `room:<room>:info` / `room:<room>:node` (hashes): session id → info JSON / node id;
 * - `session:<id>` (set): its rooms; `sizes` (hash): room → member count;
 * - `node:<id>` (set): `[room, session]` of the members it added; `nodes` (sorted set): node id →
 *   when its members expire unless it refreshes;
 * - `changes` (shard channel): `[type, room, session, node, info JSON]` of every change.
 */
const PRELUDE = `
local p = ARGV[1]
local function infoKey(room) return p .. 'room:' .. room .. ':info' end
local function nodeKey(room) return p .. 'room:' .. room .. ':node' end
local function announce(kind, room, sid, node, info)
  redis.call('SPUBLISH', p .. 'changes', cjson.encode({ kind, room, sid, node, info }))
end
local function remove(room, sid)
  local info = redis.call('HGET', infoKey(room), sid)
  if not info then return end
  local node = redis.call('HGET', nodeKey(room), sid)
  redis.call('HDEL', infoKey(room), sid)
  redis.call('HDEL', nodeKey(room), sid)
  if redis.call('HINCRBY', p .. 'sizes', room, -1) <= 0 then redis.call('HDEL', p .. 'sizes', room) end
  redis.call('SREM', p .. 'session:' .. sid, room)
  redis.call('SREM', p .. 'node:' .. node, cjson.encode({ room, sid }))
  announce('left', room, sid, node, info)
end
local function removeNode(node)
  redis.call('ZREM', p .. 'nodes', node)
  for _, owned in ipairs(redis.call('SMEMBERS', p .. 'node:' .. node)) do
    local pair = cjson.decode(owned)
    -- The session may have moved to another node since: that one keeps it.
    if redis.call('HGET', nodeKey(pair[1]), pair[2]) == node then remove(pair[1], pair[2]) end
  end
  redis.call('DEL', p .. 'node:' .. node)
end
`;

/** ARGV: prefix, room, session, info JSON, node, only if present (1/0). */
export const ADD_SCRIPT = `${PRELUDE}
local room, sid, info, node = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local previous = redis.call('HGET', infoKey(room), sid)
if not previous and ARGV[6] == '1' then return 0 end
local previousNode = redis.call('HGET', nodeKey(room), sid)
redis.call('HSET', infoKey(room), sid, info)
redis.call('HSET', nodeKey(room), sid, node)
local pair = cjson.encode({ room, sid })
if previousNode and previousNode ~= node then redis.call('SREM', p .. 'node:' .. previousNode, pair) end
redis.call('SADD', p .. 'node:' .. node, pair)
if not previous then
  redis.call('HINCRBY', p .. 'sizes', room, 1)
  redis.call('SADD', p .. 'session:' .. sid, room)
  announce('joined', room, sid, node, info)
elseif previous ~= info then
  announce('updated', room, sid, node, info)
end
return 1
`;

/** ARGV: prefix, room, session. */
export const REMOVE_SCRIPT = `${PRELUDE}
remove(ARGV[2], ARGV[3])
return 1
`;

/** ARGV: prefix, session, node. Moves the session's memberships to the node, info and all, silently. */
export const CLAIM_SCRIPT = `${PRELUDE}
local sid, node = ARGV[2], ARGV[3]
for _, room in ipairs(redis.call('SMEMBERS', p .. 'session:' .. sid)) do
  local previousNode = redis.call('HGET', nodeKey(room), sid)
  if previousNode and previousNode ~= node then
    local pair = cjson.encode({ room, sid })
    redis.call('HSET', nodeKey(room), sid, node)
    redis.call('SREM', p .. 'node:' .. previousNode, pair)
    redis.call('SADD', p .. 'node:' .. node, pair)
  end
end
return 1
`;

/** ARGV: prefix, session. */
export const REMOVE_SESSION_SCRIPT = `${PRELUDE}
for _, room in ipairs(redis.call('SMEMBERS', p .. 'session:' .. ARGV[2])) do remove(room, ARGV[2]) end
return 1
`;

/** ARGV: prefix, node. */
export const REMOVE_NODE_SCRIPT = `${PRELUDE}
removeNode(ARGV[2])
return 1
`;

/** ARGV: prefix, now: removes every node whose expiry is before now. */
export const SWEEP_SCRIPT = `${PRELUDE}
local expired = redis.call('ZRANGEBYSCORE', p .. 'nodes', '-inf', '(' .. ARGV[2])
for _, node in ipairs(expired) do removeNode(node) end
return #expired
`;

/** ARGV: prefix, room. Returns session, info, node, session, info, node, ... */
export const MEMBERS_SCRIPT = `${PRELUDE}
local reply = {}
local nodes = redis.call('HGETALL', nodeKey(ARGV[2]))
for i = 1, #nodes, 2 do
  local info = redis.call('HGET', infoKey(ARGV[2]), nodes[i])
  if info then
    reply[#reply + 1] = nodes[i]
    reply[#reply + 1] = info
    reply[#reply + 1] = nodes[i + 1]
  end
end
return reply
`;

/** One hash tag for all of presence: the scripts may touch any room's keys. */
export function presencePrefix(prefix: string): string {
  return `${prefix}{presence}:`;
}
