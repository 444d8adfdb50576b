"""Read the YAML form into a Report, keeping the source position of every value.

The form is parsed by libyaml into a node tree (fast, with line and column marks) and
interpreted here by the form's own rules, never by YAML's implicit typing: counts must be
plain integers, 收费金额 a plain decimal read exactly, everything else text.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import yaml

from . import acknowledge
from .datacheck import node_loc
from .findings import Finding, InputError, printable, sort_findings
from .format import Column, ColumnType, Field, FieldType, Format, Section, SectionKind, Table, available_formats, format_for_year, load_format, normalize_label
from .limits import CONTROL, MAX_DECIMALS, MAX_DIGITS, YEARS, clean_text, one_line, read_capped
from .report import Cell, Loc, Number, Report, Text
from .typos import colon_space, folded_text, mistake_finding, repair_for_yaml, source_of, typing_mistake
from .yamlsyntax import SyntaxMistake, diagnose, key_text

MAX_BYTES = 2 * 1024 * 1024
MAX_NODES = 20_000
MAX_DEPTH = 100
MAX_REPAIRS = 50  # typing mistakes and syntax errors libyaml stops at, read past one by one (each costs a parse)
MAX_PARAGRAPH = 5_000  # characters in one paragraph of narrative
MAX_NARRATIVE = 100_000  # characters of narrative in one form
LOCATE_WINDOW = 50  # source lines searched ahead for where a line of text starts
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# What libyaml accepts in a stream; anything else is refused here, with its place, before it can.
NOT_YAML = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# The line breaks libyaml counts (its line numbers are ours): CR LF, CR, LF, NEL, LS, PS.
LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
LINE_PIECES = re.compile("(\r\n|[\r\n\x85\u2028\u2029])")
NULLS = {"", "~", "null", "Null", "NULL"}
INTEGER = re.compile(r"[+-]?[0-9]+")
DECIMAL = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")
NUMBERING = re.compile(r"^([一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+[.、．])")
YAML_TAG_PREFIX = "tag:yaml.org,2002:"


PLAIN_TAGS = {yaml.ScalarNode: YAML_TAG_PREFIX + "str", yaml.SequenceNode: YAML_TAG_PREFIX + "seq", yaml.MappingNode: YAML_TAG_PREFIX + "map"}


class FormLoader(yaml.CSafeLoader):
    """libyaml without YAML's implicit typing: a form's values are read by the form's own rules
    (counts, decimals, text), so no node's tag is looked up (each keeps its kind's plain tag)."""

    def resolve(self, kind: type, value, implicit) -> str:
        return PLAIN_TAGS[kind]

    def descend_resolver(self, current_node, current_index) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None


def read_source(path: Path, name: str) -> str:
    """The file's text, refused with a clear message when it cannot be a form."""
    start = Loc(name, 1, 1)
    if path.is_dir():
        raise InputError(Finding("E137", f"{name} 是一个文件夹，其中没有 .yaml 表单", start))
    try:
        data = read_capped(path, MAX_BYTES, name, "表单")
    except InputError as exc:
        if exc.finding.code != "E002":
            raise
        hint = "年度报告表单通常不足 100 KB，请确认选择的是 .yaml 表单文件"
        raise InputError(Finding("E002", f"{name} 超过表单上限 2 MB，已拒绝读取", start, hint)) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        hint = "请在编辑器中把文件另存为 UTF-8 编码"
        try:
            data.decode("gb18030")
            hint = "文件似乎是 GBK/GB18030 编码，" + hint
        except UnicodeDecodeError:
            pass
        raise InputError(Finding("E003", "文件不是 UTF-8 编码的文本", Loc(name, line, column), hint)) from None


def source_lines(text: str) -> list[str]:
    """The form's lines as libyaml numbers them."""
    return LINE_BREAK.split(text)


def place_of(text: str, index: int, name: str) -> Loc:
    before = source_lines(text[:index])
    return Loc(name, len(before), len(before[-1]) + 1)


