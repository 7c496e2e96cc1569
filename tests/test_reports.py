"""The report upward (突发事件信息报告) as a PDF: what it says, where it is kept, who may make it.

The PDF's text is read back the way a reader's viewer does it (QtPdf's text extraction, in a
process of its own because the console may not import QtPdf). Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher, Type

from console import crypto
from console.domain import Casualties, EventKind, Grade, ReportStage, Role
from console.domain.errors import PermissionDeniedError
from console.reports import MEDIA_TYPE
from console.services import Services
from console.services.reports import UNIT_KEY
from console.timeutil import format_beijing, utcnow
from tests._core import incident_draft, intake_draft, table_rows
from tests._services import run_with_timeout

PASSWORD = "Reports-pass-2026"
TITLE = "南关区永吉街民房倒塌"
ADDRESS = "南关区永吉街 12 号"

# Prints a JSON list with the text of every page of the PDF named on the command line.
_EXTRACT = """
import json, sys
from PySide6.QtGui import QGuiApplication
from PySide6.QtPdf import QPdfDocument
app = QGuiApplication(sys.argv[:1])
doc = QPdfDocument()
doc.load(sys.argv[1])
assert doc.status() == QPdfDocument.Status.Ready, doc.error()
print(json.dumps([doc.getAllText(i).text() for i in range(doc.pageCount())]))
"""


def pdf_pages(pdf: bytes, tmp_path: Path) -> list[str]:
    """The text of each page, as a PDF viewer extracts it (line breaks made plain)."""
    path = tmp_path / f"extract-{hashlib.sha256(pdf).hexdigest()[:8]}.pdf"
    path.write_bytes(pdf)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = run_with_timeout([sys.executable, "-c", _EXTRACT, str(path)], 60, env=env)
    return [re.sub(r"\s*\r?\n\s*", "", page) for page in json.loads(done.stdout)]


@pytest.fixture
def services(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Services]:
    monkeypatch.setenv("DUTY_CONSOLE_FILES", str(tmp_path / "files"))
    s = Services.open(db_url)
    try:
        yield s
    finally:
        s.close()


def _on_duty(s: Services) -> None:
    """张伟 on duty now with 李强 as the leader."""
    officer = s.people.ensure_user("setup", "zhangwei", "张伟", Role.OFFICER)
    leader = s.people.ensure_user("setup", "liqiang", "李强", Role.LEADER)
    now = utcnow()
    s.people.add_shift(
        "setup", now - timedelta(hours=2), now + timedelta(hours=6), [officer.id], [leader.id]
    )


def test_the_first_report_says_what_happened_and_is_attached(
    services: Services, tmp_path: Path
) -> None:
    s = services
    _on_duty(s)
    s.settings.put(UNIT_KEY, "长春市应急管理局值班室")
    draft = intake_draft(
        title=TITLE, address=ADDRESS, casualties=Casualties(deaths=1, injuries=3, trapped=2)
    )
    _intake, inc = s.intake.record_and_convert("zhangwei", draft)
    inc = s.incidents.set_grade("zhangwei", inc.id, Grade.III, inc.version)
    s.log.add("zhangwei", "区消防救援大队到场搜救，已救出被困群众 1 人", incident_id=inc.id)

    done = s.reports.generate("zhangwei", inc.id, ReportStage.FIRST)

    [page] = pdf_pages(done.pdf, tmp_path)  # one A4 page
    for words in (
        "突发事件信息报告",
        "（首报）",
        "报送单位：长春市应急管理局值班室",
        f"编号：{done.data.number}",
        TITLE,
        format_beijing(inc.occurred_at),
        "长春市南关区",
        ADDRESS,
        "125.43629°E",
        "43.71334°N",
        "Ⅲ级（较大）",
        "死亡 1 人，受伤 3 人，失踪 0 人，被困 2 人",
        "连日降雨后一处平房后墙倒塌",  # the course as reported
        "已救出被困群众 1 人",  # the latest timeline lines
        "王立新",
        "0431-88901234",
        "张伟",
        "李强",
    ):
        assert words in page, words
    assert "演习" not in page
    assert page.index("带班领导（签发）") < page.index("李强")

    # The bundled CJK font is embedded (a subset), not merely named.
    assert b"/FontFile2" in done.pdf
    assert re.search(rb"/BaseFont /[A-Z]{6}\+WenQuanYiMicroHei", done.pdf)

    # Kept in the store under its hash, attached, and on the timeline.
    sha = hashlib.sha256(done.pdf).hexdigest()
    assert done.sha256 == sha
    assert hashlib.sha256(s.files.path(sha).read_bytes()).hexdigest() == sha
    assert s.files.get(sha).media_type == MEDIA_TYPE
    [attachment] = s.files.attachments(incident_id=inc.id)
    assert (attachment.sha256, attachment.kind) == (sha, "document")
    last = s.incidents.timeline(inc.id)[-1]
    assert last.kind is EventKind.ATTACHMENT
    assert last.text == f"附件：首报报告单（{done.data.number}）"
    assert last.data["sha256"] == sha
    actions = [r.action for r in s.audit.latest(2)]
    assert sorted(actions) == ["attachment.add", "file.store"]


def test_followups_are_numbered_and_exercises_say_so(services: Services, tmp_path: Path) -> None:
    s = services
    inc = s.incidents.create("officer", incident_draft(exercise=True, grade=Grade.IV))
    s.deadlines.record_sent("officer", inc.id, ReportStage.FIRST, "传真")
    first = s.reports.generate("officer", inc.id, ReportStage.FOLLOWUP)
    s.deadlines.record_sent("officer", inc.id, ReportStage.FOLLOWUP, "传真")
    second = s.reports.generate("officer", inc.id, ReportStage.FOLLOWUP)
    final = s.reports.generate("officer", inc.id, ReportStage.FINAL, unit="吉林省应急管理厅")

    assert (first.data.seq, second.data.seq) == (1, 2)
    assert first.data.number.endswith(f"-{inc.id:06d}-XB01")
    assert second.data.number.endswith("-XB02")
    pages = pdf_pages(second.pdf, tmp_path)
    assert "（续报2）" in pages[0]
    assert "演习" in pages[0]  # the heading and the watermark on every page
    assert "Ⅳ级（一般）" in pages[0]
    assert "—" in pages[0]  # no intake: no reporter, said plainly
    assert "报送单位：吉林省应急管理厅" in pdf_pages(final.pdf, tmp_path)[0]
    assert final.file_name.startswith(f"演习-事件{inc.id}-终报-")
    titles = [a.title for a in s.files.attachments(incident_id=inc.id)]
    assert titles == [
        f"终报报告单（{final.data.number}）",
        f"续报2报告单（{second.data.number}）",
        f"续报1报告单（{first.data.number}）",
    ]


def test_a_long_course_still_fits_two_pages(services: Services, tmp_path: Path) -> None:
    s = services
    inc = s.incidents.create("officer", incident_draft(description="水位持续上涨。" * 400))
    for n in range(20):
        s.log.add("officer", f"第 {n + 1} 次巡查：" + "堤防无险情，" * 30, incident_id=inc.id)
    done = s.reports.generate("officer", inc.id, ReportStage.FIRST)
    pages = pdf_pages(done.pdf, tmp_path)
    assert len(pages) <= 2
    assert "第 20 次巡查" in "".join(pages)  # the latest lines are the ones kept
    assert "第 8 次巡查" not in "".join(pages)
    assert "带班领导（签发）" in pages[-1]


def test_a_refused_role_changes_nothing(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DUTY_CONSOLE_FILES", str(tmp_path / "files"))
    monkeypatch.setattr(
        crypto,
        "PASSWORD_HASHER",
        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=Type.ID),
    )
    s = Services.open(db_url)
    try:
        s.users.add("setup", "admin", "管理员", Role.ADMIN, PASSWORD)
        s.users.add("admin", "officer", "值班员", Role.OFFICER, PASSWORD)
        inc = s.incidents.create("officer", incident_draft())
        before = {k: v for k, v in table_rows(s).items() if k not in ("audit", "audit_head")}
        audits = s.audit.count()
        with pytest.raises(PermissionDeniedError):
            s.reports.generate("admin", inc.id, ReportStage.FIRST)
        after = {k: v for k, v in table_rows(s).items() if k not in ("audit", "audit_head")}
        assert after == before
        assert s.audit.count() == audits + 1
        assert s.audit.latest(1)[0].action == "access.denied"
        assert not list((tmp_path / "files").rglob("*.pdf"))
        assert not any(p.is_file() for p in (tmp_path / "files").rglob("*"))
        done = s.reports.generate("officer", inc.id, ReportStage.FIRST)
        assert s.files.attachments(incident_id=inc.id)[0].sha256 == done.sha256
    finally:
        s.close()


def test_cli_writes_the_report_and_knows_unknown_incidents(
    services: Services, tmp_path: Path
) -> None:
    s = services
    inc = s.incidents.create("officer", incident_draft(title=TITLE))
    url = s.db.engine.url.render_as_string(hide_password=False)
    out = tmp_path / "首报.pdf"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("DUTY_CONSOLE_OPERATOR", None)
    base = [sys.executable, "-m", "console", "--db", url, "incident", "report"]
    done = run_with_timeout(
        [*base, str(inc.id), "--stage", "首报", "--out", str(out), "--json"], 60, env=env
    )
    result = json.loads(done.stdout)
    data = out.read_bytes()
    assert data.startswith(b"%PDF-")
    assert result["sha256"] == hashlib.sha256(data).hexdigest()
    assert TITLE in pdf_pages(data, tmp_path)[0]
    assert s.files.attachments(incident_id=inc.id)[0].sha256 == result["sha256"]

    missing = tmp_path / "none.pdf"
    gone = run_with_timeout(
        [*base, "999999", "--stage", "终报", "--out", str(missing)], 60, check=False, env=env
    )
    assert gone.returncode == 4, gone.stderr
    assert "999999" in gone.stderr
    assert not missing.exists()
    bad = run_with_timeout(
        [*base, str(inc.id), "--stage", "二报", "--out", str(missing)], 60, check=False, env=env
    )
    assert bad.returncode == 2, bad.stderr
    assert not missing.exists()


def test_the_administrator_sets_the_reporting_unit_printed_on_every_report(
    services: Services, tmp_path: Path
) -> None:
    s = services
    inc = s.incidents.create("officer", incident_draft(title=TITLE))
    url = s.db.engine.url.render_as_string(hide_password=False)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("DUTY_CONSOLE_OPERATOR", None)
    unit_cmd = [sys.executable, "-m", "console", "--db", url, "incident", "report-unit"]
    shown = run_with_timeout(unit_cmd, 60, env=env)
    assert shown.stdout.strip() == "应急值守值班室"  # the default until it is set

    changed = run_with_timeout([*unit_cmd, "  长春市应急管理局   总值班室 "], 60, env=env)
    assert changed.stdout.strip() == "长春市应急管理局 总值班室"
    assert s.reports.unit() == "长春市应急管理局 总值班室"
    [record] = s.audit.latest(1, entity="setting")
    assert record.action == "setting.report_unit"
    assert (record.before, record.after) == ({"unit": None}, {"unit": "长春市应急管理局 总值班室"})
    report = s.reports.generate("officer", inc.id, ReportStage.FIRST)
    assert "报送单位：长春市应急管理局 总值班室" in pdf_pages(report.pdf, tmp_path)[0]

    empty = run_with_timeout([*unit_cmd, "   "], 60, check=False, env=env)
    assert empty.returncode == 2, empty.stderr
    assert "请填写报送单位" in empty.stderr
    assert s.reports.unit() == "长春市应急管理局 总值班室"  # unchanged


def test_markup_characters_in_the_record_are_printed_as_typed(
    services: Services, tmp_path: Path
) -> None:
    s = services
    title = "长春市<南关区>燃气&供热管线泄漏"
    inc = s.incidents.create("officer", incident_draft(title=title))
    report = s.reports.generate("officer", inc.id, ReportStage.FIRST)
    assert title in pdf_pages(report.pdf, tmp_path)[0]
