"""The form reader and `nianbao schema` agree: both are made from the format by the value types of
generator/shape.py. A property test (time-boxed like test_fuzz.py) writes forms, valid and slightly
wrong, and shows that the reader finds no error of the shape kind exactly when the schema
(validated by the jsonschema library) accepts the form."""

from __future__ import annotations

import json
import os
import random
from decimal import Decimal

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker

from generator.acknowledge import apply_acknowledgements
from generator.codes import Level
from generator.form import FormLoader, UnreadableForm, parse_form
from generator.format import load_format
from generator.location import Loc
from generator.schema import form_schema
from generator.shape import DECIMAL, INTEGER, NULLS, PartsSection, TablesSection, folded_into, form_shape, is_plain

from .conftest import ROOT
from .helpers import BASE, line_of

EXAMPLES = int(os.environ.get("NIANBAO_FUZZ_EXAMPLES", "60"))
FORMS = settings(max_examples=EXAMPLES, deadline=3000, suppress_health_check=[HealthCheck.too_slow])
FORMAT = load_format()
VALIDATOR = Draft202012Validator(form_schema(FORMAT), format_checker=FormatChecker())
# Limits the reader checks on the text, not its shape: control characters, paragraph and total length.
NOT_SHAPE = {"E061", "E063", "E064"}
# Values written into a form: numbers in and out of range, text, empty, lists, mappings, dates, codes.
VALUES = [
    0, 7, 2024, 1989, 2101, -1, 999_999_999, 1_000_000_000, Decimal("1.5"), Decimal("-2.25"), Decimal("12.123456"),
    "文字", "", "  ", None, [1, 2], [], {"某项": 1}, "2025-01-20", "2025-02-30", "2025-1-20", "部门", "gov2021", "W301", "E001",
]
UNKNOWN_KEYS = ["未知的项", "备注", "zzz"]
NUMBERINGS = ["一、", "（二）", "3.", "１．", "十、", " 4、"]


def data_of(node: yaml.Node | None):
    """The form as JSON data, as an editor's YAML reads it: plain numbers are numbers, plain
    empties are null, everything else text."""
    if isinstance(node, yaml.MappingNode):
        return {key.value: data_of(value) for key, value in node.value}
    if isinstance(node, yaml.SequenceNode):
        return [data_of(item) for item in node.value]
    if node is None or (is_plain(node) and node.value in NULLS):
        return None
    if is_plain(node) and INTEGER.fullmatch(node.value):
        return int(node.value)
    if is_plain(node) and DECIMAL.fullmatch(node.value):
        return Decimal(node.value)
    return node.value


def form_data(text: str):
    return data_of(yaml.compose(text, Loader=FormLoader))


def written(value, indent: int = 0) -> str:
    """YAML for a value: texts double-quoted, numbers and null plain, lists in [ ], mappings in
    blocks (in { } inside a list)."""
    if isinstance(value, dict) and value and indent >= 0:
        pad = " " * indent
        return "".join(f"\n{pad}{json.dumps(k, ensure_ascii=False)}: {written(v, indent + 2)}" for k, v in value.items())
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k, ensure_ascii=False)}: {written(v, -1)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(written(v, -1) for v in value) + "]"
    if value is None:
        return "null"
    if isinstance(value, (int, Decimal)):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def shape_errors(text: str) -> list:
    """The reader's errors of the shape kind, with those acknowledge.py finds in 已核对 (E050, E051)."""
    report, findings = parse_form(text, "2024.yaml")
    findings = apply_acknowledgements(report, findings)
    return [f for f in findings if f.level == Level.ERROR and f.code not in NOT_SHAPE]


def schema_errors(data) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(data)]


def spellings() -> dict[str, list[str]]:
    """Key → the names the format gives it (labels, headings), from every mapping of the form."""
    shape = form_shape(FORMAT)
    sections = shape.sections.values()
    keyed = [shape.top, shape.acknowledgements.item, *(s.rows for s in sections if isinstance(s, TablesSection))]
    keyed += [s.parts for s in sections if isinstance(s, PartsSection)]
    return {m.key: [m.key, *m.spellings] for k in keyed for m in k.members}


SPELLINGS = spellings()


def respelt(key: str, rnd: random.Random) -> str:
    """Another way of writing `key` that the reader takes for it."""
    spelling = list(rnd.choice(SPELLINGS.get(key, [key])))
    for _ in range(rnd.randint(0, 2)):
        index = rnd.randrange(len(spelling))
        change = rnd.choice(["space", "quote", "folded"])
        if change == "space":
            spelling.insert(index, rnd.choice([" ", "\u3000"]))
        elif change == "quote":
            spelling.insert(index, rnd.choice("“”「」'"))
        elif folded_into().get(spelling[index]):
            spelling[index] = rnd.choice(folded_into()[spelling[index]])
    return rnd.choice(["", *NUMBERINGS]) + "".join(spelling)


def paths(data, at: tuple = ()) -> list[tuple]:
    found = []
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        found.append((*at, key))
        found += paths(value, (*at, key))
    return found


