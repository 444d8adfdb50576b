"""Narrative citations and numbers typed in the narrative."""

import re
from pathlib import Path

import yaml

from generator.form import parse_form
from generator.format import load_format
from generator.narrative import counts_own_table, figure_value, mentions, resolve, stated_share_is_right, vocabulary

from .helpers import BASE, check_text, codes, edit, edit_row, line_of


def test_citations_resolve_to_table_figures():
    text = edit(BASE, "办结 1267 条", "办结 {{ 办理结果总计.总计 }} 条，许可 {{ 行政许可 }} 件，{{ 机关 }}{{ 年度 }}")
    report, _ = parse_form(text, "2024.yaml")
    paragraph = report.parts["总体情况"]["依申请公开"].value
    assert "办结 1267 条，许可 0 件，周口市人民政府办公室2024" in resolve(report, paragraph)
    assert check_text(text) == []


def test_code_between_braces_is_left_as_text():
    text = edit(BASE, "办结 1267 条", "办结 1267 条 {{ ''.__class__ }}")
    report, _ = parse_form(text, "2024.yaml")
    assert "{{ ''.__class__ }}" in resolve(report, report.parts["总体情况"]["依申请公开"].value)


def test_unknown_citation_is_located():
    text = edit(BASE, "办结 1267 条", "办结 {{ 办结数 }} 条")
    finding = next(f for f in check_text(text) if f.code == "E013")
    line = line_of(text, "办结数")
    assert (finding.loc.line, finding.loc.column) == (line, text.split("\n")[line - 1].index("{{") + 1)


def test_typed_number_disagreeing_with_the_table_is_a_warning():
    text = edit(BASE, "办结 1267 条", "办结 1266 条")
    findings = check_text(text)
    assert codes(findings) == ["W301"]
    assert "“办结 1266 条”与表格不符：三、本年度办理结果（七）总计「总计」为 1267" in findings[0].message


def test_numbers_unrelated_to_tables_are_left_alone():
    text = edit(BASE, "办结 1267 条", "办结率 100%。受理审批服务事项 940000 余件。2024年 3 月办结 12 件")
    assert codes(check_text(text)) == []


def test_placeholder_narrative_and_missing_fee_statement():
    text = edit(BASE, "依据《国务院办公厅关于印发<政府信息公开信息处理费管理办法>的通知》（国办函〔2020〕109号）规定，本年度未收取信息处理费。", "无。")
    assert codes(check_text(text)) == ["W401", "W403"]


def test_late_publication_date():
    department = edit(BASE, "年度: 2024\n", "年度: 2024\n发布日期: 2025-02-10\n")
    assert codes(check_text(department)) == ["W404"]
    local = department.replace("机关: 周口市人民政府办公室", "机关: 周口市人民政府")
    assert codes(check_text(local)) == []
    early = edit(BASE, "年度: 2024\n", "年度: 2024\n发布日期: 2024-06-01\n")
    assert codes(check_text(early)) == ["W405"]


CORPUS = yaml.safe_load((Path(__file__).parent / "data" / "narrative_corpus.yaml").read_text("utf-8"))


def labelled(item: dict) -> dict[int, tuple[str, ...]]:
    """Where each labelled number starts in the sentence → the figure (its cells, sorted)."""
    text = item["text"]
    return {text.index(key) + re.search(r"\d+", key).start(): tuple(sorted(figure.split("+"))) for key, figure in (item.get("figures") or {}).items()}


def precision_and_recall(items: list[dict]) -> tuple[int, int, int]:
    """(numbers found that count the labelled figure, numbers found, numbers labelled); a count
    of a whole area only in a local government's report, as the checks compare them."""
    fmt = load_format()
    vocab = vocabulary(fmt)
    found = right = labels = 0
    for item in items:
        gold = labelled(item)
        labels += len(gold)
        agency = item.get("agency", "")
        for mention in mentions(item["text"], vocab, item.get("part", "")):
            if not counts_own_table(mention, fmt.kind_of(agency), agency, vocab):
                continue
            found += 1
            right += gold.get(mention.start) in [tuple(sorted(f)) for f in mention.figures]
    return right, found, labels


