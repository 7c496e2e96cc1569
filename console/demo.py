"""Demo data: a realistic, clearly fictitious few days in Jilin's provincial duty room.

Place names, rivers, lakes and roads are real; every incident, person, company and phone number
is invented (companies carry 示例, people are 王某-style, phones follow 0431-8NNN0000). Nothing
is marked as an exercise: the demo database is separate from the real one.
"""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta

from console.domain import (
    Casualties,
    Division,
    Grade,
    IncidentFilter,
    IncidentStatus,
    LogKind,
    ReportStage,
    Role,
    SourceChannel,
    User,
)
from console.domain.drafts import IntakeDraft
from console.services import Services
from console.timeutil import BEIJING, clock_at, utcnow

log = logging.getLogger(__name__)

SETUP_ACTOR = "system"

# username, display name, role
PEOPLE: list[tuple[str, str, Role]] = [
    ("wangming", "王明", Role.OFFICER),
    ("liuyang", "刘洋", Role.OFFICER),
    ("chenjing", "陈静", Role.OFFICER),
    ("zhaolei", "赵磊", Role.OFFICER),
    ("sunli", "孙丽", Role.OFFICER),
    ("zhouqiang", "周强", Role.OFFICER),
    ("lijianguo", "李建国", Role.LEADER),
    ("zhangweidong", "张卫东", Role.LEADER),
]
OFFICER_PAIRS = [("wangming", "liuyang"), ("chenjing", "zhouqiang"), ("zhaolei", "sunli")]
LEADERS = ["lijianguo", "zhangweidong"]
SHIFT_HOURS = [(0, 8), (8, 16), (16, 24)]  # Beijing time

AREA_CODES = {
    "2201": "0431",
    "2202": "0432",
    "2203": "0434",
    "2204": "0437",
    "2205": "0435",
    "2206": "0439",
    "2207": "0438",
    "2208": "0436",
    "2224": "0433",
}

FIRST = "first"
FOLLOWUP = "followup"
FINAL = "final"


NO_CASUALTIES = Casualties()


@dataclass(frozen=True)
class _Case:
    """One fictitious incident as the demo tells it."""

    county: str
    dlon: float
    dlat: float
    hours_ago: float
    title: str
    category: str
    grade: Grade | None
    status: IncidentStatus
    channel: SourceChannel
    unit: str
    name: str
    address: str
    course: str
    casualties: Casualties = NO_CASUALTIES
    reports: tuple[str, ...] = (FIRST,)
    graded_from: Grade | None = None  # reported with this grade, re-graded after checking
    regrade: bool = False


G2, G3, G4 = Grade.II, Grade.III, Grade.IV
REP, VER, RESP, CLOSED = (
    IncidentStatus.REPORTED,
    IncidentStatus.VERIFYING,
    IncidentStatus.RESPONDING,
    IncidentStatus.CLOSED,
)
PHONE, FAX, SUB, MON, WALK = (
    SourceChannel.PHONE,
    SourceChannel.FAX,
    SourceChannel.SUBORDINATE,
    SourceChannel.MONITORING,
    SourceChannel.WALK_IN,
)

