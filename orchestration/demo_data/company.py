"""The fictional vendor's organisation: roles, users and who works which leads when.

The user list is deliberately messy the way real CRM orgs are: the `department` field
mixes English, Japanese and the catch-all 営業, a few users leave it empty, one rep
leaves the company, one moves from inside to field sales and two move between the
inside-sales teams. Moves arrive as Salesforce sends them: the user file written before
the simulated period shows the old department and role, the one at the snapshot the new
ones, modified on the day of the move. The constants below tell the lead engineer's
user-to-department seed (needed only for the blank department fields) and the tests
what the truth is.

Users 1-15 are a fixed core (their ids never change); inside- and field-sales reps
beyond the core are added in proportion to the lead volume, so reps make about 50
calls per business day. The core has five IS reps, more than a run of under ~15,000
leads needs: there the funnel gives each lead more calls instead (see funnel.py), and
below ~2,500 leads the team makes fewer than 50 calls a day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from orchestration.demo_data.frame import Codes, Frame, Ids, sf_id, text
from orchestration.demo_data.jp_calendar import NULL, BusinessClock, day_number, instant

USER, ROLE = "005", "00E"

MARKETING, INSIDE_SALES, FIELD_SALES = "marketing", "inside_sales", "field_sales"
CALLS_PER_REP_DAY = 50
CALLS_PER_LEAD = 7.5  # sizing target for the IS team; the funnel calibrates exactly to 50/day

# role index: (name, developer_name, parent index)
ROLES: tuple[tuple[str, str, int], ...] = (
    ("全社", "Company", NULL),
    ("マーケティング部", "Marketing", 0),
    ("営業本部", "Sales_Division", 0),
    ("インサイドセールス部", "Inside_Sales", 2),
    ("フィールドセールス部", "Field_Sales", 2),
    ("インサイドセールス1課", "IS_Team_East", 3),
    ("インサイドセールス2課", "IS_Team_West", 3),
    ("フィールドセールス エンタープライズ", "FS_Enterprise", 4),
    ("フィールドセールス ミッドマーケット", "FS_MidMarket", 4),
)
R_SALES, R_MARKETING, R_IS_EAST, R_IS_WEST, R_FS_ENT, R_FS_MID = 2, 1, 5, 6, 7, 8

LEAVER, MOVER, NEW_HIRE = 9, 10, 11
LEAVE_DATE = date(2026, 2, 13)  # last working day, mid fiscal Q4
MOVE_DATE = date(2025, 4, 1)  # April 1: the usual date of a Japanese personnel move
HIRE_DATE = date(2026, 4, 1)
SUCCESSOR = {LEAVER: 12, MOVER: 13}  # teammates who take over open leads


@dataclass(frozen=True)
class Move:
    """A change of department or team on `day`: what the user's record said before it."""

    user: int
    day: date
    role_before: int
    manager_before: int
    department_before: str | None


# The mover's record before the move; two IS reps change team mid fiscal year (_CORE holds
# everyone's record after all moves). Team moves do not change who works which lead.
MOVES: tuple[Move, ...] = (
    Move(MOVER, MOVE_DATE, R_IS_WEST, 6, "Inside Sales"),
    Move(13, date(2025, 10, 1), R_IS_WEST, 6, "インサイドセールス"),
    Move(12, date(2026, 7, 1), R_IS_EAST, 5, None),
)

UNMAPPED_USER_DEPARTMENTS: dict[str, str] = {
    sf_id(USER, 4): MARKETING,
    sf_id(USER, 12): INSIDE_SALES,
    sf_id(USER, 14): FIELD_SALES,
}
DEPARTMENT_MOVES: list[tuple[str, date, str, str]] = [(sf_id(USER, MOVER), MOVE_DATE, INSIDE_SALES, FIELD_SALES)]
DEPARTED_USERS: list[tuple[str, date]] = [(sf_id(USER, LEAVER), LEAVE_DATE)]

