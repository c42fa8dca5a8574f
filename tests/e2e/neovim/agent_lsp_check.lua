-- Drives agent-lsp from a real headless Neovim (0.7+ API: vim.lsp.start_client).
-- Inputs come from the environment; the outcome is written as JSON to RESULT_FILE.
local python = vim.env.AGENT_LSP_PYTHON
local file = vim.env.AGENT_FILE
local result_file = vim.env.RESULT_FILE
local result = { diagnostics = {}, hover = nil, after_edit = nil, error = nil }

local function finish()
  local handle = io.open(result_file, 'w')
  handle:write(vim.fn.json_encode(result))
  handle:close()
  vim.cmd('qall!')
end

local ok, err = pcall(function()
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  local client_id = vim.lsp.start_client({
    name = 'agent-lsp',
    cmd = { python, '-m', 'agent_lsp' },
    root_dir = vim.fn.fnamemodify(file, ':h:h:h'),
  })
  vim.lsp.buf_attach_client(bufnr, client_id)

  vim.wait(15000, function() return #vim.diagnostic.get(bufnr) > 0 end, 50)
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(result.diagnostics, { lnum = d.lnum, col = d.col, code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code), message = d.message })
  end

  local params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) }, position = { line = 4, character = 2 } }
  local replies = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', params, 10000) or {}
  for _, reply in pairs(replies) do
    if reply.result and reply.result.contents then
      local contents = reply.result.contents
      result.hover = type(contents) == 'table' and (contents.value or vim.fn.json_encode(contents)) or contents
    end
  end

  -- Fix the colour in the buffer; the server must clear the diagnostic.
  vim.api.nvim_buf_set_lines(bufnr, 4, 5, false, { 'color: blue' })
  vim.wait(15000, function() return #vim.diagnostic.get(bufnr) == 0 end, 50)
  result.after_edit = #vim.diagnostic.get(bufnr)
end)
if not ok then result.error = tostring(err) end
finish()
