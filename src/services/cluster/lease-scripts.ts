/**
 * Lua run atomically by Redis: every lease change is a compare-and-set on (node, fencing token). The fencing
 * token comes from one INCR counter, so a later claim always carries a higher token than any before it.
 * Lease: hash `node`, `token` with a PEXPIRE; its expiry is the owner's liveness.
 */

/** KEYS: lease, fence. ARGV: node, ttlMs, force ('1'). Returns {ok, owner, token}. */
export const CLAIM = `
local cur = redis.call('HMGET', KEYS[1], 'node', 'token')
if cur[1] and cur[1] ~= ARGV[1] and ARGV[3] ~= '1' then return {0, cur[1], tonumber(cur[2])} end
if cur[1] == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {1, ARGV[1], tonumber(cur[2])}
end
local t = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], 'node', ARGV[1], 'token', t)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {1, ARGV[1], t}
`;

/**
 * Renews a held lease. KEYS: lease, fence. ARGV: node, token, ttlMs, reclaim ('1').
 * A lease that is gone (expired before this renewal, or the store restarted empty: nobody else holds it) is claimed
 * anew with `reclaim`, under a new token; the counter is first lifted to our token so a restarted store never hands
 * out a lower one. Returns {ok, owner, token}; owner '' = the lease expired (without `reclaim`).
 */
export const HOLD = `
local cur = redis.call('HMGET', KEYS[1], 'node', 'token')
if cur[1] == ARGV[1] and cur[2] == ARGV[2] then
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return {1, ARGV[1], tonumber(ARGV[2])}
end
if (not cur[1]) and ARGV[4] == '1' then
  if tonumber(ARGV[2]) > tonumber(redis.call('GET', KEYS[2]) or '0') then redis.call('SET', KEYS[2], ARGV[2]) end
  local t = redis.call('INCR', KEYS[2])
  redis.call('HSET', KEYS[1], 'node', ARGV[1], 'token', t)
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return {1, ARGV[1], t}
end
return {0, cur[1] or '', tonumber(cur[2] or '0')}
`;

/** KEYS: lease. ARGV: node, token. Deletes the lease only if it is still ours. */
export const RELEASE = `
local cur = redis.call('HMGET', KEYS[1], 'node', 'token')
if cur[1] == ARGV[1] and cur[2] == ARGV[2] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** KEYS: note. ARGV: prefix. Deletes the note only if its value starts with the prefix. */
export const DELETE_NOTE_IF = `
local v = redis.call('GET', KEYS[1])
if v and string.sub(v, 1, string.len(ARGV[1])) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

export type ScriptReply = [number, string, number | null];
