"""What the program writes into the shared records is Chinese on a seat running in English.

The duty log, incident timelines, intakes, attachment titles and alarm texts are official
records that every seat reads; Chinese is their working language, so a seat's interface
language must not leak into them. Messages shown to the user stay translated.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication

from console.devices.recorder import Segment
from console.domain import (
    CallOutcome,
    ConflictError,
    EventKind,
    Grade,
    IncidentStatus,
    LogKind,
    NotFoundError,
)
from console.domain.warnings import WarningDraft
from console.monitoring.model import AlarmKind, Parameter, Station, Threshold
from console.services import Services
from console.timeutil import utcnow
from tests._core import incident_draft
from widgets import i18n

OFFICER = "zhangwei"
# Identifiers of the test chosen without runs of Latin letters, so any English word in a
# stored text can only come from a translation.
ENGLISH_WORD = re.compile(r"[A-Za-z]{2,}")


@pytest.fixture
def english(qapp: QApplication) -> Iterator[None]:
    """The seat runs in English for the test; Chinese again afterwards."""
    translators = i18n.install_translator(qapp, "en")
    try:
        assert QCoreApplication.translate("Incidents", "接报") != "接报", "no English installed"
        yield
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)
        i18n.install_translator(qapp, "zh_CN")


@pytest.fixture
def services(sqlite_url: str) -> Iterator[Services]:
    opened = Services.open(sqlite_url)
    try:
        yield opened
    finally:
        opened.close()


def chinese(texts: list[str]) -> list[str]:
    """The texts that hold an English word (none, when the records are right)."""
    return [t for t in texts if ENGLISH_WORD.search(t)]


def fax_page() -> bytes:
    page = Image.new("1", (1728, 300), 1)
    ImageDraw.Draw(page).line((0, 0, 1727, 299), fill=0, width=3)
    buffer = io.BytesIO()
    page.save(buffer, "TIFF", compression="group4")
    return buffer.getvalue()


@pytest.mark.usefixtures("english")
def test_a_received_fax_is_logged_and_taken_in_in_chinese(services: Services) -> None:
    fax = services.fax.receive(OFFICER, "f1", fax_page(), "")
    [entry] = [e for e in services.log.page() if e.id == fax.log_entry_id]
    assert entry.kind is LogKind.FAX
    assert entry.text == f"收到传真 #{fax.id}：来自 未知号码，1 页（f1）"
    intake = services.fax.to_intake(OFFICER, fax.id)
    assert intake.reporter_unit == "传真：未知号码"
    assert intake.title == "传真来报（未知号码，1 页）"
    assert intake.course == f"见所附传真 #{fax.id}"
    titles = sorted(a.title for a in services.files.attachments(intake_id=intake.id))
    assert titles == [
        f"传真 #{fax.id}（未知号码，1 页）",
        f"传真 #{fax.id}（未知号码，1 页） 原件 TIFF",
    ]
    assert chinese([entry.text, intake.title, intake.reporter_unit, titles[0]]) == []
    # What the user is told stays in the seat's language.
    with pytest.raises(ConflictError, match="already") as refused:
        services.fax.to_intake(OFFICER, fax.id)
    assert "已转为接报" not in str(refused.value)


@pytest.mark.usefixtures("english")
def test_incident_timeline_lines_are_chinese(services: Services) -> None:
    incident = services.incidents.create(OFFICER, incident_draft())
    services.incidents.set_grade(OFFICER, incident.id, Grade.II)
    services.incidents.change_status(OFFICER, incident.id, IncidentStatus.VERIFYING)
    services.incidents.change_status(OFFICER, incident.id, IncidentStatus.RESPONDING)
    services.incidents.set_owner(OFFICER, incident.id, "李娜")
    services.log.add(OFFICER, "现场水位回落", incident_id=incident.id)
    texts = [e.text for e in services.incidents.timeline(incident.id)]
    assert texts[0] == "接报立案：南关区伊通河水位超警戒"
    assert "定级：未定级 → Ⅱ级 重大" in texts
    assert "状态：接报 → 核实" in texts
    assert "状态：核实 → 处置中" in texts
    assert f"责任人：{incident.owner} → 李娜" in texts
    assert "值班日志：现场水位回落" in texts
    assert chinese([t.replace(OFFICER, "") for t in texts]) == []
    # What the user is told stays in the seat's language.
    with pytest.raises(NotFoundError) as missing:
        services.incidents.get(incident.id + 1000)
    assert "不存在" not in str(missing.value)


@pytest.mark.usefixtures("english")
def test_a_deadline_alarm_is_logged_in_chinese(services: Services) -> None:
    start = utcnow()
    incident = services.incidents.create(
        OFFICER,
        incident_draft(
            received_at=start - timedelta(hours=1),
            occurred_at=start - timedelta(hours=1, minutes=5),
            grade=Grade.II,
            title="化工厂泄漏",
        ),
    )
    services.deadlines.scan(utcnow())
    [alarm] = [e for e in services.log.page() if e.kind is LogKind.ALARM]
    assert alarm.text.startswith(f"报送提醒：事件 #{incident.id}「化工厂泄漏」首报已超时，时限 ")
    [event] = [e for e in services.incidents.timeline(incident.id) if e.kind is EventKind.DEADLINE]
    assert event.text == alarm.text
    assert chinese([alarm.text]) == []


@pytest.mark.usefixtures("english")
def test_monitoring_alarms_and_their_intake_are_chinese(services: Services) -> None:
    mon = services.monitoring
    station = mon.add_station(
        "admin",
        Station(
            "sl651",
            "0061000001",
            "松花江丰满站",
            "河道水位",
            126.56,
            43.72,
            parameters=(Parameter("Z", "水位", "米", (Threshold(3, 4.5, hysteresis=0.2),)),),
        ),
    )
    assert station.id is not None
    alarm = mon.raise_alarm(
        station.id, AlarmKind.THRESHOLD, parameter_code="Z", level=3, value=4.62, limit=4.5
    )
    mon.raise_alarm(station.id, AlarmKind.OFFLINE)
    assert alarm.message == "松花江丰满站 Z 达到三级阈值：4.62米（阈值 4.5米）"
    intake = services.intake.get(mon.to_intake(OFFICER, alarm.id))
    assert intake.reporter_unit == "监测站 松花江丰满站"
    assert mon.clear_alarm(station.id, AlarmKind.OFFLINE) == 1
    texts = [e.text for e in reversed(services.log.page(limit=20)) if e.kind is LogKind.MONITORING]
    assert texts == [
        "监测报警：" + alarm.message,
        "监测报警：松花江丰满站（0061000001）离线",
        "监测报警解除：松花江丰满站（0061000001）离线",
    ]
    assert chinese([*texts, intake.title, intake.reporter_unit]) == []


@pytest.mark.usefixtures("english")
def test_a_call_and_its_recording_go_on_the_record_in_chinese(
    services: Services, tmp_path: Path
) -> None:
    incident = services.incidents.create(OFFICER, incident_draft())
    call = services.calls.record_incoming(
        OFFICER, "043188886666", device="p1", pbx_uniqueid="1700.1", incident_id=incident.id
    )
    services.calls.finish(OFFICER, call.id, CallOutcome.ANSWERED)
    [entry] = [e for e in services.log.page() if e.kind is LogKind.CALL]
    assert entry.text == "来电：043188886666 — 已接通"
    spool = tmp_path / "seg.pcm"
    spool.write_bytes(b"\x00\x00" * 8000 * 2)  # two seconds of silence, 8 kHz 16 bit
    started = utcnow() - timedelta(seconds=2)
    segment = Segment(
        "k1",
        "r1",
        1,
        "p1",
        8000,
        started,
        spool,
        call_device="p1",
        call_uniqueid="1700.1",
        finished=True,
        ended_at=started + timedelta(seconds=2),
        frames=16000,
    )
    recording = services.recordings.finish(OFFICER, segment)
    assert recording.incident_id == incident.id
    [attached] = services.files.attachments(incident_id=incident.id)
    assert attached.title == "通话录音：043188886666（0分02秒）"
    texts = [e.text for e in services.incidents.timeline(incident.id)]
    assert "附件：通话录音：043188886666（0分02秒）" in texts
    assert entry.text in texts
    assert chinese([entry.text, attached.title, *texts]) == []


@pytest.mark.usefixtures("english")
def test_a_warning_names_its_area_and_sender_in_chinese(services: Services) -> None:
    services.reference.set_language("en")  # as the English window sets it
    try:
        assert services.reference.division_name("220102") != "长春市 南关区"
        warning = services.warnings.create(
            OFFICER,
            WarningDraft(
                level=2,
                event="暴雨",
                headline="长春市气象台发布暴雨橙色预警",
                expires=utcnow() + timedelta(hours=12),
                description="预计未来 6 小时南关区、朝阳区降雨量将达 50 毫米以上。",
                instruction="停止户外作业，转移低洼地带人员。",
                area_codes=("220102", "220104"),
                onset=utcnow() - timedelta(minutes=5),
                audience="社会公众",
                category="Met",
            ),
        )
    finally:
        services.reference.set_language("zh")
    assert warning.area_desc == "长春市 南关区、长春市 朝阳区"
    assert services.warnings.sender_name() == "应急值守指挥台"