# number: (department field, role, manager number, title, function)
_CORE: dict[int, tuple[str | None, int, int, str, str]] = {
    1: ("営業", R_SALES, NULL, "営業本部長", "manager"),
    2: ("マーケティング", R_MARKETING, NULL, "マーケティング部 部長", "manager"),
    3: ("Marketing", R_MARKETING, 2, "マーケティング担当", MARKETING),
    4: (None, R_MARKETING, 2, "マーケティング担当", MARKETING),
    5: ("インサイドセールス", R_IS_EAST, 1, "インサイドセールス1課 課長", "manager"),
    6: ("Inside Sales", R_IS_WEST, 1, "インサイドセールス2課 課長", "manager"),
    7: ("Field Sales", R_FS_ENT, 1, "エンタープライズ営業 課長", "manager"),
    8: ("フィールドセールス", R_FS_MID, 1, "ミッドマーケット営業 課長", "manager"),
    LEAVER: ("Inside Sales", R_IS_EAST, 5, "インサイドセールス", INSIDE_SALES),
    MOVER: ("フィールドセールス", R_FS_MID, 8, "フィールドセールス", INSIDE_SALES),
    NEW_HIRE: ("インサイドセールス", R_IS_EAST, 5, "インサイドセールス", INSIDE_SALES),
    12: (None, R_IS_WEST, 6, "インサイドセールス", INSIDE_SALES),
    13: ("インサイドセールス", R_IS_EAST, 5, "インサイドセールス", INSIDE_SALES),
    14: (None, R_FS_ENT, 7, "フィールドセールス", FIELD_SALES),
    15: ("営業", R_FS_MID, 8, "フィールドセールス", FIELD_SALES),
}
_TEAM_MANAGER = {R_IS_EAST: 5, R_IS_WEST: 6, R_FS_ENT: 7, R_FS_MID: 8}
# (user id, day, role id before, role id after) of every move, the department move included.
TEAM_MOVES: list[tuple[str, date, str, str]] = [
    (sf_id(USER, m.user), m.day, sf_id(ROLE, m.role_before + 1), sf_id(ROLE, _CORE[m.user][1] + 1)) for m in MOVES
]
_DEPARTMENT_LABELS = {
    INSIDE_SALES: ("Inside Sales", "インサイドセールス"),
    FIELD_SALES: ("Field Sales", "フィールドセールス", "営業"),
}

SURNAMES = [
    "佐藤",
    "鈴木",
    "高橋",
    "田中",
    "伊藤",
    "渡辺",
    "山本",
    "中村",
    "小林",
    "加藤",
    "吉田",
    "山田",
    "佐々木",
    "山口",
    "松本",
    "井上",
    "木村",
    "林",
    "斎藤",
    "清水",
    "山崎",
    "森",
    "池田",
    "橋本",
    "阿部",
    "石川",
    "山下",
    "中島",
    "石井",
    "小川",
    "前田",
    "岡田",
    "長谷川",
    "藤田",
    "後藤",
    "近藤",
    "村上",
    "遠藤",
    "青木",
    "坂本",
]
GIVEN_NAMES = [
    "翔太",
    "健太",
    "大輔",
    "拓也",
    "直樹",
    "亮",
    "和也",
    "達也",
    "誠",
    "隆",
    "陽介",
    "悠斗",
    "蓮",
    "湊",
    "大樹",
    "美咲",
    "陽子",
    "彩",
    "愛",
    "真由美",
    "恵",
    "由美子",
    "結衣",
    "さくら",
    "葵",
    "七海",
    "千尋",
    "奈々",
    "麻衣",
    "優子",
    "香織",
    "舞",
    "智子",
    "沙織",
    "里奈",
    "瞳",
    "明美",
    "花子",
    "玲奈",
    "綾",
]


