// The Lua scripts of the Redis ledger: one per operation, each run atomically by Redis (EVALSHA), each
// a transcription of the same operation of MemoryLedger (src/limits/memory-ledger.ts) over Redis keys.
// The property test (test/e2e/redis-ledger.e2e.ts) runs random event sequences through both and
// expects identical answers; change one, change the other.
//
// Numbers: Redis runs Lua 5.1, whose numbers are IEEE doubles, as JavaScript's are. Every value here is
// an integer below 2^53 (instants below 2^43 ms, counts, micro-dollars: a call's cost is capped at
// 10^15 and a spend limit is below 10^12), so that doubles hold them exactly, and the arithmetic is
// the same as MemoryLedger's, operation for operation. Integers are written with '%d', never with
// tostring (which rounds to 14 digits).
import { createHash } from 'node:crypto';
import { EVENT_RETENTION_MS } from '../../index.js';

// Every script starts with this. KEYS[1] is the account's key prefix `<prefix>{<account>}`; every key
// the script touches is that prefix plus a suffix, so that all of an account's keys share one Redis
// Cluster slot. ARGV[1] is the event's time, ARGV[2] the grace every expiry gets past the end of its
// window, ARGV[3] how far ahead of Redis TIME an event may be stamped (-1: not checked).
const PRELUDE = `
local A = KEYS[1]
local RET = ${EVENT_RETENTION_MS}
local MIN = 60000
local HOUR = 3600000
local NONE = -1
local at = tonumber(ARGV[1])
local grace = tonumber(ARGV[2])
local maxAhead = tonumber(ARGV[3])
local floor = math.floor
local max = math.max

local function int(n) return string.format('%d', n) end

if maxAhead >= 0 then
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + floor(tonumber(t[2]) / 1000)
  if at > now + maxAhead then return {'ahead', at - now} end
end

-- Expiry only ever grows: a key lives until the latest instant any of its windows needs it, plus grace.
local function touch(key, untilMs)
  local ttl = max(untilMs - at + grace, 1)
  local current = redis.call('PTTL', key)
  if current == -1 or current < ttl then redis.call('PEXPIRE', key, int(ttl)) end
end

-- MemoryLedger's money.ts callCostMicros, the same operations in the same order.
local function cost(rate, seconds)
  local q = floor(rate / 6000)
  local r = rate - q * 6000
  return math.min(q * seconds + math.ceil((r * seconds) / 6000), 1e15)
end

-- Ended call ids: one sorted set scored by the generation (of RET ms) they ended in; the account's
-- generation only grows, and ids of the current and the previous generation count as ended.
local function rotate()
  local g = floor(at / RET)
  local cur = tonumber(redis.call('HGET', A .. ':g', 'gen') or '-1')
  if g > cur then
    redis.call('HSET', A .. ':g', 'gen', int(g))
    touch(A .. ':g', (g + 2) * RET)
    redis.call('ZREMRANGEBYSCORE', A .. ':e', '-inf', int(g - 2))
    cur = g
  end
  return cur
end

local function isEnded(gen, id)
  local g = tonumber(redis.call('ZSCORE', A .. ':e', id) or '-9')
  return g == gen or g == gen - 1
end

-- Counter levels (the account's totals, an extension's own): one hash each.
local FIELDS = {'a', 'm', 'im', 'h', 'ih', 'd', 'de', 's', 'rh'}
local DEFAULTS = {0, -1, 0, -1, 0, -1, 0, 0, -1}

local function load(key)
  local v = redis.call('HMGET', key, unpack(FIELDS))
  local L = {key = key}
  for i, f in ipairs(FIELDS) do L[f] = tonumber(v[i]) or DEFAULTS[i] end
  return L
end

-- Writes a level back; it lives while MemoryLedger.prune would keep it: its hour, its repeat hour,
-- its day while it holds spend, and (extra) the release of a call it counts as active.
local function save(L, extra)
  redis.call('HSET', L.key, 'a', int(L.a), 'm', int(L.m), 'im', int(L.im), 'h', int(L.h), 'ih', int(L.ih),
    'd', int(L.d), 'de', int(L.de), 's', int(L.s), 'rh', int(L.rh))
  local u = max((L.h + 1) * HOUR, (L.rh + 1) * HOUR, extra)
  if L.s ~= 0 then u = max(u, L.de) end
  touch(L.key, u)
  return u
end

local function roll(L, minute, hour)
  if minute > L.m then L.m = minute; L.im = 0 end
  if hour > L.h then L.h = hour; L.ih = 0 end
end

local function rollDay(L, day, dayEndsAt)
  if day > L.d then L.d = day; L.de = dayEndsAt; L.s = 0 end
end

local function repeats(L, rkey, hour, dst)
  if hour > L.rh then return 0 end
  return tonumber(redis.call('HGET', rkey, dst) or '0')
end

local function countRepeat(L, rkey, hour, dst)
  if redis.call('EXISTS', rkey) == 0 or hour > L.rh then
    redis.call('DEL', rkey)
    L.rh = max(hour, L.rh)
  end
  redis.call('HINCRBY', rkey, dst, 1)
  touch(rkey, (L.rh + 1) * HOUR)
end

-- Call records: a hash per call id, begun or known only from an early answer or end.
local NUMERIC = {b = true, sa = true, ra = true, rl = true, r = true, ch = true, td = true,
  xd = true, aa = true, bs = true, la = true}

local function loadCall(id)
  local flat = redis.call('HGETALL', A .. ':c:' .. id)
  if #flat == 0 then return nil end
  local rec = {}
  for i = 1, #flat, 2 do
    local f = flat[i]
    if NUMERIC[f] then rec[f] = tonumber(flat[i + 1]) else rec[f] = flat[i + 1] end
  end
  return rec
end

local function newCall(lastAt)
  return {b = 0, rl = 0, aa = NONE, bs = NONE, la = lastAt}
end

-- Writes a record back; it is forgotten RET after its release (begun) or its last event (not begun).
local function saveCall(id, rec)
  local key = A .. ':c:' .. id
  local args = {}
  for f, v in pairs(rec) do
    args[#args + 1] = f
    if NUMERIC[f] then args[#args + 1] = int(v) else args[#args + 1] = v end
  end
  redis.call('HSET', key, unpack(args))
  local forgetAt
  if rec.b == 1 then forgetAt = rec.ra + RET else forgetAt = rec.la + RET end
  redis.call('ZADD', A .. ':fgt', int(forgetAt), id)
  touch(A .. ':fgt', forgetAt)
  touch(key, forgetAt)
end

-- Decrements a level's calls in progress, unless the level is gone (expired: nothing left to count).
local function leave(key)
  if redis.call('EXISTS', key) == 1 then redis.call('HINCRBY', key, 'a', -1) end
end

-- What MemoryLedger's sweep does: release calls past their maximum duration, forget old records.
-- The release queue lives as long as the records in it, so that a call is released by the next event
-- for the account however late it comes.
local function sweep()
  local due = redis.call('ZRANGEBYSCORE', A .. ':rel', '-inf', int(at))
  for _, id in ipairs(due) do
    local key = A .. ':c:' .. id
    local x = redis.call('HGET', key, 'x')
    if x then
      redis.call('HSET', key, 'rl', '1')
      leave(A .. ':t')
      leave(A .. ':x:' .. x)
    end
  end
  if #due > 0 then redis.call('ZREMRANGEBYSCORE', A .. ':rel', '-inf', int(at)) end
  local old = redis.call('ZRANGEBYSCORE', A .. ':fgt', '-inf', int(at))
  for _, id in ipairs(old) do redis.call('DEL', A .. ':c:' .. id) end
  if #old > 0 then redis.call('ZREMRANGEBYSCORE', A .. ':fgt', '-inf', int(at)) end
end

-- The call is over: remember only its id, for duplicates.
local function forget(id, gen)
  redis.call('DEL', A .. ':c:' .. id)
  redis.call('ZREM', A .. ':rel', id)
  redis.call('ZREM', A .. ':fgt', id)
  redis.call('ZADD', A .. ':e', int(gen), id)
  touch(A .. ':e', (gen + 2) * RET)
end
`;