def mutated(data: dict, seed: int, count: int) -> dict:
    """The form with `count` small changes: a value replaced, a key left out, respelt or added, a
    list made longer or shorter. The keys of an 已核对 item are not respelt: the schema names
    them exactly, so that editors complete them (tests/test_gate.py), while the reader folds them
    like every key."""
    rnd = random.Random(seed)
    for _ in range(count):
        path = rnd.choice(paths(data))
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        last = path[-1]
        change = rnd.choice(["value", "value", "drop", "respell", "respell", "unknown", "longer"])
        if change == "value":
            parent[last] = rnd.choice(VALUES)
        elif change == "drop" and isinstance(parent, dict):
            del parent[last]
        elif change == "drop":
            parent.pop()
        elif change == "respell" and isinstance(parent, dict) and path[0] != "已核对":  # its items' keys: see test_gate.py
            respelling = respelt(last, rnd)
            if respelling not in parent:
                parent[respelling] = parent.pop(last)
        elif change == "unknown" and isinstance(parent, dict):
            parent[rnd.choice(UNKNOWN_KEYS)] = rnd.choice(VALUES)
        elif change == "longer" and isinstance(parent[last], list):
            parent[last].append(rnd.choice(VALUES))
    return data


def base_data() -> dict:
    data = form_data(BASE)
    data["已核对"] = [{"代码": "W301", "位置": "总体情况.主动公开", "理由": "据原文转录"}]
    return data


def agree(text: str) -> None:
    reader, schema = shape_errors(text), schema_errors(form_data(text))
    assert bool(reader) == bool(schema), f"reader: {[(f.code, f.message) for f in reader]}\nschema: {schema}\n{text}"


@pytest.mark.parametrize("form", sorted(ROOT.glob("examples/*/*.yaml")), ids=lambda p: p.parent.name + "/" + p.name)
def test_every_example_validates_against_the_schema(form):
    assert schema_errors(form_data(form.read_text("utf-8"))) == []


def test_a_form_init_writes_validates_against_the_schema(tmp_path, run_cli):
    """Its narrative is left as an empty text, to be written: that is for the checks to report (E052), not a wrong shape."""
    target = tmp_path / "2025.yaml"
    assert run_cli("init", "--agency", "某县发展和改革委员会", "--year", "2025", "-o", str(target))[0] == 0
    assert schema_errors(form_data(target.read_text("utf-8"))) == []


def test_the_base_form_and_its_writing_agree():
    text = written(base_data())
    assert shape_errors(text) == [] and schema_errors(form_data(text)) == []


@FORMS
@given(seed=st.integers(0, 2**32), count=st.integers(1, 3))
def test_the_reader_and_the_schema_accept_the_same_forms(seed, count):
    data = mutated(base_data(), seed, count)
    if data.get("已核对", []) is None:
        return  # an empty 已核对 is none to the reader; the schema shows editors that a list goes there (tests/test_gate.py)
    agree(written(data))


@pytest.mark.parametrize("key", ["一、总体情况", "总 体 情 况", "「总体情况」", "1.总体情况"])
def test_a_section_key_written_as_its_printed_heading_is_taken_by_both(key):
    text = BASE.replace("\n总体情况:", f"\n{key}:")
    assert text != BASE
    assert shape_errors(text) == [] and schema_errors(form_data(text)) == []
    report, _findings = parse_form(text, "2024.yaml")
    assert report.parts["总体情况"]


def test_a_row_key_written_as_its_label_is_taken_by_both():
    text = BASE.replace("\n  本年新收:", "\n  一、本年新收政府信息公开申请数量:")
    assert text != BASE
    assert shape_errors(text) == [] and schema_errors(form_data(text)) == []


@pytest.mark.parametrize("year", ["2024", "+2024", "02024"])
def test_a_year_is_a_whole_number_in_range_for_both(year):
    text = BASE.replace("\n年度: 2024\n", f"\n年度: {year}\n")
    assert shape_errors(text) == [] and schema_errors(form_data(text)) == []


@pytest.mark.parametrize("year", ["1989", "2101", "'2024'", "2024.0", "二〇二四"])
def test_a_year_out_of_range_or_not_a_number_is_refused_by_both(year):
    text = BASE.replace("\n年度: 2024\n", f"\n年度: {year}\n")
    assert [f.code for f in shape_errors(text)] == ["E127"] and schema_errors(form_data(text))


@pytest.mark.parametrize("brk", ["\u2028", "\u0085", "\u2029"])
def test_a_line_separator_inside_a_text_does_not_shift_the_lines_of_later_findings(brk):
    """YAML counts NEL, LS and PS as line breaks, an editor does not: findings name the editor's line."""
    text = BASE.replace("\n年度: 2024\n", f'\n年度: 2024\n标题: "第一段{brk}第二段"\n').replace("[1121, 32,", "[x, 32,")
    _report, findings = parse_form(text, "2024.yaml")
    [finding] = [f for f in findings if f.code == "E010"]
    assert finding.loc.line == line_of(text, "[x, 32,")
    assert finding.loc.column == text.split("\n")[finding.loc.line - 1].index("x") + 1


@pytest.mark.parametrize("brk", ["\u2028", "\u0085"])
def test_a_line_separator_before_a_syntax_error_does_not_shift_its_line(brk):
    def refused(text: str) -> list[tuple[Loc | None, str, str]]:
        """Every syntax error read past: its place, and its message and hint (which name lines)."""
        with pytest.raises(UnreadableForm) as error:
            parse_form(text, "2024.yaml")
        return [(f.loc, f.message, f.hint) for f in error.value.findings([])]

    text = BASE.replace("\n年度: 2024\n", '\n年度: 2024\n标题: "第一段{}第二段"\n坏的一行: [1, 2\n')
    assert refused(text.format(brk)) == refused(text.format("，"))
