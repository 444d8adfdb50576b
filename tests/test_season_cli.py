"""The reporting season on the command line: the database, the region, status and the transitions."""

from __future__ import annotations

import getpass
import hashlib
import json
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import pytest

from generator.review import load_region, read_region
from generator.season import APPROVED, Refused, Season, text_hash
from generator.season.db import DB_NAME, MIGRATIONS, Actor, DatabaseError, SeasonDB

from .conftest import ROOT
from .helpers import edit_row

CENTRE = "周口市行政服务中心"
OFFICE_FORM = "周口市人民政府办公室"
REGION = """地区: 周口市
汇总:
  周口市人民政府:
    - 周口市人民政府办公室
    - 周口市行政服务中心
    - 川汇区人民政府:
        - 川汇区财政局
公布期限:
  部门: {year}-02-05
"""


@pytest.fixture
def folder(tmp_path) -> Path:
    """A region's folder: two members' forms for 2024, a region file naming three more agencies."""
    root = tmp_path / "地区"
    for agency in (CENTRE, OFFICE_FORM):
        (root / agency).mkdir(parents=True)
        shutil.copy(ROOT / "examples" / agency / "2024.yaml", root / agency / "2024.yaml")
    (root / "地区.yaml").write_text(REGION.format(year=2025), "utf-8")
    return root


def form(folder: Path, agency: str = CENTRE) -> str:
    return str(folder / agency / "2024.yaml")


def status(run_cli, folder: Path, *extra: str) -> dict[str, dict]:
    code, out, err = run_cli("status", str(folder), "--year", "2024", "--format", "json", *extra)
    assert code == 0, err
    return {m["机关"]: m for m in json.loads(out)["机关"]}


def test_the_database_is_wal_versioned_and_its_audit_trail_append_only(tmp_path):
    db = SeasonDB(tmp_path)
    assert db.rows("PRAGMA journal_mode")[0][0] == "wal"
    assert db.rows("PRAGMA user_version")[0][0] == len(MIGRATIONS)
    with db.writing() as c:
        db.audit(c, Actor("张三", "网页"), "提交", "某局", 2024, "理由")
    for statement in ("UPDATE audit SET who = '李四'", "DELETE FROM audit"):
        with pytest.raises(sqlite3.DatabaseError, match="审计记录只能追加"):
            db.connection.execute(statement)
    assert [r["who"] for r in db.rows("SELECT who FROM audit")] == ["张三"]
    with pytest.raises(ZeroDivisionError), db.writing() as c:  # a failed write leaves nothing behind
        db.audit(c, Actor("李四", "网页"), "提交")
        raise ZeroDivisionError
    assert len(db.rows("SELECT * FROM audit")) == 1
    db.connection.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(DatabaseError, match="更新版本的 nianbao"):
        SeasonDB(tmp_path)


def test_a_file_that_is_no_database_is_refused_in_chinese(tmp_path, run_cli):
    (tmp_path / DB_NAME).write_text("不是数据库" * 1000, "utf-8")
    code, _out, err = run_cli("status", str(tmp_path))
    assert code == 2 and "不是 nianbao 的数据库或已损坏" in err and "Traceback" not in err


def test_region_files_old_and_new(tmp_path, folder):
    old = tmp_path / "old.yaml"
    old.write_text("周口市人民政府: [周口市行政服务中心, 周口市人民政府办公室]\n", "utf-8")
    assert load_region(old) == {"周口市人民政府": [CENTRE, OFFICE_FORM]}
    region = read_region(folder / "地区.yaml")
    assert region.summaries == {"周口市人民政府": [OFFICE_FORM, CENTRE, "川汇区人民政府"], "川汇区人民政府": ["川汇区财政局"]}
    assert region.agencies == ["周口市人民政府", OFFICE_FORM, CENTRE, "川汇区人民政府", "川汇区财政局"]
    assert region.deadlines == {"部门": date(2025, 2, 5)}
    bad = tmp_path / "bad.yaml"
    for text, message in (("公布期限: {部门: 二月五日}\n", "日期 二月五日 不对"), ("汇总: [a, b]\n", "地区结构文件应为"), ("a: [\n", "YAML 语法错误")):
        bad.write_text(text, "utf-8")
        with pytest.raises(ValueError, match=message):
            read_region(bad)


