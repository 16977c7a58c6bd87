-- wrk script for the write path: each request posts a reply with the page's
-- CSRF token and the signed-in cookie. Every request carries a new
-- submission key, or the app would treat repeats as one double-submitted form.
-- Arguments (after --): cookie, csrf token, url-encoded body, key prefix.

wrk.method = "POST"
local count = 0
local headers, token, body, prefix

function init(args)
  headers = {
    ["Cookie"] = args[1],
    ["User-Agent"] = "casebook-bench",
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }
  token, body, prefix = args[2], args[3], args[4]
end

function request()
  count = count + 1
  local form = "csrf_token=" .. token .. "&reply_to=&body=" .. body
    .. "&submission_key=" .. prefix .. "-" .. count
  return wrk.format(nil, nil, headers, form)
end