// ARGV[4..]: call id, extension, destination, day, dayEndsAt, rate units, max call seconds, then the
// account's bounds and the extension's, each in LIMIT_NAMES order ('' for no bound).
const BEGIN = `
local id, ext, dst = ARGV[4], ARGV[5], ARGV[6]
local day, dayEndsAt, rate, maxSeconds = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10])
local function bound(i) if ARGV[i] == '' then return nil end return tonumber(ARGV[i]) end
local LIMITS = {'concurrentCalls', 'callsPerMinute', 'callsPerHour', 'callsToSameNumberPerHour', 'spendPerDay'}
local accountBound, extensionBound = {}, {}
for i, name in ipairs(LIMITS) do
  accountBound[name] = bound(10 + i)
  extensionBound[name] = bound(15 + i)
end

local gen = rotate()
if isEnded(gen, id) then return {'ended'} end
sweep()
local rec = loadCall(id)
if rec and rec.b == 1 then
  if rec.rl == 1 then return {'ended'} end
  if rec.x ~= ext or rec.dst ~= dst then return {'conflict'} end
  return {'duplicate', rec.ch, rec.ra}
end

local tr, xr = A .. ':tr', A .. ':xr:' .. ext
local T, E = load(A .. ':t'), load(A .. ':x:' .. ext)
local minute, hour = floor(at / MIN), floor(at / HOUR)
roll(T, minute, hour)
roll(E, minute, hour)
rollDay(T, day, dayEndsAt)
rollDay(E, day, dayEndsAt)
local endedEarlier = rec ~= nil and rec.bs ~= NONE
local charge
if endedEarlier then charge = cost(rate, rec.bs) else charge = cost(rate, maxSeconds) end

local function saveLevels(extra)
  local u = max(save(T, extra), save(E, extra))
  redis.call('SADD', A .. ':xs', ext)
  touch(A .. ':xs', u)
end

-- The bounds in LIMIT_NAMES order, for each limit the extension's counter before the account's.
local function refusal()
  local counters = {
    concurrentCalls = function(L) return L.a end,
    callsPerMinute = function(L) return L.im end,
    callsPerHour = function(L) return L.ih end,
    callsToSameNumberPerHour = function(L, rkey) return repeats(L, rkey, hour, dst) end,
  }
  -- The start of the window each counter holds (rolled already: the later one for a late event).
  local windows = {
    callsPerMinute = function(L) return L.m * MIN end,
    callsPerHour = function(L) return L.h * HOUR end,
    callsToSameNumberPerHour = function(L) return max(hour, L.rh) * HOUR end,
  }
  for _, name in ipairs(LIMITS) do
    for _, level in ipairs({{'extension', E, xr, extensionBound}, {'account', T, tr, accountBound}}) do
      local b = level[4][name]
      if b ~= nil then
        if name == 'spendPerDay' then
          if level[2].s + charge > b then return {'limited', name, level[1], level[2].s, b, charge} end
        else
          local counter = counters[name](level[2], level[3])
          if counter >= b then
            if windows[name] == nil then return {'limited', name, level[1], counter, b} end
            return {'limited', name, level[1], counter, b, windows[name](level[2])}
          end
        end
      end
    end
  end
  return nil
end

if not endedEarlier then
  local refused = refusal()
  if refused then
    saveLevels(0)
    return refused
  end
  if rec == nil then rec = newCall(0) end
end

rec.b = 1
rec.x = ext
rec.dst = dst
rec.sa = at
rec.ra = at + maxSeconds * 1000
rec.r = rate
rec.ch = charge
rec.td = T.d
rec.xd = E.d
rec.la = max(rec.la, at)
T.im = T.im + 1
E.im = E.im + 1
T.ih = T.ih + 1
E.ih = E.ih + 1
T.s = T.s + charge
E.s = E.s + charge
if extensionBound.callsToSameNumberPerHour ~= nil then countRepeat(E, xr, hour, dst) end
if accountBound.callsToSameNumberPerHour ~= nil then countRepeat(T, tr, hour, dst) end
if endedEarlier then
  saveLevels(0)
  forget(id, gen)
  return {'ended'}
end
T.a = T.a + 1
E.a = E.a + 1
saveLevels(rec.ra)
saveCall(id, rec)
redis.call('ZADD', A .. ':rel', int(rec.ra), id)
touch(A .. ':rel', rec.ra + RET)
return {'reserved', charge, rec.ra}
`;