def refuse_control_characters(text: str, name: str) -> None:
    """A character YAML cannot hold (VT pasted from Word, NUL, U+FFFE…), refused at its place."""
    found = NOT_YAML.search(text)
    if found:
        count = len(NOT_YAML.findall(text))
        hint = "多半是从 Word 等处粘贴带来的（如 U+000B 是 Word 的手动换行）：删去它，或换成普通换行"
        more = f"（全文共 {count} 处）" if count > 1 else ""
        raise InputError(Finding("E061", f"这里有一个不能出现在表单中的控制字符 U+{ord(found.group()):04X}{more}", place_of(text, found.start(), name), hint))


def flow_depth(text: str) -> int:
    """How deeply [ ] and { } nest (libyaml scans a flow collection ahead to its end, so this is
    counted on the text: thousands of levels would fail inside libyaml)."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return 0
    depth = deepest = 0
    for ch in text:
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth = max(depth - 1, 0)
    return deepest


def check_structure(text: str, name: str) -> None:
    """Before composing: refuse nesting deeper than MAX_DEPTH (block or flow style: deep nesting
    crashes the composer), more than MAX_NODES values, and YAML tags (!!python/…, !foo: a form is plain data)."""
    if not surely_within_limits(text):
        scan_structure(text, name)


def scan_structure(text: str, name: str) -> None:
    """check_structure's limits, event by event (a parse of its own)."""

    def refuse(code: str, message: str, event: yaml.Event, hint: str) -> InputError:
        return InputError(Finding(code, message, Loc(name, event.start_mark.line + 1, event.start_mark.column + 1), hint))

    depth = nodes = 0
    for event in yaml.parse(text, Loader=yaml.CSafeLoader):
        nodes += isinstance(event, yaml.NodeEvent)
        depth += isinstance(event, yaml.CollectionStartEvent) - isinstance(event, yaml.CollectionEndEvent)
        if nodes > MAX_NODES:
            raise refuse("E004", f"表单中的值超过 {MAX_NODES:,} 个，已拒绝处理", event, "一份年度报告表单只有几百个值，请确认选择的是表单文件")
        if depth > MAX_DEPTH:
            raise refuse("E120", f"列表或“键: 值”嵌套超过 {MAX_DEPTH} 层，已拒绝处理", event, "表单中的列表只有一层，例如 [0, 0, 0]")
        if getattr(event, "tag", None) is not None:
            tag = printable(event.tag.replace(YAML_TAG_PREFIX, "!!"))[:60]
            raise refuse("E062", f"表单中不能使用 YAML 标签「{tag}」", event, "删去以“!”开头的标签，直接写值")


def surely_within_limits(text: str) -> bool:
    """Whether the text keeps check_structure's limits by bounds read off the text alone (a form
    is then not parsed twice): a tag needs a “!”; a node takes at least a quarter of a character;
    flow collections open with “[” or “{”; a block collection starts at most as far right as a
    line's run of spaces and indicators (- ? :) reaches, and further right than its parent at
    least every second level."""
    if "!" in text or 4 * len(text) + 1 > MAX_NODES:
        return False
    reach = max(len(line) - len(line.lstrip(" \t-?:")) for line in source_lines(text))
    return 2 * (reach + 1) + text.count("[") + text.count("{") <= MAX_DEPTH


