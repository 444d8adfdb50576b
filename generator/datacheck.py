"""Check a YAML data file against a schema written as data (a JSON Schema subset: type,
properties, required, additionalProperties, items, enum, pattern, minItems, description).

The check walks libyaml's node tree, so every problem keeps the line and column of the
node it is about. `description` is offered as the hint for a problem with that node.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import yaml

KEYWORDS = frozenset({"type", "properties", "required", "additionalProperties", "items", "enum", "pattern", "minItems", "description", "$defs"})
SCALAR_TAGS = {"string": "tag:yaml.org,2002:str", "integer": "tag:yaml.org,2002:int", "boolean": "tag:yaml.org,2002:bool"}
TYPE_WORDS = {"object": "“键: 值”映射", "array": "列表", "string": "文字", "integer": "整数", "boolean": "true 或 false"}
Path = tuple[str | int, ...]

DUPLICATE, SHAPE = "duplicate", "shape"  # the two kinds of problem: a key given twice, and anything else


@dataclass(frozen=True)
class Problem:
    node: yaml.Node
    kind: str
    message: str
    hint: str = ""


def where(path: Path) -> str:
    """A path as a data author reads it: relations[2].level."""
    text = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
    return text or "文件最外层"


def describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "“键: 值”映射"
    if isinstance(node, yaml.SequenceNode):
        return "列表"
    return "空值" if node.tag == "tag:yaml.org,2002:null" else f"「{node.value}」"


def has_type(node: yaml.Node, kind: str) -> bool:
    if kind == "object":
        return isinstance(node, yaml.MappingNode)
    if kind == "array":
        return isinstance(node, yaml.SequenceNode)
    return isinstance(node, yaml.ScalarNode) and node.tag == SCALAR_TAGS[kind]


def check(node: yaml.Node, schema: dict, path: Path = ()) -> Iterator[Problem]:
    """Every way `node` breaks `schema`; a node of the wrong type is not looked into."""
    hint = schema.get("description", "")
    kind = schema.get("type")
    if kind and not has_type(node, kind):
        yield Problem(node, SHAPE, f"「{where(path)}」应为{TYPE_WORDS[kind]}，实为{describe(node)}", hint)
        return
    if "enum" in schema and not (isinstance(node, yaml.ScalarNode) and node.value in schema["enum"]):
        yield Problem(node, SHAPE, f"「{where(path)}」只能是 {'、'.join(schema['enum'])} 之一，实为{describe(node)}", hint)
    if "pattern" in schema and isinstance(node, yaml.ScalarNode) and not re.search(schema["pattern"], node.value):
        yield Problem(node, SHAPE, f"「{where(path)}」的写法不对：「{node.value}」", hint)
    if isinstance(node, yaml.SequenceNode):
        if len(node.value) < schema.get("minItems", 0):
            yield Problem(node, SHAPE, f"「{where(path)}」至少应有 {schema['minItems']} 项，实有 {len(node.value)} 项", hint)
        if "items" in schema:
            for index, item in enumerate(node.value):
                yield from check(item, schema["items"], (*path, index))
    if isinstance(node, yaml.MappingNode):
        yield from check_mapping(node, schema, path)


def check_mapping(node: yaml.MappingNode, schema: dict, path: Path) -> Iterator[Problem]:
    properties = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    seen: set[str] = set()
    for key_node, value in node.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else describe(key_node)
        if key in seen:
            yield Problem(key_node, DUPLICATE, f"「{where(path)}」中的键「{key}」出现了两次")
        seen.add(key)
        if key in properties:
            yield from check(value, properties[key], (*path, key))
        elif extra is False:
            yield Problem(key_node, SHAPE, f"「{where(path)}」中有未知的键「{key}」", "可用的键：" + "、".join(properties))
        elif isinstance(extra, dict):
            yield from check(value, extra, (*path, key))
    for key in schema.get("required", ()):
        if key not in seen:
            yield Problem(node, SHAPE, f"「{where(path)}」缺少必需的键「{key}」", properties.get(key, {}).get("description", ""))


def node_at(root: yaml.Node, path: Path) -> yaml.Node:
    """The node a path leads to (as far as it exists), to locate a problem found in the data."""
    node = root
    for step in path:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == step), node)
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
    return node


def unsupported_keywords(schema: dict) -> set[str]:
    """Keywords in a schema that `check` does not implement (a schema must use none)."""
    found = set(schema) - KEYWORDS
    for key, value in schema.items():
        if key in ("properties", "$defs"):
            for sub in value.values():
                found |= unsupported_keywords(sub)
        elif key in ("items", "additionalProperties") and isinstance(value, dict):
            found |= unsupported_keywords(value)
    return found
