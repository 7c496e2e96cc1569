"""A sample incoming fax: a one-page notice at fax resolution, for the demo and screenshots.

>>> page = notice_page()  # 1728 × 2292, black and white  # doctest: +SKIP
>>> page.save("notice.tif")  # doctest: +SKIP

The text is drawn with the bundled CJK font (``paperang_p2_fonts_cjk``) when it is installed,
else with Pillow's own font (then only the ASCII lines are legible).
"""

from __future__ import annotations

from importlib import resources

from PIL import Image, ImageDraw, ImageFont

from devices.fax.g3 import A4_HEIGHT, PAGE_WIDTH

FONT_PACKAGE = "paperang_p2_fonts_cjk"
FONT_FILE = "wqy-microhei.ttc"

TITLE = "关于做好近期强降雨防范应对工作的紧急通知"
SENDER = "吉林省防汛抗旱指挥部办公室"
LINES = (
    "各市（州）、县（市、区）防汛抗旱指挥部：",
    "",
    "    据省气象台预报，7月28日至30日我省中东部将出现",
    "强降雨过程，局地大暴雨，松花江、辉发河部分河段",
    "可能出现超警戒水位。现就有关工作紧急通知如下：",
    "",
    "    一、严格落实24小时值班和领导带班制度，",
    "保持通信畅通，重要情况随时报告。",
    "    二、加强山洪、地质灾害危险区巡查，",
    "提前转移受威胁群众。",
    "    三、水库、尾矿库严格按调度方案运行，",
    "严禁超汛限水位蓄水。",
    "",
    "    请于今日18时前将部署落实情况传真报送省防指办公室。",
)
FAX_HEADER = "FROM: +86 431 8890 1234   2026-07-28 09:14   P.1/1"


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        path = resources.files(FONT_PACKAGE) / "fonts" / FONT_FILE
        with resources.as_file(path) as real:
            return ImageFont.truetype(str(real), size)
    except (ModuleNotFoundError, OSError):
        return ImageFont.load_default(size)


def notice_page() -> Image.Image:
    """One A4 fax page (1728 × 2292 at 204×196 dpi) with a typical duty-room notice."""
    page = Image.new("1", (PAGE_WIDTH, A4_HEIGHT), 1)
    draw = ImageDraw.Draw(page)
    small, body, head, red = _font(30), _font(50), _font(64), _font(96)
    draw.text((60, 30), FAX_HEADER, font=small, fill=0)
    draw.line((60, 76, PAGE_WIDTH - 60, 76), fill=0, width=2)
    draw.text((PAGE_WIDTH // 2, 200), SENDER, font=red, fill=0, anchor="mm")
    draw.line((120, 290, PAGE_WIDTH - 120, 290), fill=0, width=8)
    draw.text((PAGE_WIDTH // 2, 400), TITLE, font=head, fill=0, anchor="mm")
    y = 520
    for line in LINES:
        draw.text((150, y), line, font=body, fill=0)
        y += 88
    draw.text((PAGE_WIDTH - 150, y + 120), SENDER, font=body, fill=0, anchor="ra")
    draw.text((PAGE_WIDTH - 150, y + 210), "2026年7月28日", font=body, fill=0, anchor="ra")
    draw.ellipse((1080, y + 60, 1480, y + 460), outline=0, width=8)  # the office's seal
    return page