def compose(text: str, name: str) -> tuple[yaml.Node | None, list[SyntaxMistake]]:
    """Parse YAML syntax into nodes, reading on past each syntax error (see yamlsyntax) up to
    MAX_REPAIRS parses: the nodes (None when the errors left nothing readable) and the errors."""
    refuse_control_characters(text, name)
    if flow_depth(text) > MAX_DEPTH:
        raise InputError(Finding("E120", f"方括号或花括号嵌套超过 {MAX_DEPTH} 层，已拒绝处理", Loc(name, 1, 1), "表单中的列表只有一层，例如 [0, 0, 0]"))
    typed = source_lines(text)
    pieces = LINE_PIECES.split(text)  # lines at even places, their line breaks between
    mistakes: list[SyntaxMistake] = []
    try:
        for _parse in range(MAX_REPAIRS + 1):
            source = "".join(pieces)
            try:
                check_structure(source, name)
                return yaml.compose(source, Loader=FormLoader), mistakes
            except yaml.MarkedYAMLError as exc:
                repaired = repair_for_yaml(source, exc)
                if repaired != source and _parse < MAX_REPAIRS:
                    pieces = LINE_PIECES.split(repaired)
                    continue
                mistake = diagnose(typed, pieces[::2], exc, name)
                if any(m.line == mistake.line for m in mistakes):  # changed once and still not readable: blanked
                    mistake = replace(mistake, replacement="", key=key_text(typed[mistake.line]))
                if all(m.finding != mistake.finding for m in mistakes):
                    mistakes.append(mistake)
                if pieces[2 * mistake.line] == mistake.replacement:
                    break  # nothing left to change: no further error can be told apart
                pieces[2 * mistake.line] = mistake.replacement
    except yaml.YAMLError:  # the reader's errors: characters YAML does not allow
        mistakes.append(SyntaxMistake(Finding("E001", "YAML 语法错误：文件中有 YAML 不允许的字符（如控制字符）", Loc(name, 1, 1)), 0, ""))
    return None, mistakes