@dataclass(frozen=True)
class Roster:
    """One entry per user (index = user number - 1) plus each rep's working windows."""

    department: list[str | None]
    role: np.ndarray
    manager: np.ndarray
    title: list[str]
    function: list[str]
    created: np.ndarray
    is_days: np.ndarray  # (n, 2) first/last day working leads in inside sales, NULL if never
    fs_days: np.ndarray  # (n, 2) first/last day owning opportunities
    names: list[str]

    @property
    def size(self) -> int:
        return len(self.function)

    def inside_reps(self) -> np.ndarray:
        return np.flatnonzero(self.is_days[:, 0] != NULL)

    def field_reps(self) -> np.ndarray:
        return np.flatnonzero(self.fs_days[:, 0] != NULL)

    def successor(self, user: np.ndarray) -> np.ndarray:
        out = user.copy()
        for leaver, heir in SUCCESSOR.items():
            out[user == leaver - 1] = heir - 1
        return out


def _rep_days(clock: BusinessClock, first: int, last: int, windows: np.ndarray) -> int:
    return sum(clock.count_between(max(a, first), min(b, last)) for a, b in windows if a != NULL)


def build_roster(rng: np.random.Generator, leads: int, first_day: int, last_day: int, clock: BusinessClock) -> Roster:
    """Core users plus reps sized so the IS team makes ~50 calls per business day."""
    far = last_day + 3650
    before = first_day - 1
    windows = {
        LEAVER: ((first_day, day_number(LEAVE_DATE)), (NULL, NULL)),
        MOVER: ((first_day, day_number(MOVE_DATE) - 1), (day_number(MOVE_DATE), far)),
        NEW_HIRE: ((day_number(HIRE_DATE), far), (NULL, NULL)),
    }
    core_is = [w[0] for w in windows.values()] + [(first_day, far)] * 2
    needed = leads * CALLS_PER_LEAD / CALLS_PER_REP_DAY - _rep_days(clock, first_day, last_day, np.array(core_is))
    extra_is = max(0, round(needed / max(1, clock.count_between(first_day, last_day))))
    extra_fs = max(0, round(leads / 3000) - 2)

    entries = dict(_CORE)
    number = len(_CORE)
    for i in range(extra_is):
        number += 1
        team = (R_IS_WEST, R_IS_EAST)[i % 2]
        entries[number] = (None, team, _TEAM_MANAGER[team], "インサイドセールス", INSIDE_SALES)
    for i in range(extra_fs):
        number += 1
        team = (R_FS_ENT, R_FS_MID)[i % 2]
        entries[number] = (None, team, _TEAM_MANAGER[team], "フィールドセールス", FIELD_SALES)

    n = len(entries)
    department = [entries[k][0] for k in range(1, n + 1)]
    function = [entries[k][4] for k in range(1, n + 1)]
    for k in range(len(_CORE) + 1, n + 1):
        labels = _DEPARTMENT_LABELS[function[k - 1]]
        department[k - 1] = labels[int(rng.integers(len(labels)))]

    is_days = np.full((n, 2), NULL, dtype=np.int64)
    fs_days = np.full((n, 2), NULL, dtype=np.int64)
    for k in range(1, n + 1):
        if k in windows:
            is_days[k - 1], fs_days[k - 1] = windows[k]
        elif function[k - 1] == INSIDE_SALES:
            is_days[k - 1] = (first_day, far)
        elif function[k - 1] == FIELD_SALES:
            fs_days[k - 1] = (first_day, far)

    created_day = before - rng.integers(30, 1500, size=n)
    created_day[NEW_HIRE - 1] = day_number(HIRE_DATE)
    created = instant(created_day, rng.integers(9 * 3600, 10 * 3600, size=n))

    combos = rng.permutation(len(SURNAMES) * len(GIVEN_NAMES))[np.arange(n) % (len(SURNAMES) * len(GIVEN_NAMES))]
    names = [f"{SURNAMES[c // len(GIVEN_NAMES)]} {GIVEN_NAMES[c % len(GIVEN_NAMES)]}" for c in combos]
    return Roster(
        department=department,
        role=np.array([entries[k][1] for k in range(1, n + 1)]),
        manager=np.array([entries[k][2] for k in range(1, n + 1)]),
        title=[entries[k][3] for k in range(1, n + 1)],
        function=function,
        created=created,
        is_days=is_days,
        fs_days=fs_days,
        names=names,
    )


