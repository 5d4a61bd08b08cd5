-- Neovim smoke test of samwise-lsp with Neovim's built-in LSP client (0.7's vim.lsp.start_client).
-- Run by tests/tests/lsp_nvim.rs:
--   SAMWISE_LSP=<server binary> SAMWISE_TEMPLATE=<template.yaml> SAMWISE_CURSOR=<row>,<col> \
--     nvim --headless -u NONE -i NONE -n -c 'luafile tests/nvim/smoke.lua'
-- It opens the template, waits for its diagnostics, asks for completions at the cursor and prints one
-- fact per line on stdout, ending with "done". Any failure prints "error: ..." and exits with status 1.

local function out(line)
  io.stdout:write(line .. "\n")
  io.stdout:flush()
end

local function fail(msg)
  out("error: " .. msg)
  vim.cmd("cquit 1")
end

local server = os.getenv("SAMWISE_LSP")
local template = os.getenv("SAMWISE_TEMPLATE")
local row, col = (os.getenv("SAMWISE_CURSOR") or "1,0"):match("(%d+),(%d+)")
if not server or not template then
  return fail("SAMWISE_LSP and SAMWISE_TEMPLATE must be set")
end

local init_result = nil
local published = nil
local exited = false

vim.cmd("edit " .. vim.fn.fnameescape(template))
local bufnr = vim.api.nvim_get_current_buf()

local client_id = vim.lsp.start_client({
  name = "samwise",
  cmd = { server },
  root_dir = vim.fn.fnamemodify(template, ":h"),
  on_init = function(_, result)
    init_result = result
  end,
  on_exit = function()
    exited = true
  end,
  handlers = {
    ["textDocument/publishDiagnostics"] = function(err, result, ctx, config)
      if result and result.uri == vim.uri_from_bufnr(bufnr) then
        published = result.diagnostics
      end
      return vim.lsp.diagnostic.on_publish_diagnostics(err, result, ctx, config)
    end,
  },
})
if not client_id then
  return fail("vim.lsp.start_client failed")
end
vim.lsp.buf_attach_client(bufnr, client_id)

if not vim.wait(20000, function() return init_result ~= nil end, 20) then
  return fail("no initialize result")
end
out("server: " .. (init_result.serverInfo and init_result.serverInfo.name or "?"))
out("encoding: " .. tostring(init_result.capabilities.positionEncoding))
out("completion provider: " .. tostring(init_result.capabilities.completionProvider ~= nil))

if not vim.wait(20000, function() return published ~= nil end, 20) then
  return fail("no diagnostics published for the template")
end
out("diagnostics: " .. #published)
for _, d in ipairs(published) do
  out(string.format("diagnostic: %d:%d %s %s", d.range.start.line + 1, d.range.start.character + 1,
    tostring(d.code), d.message))
end

vim.api.nvim_win_set_cursor(0, { tonumber(row), tonumber(col) })
local responses = vim.lsp.buf_request_sync(bufnr, "textDocument/completion", vim.lsp.util.make_position_params(), 20000)
local response = responses and responses[client_id]
if not response then
  return fail("no completion response")
end
if response.err then
  return fail("completion failed: " .. vim.inspect(response.err))
end
local items = response.result or {}
if items.items then
  items = items.items
end
local labels = {}
for _, item in ipairs(items) do
  table.insert(labels, item.label)
end
out("completion: " .. #labels .. " items")
for _, label in ipairs(labels) do
  out("label: " .. label)
end

vim.lsp.stop_client(client_id)
if not vim.wait(20000, function() return exited end, 20) then
  return fail("the server did not exit after shutdown")
end
out("done")
vim.cmd("qall!")
