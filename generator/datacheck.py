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

from .location import Loc

KEYWORDS = frozenset({"type", "properties", "required", "additionalProperties", "items", "enum", "pattern", "minItems", "description", "$defs"})
TAG = "tag:yaml.org,2002:"
SCALAR_TAGS = {"string": {TAG + "str"}, "integer": {TAG + "int"}, "number": {TAG + "int", TAG + "float"}, "boolean": {TAG + "bool"}}
TYPE_WORDS = {"object": "“键: 值”映射", "array": "列表", "string": "文字", "integer": "整数", "number": "数", "boolean": "true 或 false"}
Path = tuple[str | int, ...]

DUPLICATE, SHAPE = "duplicate", "shape"  # the two kinds of problem: a key given twice, and anything else

YAML_PROBLEMS = [
    ("cannot start any token", "这里有一个不能出现在此处的字符"),
    ("mapping values are not allowed", "冒号位置不对：一行里出现了第二个“键: 值”，或缩进与上一行不一致"),
    ("could not find expected ':'", "缺少冒号“:”，或上一行的引号没有闭合"),
    ("did not find expected key", "缩进不一致：这一行与同一层的其他键缩进不同"),
    ("did not find expected ',' or ']'", "方括号列表没有正确结束：缺少“]”，或数字之间没有用英文逗号分隔"),
    ("did not find expected ',' or '}'", "花括号没有正确结束：缺少“}”，或各项之间没有用英文逗号分隔"),
    ("did not find expected '-' indicator", "列表项的缩进不一致"),
    ("found undefined alias", "引用了未定义的别名（*）"),
    ("found unexpected end of stream", "文件意外结束：有引号或括号没有闭合"),
    ("found unknown escape character", "双引号文字里有无效的转义符“\\”，可改用单引号或“|”文本块"),
    ("expected <block end>", "缩进不一致：这一行的缩进与上下文不符"),
    ("found a tab character", "这里用了制表符（Tab）：YAML 只能用空格缩进"),
    ("while scanning a quoted scalar", "引号没有闭合"),
]


def yaml_problem(problem: str) -> str:
    """libyaml's description of a syntax error, in Chinese."""
    return next((zh for en, zh in YAML_PROBLEMS if en in problem), "YAML 语法错误")


def node_loc(file: str, node: yaml.Node) -> Loc:
    """Where a node is written: its first line and column, and its width when on one line."""
    start, end = node.start_mark, node.end_mark
    width = end.column - start.column if end.line == start.line and end.column > start.column else 1
    return Loc(file, start.line + 1, start.column + 1, width)


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
    return isinstance(node, yaml.ScalarNode) and node.tag in SCALAR_TAGS[kind]


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
