"""LSP handlers by area; each registers its methods on the server and calls plain functions."""
