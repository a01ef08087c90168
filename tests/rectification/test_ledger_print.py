"""The ledger prints: a county's ledger with long Chinese text, several measures per problem
(merged cells over their rows) and notes of several lines, converted to PDF by
LibreOffice, reads on A4 landscape with nothing overlapping, nothing cut off, the header on
every page and text no smaller than 9 pt.

The text's positions come from ``pdftotext -bbox``: one box per word (a run of text on one
baseline), so two boxes that overlap are text printed over text.
"""

from __future__ import annotations

import itertools
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import time_machine
from openpyxl import load_workbook

from core.xlsx import MIN_PRINTED_FONT, printed_font_size
from rectification import services
from rectification.ledger_export import COLUMNS, HEADERS, export_unit_ledger
from rectification.models import MeasureState, Problem, ProblemType
from tests.rectification.conftest import NOW
from tests.rectification.factories import make_campaign, make_problem

pytestmark = pytest.mark.django_db

XHTML = "{http://www.w3.org/1999/xhtml}"
# Lines of one cell touch: a word's box is a little taller than the line spacing.
OVERLAP_TOLERANCE = 3.0

DESCRIPTIONS = [
    "理论学习中心组学习不够系统深入，存在以干代学、学用脱节的情况，"
    "对习近平新时代中国特色社会主义思想的学习停留在读原文、谈体会，"
    "结合本单位实际研究解决问题不够，推动发展的思路办法不多。",
    "基层减负落实不到位，文件会议仍然偏多，督查检查考核频次较高，"
    "村（社区）填报材料负担重，“指尖上的形式主义”仍有反弹。",
    "服务群众“最后一公里”问题仍然突出，群众反映强烈的老旧小区改造进度滞后，"
    "停车难、加装电梯等诉求长期没有得到有效解决。",
    "干部担当作为不够，面对矛盾问题存在推诿扯皮现象，个别干部“躺平”思想抬头。",
]
MEASURES = [
    "建立理论学习中心组学习台账，每月集中学习不少于一次，每季度开展一次专题研讨，"
    "形成调研成果并推动转化运用。",
    "精简会议文件，统筹合并督查检查考核事项，建立基层报表清单管理制度。",
    "成立工作专班，实行清单化管理、挂图作战，每周调度一次进度。",
]
NOTES = "完成第一次集中学习，形成学习记录\n开展专题研讨，三名班子成员作交流发言\n制定调研方案"


@dataclass
class Word:
    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


def pdf_words(pdf: Path) -> tuple[list[tuple[float, float]], list[Word]]:
    """Each page's size and every word's box on it."""
    done = subprocess.run(
        ["pdftotext", "-bbox", "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        check=True,
        timeout=120,
    )
    root = ET.fromstring(done.stdout.decode("utf-8"))
    sizes, words = [], []
    for number, page in enumerate(root.iter(f"{XHTML}page"), start=1):
        sizes.append((float(page.get("width", 0)), float(page.get("height", 0))))
        for word in page.iter(f"{XHTML}word"):
            box = [float(word.get(k, 0)) for k in ("xMin", "yMin", "xMax", "yMax")]
            words.append(Word(number, *box, text=word.text or ""))
    return sizes, words


def cell_texts(words: list[Word]) -> list[str]:
    """The text of each cell of a page, its lines joined: words that stand one under the
    other (their spans across overlap, the gap between them less than a line) are one
    cell's wrapped lines (or neighbours in one column, which only adds text)."""
    groups = list(range(len(words)))

    def root(i: int) -> int:
        while groups[i] != i:
            groups[i] = groups[groups[i]]
            i = groups[i]
        return i

    for i, j in itertools.combinations(range(len(words)), 2):
        a, b = words[i], words[j]
        across = min(a.x1, b.x1) - max(a.x0, b.x0)
        gap = max(a.y0, b.y0) - min(a.y1, b.y1)
        if across > 0 and gap < 6:
            groups[root(i)] = root(j)
    cells: dict[int, list[Word]] = {}
    for i, word in enumerate(words):
        cells.setdefault(root(i), []).append(word)
    return [
        "".join(w.text for w in sorted(cell, key=lambda w: (w.y0, w.x0))) for cell in cells.values()
    ]


def to_pdf(xlsx: Path, tmp_path: Path) -> Path:
    # A profile of its own: parallel runs of LibreOffice on one profile wait for each other.
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(xlsx),
        ],
        capture_output=True,
        check=True,
        timeout=180,
    )
    return xlsx.with_suffix(".pdf")