CASES: list[_Case] = [
    # 长春市
    _Case("220106", 0.02, -0.01, 30, "长春市绿园区化工企业氨气泄漏", "21000", G4, RESP, PHONE,
          "绿园区示例化工有限公司", "赵某", "绿园区西新工业集中区（示例厂区）",
          "制冷车间液氨管道阀门密封失效，少量氨气泄漏，厂区已疏散，消防救援人员现场堵漏。",
          Casualties(injuries=2), (FIRST,)),
    _Case("220184", -0.05, 0.03, 70, "京哈高速公主岭段团雾致多车追尾", "22000", G4, CLOSED, SUB,
          "公主岭市应急管理局", "孙某", "京哈高速公主岭段（北京方向）",
          "团雾天气能见度不足50米，6辆车连续追尾，伤员已送医，道路已恢复通行。",
          Casualties(injuries=5), (FIRST, FINAL)),
    _Case("220102", 0.01, 0.01, 20, "长春市南关区居民楼燃气爆燃", "23000", G3, RESP, PHONE,
          "南关区应急管理局", "李某", "南关区某小区（示例）3号楼",
          "居民家中燃气泄漏遇明火爆燃，波及相邻两户，燃气公司已关阀，正在排查楼内管线。",
          Casualties(deaths=1, injuries=3), (FIRST, FOLLOWUP)),
    _Case("220183", 0.04, 0.02, 5, "德惠市蛋鸡养殖场疑似禽流感疫情", "34000", None, VER, SUB,
          "德惠市畜牧业管理局", "刘某", "德惠市某镇示例养殖场",
          "养殖场两日内蛋鸡异常死亡约1200只，已采样送检，疫点周边已临时封控。", reports=()),
    _Case("220113", -0.02, 0.01, 26, "九台区某中学食堂疑似食物中毒", "33000", G4, RESP, PHONE,
          "九台区示例中学", "周某", "九台区某中学（示例）学生食堂",
          "午餐后陆续有学生出现腹痛、呕吐，已送医23人，均无生命危险，食堂已封存留样。",
          Casualties(injuries=23), (FIRST,)),
    _Case("220122", 0.06, -0.04, 3, "农安县道路结冰致客车侧翻", "22000", G3, RESP, PHONE,
          "农安县公安局交警大队", "吴某", "农安县境内省道（示例路段）",
          "路面结冰，一辆中型客车侧翻至边沟，车上19人，8人受伤送医，正在调查事故原因。",
          Casualties(injuries=8), reports=()),
    # 吉林市
    _Case("220221", 0.03, -0.02, 8, "吉林市永吉县温德河水位超警戒", "11000", G4, RESP, MON,
          "永吉县水文站", "郑某", "永吉县口前镇温德河段",
          "封冻期冰凌壅塞，温德河口前段水位超警戒0.3米，沿岸两处低洼村屯已安排人员转移。",
          reports=(FIRST,)),
    _Case("220283", -0.03, 0.05, 96, "舒兰市上营镇山体滑坡阻断乡道", "14000", G4, CLOSED, SUB,
          "舒兰市应急管理局", "王某", "舒兰市上营镇乡道（示例）",
          "连续冻融致边坡失稳，约300立方米土石阻断乡道，无人员伤亡，已清障通行。",
          reports=(FIRST, FINAL)),
    _Case("220282", 0.02, 0.03, 10, "桦甸市示例矿业公司井下透水3人被困", "21000", G2, RESP,
          PHONE, "桦甸市示例矿业有限公司", "陈某", "桦甸市某镇示例金矿2号井",
          "井下作业面突发透水，3名作业人员被困，矿山救护队正在排水救援。",
          Casualties(trapped=3), (FIRST, FOLLOWUP), graded_from=G3),
    _Case("220211", 0.04, -0.03, 100, "吉林市丰满区松花湖沿岸山林火情", "17000", G4, CLOSED, PHONE,
          "丰满区林业和草原局", "黄某", "丰满区松花湖西岸山林（示例位置）",
          "枯草起火蔓延至林缘，过火面积约2公顷，当日明火扑灭，无人员伤亡。",
          reports=(FIRST, FINAL)),
    _Case("220204", -0.01, 0.01, 14, "吉林市船营区供热管网爆裂致小区停暖", "23000", G4, RESP,
          PHONE, "吉林市示例热力有限公司", "马某", "船营区某路（示例）",
          "一次网主管道爆裂，约3800户停暖，抢修队伍连夜作业，已设临时取暖点。",
          reports=(FIRST,)),
    # 四平市
    _Case("220303", 0.05, 0.02, 40, "京哈高速四平段危化品罐车侧翻", "22000", G3, RESP, SUB,
          "四平市应急管理局", "郭某", "京哈高速四平段（哈尔滨方向）",
          "一辆装载液碱的罐车侧翻，罐体轻微渗漏，已封闭单向车道，环保部门监测周边水体。",
          Casualties(injuries=1), (FIRST, FOLLOWUP)),
    _Case("220322", -0.04, 0.03, 110, "梨树县粮库烘干塔起火", "21000", G4, CLOSED, FAX,
          "梨树县应急管理局", "林某", "梨树县某镇示例粮库",
          "玉米烘干塔内部积料自燃，消防救援人员1小时内扑灭，损失粮食约40吨。",
          reports=(FIRST, FINAL)),
    _Case("220382", 0.03, -0.02, 50, "双辽市养殖户报告生猪异常死亡", "34000", G4, VER, SUB,
          "双辽市畜牧业管理局", "何某", "双辽市某乡示例养殖户",
          "散养户生猪3日内死亡27头，已采样送省级实验室检测，暂停调运。",
          reports=(FIRST,), regrade=True),
    # 辽源市
    _Case("220402", 0.01, -0.01, 60, "辽源市龙山区商场电梯故障致人员被困",
          "23000", G4, CLOSED, PHONE,
          "辽源市示例商场", "罗某", "龙山区某商场（示例）",
          "观光电梯停在两层之间，6人被困约40分钟，维保人员和消防救援人员救出，无人受伤。",
          Casualties(trapped=6), (FIRST, FINAL)),
    _Case("220422", 0.05, 0.02, 30, "东辽县辽河源河段水质异常", "24000", G4, VER, WALK,
          "东辽县示例村委会", "梁某", "东辽县辽河源河段（示例断面）",
          "村民来访反映河水发黑有异味，生态环境部门已取样，排查上游排污口。",
          reports=(FIRST,)),
    # 通化市
    _Case("220581", 0.02, 0.01, 85, "梅河口市农贸市场火灾", "21000", G3, CLOSED, FAX,
          "梅河口市应急管理局", "宋某", "梅河口市某农贸市场（示例）",
          "市场库房电气线路故障起火，过火面积约600平方米，疏散商户及群众200余人。",
          Casualties(injuries=2), (FIRST, FINAL)),
    _Case("220521", 0.04, -0.03, 18, "鹤大高速通化段隧道内货车起火", "22000", G4, RESP, SUB,
          "通化县应急管理局", "唐某", "鹤大高速通化段某隧道（示例）",
          "货车轮胎过热起火，驾驶员自行逃生，隧道双向临时封闭，正在清理现场。",
          reports=(FIRST,)),
    _Case("220582", -0.02, 0.02, 115, "集安市一家庭聚餐疑似食物中毒", "33000", G4, CLOSED, PHONE,
          "集安市卫生健康局", "韩某", "集安市某镇（示例）",
          "家庭聚餐后7人出现恶心、呕吐症状，送医治疗后均已出院，疑似食用变质食品。",
          Casualties(injuries=7), (FIRST, FINAL)),
    # 白山市
    _Case("220605", 0.03, 0.02, 2.5, "江源区示例煤矿井下瓦斯浓度超限报警", "21000", None, VER, MON,
          "白山市煤矿安全监控中心", "冯某", "江源区示例煤矿",
          "监控系统显示采煤工作面瓦斯浓度超限，井下人员已按规定撤离，正在核实原因。",
          reports=()),
    _Case("220621", -0.03, 0.04, 12, "抚松县暴雪致省道封闭车辆滞留", "12000", G4, RESP, SUB,
          "抚松县应急管理局", "于某", "抚松县境内省道（示例路段）",
          "降雪量达暴雪量级，省道积雪约40厘米，约60辆车滞留，已开设临时救助点。",
          reports=(FIRST, FOLLOWUP)),
    # 松原市
    _Case("220721", 0.05, 0.03, 44, "查干湖冰面2名垂钓人员落冰被困", "20000", G4, CLOSED, PHONE,
          "前郭县查干湖示例渔场", "董某", "前郭县查干湖西岸冰面",
          "初冰期冰层厚度不足10厘米，2名垂钓人员冒险上冰落水，已被救援上岸。",
          Casualties(trapped=2), (FIRST, FINAL)),
    _Case("220702", 0.02, -0.02, 22, "松花江松原段流凌堆积水位上涨", "11000", G4, RESP, MON,
          "松原市水文局", "萧某", "宁江区松花江段",
          "流凌密度增大并在弯道堆积，水位较昨日上涨0.6米，已停止冰上通行。",
          reports=(FIRST,)),
    _Case("220781", -0.03, 0.02, 75, "扶余市粮食加工厂粉尘爆炸", "21000", G3, CLOSED, PHONE,
          "扶余市示例粮食加工有限公司", "程某", "扶余市工业园区（示例）",
          "粉碎车间除尘系统发生粉尘爆炸，4人受伤，车间局部受损，已停产整顿。",
          Casualties(injuries=4), (FIRST, FINAL)),
    # 白城市
    _Case("220882", 0.04, 0.02, 7, "嫩江大安段冰凌卡塞水位上涨", "11000", G4, VER, MON,
          "大安市水利局", "曹某", "大安市嫩江段（示例断面）",
          "封江期冰凌卡塞，水位持续上涨，堤防巡查人员已上岗。", reports=()),
    _Case("220821", 0.06, 0.03, 90, "镇赉县莫莫格湿地芦苇荡火情", "17000", G4, CLOSED, SUB,
          "镇赉县应急管理局", "袁某", "镇赉县莫莫格保护区外围苇塘",
          "苇塘起火，过火面积约15公顷，未进入核心区，当晚明火扑灭。",
          reports=(FIRST, FINAL)),
    _Case("220802", -0.02, -0.03, 28, "珲乌高速白城段风吹雪致多车追尾", "22000", G3, RESP, SUB,
          "白城市应急管理局", "邓某", "珲乌高速白城段（示例路段）",
          "风吹雪致能见度骤降，9辆车追尾，1人死亡5人受伤，高速交警实施交通管制。",
          Casualties(deaths=1, injuries=5), (FIRST, FOLLOWUP)),
    _Case("220822", 0.03, 0.04, 0.8, "通榆县向海保护区发现野鸟异常死亡", "34000", None, REP, PHONE,
          "通榆县示例保护站", "许某", "通榆县向海保护区（示例点位）",
          "巡护人员发现天鹅等野鸟死亡11只，已做无害化处理并采样。", reports=()),
    # 延边朝鲜族自治州
    _Case("222403", 0.05, 0.04, 16, "延边州敦化市林区火情", "17000", G3, RESP, PHONE,
          "敦化市示例林场", "崔某", "敦化市某林场（示例林班）",
          "林区发生火情，过火面积约20公顷，已调集专业扑火队200余人扑救。",
          reports=(FIRST, FOLLOWUP)),
    _Case("222401", 0.01, -0.01, 52, "延吉市老旧小区燃气泄漏致2人中毒", "23000", G4, CLOSED, PHONE,
          "延吉市应急管理局", "金某", "延吉市某小区（示例）",
          "老旧燃气管线泄漏，2名居民轻度中毒送医，已更换管段并排查整栋楼。",
          Casualties(injuries=2), (FIRST, FINAL)),
    _Case("222405", -0.02, 0.02, 0.85, "龙井市化工园区废气异味投诉", "24000", G3, REP, PHONE,
          "龙井市生态环境分局", "朴某", "龙井市化工园区（示例）",
          "周边居民反映夜间刺激性气味明显，环境执法人员已赶赴现场监测。", reports=()),
    _Case("222404", 0.03, 0.01, 36, "珲春市口岸货场冷库氨气泄漏", "21000", G4, RESP, FAX,
          "珲春市应急管理局", "池某", "珲春市某口岸货场（示例冷库）",
          "冷库制冷系统阀门泄漏，现场人员已撤离，泄漏点已控制，正在通风检测。",
          reports=(FIRST,)),
]  # fmt: skip