def pick_working(
    rng: np.random.Generator,
    reps: np.ndarray,
    windows: np.ndarray,
    day: np.ndarray,
    rep_group: np.ndarray | None = None,
    row_group: np.ndarray | None = None,
) -> np.ndarray:
    """For each row, a uniform draw among `reps` working on that day (and in the row's group, if given).

    Windows change on a handful of days, so this loops over those epochs, not rows.
    """
    windows = windows[reps]
    rep_group = np.zeros(reps.size, dtype=np.int64) if rep_group is None else rep_group
    row_group = np.zeros(day.size, dtype=np.int64) if row_group is None else row_group
    edges = np.unique(np.concatenate([windows[:, 0], windows[:, 1] + 1]))
    epoch = np.searchsorted(edges, day, side="right")
    out = np.empty(day.size, dtype=np.int64)
    for e in np.unique(epoch):
        at = edges[e - 1] if e > 0 else int(day[epoch == e].min())
        working = (windows[:, 0] <= at) & (windows[:, 1] >= at)
        for g in np.unique(row_group[epoch == e]):
            rows = np.flatnonzero((epoch == e) & (row_group == g))
            pool = reps[working & (rep_group == g)]
            pool = pool if pool.size else reps[working]
            out[rows] = pool[rng.integers(0, pool.size, rows.size)]
    return out


def role_frame(created: int) -> Frame:
    n = len(ROLES)
    return {
        "id": Ids(ROLE, np.arange(1, n + 1)),
        "created_date": np.full(n, created),
        "system_modstamp": np.full(n, created),
        "last_modified_date": np.full(n, created),
        "is_deleted": np.zeros(n, dtype=bool),
        "name": text([r[0] for r in ROLES]),
        "developer_name": text([r[1] for r in ROLES]),
        "parent_role_id": Ids(ROLE, np.array([p + 1 if p != NULL else NULL for _, _, p in ROLES])),
    }


def user_frame(roster: Roster, cutoff: int) -> Frame:
    """Users as a Salesforce Data Export shows them at `cutoff`: a move shows once it has
    happened, modified on its day; the leaver is inactive once gone."""
    keep = np.flatnonzero(roster.created <= cutoff)
    n = roster.size
    modstamp = np.minimum(roster.created + 86400 * 3, cutoff)
    active = np.ones(n, dtype=bool)
    role = roster.role.copy()
    manager = roster.manager.copy()
    department = list(roster.department)
    left = instant(np.array([day_number(LEAVE_DATE)]), np.array([18 * 3600 + 1800]))[0]
    if left <= cutoff:
        active[LEAVER - 1] = False
        modstamp[LEAVER - 1] = left
    for move in MOVES:
        k = move.user - 1
        moved = instant(np.array([day_number(move.day)]), np.array([9 * 3600]))[0]
        if moved > cutoff:
            role[k], manager[k], department[k] = move.role_before, move.manager_before, move.department_before
        else:
            modstamp[k] = max(modstamp[k], moved)
    frame: Frame = {
        "id": Ids(USER, keep + 1),
        "created_date": roster.created[keep],
        "system_modstamp": modstamp[keep],
        "last_modified_date": modstamp[keep],
        "is_deleted": np.zeros(keep.size, dtype=bool),
        "name": text([roster.names[i] for i in keep]),
        "department": text([department[i] for i in keep]),
        "user_role_id": Ids(ROLE, role[keep] + 1),
        "manager_id": Ids(USER, manager[keep]),
        "title": text([roster.title[i] for i in keep]),
        "is_active": active[keep],
        "time_zone_sid_key": Codes(("Asia/Tokyo",), np.zeros(keep.size, dtype=np.int64)),
        "employee_number_c": text([f"E{10000 + i * 7 + 3:05d}" for i in keep]),
    }
    return frame