def test_corpus_precision_and_recall():
    parts = (("all", CORPUS), ("tuned on", [i for i in CORPUS if not i.get("held_out")]), ("held out", [i for i in CORPUS if i.get("held_out")]))
    for name, items in parts:
        right, found, labels = precision_and_recall(items)
        print(
            f"\nnarrative corpus ({name}): {len(items)} sentences, {labels} labelled numbers; precision {right}/{found} = {right / found:.3f}, recall {right}/{labels} = {right / labels:.3f}"
        )
        assert right / found >= 0.98
        # a guard against losing what the vocabulary finds (sentences labelled blind, held out, find less)
        assert name != "tuned on" or right / labels >= 0.85


def test_corpus_is_large_labelled_and_sourced():
    assert len(CORPUS) >= 240
    assert 3 * sum(bool(item.get("held_out")) for item in CORPUS) >= len(CORPUS)  # a third held out
    for item in CORPUS:
        assert item["source"]
        for key in item.get("figures") or {}:
            assert item["text"].count(key) == 1 and len(re.findall(r"\d+", key)) == 1, key


def test_figures_named_in_the_vocabulary_and_corpus_are_real():
    report, _ = parse_form(BASE, "2024.yaml")
    vocab = vocabulary(report.format)
    names = {n for rule in vocab.rules for figure in rule.figures for n in figure} | {r.share_of for r in vocab.rules if r.share_of}
    names |= {f"{row}.{column}" for row in vocab.document_nouns.values() for column in vocab.document_verbs.values()}
    names |= {n for item in CORPUS for figure in (item.get("figures") or {}).values() for n in figure.split("+")}
    assert all(figure_value(report, name) is not None for name in names), [n for n in names if figure_value(report, n) is None]


def test_measured_false_alarms_are_gone():
    text = edit(BASE, "办结 1267 条", "办结 1267 条。所有规范性文件均在印发后 20 个工作日内公开。受理行政许可申请 1300 件，办结 1268 件")
    assert codes(check_text(text)) == []


def test_titles_document_numbers_dates_ordinals_and_approximations_are_not_counts():
    sentence = "依据《关于印发办结 5 件规定的通知》（国办函〔2020〕109号），第 3 件申请于 20 个工作日内办结，3月1日办结 7 件，办结 1200 余件，办结率 99%"
    assert codes(check_text(edit(BASE, "办结 1267 条", "办结 1267 条。" + sentence))) == []


def test_thousands_separators_in_the_narrative_are_read():
    findings = check_text(edit(BASE, "办结 1267 条", "办结 1,266 条"))
    assert codes(findings) == ["W301"] and "“办结 1,266 条”" in findings[0].message
    assert codes(check_text(edit(BASE, "办结 1267 条", "办结 1,267 条"))) == []


def test_a_row_group_is_compared_with_its_sum():
    findings = check_text(edit(BASE, "办结 1267 条", "办结 1267 条，其中不予公开 2 件"))
    assert codes(findings) == ["W301"]
    assert "（三）不予公开「总计」为 5" in findings[0].message


def test_stated_share_is_recomputed_at_the_precision_typed():
    right = "办结 1267 条，其中予以公开 81 件，占 6.39%，予以公开及部分公开 81 件，占 6.4%"
    assert codes(check_text(edit(BASE, "办结 1267 条", right))) == []
    text = edit(BASE, "办结 1267 条", "办结 1267 条，其中予以公开 81 件，占 6.93%")
    findings = check_text(text)
    assert codes(findings) == ["W303"]
    assert "81 占三、本年度办理结果（七）总计「总计」 1267 的 6.39%" in findings[0].message
    line = line_of(text, "6.93%")
    assert (findings[0].loc.line, findings[0].loc.column) == (line, text.split("\n")[line - 1].index("6.93") + 1)


def test_counts_of_other_applications_are_not_the_tables():
    sentence = "全年收到网民留言 248 条，办结 230 条；受理审批服务事项 940 件。行政复议 144 件，行政诉讼 97 件。"
    assert codes(check_text(edit(BASE, "办结 1267 条", "办结 1267 条。" + sentence))) == []
    about_disclosure = "因政府信息公开申请引发行政复议 1 件"
    findings = check_text(edit(BASE, "办结 1267 条", "办结 1267 条。" + about_disclosure))
    assert codes(findings) == ["W301"] and "行政复议「总计」为 3" in findings[0].message