# Fictitious open intakes (taken down, not yet turned into incidents): minutes ago.
OPEN_INTAKES: list[tuple[float, str, str, str, str, str, str]] = [
    (
        18,
        "222402",
        "图们市图们江边有群众冰上行走",
        "图们市示例社区",
        "尹某",
        "0433-86660000",
        "群众反映有人在未封冻江面行走，请相关部门劝离。",
    ),
    (
        40,
        "220502",
        "通化市东昌区某小区供热管道漏水",
        "",
        "石某（群众）",
        "0435-85550000",
        "楼道内热水管道漏水，地面积水结冰，请供热单位处理。",
    ),
]

GENERAL_LOG: list[tuple[float, str]] = [
    (118, "接省气象台通报：未来72小时全省有降雪降温过程，中东部局地暴雪。已转发各市州值班室。"),
    (112, "与9个市（州）应急管理局值班室视频点名，均在岗在位。"),
    (104, "值班电话、传真机、录音设备例行检查，运行正常。"),
    (96, "接应急管理部值班室通知：做好初冬冰上安全防范工作，要求各地加强巡查。已传达。"),
    (88, "与9个市（州）应急管理局值班室视频点名，均在岗在位。"),
    (80, "省水文局通报：松花江、嫩江部分江段进入流凌期。已转发沿江市县。"),
    (72, "接省森林草原防火指挥部办公室通知：秋冬季防火期延长至12月上旬。已传达。"),
    (64, "与9个市（州）应急管理局值班室视频点名，长白县值班室未及时应答，10分钟后复核在岗。"),
    (56, "值班电话、传真机、录音设备例行检查，传真机卡纸已处理。"),
    (46, "接省气象台寒潮蓝色预警：未来48小时气温下降8至10℃。已转发各市州。"),
    (38, "与9个市（州）应急管理局值班室视频点名，均在岗在位。"),
    (30, "接省交通运输厅通报：珲乌高速、鹤大高速部分路段因降雪实施交通管制。"),
    (20, "值班电话、传真机、录音设备例行检查，运行正常。"),
    (14, "与9个市（州）应急管理局值班室视频点名，均在岗在位。"),
    (6, "接省气象台通报：今夜至明日白城、松原地区有风吹雪，已提示相关市县注意交通安全。"),
    (1.5, "值班电话、传真机、录音设备例行检查，运行正常。"),
]

