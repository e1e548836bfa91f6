-- Drives Neovim's built-in LSP client against `falcorc lsp` (run headless by
-- tests/lsp_neovim.rs): open a rules file, wait for diagnostics, ask for a hover, and
-- write what the client received to $FALCORC_OUT, one finding per line.
local bin = os.getenv("FALCORC_BIN")
local file = os.getenv("FALCORC_RULES")
local out_path = os.getenv("FALCORC_OUT")
local hover_line = tonumber(os.getenv("FALCORC_HOVER_LINE"))
local hover_col = tonumber(os.getenv("FALCORC_HOVER_COL"))

local lines = {}
local function finish(status)
  table.insert(lines, "status " .. status)
  local f = io.open(out_path, "w")
  f:write(table.concat(lines, "\n") .. "\n")
  f:close()
  vim.cmd("qall!")
end

local ok, err = pcall(function()
  vim.cmd("edit " .. vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  local client_id = vim.lsp.start_client({
    name = "falcorc",
    cmd = { bin, "lsp" },
    root_dir = vim.fn.fnamemodify(file, ":h"),
  })
  if not client_id then
    return finish("no-client")
  end
  vim.lsp.buf_attach_client(buf, client_id)

  local got = vim.wait(30000, function()
    return #vim.diagnostic.get(buf) > 0
  end, 50)
  if not got then
    return finish("no-diagnostics")
  end
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code) or "?"
    local first = vim.split(d.message, "\n")[1]
    table.insert(lines, string.format("diag %d:%d %s %s", d.lnum + 1, d.col, code, first))
  end

  local params = {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    position = { line = hover_line, character = hover_col },
  }
  local responses = vim.lsp.buf_request_sync(buf, "textDocument/hover", params, 20000)
  for _, r in pairs(responses or {}) do
    if r.result and r.result.contents then
      local text = r.result.contents.value or ""
      table.insert(lines, "hover " .. vim.split(text, "\n")[1])
    elseif r.err then
      table.insert(lines, "hover-error " .. tostring(r.err.message))
    end
  end
  vim.lsp.stop_client(client_id)
  finish("done")
end)
if not ok then
  table.insert(lines, "lua-error " .. tostring(err))
  finish("error")
end
