"""Fast, realistic, clearly fictitious bulk data for the board benchmark.

Opens the database the way the application does (``make_engine`` + ``upgrade`` +
``ReferenceService.ensure_seeded``), then writes users, shifts, incidents, their sent reports and
the duty log with SQLAlchemy Core ``executemany`` in large batches inside one transaction.

Distributions (all seeded, so every run writes the same data):

- times spread evenly over the three years before now; ids ascend with time (as they would);
- incidents weighted by prefecture population over all 9 prefectures of Jilin, at one of their
  counties (a few at the prefecture itself), with the county's point jittered;
- categories from the seeded table, traffic and public-facility accidents the most common;
- grades: ungraded 35 %, Ⅳ 45 %, Ⅲ 14 %, Ⅱ 5 %, Ⅰ 1 %;
- status: closed, except that recent incidents are likely still open (a few thousand in all,
  plus a few hundred stale ones spread over the years); 1.5 % merged into an earlier duplicate;
- first reports sent for nearly every incident, final reports for most closed ones;
- duty log: ~38 entries an hour, 30 % linked to an incident, 0.3 % corrections, one handover
  entry per 8-hour shift;
- the rare word ``RARE_WORD`` (and ``RARE_PHRASE``) occurs in a few dozen incident titles and
  log entries, the common word ``COMMON_WORD`` in about a tenth of them.
"""

from __future__ import annotations

import bisect
import math
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, insert, select

from console.db import models as m
from console.db.engine import make_engine, upgrade
from console.db.session import Database
from console.services.reference import ReferenceService, shipped_divisions

COMMON_WORD = "交通事故"
RARE_WORD = "天池"
RARE_PHRASE = "天池景区"  # the same rows, long enough for a trigram index
SPAN = timedelta(days=3 * 365)
BATCH = 50_000
SHIFT_HOURS = 8

# Rough population in millions: how often each prefecture reports.
PREFECTURE_WEIGHT = {
    "2201": 9.1,
    "2202": 3.6,
    "2203": 1.8,
    "2204": 1.0,
    "2205": 1.3,
    "2206": 1.0,
    "2207": 2.2,
    "2208": 1.5,
    "2224": 1.9,
}

# subcategory → (weight, phrases for titles)
EVENTS: dict[str, tuple[float, tuple[str, ...]]] = {
    "11000": (6, ("城区内涝积水", "河道漫堤", "水库出现险情", "旱情露头")),
    "12000": (9, ("暴雪致道路封闭", "大风刮倒广告牌", "冰雹砸损农作物", "寒潮致供暖告急")),
    "13000": (0.5, ("发生有感地震",)),
    "14000": (2, ("山体滑坡", "泥石流冲毁道路", "地面塌陷")),
    "15000": (0.1, ("风暴潮影响",)),
    "16000": (1, ("松毛虫害蔓延", "草地螟虫害")),
    "17000": (6, ("森林火情", "草原火灾", "秸秆焚烧引发山火")),
    "21000": (9, ("化工厂爆炸", "煤矿透水", "厂房火灾", "有限空间中毒", "建筑工地坍塌")),
    "22000": (26, ("道路交通事故", "多车相撞交通事故", "客车侧翻", "货车追尾", "列车晚点滞留")),
    "23000": (16, ("燃气泄漏", "大面积停电", "供水管道爆裂", "电梯困人", "居民楼火灾")),
    "24000": (3, ("河流水体污染", "危化品运输车泄漏", "油污入江")),
    "31000": (3, ("聚集性疫情", "学校诺如病毒感染")),
    "32000": (0.5, ("群体性不明原因发热",)),
    "33000": (4, ("集体食物中毒", "一氧化碳中毒")),
    "34000": (2, ("非洲猪瘟疫情", "禽流感疫情")),
    "41000": (0.1, ("可疑爆炸物",)),
    "42000": (1, ("非法集资群体讨薪", "企业资金链断裂")),
    "43000": (0.5, ("外籍人员遇险", "境外旅游团滞留")),
    "44000": (4, ("群体性聚集", "持刀伤人案件", "重大盗窃案件")),
}
SITES = (
    "人民大街",
    "解放大路",
    "长吉高速",
    "珲乌高速",
    "京哈高速",
    "某小区",
    "某化工园区",
    "松花江沿岸",
    "第一中学",
    "经济开发区",
    "火车站广场",
    "农贸市场",
    "某煤矿",
    "某村",
    "某镇",
    "国道",
    "省道",
    "某商场",
    "某医院",
    "体育场",
    "客运站",
    "某水库",
    "某林场",
    "工业园区",
)
UNITS = (
    "县应急管理局",
    "市应急管理局",
    "公安局指挥中心",
    "消防救援支队",
    "交警支队",
    "气象台",
    "卫健委",
    "乡镇政府",
    "街道办事处",
    "供电公司",
    "燃气公司",
    "水利局",
)
TOPICS = ("防汛", "森林防火", "安全生产", "防灾减灾")
GRADES = ((None, 35), ("IV", 45), ("III", 14), ("II", 5), ("I", 1))
CHANNELS = (
    ("phone", 55),
    ("subordinate", 20),
    ("monitoring", 10),
    ("fax", 5),
    ("walk_in", 3),
    ("other", 7),
)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ("伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超")


