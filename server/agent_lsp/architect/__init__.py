"""Running an agent on a file through the Anthropic Messages API, without any LSP in sight.

Importing this package must stay cheap: the `anthropic` SDK is imported only when the
first run starts (see `stream.py`).
"""