// ARGV[4]: call id.
const ANSWER = `
local id = ARGV[4]
local gen = rotate()
if isEnded(gen, id) then return {'ignored'} end
sweep()
local rec = loadCall(id)
if rec == nil then
  rec = newCall(at)
  rec.aa = at
  saveCall(id, rec)
  return {'pending'}
end
if rec.aa ~= NONE or rec.rl == 1 or rec.bs ~= NONE then return {'ignored'} end
rec.aa = at
rec.la = max(rec.la, at)
if rec.b == 0 then
  saveCall(id, rec)
  return {'pending'}
end
-- The release still counts from the begin, as in MemoryLedger.
saveCall(id, rec)
return {'answered'}
`;

// ARGV[4]: call id, ARGV[5]: billed seconds.
const END = `
local id, billed = ARGV[4], tonumber(ARGV[5])
local gen = rotate()
if isEnded(gen, id) then return {'ignored'} end
sweep()
local rec = loadCall(id)
if rec == nil or rec.b == 0 then
  if rec == nil then rec = newCall(at) end
  if rec.bs ~= NONE then return {'ignored'} end
  rec.bs = billed
  rec.la = max(rec.la, at)
  saveCall(id, rec)
  return {'pending'}
end
local spent = cost(rec.r, billed)
-- A level that moved on to a later day (or expired) keeps its figures: the call's day is over.
local function settle(key, recordDay)
  if redis.call('EXISTS', key) == 0 then return end
  if tonumber(redis.call('HGET', key, 'd')) == recordDay then
    local s = redis.call('HINCRBY', key, 's', int(spent - rec.ch))
    if s ~= 0 then touch(key, tonumber(redis.call('HGET', key, 'de'))) end
  end
  if rec.rl ~= 1 then redis.call('HINCRBY', key, 'a', -1) end
end
settle(A .. ':t', rec.td)
settle(A .. ':x:' .. rec.x, rec.xd)
forget(id, gen)
return {'settled', spent}
`;