# (case index, leader username, instruction, done note or "")
INSTRUCTIONS: list[tuple[int, str, str, str]] = [
    (8, "lijianguo", "全力搜救被困人员，防范次生事故，每2小时续报进展。", ""),
    (28, "zhangweidong", "调集专业扑火力量，确保扑火人员安全，严防复燃。", ""),
    (3, "lijianguo", "督促做好疫点封控和采样检测，结果出来后立即报告。", ""),
    (
        2,
        "zhangweidong",
        "立即排查整栋楼燃气管线，妥善安置受影响居民。",
        "已落实：燃气公司完成整栋楼排查，受影响居民已安置。",
    ),
]


def _phone(county: str, n: int) -> str:
    return f"{AREA_CODES[county[:4]]}-8{n % 1000:03d}0000"


def _at(base: datetime, hours_ago: float, now: datetime) -> datetime:
    """``hours_ago`` before ``now``, never in the future."""
    return min(base, now - timedelta(hours=hours_ago))


def seed_demo(services: Services) -> None:
    """Fill an empty database with the demo's roster, incidents, reports and log.

    Does nothing when the database already holds incidents, so it is safe to call on every start.
    """
    from console.demo_resources import seed_demo_resources

    seed_demo_resources(services)  # on its own: only when no resource exists
    from console.demo_dispatch import seed_demo_contacts

    seed_demo_contacts(services)  # on its own: only when the directory is empty
    from console.demo_monitoring import seed_demo_stations

    seed_demo_stations(services)  # on its own: only when no monitoring station exists
    if services.incidents.count(IncidentFilter(include_merged=True)) > 0:
        return
    now = utcnow()
    users = {
        username: services.people.ensure_user(
            SETUP_ACTOR, username, name, role, f"0431-8{i:03d}0000"
        )
        for i, (username, name, role) in enumerate(PEOPLE, start=101)
    }
    _roster(services, users, now)
    officers = [u for u, _n, r in PEOPLE if r is Role.OFFICER]
    divisions = services.reference.divisions()
    ids: list[int] = []
    for n, case in enumerate(CASES):
        actor = officers[n % len(officers)]
        ids.append(_incident(services, case, n, actor, divisions, now))
    for index, leader, text, done in INSTRUCTIONS:
        ins = services.instructions.add(
            officers[index % len(officers)], text, users[leader].display_name, ids[index]
        )
        if done:
            services.instructions.mark_done(officers[index % len(officers)], ins.id, done)
    for n, (hours, text) in enumerate(GENERAL_LOG):
        services.log.add(officers[n % len(officers)], text, at=now - timedelta(hours=hours))
    for n, (minutes, county, title, unit, name, phone, course) in enumerate(OPEN_INTAKES):
        d = divisions.get(county)
        received = now - timedelta(minutes=minutes)
        services.intake.record(
            officers[n],
            IntakeDraft(
                channel=SourceChannel.PHONE,
                received_at=received,
                reporter_unit=unit,
                reporter_name=name,
                reporter_phone=phone,
                title=title,
                occurred_at=received - timedelta(minutes=10),
                division_code=county,
                lon=round(d.lon + 0.01, 5) if d and d.lon is not None else None,
                lat=round(d.lat - 0.01, 5) if d and d.lat is not None else None,
                course=course,
            ),
        )
    log.info("demo data seeded: %d incidents", len(ids))
    from console.demo_recordings import seed_demo_recordings

    seed_demo_recordings(services, ids)  # a few calls on these incidents, recorded and stored
    from console.demo_warnings import seed_demo_warnings

    seed_demo_warnings(services)  # needs the roster: the leader on duty approves them


