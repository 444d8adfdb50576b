"""Read the YAML form into a Report, keeping the source position of every value.

The form is parsed by libyaml into a node tree (fast, with line and column marks) and
interpreted here by the form's own rules, never by YAML's implicit typing: counts must be
plain integers, 收费金额 a plain decimal read exactly, everything else text.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import yaml

from .datacheck import node_loc
from .findings import Finding, InputError, printable, sort_findings
from .format import Format, Table, available_formats, format_for_year, load_format
from .limits import CONTROL, megabytes, read_capped
from .location import Loc
from .report import Report, Text
from .shape import INTEGER, Narrative, form_shape, node_kind
from .typos import repair_for_yaml
from .yamlsyntax import SyntaxMistake, diagnose, key_text

MAX_BYTES = 2 * 1024 * 1024
MAX_NODES = 20_000
MAX_DEPTH = 100
MAX_REPAIRS = 50  # typing mistakes and syntax errors libyaml stops at, read past one by one (each costs a parse)
LOCATE_WINDOW = 50  # source lines searched ahead for where a line of text starts
# What libyaml accepts in a stream; anything else is refused here, with its place, before it can.
NOT_YAML = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# The line breaks libyaml counts (its marks count lines by these): CR LF, CR, LF, NEL, LS, PS.
LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
LINE_PIECES = re.compile("(\r\n|[\r\n\x85\u2028\u2029])")
# The line breaks an editor shows (it shows NEL, LS and PS inside a line).
EDITOR_LINE_BREAK = re.compile("\r\n|[\r\n]")
YAML_ONLY_BREAK = re.compile("[\x85\u2028\u2029]")
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
        raise InputError(Finding.of("E137", start, variant="no_forms", name=name))
    try:
        data = read_capped(path, MAX_BYTES, name, "表单")
    except InputError as exc:
        if exc.finding.code != "E002":
            raise
        raise InputError(Finding.of("E002", start, variant="form", name=name, limit=megabytes(MAX_BYTES))) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        variant = ""
        try:
            data.decode("gb18030")
            variant = "gbk"
        except UnicodeDecodeError:
            pass
        raise InputError(Finding.of("E003", Loc(name, line, column), variant=variant)) from None


def source_lines(text: str) -> list[str]:
    """The form's lines as an editor shows them (what every reported line number counts)."""
    return EDITOR_LINE_BREAK.split(text)


def yaml_lines(text: str) -> list[str]:
    """The form's lines as libyaml numbers them (NEL, LS and PS end a line too)."""
    return LINE_BREAK.split(text)


class EditorPlaces:
    """libyaml's places (it counts NEL, LS and PS as line breaks) as the lines and columns an editor shows."""

    def __init__(self, text: str):
        self.shifted = YAML_ONLY_BREAK.search(text) is not None
        self.starts = [(1, 0)]  # per libyaml line: (editor line, editor column it starts at, from 0)
        self.lines: list[str] = []
        if self.shifted:
            self.lines = source_lines(text)
            line, line_start = 1, 0
            for found in LINE_BREAK.finditer(text):
                if not YAML_ONLY_BREAK.fullmatch(found.group()):
                    line, line_start = line + 1, found.end()
                self.starts.append((line, found.end() - line_start))

    def line(self, index: int) -> int:
        """The editor's line number for libyaml's line `index` (from 0)."""
        return self.starts[index][0] if self.shifted and 0 <= index < len(self.starts) else index + 1

    def loc(self, loc: Loc) -> Loc:
        if not self.shifted or loc.place or not 1 <= loc.line <= len(self.starts):
            return loc
        line, offset = self.starts[loc.line - 1]
        return replace(loc, line=line, column=loc.column + offset)


def place_of(text: str, index: int, name: str) -> Loc:
    before = yaml_lines(text[:index])
    return Loc(name, len(before), len(before[-1]) + 1)


def refuse_control_characters(text: str, name: str) -> None:
    """A character YAML cannot hold (VT pasted from Word, NUL, U+FFFE…), refused at its place."""
    found = NOT_YAML.search(text)
    if found:
        count = len(NOT_YAML.findall(text))
        more = f"（全文共 {count} 处）" if count > 1 else ""
        raise InputError(Finding.of("E061", place_of(text, found.start(), name), char=f"{ord(found.group()):04X}", more=more))