@dataclass
class Generated:
    """What was written and how long it took."""

    incidents: int
    log_entries: int
    sent_reports: int
    seconds: dict[str, float]


def _weighted(rng: random.Random, pairs: Any, n: int) -> list[Any]:
    values = [v for v, _w in pairs]
    weights = [w for _v, w in pairs]
    return rng.choices(values, weights=weights, k=n)


def _sorted_times(rng: random.Random, n: int, start: datetime, span: timedelta) -> list[datetime]:
    total = span.total_seconds()
    offsets = sorted(rng.random() * total for _ in range(n))
    base = start.timestamp()
    return [datetime.fromtimestamp(base + int(o), UTC) for o in offsets]


def _batches(rows: Iterator[dict[str, Any]], size: int = BATCH) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def row_counts(url: str) -> tuple[int, int]:
    """Incidents and log entries already in the database at ``url`` (0, 0 when new)."""
    engine = make_engine(url)
    try:
        upgrade(engine)
        with engine.connect() as conn:
            inc = conn.scalar(select(func.count()).select_from(m.IncidentRow)) or 0
            log = conn.scalar(select(func.count()).select_from(m.LogEntryRow)) or 0
        return int(inc), int(log)
    finally:
        engine.dispose()


def generate(
    url: str,
    n_incidents: int,
    n_log: int,
    *,
    seed: int = 20260101,
    progress: Callable[[str], None] = lambda _s: None,
) -> Generated:
    """Fill the (empty) database at ``url``; returns counts and phase timings."""
    rng = random.Random(seed)
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    engine: Engine = make_engine(url)
    upgrade(engine)
    db = Database(engine)
    ReferenceService(db).ensure_seeded()
    seconds["schema+seed"] = time.perf_counter() - t0

    now = datetime.now(UTC).replace(microsecond=0)
    start = now - SPAN

    divisions = shipped_divisions()
    counties: dict[str, list[tuple[str, str, float, float]]] = {p: [] for p in PREFECTURE_WEIGHT}
    names = {d.code: d.name for d in divisions}
    for d in divisions:
        prefix = d.code[:4]
        if prefix in counties and d.lon is not None and d.lat is not None:
            counties[prefix].append((d.code, d.name, d.lon, d.lat))
    prefectures = [(p, w) for p, w in PREFECTURE_WEIGHT.items()]
    subcats = [(code, w) for code, (w, _p) in EVENTS.items()]
    parent_of = {code: code[0] + "0000" for code in EVENTS}

    users = []
    for i in range(24):
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)]
        role = "leader" if i < 4 else "officer"
        users.append(
            {
                "id": 1000 + i,
                "username": f"duty{i:02d}",
                "display_name": name,
                "role": role,
                "phone": f"0431-8{i:07d}",
                "active": True,
            }
        )
    officers = [u["username"] for u in users if u["role"] == "officer"]

    with engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA synchronous=OFF")
        conn.exec_driver_sql("PRAGMA cache_size=-262144")
        conn.execute(insert(m.UserRow), users)

        # -- shifts: 8-hour shifts over the whole span ------------------------------------------
        t = time.perf_counter()
        n_shifts = int(SPAN.total_seconds() // (SHIFT_HOURS * 3600)) + 2
        conn.execute(
            insert(m.ShiftRow),
            [
                {
                    "id": i + 1,
                    "starts_at": start + timedelta(hours=SHIFT_HOURS * i),
                    "ends_at": start + timedelta(hours=SHIFT_HOURS * (i + 1)),
                }
                for i in range(n_shifts)
            ],
        )
        seconds["shifts"] = time.perf_counter() - t

        # -- incidents ---------------------------------------------------------------------------
        t = time.perf_counter()
        received = _sorted_times(rng, n_incidents, start, SPAN)
        pref_pick = _weighted(rng, prefectures, n_incidents)
        sub_pick = _weighted(rng, subcats, n_incidents)
        grade_pick = _weighted(rng, GRADES, n_incidents)
        chan_pick = _weighted(rng, CHANNELS, n_incidents)
        rare_every = max(n_incidents // 40, 1)  # ~40 titles carry the rare word
        inc_meta: list[tuple[datetime, str, datetime | None]] = []  # received, status, closed

        def incidents() -> Iterator[dict[str, Any]]:
            for i in range(n_incidents):
                iid = i + 1
                rec = received[i]
                occurred = rec - timedelta(minutes=rng.randint(2, 240))
                age_days = (now - rec).total_seconds() / 86400
                p_open = 0.85 * math.exp(-age_days / 20) + 0.002
                closed_at: datetime | None = None
                if rng.random() < p_open:
                    status = rng.choices(("reported", "verifying", "responding"), (2, 2, 6))[0]
                else:
                    status = "closed"
                    closed_at = min(rec + timedelta(minutes=rng.randint(30, 7 * 1440)), now)
                merged = iid - rng.randint(1, 30) if iid > 30 and rng.random() < 0.015 else None
                pref = pref_pick[i]
                code, county, lon, lat = rng.choice(counties[pref])
                if rng.random() < 0.05:
                    code, county = pref + "00", names.get(pref + "00", county)
                sub = sub_pick[i]
                event = rng.choice(EVENTS[sub][1])
                site = "长白山天池景区" if i % rare_every == 7 else rng.choice(SITES)
                if sub == "22000" and rng.random() < 0.5:
                    event = COMMON_WORD if rng.random() < 0.5 else event
                deaths = rng.choices((0, 1, 2, 3, 5, 10), (90, 5, 2, 1.5, 1, 0.5))[0]
                injuries = rng.choices((0, 1, 2, 5, 12, 30), (70, 12, 8, 6, 3, 1))[0]
                prefecture_name = names.get(pref + "00", "")
                address = f"吉林省{prefecture_name}{county}{site}附近"
                unit = rng.choice(UNITS)
                casualty = (
                    f"造成{deaths}人死亡、{injuries}人受伤"
                    if deaths or injuries
                    else "暂无人员伤亡"
                )
                yield {
                    "id": iid,
                    "title": f"{county}{site}{event}",
                    "category_code": parent_of[sub],
                    "subcategory_code": sub if rng.random() < 0.9 else None,
                    "grade": grade_pick[i],
                    "status": status,
                    "occurred_at": occurred,
                    "received_at": rec,
                    "division_code": code,
                    "lon": round(lon + rng.uniform(-0.2, 0.2), 5),
                    "lat": round(lat + rng.uniform(-0.15, 0.15), 5),
                    "address": address,
                    "deaths": deaths,
                    "injuries": injuries,
                    "missing": 0,
                    "trapped": 1 if rng.random() < 0.02 else 0,
                    "losses": f"直接经济损失约{rng.randint(1, 500)}万元"
                    if rng.random() < 0.2
                    else "",
                    "description": (
                        f"据{county}{unit}报告，{address}发生{event}，{casualty}。"
                        f"{unit}已赶赴现场处置，事态正在核实中。"
                    ),
                    "source_channel": chan_pick[i],
                    "owner": rng.choice(officers),
                    "merged_into_id": merged,
                    "exercise": rng.random() < 0.01,
                    "closed_at": closed_at,
                    "created_at": rec,
                    "updated_at": closed_at or rec,
                    "version": 1,
                }
                inc_meta.append((rec, status, closed_at))

        for batch in _batches(incidents()):
            conn.execute(insert(m.IncidentRow), batch)
            progress(f"incidents {len(inc_meta):,}/{n_incidents:,}")
        seconds["incidents"] = time.perf_counter() - t

        # -- reports sent upward -----------------------------------------------------------------
        t = time.perf_counter()
        n_sent = 0

        def sent() -> Iterator[dict[str, Any]]:
            nonlocal n_sent
            for i, (rec, _status, closed_at) in enumerate(inc_meta):
                age_h = (now - rec).total_seconds() / 3600
                if age_h < 2 and rng.random() < 0.5:
                    continue  # first report still owed
                first = rec + timedelta(minutes=rng.randint(8, 110))
                n_sent += 1
                yield {
                    "incident_id": i + 1,
                    "stage": "first",
                    "seq": 1,
                    "sent_at": min(first, now),
                    "sent_by": rng.choice(officers),
                    "channel": "政务专网",
                    "content": "",
                }
                if closed_at is not None and rng.random() < 0.9:
                    n_sent += 1
                    yield {
                        "incident_id": i + 1,
                        "stage": "final",
                        "seq": 1,
                        "sent_at": min(closed_at + timedelta(minutes=rng.randint(30, 900)), now),
                        "sent_by": rng.choice(officers),
                        "channel": "政务专网",
                        "content": "",
                    }

        for batch in _batches(sent()):
            conn.execute(insert(m.SentReportRow), batch)
        seconds["sent_reports"] = time.perf_counter() - t

        # -- duty log ----------------------------------------------------------------------------
        t = time.perf_counter()
        at_all = _sorted_times(rng, n_log, start, SPAN)
        kinds = _weighted(
            rng, (("note", 60), ("call", 25), ("alarm", 8), ("system", 5), ("handover", 2)), n_log
        )
        received_ts = [r.timestamp() for r in received]
        start_ts = start.timestamp()
        rare_log_every = max(n_log // 120, 1)
        written = 0

        def log_rows() -> Iterator[dict[str, Any]]:
            nonlocal written
            for i in range(n_log):
                lid = i + 1
                at = at_all[i]
                kind = kinds[i]
                incident_id = None
                corrects_id = None
                unit = rng.choice(UNITS)
                if rng.random() < 0.30:
                    k = bisect.bisect_right(received_ts, at.timestamp())
                    if k:
                        j = max(0, k - 1 - rng.randint(0, 40))
                        incident_id = j + 1
                if lid > 20 and rng.random() < 0.003:
                    kind = "correction"
                    corrects_id = lid - rng.randint(1, 20)
                if i % rare_log_every == 3:
                    text = f"接长白山管委会电话：{RARE_WORD}景区游客滞留，已通知景区做好疏导。"
                elif incident_id is not None:
                    title = f"事件#{incident_id}"
                    text = rng.choice(
                        (
                            f"接{unit}电话报告{title}最新情况，已录入并向带班领导汇报。",
                            f"向省应急厅续报{title}处置进展。",
                            f"{title}：现场人员已撤离，{unit}继续监测。",
                            f"按带班领导批示，督促{unit}加快{title}处置。",
                        )
                    )
                elif kind == "call":
                    text = rng.choice(
                        (
                            f"接{unit}来电咨询值班安排，已答复。",
                            f"接{unit}电话：辖区内发生一起道路{COMMON_WORD}，无人员伤亡。",
                            f"{unit}电话报平安，辖区无异常。",
                        )
                    )
                elif kind == "alarm":
                    text = f"报送提醒：{unit}首报即将超时，已电话催报。"
                elif kind == "system":
                    text = "系统自动检查：值班设备运行正常。"
                elif kind == "handover":
                    text = "交接班：在办事项已逐项交接，接班人员已确认。"
                elif kind == "correction":
                    text = f"更正：上条记录中的单位应为{unit}。"
                else:
                    text = rng.choice(
                        (
                            f"收到{unit}传真，内容为近期防汛工作部署，已转呈领导阅示。",
                            f"{unit}报告：辖区内{COMMON_WORD}多发路段已加强巡查。",
                            "巡查值班室设备，视频会商系统、卫星电话均正常。",
                            f"转发省政府办公厅关于做好{rng.choice(TOPICS)}工作的通知。",
                            f"与{unit}核实情况，对方称暂无新进展。",
                        )
                    )
                shift_id = int((at.timestamp() - start_ts) // (SHIFT_HOURS * 3600)) + 1
                written += 1
                yield {
                    "id": lid,
                    "at": at,
                    "author": rng.choice(officers),
                    "kind": kind,
                    "text": text,
                    "shift_id": shift_id,
                    "incident_id": incident_id,
                    "corrects_id": corrects_id,
                }

        for batch in _batches(log_rows()):
            conn.execute(insert(m.LogEntryRow), batch)
            progress(f"log {written:,}/{n_log:,}")
        seconds["log"] = time.perf_counter() - t

        # Core bulk inserts bypass the mapper events that keep the text index current.
        t = time.perf_counter()
        progress("text index")
        m.rebuild_search_index(conn)
        seconds["search index"] = time.perf_counter() - t

    t = time.perf_counter()
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    seconds["checkpoint"] = time.perf_counter() - t
    seconds["total"] = time.perf_counter() - t0
    return Generated(n_incidents, n_log, n_sent, seconds)