def test_status_lists_every_member_with_deadline_and_problems(run_cli, folder):
    members = status(run_cli, folder)
    assert set(members) == {"周口市人民政府", OFFICE_FORM, CENTRE, "川汇区人民政府", "川汇区财政局"}
    today = date.today()
    assert members["川汇区财政局"]["状态"] == "未开始" and members["川汇区财政局"]["表单"] == ""
    # the office's date for departments overrides 31 January; a people's government keeps 31 March
    assert members[CENTRE]["公布期限"] == "2025-02-05"
    assert members[CENTRE]["剩余天数"] == (date(2025, 2, 5) - today).days
    assert members["川汇区人民政府"]["公布期限"] == "2025-03-31" and members["川汇区人民政府"]["汇总成员"] == ["川汇区财政局"]
    assert members[CENTRE]["状态"] == "填报中" and members[CENTRE]["校验"] == "可以发布" and members[CENTRE]["表单"] == f"{CENTRE}/2024.yaml"
    # an office date for another year does not apply; without a region only the forms are listed
    (folder / "地区.yaml").write_text(REGION.format(year=2030), "utf-8")
    assert status(run_cli, folder)[CENTRE]["公布期限"] == "2025-01-31"
    (folder / "地区.yaml").unlink()
    assert set(status(run_cli, folder)) == {CENTRE, OFFICE_FORM}
    code, out, _ = run_cli("status", str(folder), "--year", "2024")
    assert code == 0 and "共 2 个机关，填报中 2" in out and f"{CENTRE}：填报中，公布期限 2025-01-31" in out


def test_submit_is_refused_with_the_gates_reasons(run_cli, folder):
    path = Path(form(folder))
    path.write_text(edit_row(path.read_text("utf-8"), "本年新收", "[1, 0, 0, 0, 0, 0, 0]"), "utf-8")
    code, _out, err = run_cli("submit", str(path))
    assert code == 1
    assert "不能提交" in err and re.search(r"2024\.yaml:\d+:\d+: E\d{3} \[错误\]", err) and "Traceback" not in err
    assert status(run_cli, folder)[CENTRE]["状态"] == "填报中"


def test_submit_return_resubmit_approve_publish_and_reopen(run_cli, folder, tmp_path):
    path = form(folder)
    assert run_cli("approve", path)[0] == 1  # not submitted yet
    code, out, _ = run_cli("submit", path)
    assert code == 0 and "已提交" in out
    assert run_cli("submit", path)[0] == 1  # twice
    code, _out, err = run_cli("return", path, "--reason", " ")
    assert code == 1 and "须写明理由" in err
    code, _, _ = run_cli("return", path, "--reason", "请补充主动公开的具体数字", "--comment", "总体情况/主动公开=写明件数", "--comment", "W301=说明原因")
    assert code == 0
    members = status(run_cli, folder)
    assert members[CENTRE]["状态"] == "退回修改" and members[CENTRE]["变更人"] == getpass.getuser()
    season = Season(folder)
    comments = season.comments(CENTRE, 2024)
    assert [(c["place"], c["text"]) for c in comments] == [("", "请补充主动公开的具体数字"), ("总体情况/主动公开", "写明件数"), ("W301", "说明原因")]
    assert run_cli("submit", path)[0] == 0
    assert run_cli("approve", path)[0] == 0
    code, _, err = run_cli("approve", path)
    assert code == 1 and "当前为「审核通过」" in err
    out_folder = tmp_path / "发布"
    code, out, err = run_cli("publish", path, "-o", str(out_folder))
    assert code == 0, err
    files = sorted(out_folder.iterdir())
    assert [f.suffix for f in files] == [".docx", ".html", ".pdf"]
    recorded = {r["path"]: r["sha256"] for r in season.db.rows("SELECT * FROM published")}
    assert recorded == {str(f.resolve()): hashlib.sha256(f.read_bytes()).hexdigest() for f in files}
    assert all(r["superseded"] == "" for r in season.db.rows("SELECT * FROM published"))
    assert status(run_cli, folder)[CENTRE]["状态"] == "已发布"
    trail = season.trail(CENTRE, 2024)
    assert [t["action"] for t in trail] == ["提交", "退回修改", "退回意见", "退回意见", "退回意见", "提交", "审核通过", "发布"]
    assert {(t["who"], t["via"]) for t in trail} == {(getpass.getuser(), "命令行")}
    # a later change reopens it; the published files stay, marked superseded
    before = {f: f.read_bytes() for f in files}
    Path(path).write_text(Path(path).read_text("utf-8") + "# 改动\n", "utf-8")
    assert status(run_cli, folder)[CENTRE]["状态"] == "填报中"
    assert all(r["superseded"] for r in season.db.rows("SELECT * FROM published"))
    assert {f: f.read_bytes() for f in files} == before
    assert season.trail(CENTRE, 2024)[-1]["action"] == "重新打开"
    code, _, err = run_cli("publish", path, "-o", str(out_folder))
    assert code == 1 and "不能发布" in err
    season.close()