@pytest.fixture
def county_ledger(tree):
    """Twenty-four problems over the county's branches and its town committee, each with
    two to four measures, long descriptions, notes of three lines, an extension request."""
    campaign = make_campaign(tree.city)
    units = [tree.branch_a1, tree.branch_a2, tree.committee_a]
    with time_machine.travel(NOW, tick=False):
        for index in range(24):
            problem = make_problem(
                campaign=campaign,
                unit=units[index % len(units)],
                measures=0,
                description=DESCRIPTIONS[index % len(DESCRIPTIONS)] + f"（第{index + 1}项）",
                goal="问题得到根本解决，群众满意度明显提升，形成长效机制。",
                responsible_unit_name="甲镇党委组织办公室",
                type=ProblemType.IMMEDIATE if index % 5 == 0 else ProblemType.DEADLINE,
            )
            for order in range(2 + index % 3):
                services.measure_add(
                    problem=problem,
                    actor=None,
                    description=MEASURES[(index + order) % len(MEASURES)],
                    responsible_person_name="王建国",
                )
            services.problem_start(problem=problem, actor=None)
            first = problem.measures.order_by("order").first()
            for day, text in enumerate(NOTES.split("\n"), start=10):
                services.progress_note_add(
                    measure=first, actor=None, text=text, noted_on=date(2026, 11, day)
                )
            services.measure_set_state(
                measure=first, actor=None, state=MeasureState.DONE, completed_on=date(2026, 11, 15)
            )
            if index % 4 == 1:
                services.extension_request(
                    problem=problem,
                    actor=None,
                    new_type=ProblemType.DEADLINE,
                    new_deadline=date(2027, 1, 31),
                    reason="涉及跨部门协调，需延长整改时限",
                )
    return campaign


def test_the_columns_leave_the_text_at_nine_points_or_more():
    assert printed_font_size(COLUMNS) >= MIN_PRINTED_FONT


def test_a_county_ledger_prints_readably(tree, county_ledger, tmp_path):
    xlsx = tmp_path / "ledger.xlsx"
    export_unit_ledger(campaign=county_ledger, unit=tree.county_a, target=str(xlsx))
    # a page ends only between problems: no merged cell runs over a page break
    sheet = load_workbook(xlsx).worksheets[0]
    breaks = [b.id for b in sheet.row_breaks.brk]
    assert breaks
    for merged in sheet.merged_cells.ranges:
        assert not any(merged.min_row <= row < merged.max_row for row in breaks), merged
    sizes, words = pdf_words(to_pdf(xlsx, tmp_path))
    assert len(sizes) > 1  # several pages: the header has to come back
    assert words

    # every word lies inside its page
    for word in words:
        width, height = sizes[word.page - 1]
        assert 0 <= word.x0 <= word.x1 <= width, word
        assert 0 <= word.y0 <= word.y1 <= height, word

    # no text printed over other text
    for page in range(1, len(sizes) + 1):
        on_page = [w for w in words if w.page == page]
        for a, b in itertools.combinations(on_page, 2):
            across = min(a.x1, b.x1) - max(a.x0, b.x0)
            down = min(a.y1, b.y1) - max(a.y0, b.y0)
            assert across <= 1 or down <= OVERLAP_TOLERANCE, (page, a, b)

    # the header on every page
    cells = []
    for page in range(1, len(sizes) + 1):
        on_page = cell_texts([w for w in words if w.page == page])
        missing = [h for h in HEADERS if not any(h in cell for cell in on_page)]
        assert not missing, (page, missing)
        cells += on_page

    # nothing cut off: every measure's 编号 (its problem's, a full stop, its order) is there
    text = "\n".join(cells)
    problems = Problem.objects.filter(campaign=county_ledger).select_related("unit")
    codes = [
        f"{p.unit.code}-{p.number}.{order}"
        for p in problems
        for order in p.measures.values_list("order", flat=True)
    ]
    assert len(codes) > 48
    assert [c for c in codes if c not in text] == []
    assert "延期申请" in text  # the extension requests, in 备注

    # 9 pt or more: a line's box is about as tall as its font
    body = [w for w in words if w.text and not w.text.startswith("第")]
    assert min(w.y1 - w.y0 for w in body) >= MIN_PRINTED_FONT * 0.9
