-- wrk script for every Lyceum benchmark scenario (peak-throughput runs).
--
--   wrk ... -s bench/lua/scenario.lua http://127.0.0.1:PORT -- MODE NTHREADS ARGS...
--
--   get   NTHREADS PATHS_FILE [TOKEN]    GET the paths of PATHS_FILE in rotation
--   login NTHREADS BODIES_FILE           POST /api/v1/auth/login with the bodies in rotation
--   book  NTHREADS TOKENS_FILE SESSIONS_FILE
--         POST /api/v1/mentoring-sessions/{id}/bookings; request k (numbered across all
--         threads) books session k mod S for learner k mod L, with L trimmed to be coprime
--         with S: by the Chinese remainder theorem every (learner, session) pair is then
--         requested at most once until k reaches S * L, and consecutive requests come
--         from different learners for different sessions.
--
-- Responses are counted by status, and by problem `code` for 4xx/5xx; `done` prints one
-- line "BENCH_JSON {...}" that bench/report.py reads.

local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

local function lines(path)
  local t = {}
  for line in io.lines(path) do
    if line ~= "" then t[#t + 1] = line end
  end
  assert(#t > 0, path .. " is empty")
  return t
end

function init(args)
  mode = args[1]
  nthreads = tonumber(args[2])
  counter = 0
  statuses = {}
  if mode == "get" then
    paths = lines(args[3])
    headers = {}
    if args[4] and args[4] ~= "" then headers["Authorization"] = "Bearer " .. args[4] end
  elseif mode == "login" then
    bodies = lines(args[3])
    headers = { ["Content-Type"] = "application/json" }
  elseif mode == "book" then
    tokens = lines(args[3])
    sessions = lines(args[4])
    local function gcd(a, b) while b ~= 0 do a, b = b, a % b end return a end
    while #tokens > 1 and gcd(#tokens, #sessions) ~= 1 do table.remove(tokens) end
  else
    error("unknown mode " .. tostring(mode))
  end
end

function request()
  local k = counter * nthreads + tid
  counter = counter + 1
  if mode == "get" then
    return wrk.format("GET", paths[k % #paths + 1], headers)
  elseif mode == "login" then
    return wrk.format("POST", "/api/v1/auth/login", headers, bodies[k % #bodies + 1])
  else
    local session = sessions[k % #sessions + 1]
    local token = tokens[k % #tokens + 1]
    return wrk.format("POST", "/api/v1/mentoring-sessions/" .. session .. "/bookings",
      { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }, "{}")
  end
end

function response(status, headers, body)
  local key = tostring(status)
  if status >= 400 and body then
    local code = body:match('"code"%s*:%s*"([^"]+)"')
    if code then key = key .. ":" .. code end
  end
  statuses[key] = (statuses[key] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    local counts = thread:get("statuses")
    for key, n in pairs(counts) do total[key] = (total[key] or 0) + n end
  end
  local parts = {}
  for key, n in pairs(total) do parts[#parts + 1] = string.format('"%s":%d', key, n) end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"rps":%.2f,"statuses":{%s},' ..
    '"socket_errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},' ..
    '"closed_loop_latency_us":{"p50":%d,"p99":%d,"max":%d}}\n',
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    table.concat(parts, ","), e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
