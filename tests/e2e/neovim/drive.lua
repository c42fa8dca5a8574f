-- Drives a headless Neovim whose init.lua is the README's snippet (the test writes it there verbatim).
-- This script only acts as the user would and records what happened as JSON in RESULT_FILE; it sets
-- nothing up itself. The agent file is the first file on the command line.
local result_file = vim.env.RESULT_FILE
local expect_server = vim.env.EXPECT_SERVER == '1'
local result = { diagnostics = {}, hover = nil, omnifunc = nil, k_mapped = false, after_edit = nil, error = nil }

local function finish()
  result.errmsg = vim.v.errmsg
  result.messages = vim.fn.execute('messages')
  local handle = io.open(result_file, 'w')
  handle:write(vim.fn.json_encode(result))
  handle:close()
  vim.cmd('qall!')
end

local function floating_text()
  for _, win in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_get_config(win).relative ~= '' then
      local buf = vim.api.nvim_win_get_buf(win)
      return table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n')
    end
  end
  return nil
end

local ok, err = pcall(function()
  local bufnr = vim.api.nvim_get_current_buf()
  result.filetype = vim.bo[bufnr].filetype
  result.omnifunc = vim.bo[bufnr].omnifunc
  result.clients = #vim.tbl_keys(vim.lsp.buf_get_clients(bufnr))
  if not expect_server then
    vim.wait(1500, function() return false end, 50) -- give a failing start time to complain
    return
  end
  vim.wait(20000, function() return #vim.diagnostic.get(bufnr) > 0 end, 50)
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(result.diagnostics, { lnum = d.lnum, col = d.col, message = d.message })
  end

  -- `K` on the `color` key, as a user presses it.
  local mapping = vim.fn.maparg('K', 'n', false, true)
  result.k_mapped = mapping.buffer == 1
  vim.api.nvim_win_set_cursor(0, { 5, 2 })
  vim.api.nvim_feedkeys('K', 'x', false)
  vim.wait(10000, function() return floating_text() ~= nil end, 50)
  result.hover = floating_text()

  -- Fix the colour in the buffer; the server must clear the diagnostic.
  vim.api.nvim_buf_set_lines(bufnr, 4, 5, false, { 'color: blue' })
  vim.wait(15000, function() return #vim.diagnostic.get(bufnr) == 0 end, 50)
  result.after_edit = #vim.diagnostic.get(bufnr)
end)
if not ok then result.error = tostring(err) end
finish()