def test_shares_of_a_published_report_recompute_at_their_rounding():
    # 「予以公开答复966件，占66.48%；…不予处理的61件，占4.20%」 of 1453 answered (corpus, excerpt without address)
    assert all(stated_share_is_right(p, n, 1453) for n, p in [(966, "66.48"), (67, "4.61"), (81, "5.57"), (182, "12.53"), (61, "4.20"), (96, "6.61")])
    # 「“部分公开”36件，占61%」 of 59: whole percent
    assert stated_share_is_right("61", 36, 59) and not stated_share_is_right("61.00", 36, 59)


def test_a_part_about_applications_still_tells_other_counts_apart():
    # In 依申请公开 a count is about applications unless it names something else.
    text = edit(BASE, "办结 1267 条", "办结 1267 条。受理群众来电 50 件，办结 48 件。受理 1376 件")
    assert codes(check_text(text)) == []


def test_a_count_handled_may_be_the_answered_total():
    # 「共办理 718 件」 of a county report (issue 19) was its （七）总计, not 本年新收
    assert codes(check_text(edit(BASE, "办结 1267 条", "共办理 1267 件"))) == []
    findings = check_text(edit(BASE, "办结 1267 条", "共办理 1268 件"))
    assert codes(findings) == ["W301"]
    assert "（七）总计「总计」为 1267" in findings[0].message and "一、本年新收政府信息公开申请数量「总计」为 1333" in findings[0].message


def test_cases_are_compared_with_table_four():
    about = "因政府信息公开申请引发行政复议、行政诉讼，共办理相关案件 {} 件"
    assert codes(check_text(edit(BASE, "办结 1267 条", "办结 1267 条。" + about.format(3)))) == []
    findings = check_text(edit(BASE, "办结 1267 条", "办结 1267 条。" + about.format(4)))
    assert codes(findings) == ["W301"] and "行政复议「总计」 + " in findings[0].message
    # cases of something else are no figure of table 四
    assert codes(check_text(edit(BASE, "办结 1267 条", "办结 1267 条。办理行政处罚案件 40 件"))) == ["W301"]  # 行政处罚 (0 in the table)
    assert codes(check_text(edit(BASE, "办结 1267 条", "办结 1267 条。办理相关案件 40 件"))) == []


WHOLE_CITY = "办结 1267 条。全市共收到政府信息公开申请 5000 件"


def test_a_whole_areas_figures_are_only_its_governments_table():
    department = edit(BASE, "办结 1267 条", WHOLE_CITY)  # 周口市人民政府办公室: a department's report
    assert codes(check_text(department)) == []
    government = department.replace("机关: 周口市人民政府办公室", "机关: 周口市人民政府")
    findings = check_text(government)
    assert codes(findings) == ["W301"] and "“收到政府信息公开申请 5000 件”" in findings[0].message
    # 全县 in a city's report is another area; a stated 地方政府 report of a body not named for an area compares nothing
    assert codes(check_text(government.replace("全市", "全县"))) == []
    committee = edit(department, "机关: 周口市人民政府办公室", "机关: 周口市经济开发区管理委员会\n报告类型: 地方政府")
    assert codes(check_text(committee)) == []


def test_a_narrative_stating_the_sum_of_a_wrong_total_is_right():
    wrong_total = edit_row(BASE, "上年结转", "[24, 0, 0, 0, 19, 0, 44]")  # its row gives 43 (E101)
    found = codes(check_text(wrong_total))
    assert "E101" in found and "W301" not in found  # 「上年结转 43 条」 and 「受理 1376 条」 agree with the row
    both_wrong = edit(wrong_total, "上年结转 43 条", "上年结转 45 条")
    (finding,) = [f for f in check_text(both_wrong) if f.code == "W301"]
    assert finding.message.endswith("二、上年结转政府信息公开申请数量「总计」为 44；表格本身也不一致，按各项之和为 43")


def test_a_weak_word_after_the_figure_counts_a_part():
    # 「其中33件已办结，答复27件，主动撤回6件」: 答复 counts some of those 办结, not the figure again
    assert codes(check_text(edit(BASE, "办结 1267 条", "办结 1267 条，答复 1200 件，主动撤回 67 件"))) == []
    assert codes(check_text(edit(BASE, "办结 1267 条", "答复 1200 件"))) == ["W301"]


def test_a_count_of_several_kinds_is_no_one_figure():
    sentence = "主动公开职能职责、行政许可、行政处罚、行政收费等政府信息 89 条"
    assert codes(check_text(edit(BASE, "办结 1267 条", "办结 1267 条。" + sentence))) == []