def too_deep_at(text: str) -> int | None:
    """Where [ ] and { } first nest deeper than MAX_DEPTH (the index of that bracket); None when they
    never do (libyaml scans a flow collection ahead to its end, so this is counted on the text:
    thousands of levels would fail inside libyaml)."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return None
    depth = 0
    for index, ch in enumerate(text):
        if ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return index
        elif ch in "]}":
            depth = max(depth - 1, 0)
    return None


def check_structure(text: str, name: str) -> None:
    """Before composing: refuse nesting deeper than MAX_DEPTH (block or flow style: deep nesting
    crashes the composer), more than MAX_NODES values, and YAML tags (!!python/…, !foo: a form is plain data)."""
    if not surely_within_limits(text):
        scan_structure(text, name)


def scan_structure(text: str, name: str) -> None:
    """check_structure's limits, event by event (a parse of its own)."""

    def refuse(code: str, event: yaml.Event, **values: object) -> InputError:
        return InputError(Finding.of(code, Loc(name, event.start_mark.line + 1, event.start_mark.column + 1), **values))

    depth = nodes = 0
    for event in yaml.parse(text, Loader=yaml.CSafeLoader):
        nodes += isinstance(event, yaml.NodeEvent)
        depth += isinstance(event, yaml.CollectionStartEvent) - isinstance(event, yaml.CollectionEndEvent)
        if nodes > MAX_NODES:
            raise refuse("E004", event, limit=MAX_NODES)
        if depth > MAX_DEPTH:
            raise refuse("E120", event, limit=MAX_DEPTH)
        if getattr(event, "tag", None) is not None:
            tag = printable(event.tag.replace(YAML_TAG_PREFIX, "!!"))[:60]
            raise refuse("E062", event, tag=tag)


def surely_within_limits(text: str) -> bool:
    """Whether the text keeps check_structure's limits by bounds read off the text alone (a form
    is then not parsed twice): a tag needs a “!”; a node takes at least a quarter of a character;
    flow collections open with “[” or “{”; a block collection starts at most as far right as a
    line's run of spaces and indicators (- ? :) reaches, and further right than its parent at
    least every second level."""
    if "!" in text or 4 * len(text) + 1 > MAX_NODES:
        return False
    reach = max(len(line) - len(line.lstrip(" \t-?:")) for line in yaml_lines(text))
    return 2 * (reach + 1) + text.count("[") + text.count("{") <= MAX_DEPTH


def compose(text: str, name: str) -> tuple[yaml.Node | None, list[SyntaxMistake]]:
    """Parse YAML syntax into nodes, reading on past each syntax error (see yamlsyntax) up to
    MAX_REPAIRS parses: the nodes (None when the errors left nothing readable) and the errors,
    at the places an editor shows."""
    places = EditorPlaces(text)
    try:
        root, mistakes = compose_located(text, name, places)
    except InputError as exc:
        if not (places.shifted and exc.finding.loc):
            raise
        raise InputError(replace(exc.finding, loc=places.loc(exc.finding.loc))) from None
    if places.shifted:
        mistakes = [replace(m, finding=replace(m.finding, loc=places.loc(m.finding.loc))) for m in mistakes]
    return root, mistakes


def compose_located(text: str, name: str, places: EditorPlaces) -> tuple[yaml.Node | None, list[SyntaxMistake]]:
    """compose, its errors located at libyaml's places (the lines their messages name, an editor's)."""
    refuse_control_characters(text, name)
    deep = too_deep_at(text)
    if deep is not None:
        raise InputError(Finding.of("E120", places.loc(place_of(text, deep, name)), variant="brackets", limit=MAX_DEPTH))
    typed = yaml_lines(text)
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
                mistake = diagnose(typed, pieces[::2], exc, name, places.line)
                if any(m.line == mistake.line for m in mistakes):  # changed once and still not readable: blanked
                    mistake = replace(mistake, replacement="", key=key_text(typed[mistake.line]))
                if all(m.finding != mistake.finding for m in mistakes):
                    mistakes.append(mistake)
                if pieces[2 * mistake.line] == mistake.replacement:
                    break  # nothing left to change: no further error can be told apart
                pieces[2 * mistake.line] = mistake.replacement
    except yaml.YAMLError:  # the reader's errors: characters YAML does not allow
        mistakes.append(SyntaxMistake(Finding.of("E001", Loc(name, 1, 1), variant="characters"), 0, ""))
    return None, mistakes


