-- Replays prepared webhook requests: one line per request, "<header value>\t<body>".
-- wrk -s replay.lua URL -- <path> <header name> <content type> <file>
local lines = {}
local index = 0
local path, header_name, content_type

function init(args)
  path, header_name, content_type = args[1], args[2], args[3]
  for line in io.lines(args[4]) do
    lines[#lines + 1] = line
  end
end

function request()
  index = index + 1
  local line = lines[((index - 1) % #lines) + 1]
  local tab = line:find("\t", 1, true)
  local headers = { ["Content-Type"] = content_type }
  headers[header_name] = line:sub(1, tab - 1)
  return wrk.format("POST", path, headers, line:sub(tab + 1))
end