// ARGV[4]: '1' with an extension, ARGV[5] the extension, ARGV[6]: '1' with a destination, ARGV[7] the
// destination, ARGV[8]: the query's day. Returns the account's five counters, then the extension's.
const USAGE = `
local withExtension, ext = ARGV[4] == '1', ARGV[5]
local withDestination, dst = ARGV[6] == '1', ARGV[7]
local day = tonumber(ARGV[8])
sweep()
local minute, hour = floor(at / MIN), floor(at / HOUR)
local function view(L, rkey)
  local n = 0
  if withDestination and L.rh == hour then n = repeats(L, rkey, hour, dst) end
  local inMinute, inHour, spent = 0, 0, 0
  if L.m == minute then inMinute = L.im end
  if L.h == hour then inHour = L.ih end
  if L.d == day then spent = L.s end
  return {L.a, inMinute, inHour, n, spent}
end
local out = view(load(A .. ':t'), A .. ':tr')
if withExtension then
  for _, v in ipairs(view(load(A .. ':x:' .. ext), A .. ':xr:' .. ext)) do out[#out + 1] = v end
end
return out
`;

// ARGV[4]: '1' with an extension, ARGV[5] the extension, ARGV[6]: '1' to release calls in progress.
// A reset has no time of its own: it creates no key and sets no expiry.
const RESET = `
local withExtension, ext, releaseCalls = ARGV[4] == '1', ARGV[5], ARGV[6] == '1'
local calls = redis.call('ZRANGE', A .. ':fgt', 0, -1)
local extensions = redis.call('SMEMBERS', A .. ':xs')
if not withExtension and releaseCalls then
  local keys = {A .. ':t', A .. ':tr', A .. ':g', A .. ':e', A .. ':rel', A .. ':fgt', A .. ':xs'}
  for _, x in ipairs(extensions) do
    keys[#keys + 1] = A .. ':x:' .. x
    keys[#keys + 1] = A .. ':xr:' .. x
  end
  for _, id in ipairs(calls) do keys[#keys + 1] = A .. ':c:' .. id end
  for i = 1, #keys, 1000 do redis.call('DEL', unpack(keys, i, math.min(i + 999, #keys))) end
  return 'reset'
end
local levels = {}
if withExtension then
  levels[1] = ext
else
  levels[1] = false
  for _, x in ipairs(extensions) do levels[#levels + 1] = x end
end
for _, x in ipairs(levels) do
  local key, rkey = A .. ':t', A .. ':tr'
  if x then key, rkey = A .. ':x:' .. x, A .. ':xr:' .. x end
  if redis.call('EXISTS', key) == 1 then redis.call('HSET', key, 'im', '0', 'ih', '0', 's', '0') end
  redis.call('DEL', rkey)
end
local function addBack(key, recordDay, charge)
  if redis.call('EXISTS', key) == 1 and tonumber(redis.call('HGET', key, 'd')) == recordDay then
    redis.call('HINCRBY', key, 's', int(charge))
  end
end
for _, id in ipairs(calls) do
  local key = A .. ':c:' .. id
  local v = redis.call('HMGET', key, 'b', 'x', 'rl', 'ch', 'td', 'xd')
  if v[1] == '1' and (not withExtension or v[2] == ext) then
    local xkey = A .. ':x:' .. v[2]
    if releaseCalls then
      -- Forget the call: the extension's counters start clean; the account's totals keep its charge.
      if v[3] ~= '1' then
        if redis.call('EXISTS', A .. ':t') == 1 then redis.call('HINCRBY', A .. ':t', 'a', -1) end
        if redis.call('EXISTS', xkey) == 1 then redis.call('HINCRBY', xkey, 'a', -1) end
      end
      redis.call('DEL', key)
      redis.call('ZREM', A .. ':rel', id)
      redis.call('ZREM', A .. ':fgt', id)
    else
      -- Calls still tracked keep their charges, so that a later end settles against them.
      if not withExtension then addBack(A .. ':t', tonumber(v[5]), tonumber(v[4])) end
      addBack(xkey, tonumber(v[6]), tonumber(v[4]))
    end
  end
end
return 'reset'
`;

/** One ledger script: its Lua source and the SHA-1 that EVALSHA names it by. */
export interface LedgerScript {
  readonly name: 'begin' | 'answer' | 'end' | 'usage' | 'reset';
  readonly source: string;
  readonly sha: string;
}

function script(name: LedgerScript['name'], body: string): LedgerScript {
  const source = PRELUDE + body;
  return Object.freeze({ name, source, sha: createHash('sha1').update(source).digest('hex') });
}

/** The five scripts of the Redis ledger. */
export const LEDGER_SCRIPTS = Object.freeze({
  begin: script('begin', BEGIN),
  answer: script('answer', ANSWER),
  end: script('end', END),
  usage: script('usage', USAGE),
  reset: script('reset', RESET),
});