def check_size(root: yaml.Node, name: str) -> None:
    """Refuse a form whose aliases expand past MAX_NODES nodes (an alias bomb)."""
    stack, count = [root], 0
    while stack:
        node = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise InputError(Finding.of("E004", Loc(name, 1, 1), variant="aliases", limit=MAX_NODES))
        if isinstance(node, yaml.MappingNode):
            stack.extend(n for pair in node.value for n in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


class FormReader:
    """Walks the node tree of one form by its shape (shape.py); collects every problem rather than
    stopping. `read_fields`, `read_acknowledgements`, `read_row` and `text_value` are where a subclass may note the nodes read."""

    def __init__(self, fmt: Format, name: str, text: str):
        self.fmt = fmt
        self.name = name
        self.lines = yaml_lines(text)  # as libyaml numbers them: the nodes' marks count in these
        self.places = EditorPlaces(text)
        self.shape = form_shape(fmt)
        self.findings: list[Finding] = []
        self.suggested: set[str] = set()  # keys offered as "did you mean": not reported missing again
        self.report = Report(format=fmt, source_lines=self.lines)
        self.narrative_length = 0

    def loc(self, node: yaml.Node) -> Loc:
        return node_loc(self.name, node)

    def line_number(self, index: int) -> int:
        """The line an editor shows for libyaml's line `index` (from 0), for a message that names it."""
        return self.places.line(index)

    def error(self, code: str, node: yaml.Node | None, variant: str = "", **values: object) -> None:
        """A finding of `code` at `node` (the file's start when None), its template filled with `values`."""
        self.findings.append(Finding.of(code, self.loc(node) if node is not None else Loc(self.name, 1, 1), variant=variant, **values))

    def read_fields(self, entries: dict[str, tuple], root: yaml.Node) -> None:
        """The form's fields, each into the Report attribute the format names for it."""
        self.shape.read_fields(self, entries, root)

    def read_acknowledgements(self, node: yaml.Node) -> None:
        """The 已核对 list into the Report's acknowledgements."""
        self.shape.acknowledgements.read(self, node)

    def read_row(self, table: Table, row_key: str, node: yaml.Node) -> None:
        self.shape.rows[row_key].read(self, node)

    def text_value(self, node: yaml.Node, what: str) -> Text | None:
        return Narrative.value(self, node, what)

    def clean(self, node: yaml.Node, value: str, cleaner) -> str:
        """The value as every output can hold it; characters no output can hold are reported."""
        found = CONTROL.search(value)
        if found:
            self.error("E061", node, variant="text", char=f"{ord(found.group()):04X}")
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

    def read(self, root: yaml.Node) -> Report:
        if root is None:
            raise InputError(Finding.of("E005", Loc(self.name, 1, 1)))
        if not isinstance(root, yaml.MappingNode):
            raise InputError(Finding.of("E121", self.places.loc(self.loc(root)), kind=node_kind(root)))
        self.shape.read(self, root)
        self.report.compute_totals()
        if self.places.shifted:
            self.to_editor_places()
        return self.report

    def to_editor_places(self) -> None:
        """Every place read, moved from libyaml's lines to the lines an editor shows."""
        to_editor, report = self.places.loc, self.report
        self.findings = [replace(f, loc=to_editor(f.loc)) if f.loc else f for f in self.findings]
        for cell in report.cells.values():
            cell.loc = to_editor(cell.loc) if cell.loc else None
        for locs in (report.field_locs, report.section_locs, report.row_locs):
            for key, loc in locs.items():
                locs[key] = to_editor(loc)
        for text in [*report.texts.values(), *(t for parts in report.parts.values() for t in parts.values())]:
            text.loc, text.line_locs = to_editor(text.loc), [to_editor(loc) for loc in text.line_locs]
        report.acknowledgements = [replace(a, loc=to_editor(a.loc)) for a in report.acknowledgements]
        report.source_lines = self.places.lines


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
    return UnreadableForm(syntax, lines, reader.report, reader.findings, frozenset(reader.places.line(m.line) for m in mistakes))
