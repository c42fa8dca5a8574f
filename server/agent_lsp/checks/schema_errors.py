"""jsonschema's errors in our words, placed on the YAML node they are about."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError


def describe_expectation(error: ValidationError) -> str:
    """A short, human description of a jsonschema error (our words, not the library's)."""
    validator: Any = error.validator
    expected: Any = error.validator_value
    schema: Any = error.schema
    instance: Any = error.instance
    if validator == "type":
        kinds = expected if isinstance(expected, list) else [expected]
        names: dict[str, str] = {
            "string": "text",
            "integer": "a whole number",
            "array": "a list",
            "object": "a mapping",
            "boolean": "`true` or `false`",
            "number": "a number",
        }
        return "expected " + " or ".join(names.get(str(k), str(k)) for k in kinds)
    if validator == "required":
        missing = [k for k in expected if isinstance(instance, dict) and k not in instance]
        return "missing " + ", ".join(f"`{k}`" for k in missing)
    if validator == "additionalProperties":
        extra = [k for k in instance if k not in schema.get("properties", {})]
        return "unknown key " + ", ".join(f"`{k}`" for k in extra)
    if validator == "enum":
        return "expected one of " + ", ".join(f"`{v}`" for v in expected)
    if validator in ("minimum", "exclusiveMinimum"):
        return f"must be {'at least' if validator == 'minimum' else 'more than'} {expected}"
    if validator in ("anyOf", "oneOf"):
        return "not a form this field accepts"
    if validator in ("minProperties", "maxProperties"):
        return "an inline server must have exactly one key, its name"
    if validator == "minLength":
        return "must not be empty"
    return f"fails the `{validator}` rule"


def node_at(node: Node, path: list[Any]) -> Node | None:
    """Follow a jsonschema error path through the YAML node tree."""
    current: Node = node
    for step in path:
        if isinstance(current, SequenceNode) and isinstance(step, int) and step < len(current.value):
            current = current.value[step]
        elif isinstance(current, MappingNode):
            match = next((v for k, v in current.value if isinstance(k, ScalarNode) and k.value == str(step)), None)
            if match is None:
                return current
            current = match
        else:
            return current
    return current


def key_node(node: Node, key: Any) -> Node | None:
    if isinstance(node, MappingNode):
        for k, _ in node.value:
            if isinstance(k, ScalarNode) and k.value == str(key):
                return k
    return None
