-- Checkout under contention: one wrk thread (one connection) per buyer, each looping
-- "add a random product, place the order". A refused order (out of stock) leaves the
-- cart as it was, so the buyer then removes what it added before shopping on. With
-- $BENCH_PROMO, the buyer adds that promo code to the cart before each order.
local lua_dir = os.getenv("BENCH_LUA_DIR")
dofile(lua_dir .. "/report.lua")
dofile(lua_dir .. "/identities.lua")

local buyers = 0
function setup(thread)
  buyers = buyers + 1
  thread:set("buyer", buyers)
end

local headers, products, held, to_remove, last, picked
local promo = os.getenv("BENCH_PROMO") or ""

function init(args)
  headers = load_identities()[buyer]
  products = {}
  for line in io.lines(os.getenv("BENCH_PRODUCTS")) do table.insert(products, line) end
  math.randomseed(buyer)
  held, to_remove, last = {}, {}, "order"
end

local function post(path, body)
  return wrk.format("POST", path, headers, body)
end

function request()
  if #to_remove > 0 then
    last = "remove"
    return post("/api/cart/remove", '{"productId": "' .. table.remove(to_remove) .. '"}')
  end
  if last ~= "add" and last ~= "promo" then
    last = "add"
    picked = products[math.random(#products)]
    return post("/api/cart/add", '{"productId": "' .. picked .. '", "quantity": 1}')
  end
  if promo ~= "" and last == "add" then
    last = "promo"
    return post("/api/cart/promo", '{"code": "' .. promo .. '"}')
  end
  last = "order"
  return post("/api/orders", "")
end

function response(status, headers, body)
  if last == "add" and status == 200 then
    held[picked] = true
  elseif last == "order" then
    if status == 409 then
      for product in pairs(held) do table.insert(to_remove, product) end
    end
    held = {}
  end
end
