-- post.lua: wrk script for durable report submissions, used by
-- bench/bench.sh. Each request is POST /api/v1/reports for the next
-- reporter of the list given after "--" (a file of "TOKEN AREA" lines),
-- so the load is spread over every reporter instead of replacing one
-- report. The body carries a few ratings, a count, a place and a note;
-- the period is left out (the current one).
--
--   wrk -t2 -c64 -d10s -s bench/post.lua URL/api/v1/reports -- tokens.txt

local reporters = {}
local n = 0
local next_index = 0
local threads_made = 0

-- Runs in the main state, once per wrk thread: give each thread a number
-- so the threads start at different places in the list.
function setup(thread)
	thread:set("thread_number", threads_made)
	threads_made = threads_made + 1
end

function init(args)
	local path = args[1]
	if path == nil then
		error("post.lua: give the token file after --")
	end
	for line in io.lines(path) do
		local token, area = line:match("^(%S+)%s+(%S+)%s*$")
		if token ~= nil then
			n = n + 1
			reporters[n] = { token = token, area = area }
		end
	end
	if n == 0 then
		error("post.lua: no \"TOKEN AREA\" lines in " .. path)
	end
	local t = thread_number or 0
	next_index = (t * 7919) % n
end

function request()
	next_index = next_index % n + 1
	local r = reporters[next_index]
	local k = next_index
	local body = string.format(
	    '{"area":"%s","ratings":{"skadegorelse":%d,"klotter":%d,' ..
	    '"nedskrapning":%d,"otrygg_plats":%d},"counts":{"skadegorelse":%d},' ..
	    '"place":"Torget","note":"wrk %d"}',
	    r.area, k % 4, (k + 1) % 4, (k + 2) % 4, (k + 3) % 4, k % 10, k)
	return wrk.format("POST", "/api/v1/reports", {
		["Authorization"] = "Bearer " .. r.token,
		["Content-Type"] = "application/json",
	}, body)
end
