-- Records the agent's first response in a chat, once, and learns from it: the queue's time from assignment to first
-- response, and, for a chat that waited, how far the estimate it was given missed the wait it actually had (from
-- its request to this answer). An agent may touch only its own chats; to it, others do not exist.
--
-- Keys: the chat, the queue's estimate statistics and its list of estimate samples, the minute's history.
-- ARGV (after the prelude's, see prelude.lua; Swift: FirstResponseArguments):
--   [13] chat          the chat id
--   [14] sampleWeight  the decay weight of a new sample
--   [15] keptSamples   how many estimate samples a queue keeps
-- Result: `{firstResponseAt}`; when this call recorded it, also `queue` (as the history names it), `ttfrMs` (request
-- to first response), `waitMs` (request to assignment) and, for a chat that was given an estimate, `sample` (as in
-- the queue's estimate list).
-- Refusals: not_found, conflict (the chat is not assigned).

local chat, weight, keep = ARGV[13], tonumber(ARGV[14]), tonumber(ARGV[15])
local c = hash(ckey(chat))
if c == nil then return fail('not_found') end
if CALLER_ROLE == 'agent' and c.agent ~= CALLER_AGENT then return fail('not_found') end
if c.state ~= 'assigned' then return fail('conflict') end
if c.firstResponseAt == nil then
    redis.call('HSET', ckey(chat), 'firstResponseAt', NOW)
    c.firstResponseAt = NOW
    learn(c.queue, 'first', NOW - tonumber(c.assignedAt), weight)
    local first = { firstResponseAt = NOW, queue = history_queue(c.queue), ttfrMs = NOW - tonumber(c.createdAt),
        waitMs = tonumber(c.assignedAt) - tonumber(c.createdAt) }
    if c.estSlots then
        -- actual wait, then the estimate's inputs: the estimate itself is computed where it was shown.
        local estimates = K.queue .. c.queue .. ':estimates'
        first.sample = table.concat({ first.ttfrMs, c.estPosition, c.estSlots, c.estHandleMs, c.estFirstMs }, ',')
        redis.call('LPUSH', estimates, first.sample)
        redis.call('LTRIM', estimates, 0, keep - 1)
    end
    roll(first.queue, H.ttfrMs, first.ttfrMs)
    roll(first.queue, H.ttfrN, 1)
    return cjson.encode(first)
end
return cjson.encode({ firstResponseAt = tonumber(c.firstResponseAt) })