def test_a_form_changed_after_submitting_cannot_be_approved_unseen(run_cli, folder):
    path = form(folder)
    assert run_cli("submit", path)[0] == 0
    Path(path).write_text(Path(path).read_text("utf-8") + "# 提交后改动\n", "utf-8")
    code, _, err = run_cli("approve", path)
    assert code == 1 and "当前为「填报中」" in err


def test_two_offices_approving_at_once_one_wins(folder):
    path = Path(form(folder))
    Season(folder).submit(path, Actor("科员", "网页"))
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def approve(name: str) -> None:
        season = Season(folder)
        barrier.wait()
        try:
            season.approve(path, Actor(name, "网页"))
            outcomes.append("ok")
        except Refused as exc:
            outcomes.append(str(exc))
        season.close()

    threads = [threading.Thread(target=approve, args=(n,)) for n in ("甲", "乙")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes)[0] == "ok" and "当前为「审核通过」" in sorted(outcomes)[1]
    season = Season(folder)
    assert [t["action"] for t in season.trail(CENTRE, 2024)] == ["提交", "审核通过"]
    row = season.db.rows("SELECT * FROM forms")[0]
    assert row["state"] == APPROVED and row["content_hash"] == text_hash(path.read_text("utf-8")) and row["approved_text"] == path.read_text("utf-8")


def test_backup_while_in_use_and_restore(run_cli, folder, tmp_path):
    assert run_cli("submit", form(folder))[0] == 0
    live = Season(folder)  # the server keeps it open meanwhile
    target = tmp_path / "备份.db"
    code, out, _ = run_cli("backup", str(folder), "-o", str(target))
    assert code == 0 and str(target) in out
    code, _, err = run_cli("backup", str(folder), "-o", str(target))
    assert code == 2 and "已经存在" in err
    live.close()
    # restore: the server stopped, the copy put back under the database's name
    for leftover in folder.glob(DB_NAME + "*"):
        leftover.unlink()
    assert status(run_cli, folder)[CENTRE]["状态"] == "填报中"
    for leftover in folder.glob(DB_NAME + "*"):
        leftover.unlink()
    shutil.copy(target, folder / DB_NAME)
    assert status(run_cli, folder)[CENTRE]["状态"] == "已提交"
    assert [t["action"] for t in Season(folder).trail(CENTRE, 2024)] == ["提交"]
    code, _, err = run_cli("backup", str(tmp_path / "空"), "-o", str(tmp_path / "x.db"))
    assert code == 2 and "没有审核数据库" in err


def test_a_summary_adds_up_its_approved_members(run_cli, folder):
    (folder / "地区.yaml").write_text(f"{OFFICE_FORM}: [{CENTRE}, 周口市财政局]\n", "utf-8")
    sums = status(run_cli, folder)[OFFICE_FORM]["成员合计"]
    assert sums == {"已合计": [], "未合计": [{"机关": CENTRE, "状态": "填报中"}, {"机关": "周口市财政局", "状态": "未开始"}], "不符": []}
    assert run_cli("submit", form(folder))[0] == 0
    assert status(run_cli, folder)[OFFICE_FORM]["成员合计"]["已合计"] == []  # submitted is not yet approved
    assert run_cli("approve", form(folder))[0] == 0
    sums = status(run_cli, folder)[OFFICE_FORM]["成员合计"]
    assert sums["已合计"] == [CENTRE] and sums["未合计"] == [{"机关": "周口市财政局", "状态": "未开始"}]
    own, member = (Season(folder).forms(2024)[agency].report for agency in (OFFICE_FORM, CENTRE))
    differing = [
        (own.value(t.key, r.key, c.key), member.value(t.key, r.key, c.key))
        for t in own.format.tables.values()
        for r in t.rows
        for c in t.columns
        if member.value(t.key, r.key, c.key) is not None and own.value(t.key, r.key, c.key) not in (None, member.value(t.key, r.key, c.key))
    ]
    assert differing and [(d["本表"], d["成员之和"]) for d in sums["不符"]] == differing
    assert any(d["项目"].startswith("一、本年新收") for d in sums["不符"])
    _code, out, _ = run_cli("status", str(folder), "--year", "2024")
    assert f"汇总 2 个成员（已审核通过 1 个，与成员之和不符 {len(differing)} 处）" in out


