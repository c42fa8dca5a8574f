"""What Claude Code accepts: the JSON Schemas of each file kind and what features ask of them.

`schemas` (loaded once), `paths` (walking a schema along YAML keys), `models` (model aliases
and the SDK's ids), `resources` (where the shipped schemas and agents live). Built on `syntax`.
"""