def _roster(services: Services, users: dict[str, User], now: datetime) -> None:
    """Today and tomorrow in three shifts (Beijing time), two officers and a leader each."""
    today = now.astimezone(BEIJING).date()
    slot = 0
    for day in (today, today + timedelta(days=1)):
        for start_h, end_h in SHIFT_HOURS:
            start = datetime(day.year, day.month, day.day, tzinfo=BEIJING) + timedelta(
                hours=start_h
            )
            end = datetime(day.year, day.month, day.day, tzinfo=BEIJING) + timedelta(hours=end_h)
            pair = OFFICER_PAIRS[slot % len(OFFICER_PAIRS)]
            leader = LEADERS[slot % len(LEADERS)]
            officer_ids = [users[p].id for p in pair]
            services.people.add_shift(SETUP_ACTOR, start, end, officer_ids, [users[leader].id])
            slot += 1


def _incident(
    services: Services,
    case: _Case,
    n: int,
    actor: str,
    divisions: dict[str, Division],
    now: datetime,
) -> int:
    d = divisions[case.county]
    assert d.lon is not None
    assert d.lat is not None
    received = now - timedelta(hours=case.hours_ago)
    occurred = received - timedelta(minutes=10 + (n * 7) % 50)
    first_grade = case.graded_from if case.graded_from else (None if case.regrade else case.grade)

    def then(minutes: float) -> AbstractContextManager[None]:
        # Each step is stamped when it would have happened, so timelines read in order.
        moment = _at(received + timedelta(minutes=minutes), 0.01, now)
        return clock_at(lambda: moment)

    with then(2):
        intake = services.intake.record(
            actor,
            IntakeDraft(
                channel=case.channel,
                received_at=received,
                reporter_unit=case.unit,
                reporter_name=case.name,
                reporter_title="值班员" if "局" in case.unit or "站" in case.unit else "",
                reporter_phone=_phone(case.county, n + 1),
                title=case.title,
                category_code=case.category,
                grade=first_grade,
                occurred_at=occurred,
                division_code=case.county,
                lon=round(d.lon + case.dlon, 5),
                lat=round(d.lat + case.dlat, 5),
                address=case.address,
                course=case.course,
                casualties=case.casualties,
                measures="已通知属地应急管理部门及相关单位赶赴现场处置。",
                notified="属地党委政府、应急管理局",
            ),
        )
        inc = services.intake.convert(actor, intake.id)
    log_at = received + timedelta(minutes=3)
    services.log.add(
        actor,
        f"接{case.unit}{case.name}报告：{case.title}。已登记接报并立案，通知属地核实处置。",
        incident_id=inc.id,
        kind=LogKind.CALL if case.channel is PHONE else LogKind.NOTE,
        at=_at(log_at, 0.02, now),
    )
    if case.grade != first_grade:
        reason = "经现场核实" if case.graded_from else "根据核实情况定级"
        with then(20):
            services.incidents.set_grade(actor, inc.id, case.grade, reason=reason)
    path = {
        REP: [],
        VER: [VER],
        RESP: [VER, RESP],
        CLOSED: [VER, RESP, CLOSED],
    }[case.status]
    if FIRST in case.reports:
        with then(28):
            services.deadlines.record_sent(
                actor, inc.id, ReportStage.FIRST, "电话+书面", f"首报：{case.title}。{case.course}"
            )
        services.log.add(
            actor,
            f"已向省政府总值班室报送首报：{case.title}。",
            incident_id=inc.id,
            at=_at(received + timedelta(minutes=30), 0.01, now),
        )
    notes = {VER: "属地核实中", RESP: "已启动应急响应，现场处置", CLOSED: "处置完毕"}
    minutes = {VER: 40, RESP: 90, CLOSED: 360}
    for status in path:
        with then(minutes[status]):
            services.incidents.change_status(actor, inc.id, status, note=notes[status])
    if FOLLOWUP in case.reports:
        with then(180):
            services.deadlines.record_sent(
                actor, inc.id, ReportStage.FOLLOWUP, "传真", f"续报：{case.title}，处置正在进行。"
            )
    if case.status is CLOSED:
        services.log.add(
            actor,
            f"{case.title}：现场处置结束，属地报告已恢复正常秩序。",
            incident_id=inc.id,
            at=_at(received + timedelta(hours=6), 0.01, now),
        )
    if FINAL in case.reports:
        with then(420):
            services.deadlines.record_sent(
                actor, inc.id, ReportStage.FINAL, "书面", f"终报：{case.title}，处置完毕。"
            )
    return inc.id