def check_size(root: yaml.Node, name: str) -> None:
    """Refuse a form whose aliases expand past MAX_NODES nodes (an alias bomb)."""
    stack, count = [root], 0
    while stack:
        node = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise InputError(
                Finding(
                    "E004",
                    f"文件中的别名（*）展开后超过 {MAX_NODES} 个节点，已拒绝处理",
                    Loc(name, 1, 1),
                    hint="表单不需要这样多层的锚点与别名，请删去它们",
                )
            )
        if isinstance(node, yaml.MappingNode):
            stack.extend(n for pair in node.value for n in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def is_plain(node: yaml.Node) -> bool:
    """An unquoted scalar (libyaml marks plain style as "", the pure-Python parser as None)."""
    return isinstance(node, yaml.ScalarNode) and not node.style


def node_kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "“键: 值”映射"
    if isinstance(node, yaml.SequenceNode):
        return "列表"
    return f"「{shortened(node.value)}」"


def shortened(text: str, limit: int = 40) -> str:
    """User text quoted in a message, cut so a message stays one readable line."""
    return text if len(text) <= limit else f"{text[:limit]}…（共 {len(text):,} 字）"


class FormReader:
    """Walks the node tree of one form; collects every problem rather than stopping."""

    def __init__(self, fmt: Format, name: str, text: str):
        self.fmt = fmt
        self.name = name
        self.lines = source_lines(text)
        self.findings: list[Finding] = []
        self.suggested: set[str] = set()  # keys offered as "did you mean": not reported missing again
        self.report = Report(format=fmt, source_lines=self.lines)
        self.narrative_length = 0

    def loc(self, node: yaml.Node) -> Loc:
        return node_loc(self.name, node)

    def error(self, code: str, message: str, node: yaml.Node | None, hint: str = "") -> None:
        self.findings.append(Finding(code, message, self.loc(node) if node is not None else Loc(self.name, 1, 1), hint))

    def entries(self, node: yaml.MappingNode, known: dict[str, str], where: str) -> dict[str, tuple]:
        """The mapping's entries under their canonical keys; reports duplicate and unknown keys."""
        found: dict[str, tuple] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.error("E123", f"{where}的键应是文字，实为{node_kind(key_node)}", key_node)
                continue
            key = key_node.value
            self.findings.extend(colon_space(self.lines, self.name, key_node, value_node, where))
            canonical = known.get(normalize_label(NUMBERING.sub("", key.strip())))
            if canonical is None:
                canonical = known.get(normalize_label(key))
            if canonical is None:
                self.unknown_key(key_node, key, known, where)
            elif canonical in found:
                first = found[canonical][0].start_mark.line + 1
                self.error("E006", f"{where}中的「{canonical}」重复出现（第一次在第 {first} 行）", key_node, "删去其中一处；YAML 中后一个值会悄悄覆盖前一个")
            else:
                found[canonical] = (key_node, value_node)
        return found

    def unknown_key(self, key_node: yaml.ScalarNode, key: str, known: dict[str, str], where: str) -> None:
        canonical_keys = sorted(set(known.values()), key=list(known.values()).index)
        if "：" in key or "\n" in key:
            hint = "键和值之间要用英文冒号“:”并在其后加一个空格"
        else:
            close = difflib.get_close_matches(normalize_label(key[:200]), list(known), n=1, cutoff=0.5)
            hint = f"是否应为「{known[close[0]]}」？" if close else "可用的键：" + "、".join(canonical_keys)
            self.suggested.update(known[c] for c in close)
        self.error("E007", f"{where}中有未知的键「{shortened(key)}」", key_node, hint)

    def text_value(self, node: yaml.Node, what: str) -> Text | None:
        if not isinstance(node, yaml.ScalarNode):
            self.error("E124", f"「{what}」应为一段文字，实为{node_kind(node)}", node, "文字较长时可写成“键: |”，下一行起缩进书写，每行一段")
            return None
        value = "" if is_plain(node) and node.value in NULLS else self.clean(node, node.value, clean_text).strip("\n")
        longest = max(map(len, value.split("\n")))
        if longest > MAX_PARAGRAPH:
            self.error("E063", f"「{what}」中有一段长 {longest:,} 字，超过每段 {MAX_PARAGRAPH:,} 字的上限", node, "分成几段书写（每行一段）")
            return None
        if is_plain(node) or node.style in ('"', "'"):
            self.findings.extend(folded_text(self.lines, self.name, node, value, what))
        self.narrative_length += len(value)
        if self.narrative_length > MAX_NARRATIVE:
            self.error("E064", f"文字总长超过 {MAX_NARRATIVE:,} 字的上限（到「{what}」为止）", node, "年度报告的文字通常在两万字以内，请精简")
            return None
        return Text(value, self.loc(node), self.locate_lines(node, value))

    def clean(self, node: yaml.Node, value: str, cleaner) -> str:
        """The value as every output can hold it; characters no output can hold are reported."""
        found = CONTROL.search(value)
        if found:
            self.error("E061", f"这里的文字含有不能印出的控制字符 U+{ord(found.group()):04X}（生成草稿时删去或换成换行）", node, "删去它；多半是从 Word 等软件粘贴带来的")
        return cleaner(value)

    def locate_lines(self, node: yaml.ScalarNode, value: str) -> list[Loc]:
        """Where each line of a text value starts in the source (searched, so any YAML style works)."""
        locs, index = [], node.start_mark.line
        for line in value.split("\n"):
            probe = line.strip()[:8]
            found = index
            for candidate in range(index, min(node.end_mark.line + 1, len(self.lines), index + LOCATE_WINDOW)):
                position = self.lines[candidate].find(probe) if probe else -1
                if position >= 0:
                    found = candidate
                    break
            position = max(self.lines[found].find(probe), 0) if probe and found < len(self.lines) else 0
            locs.append(Loc(self.name, found + 1, position + 1))
            index = found + 1 if probe else index
        return locs

    def number(self, node: yaml.Node, column: Column, title: str) -> Number | None:
        """A cell's number; `title` names its row in a message (the column's label is added)."""
        if not isinstance(node, yaml.ScalarNode):
            self.error("E125", f"{title}「{column.label}」应为一个数字，实为{node_kind(node)}", node)
            return None
        text = node.value.strip()
        if column.type == ColumnType.COUNT and len(text) <= MAX_DIGITS and text.isascii() and text.isdigit() and is_plain(node):
            return int(text)  # a well-written count (most cells): nothing to look for
        pattern = DECIMAL if column.type == ColumnType.AMOUNT else INTEGER
        what = f"{title}「{column.label}」"
        if is_plain(node) and pattern.fullmatch(text):  # a well-written number: no typing mistake to look for
            return self.number_text(text, column, what, node)
        mistake = typing_mistake(source_of(self.lines, node), (1,), pattern) if is_plain(node) else None
        if mistake:
            self.findings.append(mistake_finding(self.lines, self.name, node, what, mistake))
            return self.number_text(mistake.values[0], column, what, node) if mistake.values else None
        if is_plain(node) and text in NULLS:
            self.error("E122", f"{what}未填写", node, "没有发生的情况填 0")
            return None
        if not is_plain(node):
            self.error("E010", f"{what}应为数字，实为加了引号的文字「{text}」", node, "去掉数字两边的引号")
            return None
        return self.number_text(text, column, what, node)

    def number_text(self, text: str, column: Column, what: str, node: yaml.Node) -> Number | None:
        """A number written in half-width characters, checked against its column."""
        kind = "金额" if column.type == ColumnType.AMOUNT else "件数"
        pattern = DECIMAL if column.type == ColumnType.AMOUNT else INTEGER
        if not pattern.fullmatch(text):
            self.error(
                "E010", f"{what}应为{'数字（单位：' + column.unit + '）' if column.unit else '整数'}，实为「{text[:40]}」", node, self.number_hint(text, column)
            )
            return None
        whole, _, decimals = text.lstrip("+-").partition(".")
        if len(whole.lstrip("0")) > MAX_DIGITS or len(decimals) > MAX_DECIMALS:
            shown = text if len(text) <= 20 else f"{text[:12]}…（共 {len(text):,} 位）"
            limit = f"最多 {MAX_DIGITS} 位整数" + (f"、{MAX_DECIMALS} 位小数" if column.type == ColumnType.AMOUNT else "")
            self.error("E014", f"{what}「{shown}」超出表格能显示的范围（{limit}）", node, "核对这个数字")
            return None
        value: Number = Decimal(text) if column.type == ColumnType.AMOUNT else int(text)
        if value < 0:
            self.error("E011", f"{what}不能是负数，实为 {text}", node, f"{kind}应大于或等于 0")
            return None
        if column.type == ColumnType.AMOUNT and "." in text and len(text.split(".")[1]) > column.decimals:
            self.error(
                "W015",
                f"{what}有 {len(text.split('.')[1])} 位小数，格式要求保留 {column.decimals} 位",
                node,
                f"四舍五入到 {column.decimals} 位小数",
            )
        return value

    @staticmethod
    def number_hint(text: str, column: Column) -> str:
        if "," in text:
            return "列表中的数字之间用英文逗号“,”分隔；数字本身不要加千位分隔符"
        if column.type == ColumnType.COUNT and DECIMAL.fullmatch(text):
            return "件数只能是整数"
        if column.unit and column.unit in text:
            return f"只写数字，不写单位“{column.unit}”"
        return "只写阿拉伯数字，没有发生的情况填 0"

    def read(self, root: yaml.Node) -> Report:
        if root is None:
            raise InputError(Finding("E005", "文件是空的", Loc(self.name, 1, 1), "用 nianbao init --agency 机关名称 --year 年度 生成一份完整的表单"))
        if not isinstance(root, yaml.MappingNode):
            raise InputError(
                Finding("E121", f"表单的最外层应是“键: 值”映射，实为{node_kind(root)}", self.loc(root), "参照 README 中的示例，从“机关: …”开始逐项书写")
            )
        known = {normalize_label(f.key): f.key for f in self.fmt.fields}
        known[acknowledge.KEY] = acknowledge.KEY
        known.update({normalize_label(s.key): s.key for s in self.fmt.sections})
        entries = self.entries(root, known, "表单")
        self.read_fields(entries, root)
        if acknowledge.KEY in entries:
            self.read_acknowledgements(entries[acknowledge.KEY][1])
        for section in self.fmt.sections:
            if section.key not in entries and not section.required:
                continue
            if section.key not in entries:
                if section.key not in self.suggested:  # else E007 already offered this key for a misspelt one
                    self.error("E008", f"缺少「{section.heading}」一节", root, f"添加“{section.key}:”一节，{self.place_for(section, entries)}")
                continue
            key_node, value = entries[section.key]
            self.report.section_locs[section.key] = self.loc(key_node)
            if section.kind == SectionKind.TABLES:
                self.read_tables(section, key_node, value)
            elif section.kind == SectionKind.PARTS:
                self.read_parts(section, value)
            else:
                text = self.text_value(value, section.heading)
                if text is not None:
                    self.report.texts[section.key] = text
        self.report.compute_totals()
        return self.report

    def place_for(self, section: Section, entries: dict[str, tuple]) -> str:
        """Where a missing section goes: after the nearest section before it that the form has."""
        before = self.fmt.sections[: self.fmt.sections.index(section)]
        present = [s for s in before if s.key in entries]
        if not present:
            return "放在“机关”“年度”等各项之后"
        key_node = entries[present[-1].key][0]
        return f"放在「{present[-1].heading}」一节（第 {key_node.start_mark.line + 1} 行起）之后"

    def read_fields(self, entries: dict[str, tuple], root: yaml.Node) -> None:
        """The form's fields, each into the Report attribute the format names for it."""
        for field in self.fmt.fields:
            if field.key not in entries:
                if field.required and field.key not in self.suggested:
                    self.error("E008", f"缺少「{field.key}」（{field.label}）", root, f"在文件开头添加“{field.key}: …”")
                continue
            _key_node, node = entries[field.key]
            if field.attribute:
                self.report.field_locs[field.attribute] = self.loc(node)
            if not isinstance(node, yaml.ScalarNode):
                self.error("E126", f"「{field.key}」应为一项文字，实为{node_kind(node)}", node)
                continue
            value = self.field_value(field, node)
            if value is not None and field.attribute:
                setattr(self.report, field.attribute, value)

    def field_value(self, field: Field, node: yaml.ScalarNode) -> str | int | date | None:
        """A field's value by its type; None (with a finding) when it is empty or wrong."""
        raw = node.value.strip()
        if is_plain(node) and raw in NULLS:
            if field.required:
                self.error("E122", f"「{field.key}」（{field.label}）未填写", node)
            return None
        if field.type == FieldType.YEAR:
            if INTEGER.fullmatch(raw) and len(raw) <= 4 and int(raw) in YEARS and is_plain(node):
                return int(raw)
            self.error("E127", f"「{field.key}」应为四位数的公元年份（{YEARS.start} 至 {YEARS.stop - 1}），实为「{raw[:20]}」", node, f"例如 {field.key}: 2024")
        elif field.type == FieldType.DATE:
            try:
                if not DATE.fullmatch(raw):
                    raise ValueError(raw)
                return date.fromisoformat(raw)
            except ValueError:
                self.error("E128", f"「{field.key}」应为 YYYY-MM-DD 格式的日期，实为「{raw[:40]}」", node, "例如 2025-01-20")
        elif field.type == FieldType.CHOICE and raw not in field.choices:
            self.error("E129", f"「{field.key}」只能是 " + " 或 ".join(field.choices) + f"，实为「{raw[:40]}」", node)
        elif field.type == FieldType.FORMAT and raw != self.fmt.id:
            known = "、".join(available_formats())
            self.error("E130", f"「{field.key}」只能是 {known}，实为「{raw[:40]}」", node, f"省略时按年度选用格式；现按 {self.fmt.name} 校验")
        elif field.type in (FieldType.TEXT, FieldType.CHOICE):
            return self.clean(node, raw, one_line).strip()
        return None

    def read_acknowledgements(self, node: yaml.Node) -> None:
        """The 已核对 list: {代码, 位置, 理由} per acknowledged warning (checked in acknowledge.py)."""
        shape = "每项写成“- 代码: W401”，下一行起“位置: …”“理由: …”"
        if not isinstance(node, yaml.SequenceNode):
            if not (is_plain(node) and node.value in NULLS):
                self.error("E056", f"「{acknowledge.KEY}」应为列表，实为{node_kind(node)}", node, shape)
            return
        known = {key: key for key in acknowledge.FIELDS}
        for item in node.value:
            if not isinstance(item, yaml.MappingNode):
                self.error("E056", f"「{acknowledge.KEY}」的每一项应为“键: 值”映射，实为{node_kind(item)}", item, shape)
                continue
            entries = self.entries(item, known, f"「{acknowledge.KEY}」")
            values = {}
            for key, attribute in acknowledge.FIELDS.items():
                value = entries[key][1] if key in entries else None
                values[attribute] = value.value.strip() if isinstance(value, yaml.ScalarNode) and value.value not in NULLS else ""
                if not values[attribute] and key != "理由":
                    self.error("E008", f"「{acknowledge.KEY}」的一项缺少「{key}」", item, shape)
            if values["code"] and values["place"]:
                self.report.acknowledgements.append(acknowledge.Acknowledgement(**values, loc=self.loc(item)))

    def read_parts(self, section: Section, node: yaml.Node) -> None:
        if isinstance(node, yaml.ScalarNode):
            text = self.text_value(node, section.heading)
            if text is not None:
                self.report.texts[section.key] = text
            return
        if not isinstance(node, yaml.MappingNode):
            self.error("E131", f"「{section.heading}」应分项填写（{'、'.join(p.key for p in section.parts)}），实为{node_kind(node)}", node)
            return
        known = {normalize_label(section.intro): section.intro}
        for part in section.parts:
            known[normalize_label(part.key)] = part.key
            known[normalize_label(part.heading)] = part.key
        parts: dict[str, Text] = {}
        for key, (_key_node, value) in self.entries(node, known, f"「{section.heading}」").items():
            text = self.text_value(value, key)
            if text is not None:
                parts[key] = text
        self.report.parts[section.key] = parts

    def read_tables(self, section: Section, key_node: yaml.Node, node: yaml.Node) -> None:
        tables = self.fmt.tables_of(section)
        if not isinstance(node, yaml.MappingNode):
            self.error("E132", f"「{section.heading}」应逐行填写表格数字，实为{node_kind(node)}", node)
            return
        known = {}
        for table in tables:
            for row in table.rows:
                known[normalize_label(row.key)] = row.key
                known[normalize_label(NUMBERING.sub("", row.label))] = row.key
        entries = self.entries(node, known, f"「{section.heading}」")
        for table in tables:
            for row in table.rows:
                if row.key in entries:
                    row_key_node, value = entries[row.key]
                    self.report.row_locs[(table.key, row.key)] = self.loc(row_key_node)
                    self.read_row(table, row.key, value)
                    continue
                self.report.row_locs[(table.key, row.key)] = self.loc(key_node)
                if not row.total and row.key not in self.suggested:
                    self.error("E008", f"{table.row_title(row.key)}：缺少这一行", key_node, f"在“{section.key}:”下添加“{row.key}: …”，没有发生的情况填 0")

    def read_row(self, table: Table, row_key: str, node: yaml.Node) -> None:
        cells = self.report.cells
        if table.single_column:
            column = table.columns[0]
            value = self.number(node, column, table.row_title(row_key))
            cells[(table.key, row_key, column.key)] = Cell(value, self.loc(node))
            return
        required = [c for c in table.columns if not c.total]
        names = "、".join(c.key for c in required)
        totals = [c for c in table.columns if c.total]
        row_loc = self.loc(node)
        for column in table.columns:  # the row is written: its cells are the user's, found on this line
            cell = cells[(table.key, row_key, column.key)]
            cell.loc, cell.typed = row_loc, not column.total
        mistake = (
            typing_mistake(source_of(self.lines, node), (len(required), len(table.columns)), INTEGER)
            if is_plain(node) or isinstance(node, yaml.SequenceNode)
            else None
        )
        if mistake:
            self.findings.append(mistake_finding(self.lines, self.name, node, table.row_title(row_key), mistake))
            for column, item in zip(table.columns, mistake.values or (), strict=False):
                cells[(table.key, row_key, column.key)] = Cell(self.number_text(item, column, f"{table.row_title(row_key)}「{column.label}」", node), row_loc)
            return
        if is_plain(node) and node.value in NULLS:
            self.error("E122", f"{table.row_title(row_key)}未填写", node, f"按 {names} 的顺序写成 [0, 0, …]")
            return
        if not isinstance(node, yaml.SequenceNode):
            self.error(
                "E009",
                f"{table.row_title(row_key)}应为方括号列表，实为{node_kind(node)}",
                node,
                f"按 {names}{'、总计（可省略）' if totals else ''} 的顺序写成 [0, 0, …]",
            )
            return
        count = len(node.value)
        if count not in (len(required), len(table.columns)):
            allowed = f"{len(required)} 个数" + (f"（或连同总计 {len(table.columns)} 个）" if totals else "")
            self.error("E012", f"{table.row_title(row_key)}应有 {allowed}，实有 {count} 个", node, f"依次为 {names}" + ("，最后可加总计" if totals else ""))
            return
        title = table.row_title(row_key)
        for column, item in zip(table.columns, node.value, strict=False):
            value = self.number(item, column, title)
            cells[(table.key, row_key, column.key)] = Cell(value, self.loc(item))


def load_form(path: Path, name: str | None = None) -> tuple[Report, list[Finding]]:
    """Read a form file; raises InputError when it cannot be read as a form at all."""
    name = name or str(path)
    text = read_source(path, name)
    return parse_form(text, name)


def top_level_scalar(root: yaml.Node | None, key: str) -> str | None:
    if not isinstance(root, yaml.MappingNode):
        return None
    for key_node, value in root.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value.strip() == key and isinstance(value, yaml.ScalarNode):
            return value.value.strip()
    return None


def choose_format(root: yaml.Node | None) -> Format:
    """The format the form names (格式), else the newest one in force for its year; the form
    names them with the default format's field names."""
    default = load_format()
    declared = top_level_scalar(root, default.format_field.key) if default.format_field else None
    if declared in available_formats():
        return load_format(declared)
    year = top_level_scalar(root, default.field_for("year").key) or ""
    return format_for_year(int(year) if INTEGER.fullmatch(year) and len(year) <= 4 else None)


def parse_form(text: str, name: str) -> tuple[Report, list[Finding]]:
    reader = read_text(text, name)
    return reader.report, reader.findings


def read_text(text: str, name: str, reader_type: type[FormReader] = FormReader) -> FormReader:
    """The reader after reading a form's text (raises InputError when it cannot be a form, and
    UnreadableForm when it has YAML syntax errors)."""
    root, mistakes = compose(text, name)
    if mistakes:
        raise read_past(text, name, root, mistakes, reader_type)
    if root is not None:
        check_size(root, name)
    reader = reader_type(choose_format(root), name, text)
    reader.read(root)
    return reader


class UnreadableForm(InputError):
    """A form with YAML syntax errors (unusable, as any InputError: `finding` is the first error
    met), read past them: every syntax error, and what reading the rest of it found."""

    def __init__(self, syntax: list[Finding], lines: list[str], report: Report | None = None, rest: list[Finding] | None = None, changed: frozenset[int] = frozenset()):
        super().__init__(syntax[0])
        self.syntax, self.lines, self.report, self.rest, self.changed = syntax, lines, report, rest or [], changed

    def findings(self, more: list[Finding]) -> list[Finding]:
        """The syntax errors in reading order, then the rest's findings and `more` (checks of the
        rest), leaving out those on a line changed to read past an error."""
        rest = [f for f in self.rest + more if f.loc is None or f.loc.line not in self.changed]
        return sort_findings(self.syntax) + sort_findings(rest)


def read_past(text: str, name: str, root: yaml.Node | None, mistakes: list[SyntaxMistake], reader_type: type[FormReader]) -> UnreadableForm:
    """What reading the rest of a form finds, its syntax errors read past."""
    syntax, lines = [m.finding for m in mistakes], source_lines(text)
    if root is None:
        return UnreadableForm(syntax, lines)
    try:
        check_size(root, name)
        reader = reader_type(choose_format(root), name, text)
        reader.suggested.update(m.key for m in mistakes if m.key)  # a blanked line's key: not reported missing too
        reader.read(root)
    except InputError:
        return UnreadableForm(syntax, lines)
    return UnreadableForm(syntax, lines, reader.report, reader.findings, frozenset(m.line + 1 for m in mistakes))