def test_region_ratios_with_quartiles_outliers_and_a_minimum(folder):
    text = (folder / OFFICE_FORM / "2024.yaml").read_text("utf-8")
    opened = [81, 90, 100, 110, 1000]  # of 1267 cases each; the last far above the others
    for number, count in enumerate(opened):
        agency = f"测试局{number}"
        (folder / agency).mkdir()
        edited = edit_row(text.replace(f"机关: {OFFICE_FORM}", f"机关: {agency}"), "予以公开", f"[{count}, 0, 0, 0, 0, 0, {count}]")
        (folder / agency / "2024.yaml").write_text(edited, "utf-8")
    season = Season(folder)
    openness, correction = season.ratios(2024)
    season.close()
    assert (openness.ratio.name, correction.ratio.name) == ("公开率", "复议纠错率")
    values = {a.agency: a for a in openness.agencies}
    assert values[OFFICE_FORM].value == pytest.approx(81 / 1267)
    assert values[CENTRE].value is None and values[CENTRE].note == "仅 0 件，不计算"
    shares = sorted([81 / 1267, *(c / 1267 for c in opened)])
    assert openness.quartiles == pytest.approx(tuple(statistics.quantiles(shares, n=4, method="inclusive")))
    assert {a.agency for a in openness.agencies if a.outlier} == {"测试局4"} and values["测试局4"].outlier == "偏高"
    # 行政复议 has 3 cases in the example: below the minimum of 5, nobody gets a value
    assert all(a.value is None for a in correction.agencies) and correction.quartiles is None


def test_killed_during_transitions_the_state_and_the_trail_agree(folder):
    """A process submitting and returning in a loop, killed (SIGKILL) at some point: each transition
    and its audit line were written together or not at all."""
    program = (
        "import sys\nfrom pathlib import Path\nfrom generator.season import Season\nfrom generator.season.db import Actor\n"
        "season, path, who = Season(Path(sys.argv[1])), Path(sys.argv[2]), Actor('压力', '命令行')\n"
        "print('ready', flush=True)\n"
        "while True:\n    season.submit(path, who)\n    season.return_(path, who, '再改', [('总体情况', '意见')])\n"
    )
    process = subprocess.Popen([sys.executable, "-c", program, str(folder), form(folder)], stdout=subprocess.PIPE, cwd=ROOT)
    assert process.stdout.readline() == b"ready\n"
    deadline = time.monotonic() + 60
    season = Season(folder)
    while len(season.trail(CENTRE, 2024)) < 12 and time.monotonic() < deadline:
        time.sleep(0.05)
    process.kill()
    process.wait(10)
    assert season.db.rows("PRAGMA integrity_check")[0][0] == "ok"
    trail = season.trail(CENTRE, 2024)
    state = season.db.rows("SELECT state FROM forms")[0]["state"]
    last = trail[-1]["action"]
    assert state == {"提交": "已提交", "退回意见": "退回修改"}[last]
    # every return has its two comments (the reason and the place) written with it
    returns = [t for t in trail if t["action"] == "退回修改"]
    assert len(season.db.rows("SELECT * FROM comments")) == 2 * len(returns) == sum(t["action"] == "退回意见" for t in trail)
    season.close()


def test_a_form_that_cannot_be_read_is_listed_as_started(run_cli, folder):
    (folder / "川汇区财政局").mkdir()
    (folder / "川汇区财政局" / "2024.yaml").write_text("机关: 川汇区财政局\n年度: 2024\n总体情况: [\n", "utf-8")
    member = status(run_cli, folder)["川汇区财政局"]
    assert (member["状态"], member["校验"], member["表单"]) == ("填报中", "无法读取", "川汇区财政局/2024.yaml")
    code, _out, err = run_cli("submit", str(folder / "川汇区财政局" / "2024.yaml"))
    assert code == 1 and "无法读取表单" in err and "E001" in err


def test_the_folder_is_found_above_the_form_or_named(run_cli, folder, tmp_path):
    alone = tmp_path / "别处" / "2024.yaml"
    alone.parent.mkdir()
    shutil.copy(form(folder), alone)
    code, _, err = run_cli("submit", str(alone))
    assert code == 2 and "请用 --folder 指定" in err and not (alone.parent / DB_NAME).exists()
    assert run_cli("submit", str(alone), "--folder", str(alone.parent))[0] == 0
    (folder / "地区.yaml").unlink()
    assert run_cli("submit", form(folder))[0] == 2  # neither region file nor database yet
    assert run_cli("status", str(folder))[0] == 0  # the office's status makes the database
    assert run_cli("submit", form(folder))[0] == 0
    assert (folder / DB_NAME).exists() and not (folder / CENTRE / DB_NAME).exists()
