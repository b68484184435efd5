"""The input workbook's layout: sheets, columns, types and what each means.

One description serves the reader (what to expect), the template (headers,
notes, drop-downs) and the docs, so the three cannot drift apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

WorkbookData = dict[str, list[dict[str, object]]]
"""Sheet name -> rows; each row maps column name -> value.

Values are str, int, float, datetime.date, bool or None; a list column takes a
"; "-joined string or a list/tuple of ids. Settings rows are
``{"key": ..., "value": ...}``.
"""


class Kind(StrEnum):
    """How a cell is read."""

    ID = "id"  # text identifier, trimmed, case kept
    TEXT = "text"
    INT = "int"  # whole number
    MONEY = "money"  # number, rounded to whole currency units
    NUMBER = "number"  # any number
    DATE = "date"  # Excel date or ISO text YYYY-MM-DD
    BOOL = "bool"  # yes/no/true/false/1/0/x/blank
    LIST = "list"  # separated by commas or semicolons
    CHOICE = "choice"  # one of `choices`
    SHARE = "share"  # a share from 0 to 1, typed 0.2 or 20%
    COUNTRY = "country"  # ISO 3166-1 code, alpha-2 or alpha-3; read as alpha-2


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    required: bool = False
    note: str = ""  # shown as the header's note in the template
    default: object = None
    choices: tuple[str, ...] = ()
    refers_to: str | None = None  # sheet whose ids this column names


@dataclass(frozen=True)
class SheetSpec:
    name: str
    columns: tuple[Column, ...]
    optional: bool = False
    note: str = ""

    @property
    def required_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


C = Column
K = Kind

# The Settings sheet holds key/value rows; these are its keys.
SETTINGS_KEYS: tuple[Column, ...] = (
    C(
        "title",
        K.TEXT,
        note="The programme's title, at the head of the brief and the schedule.",
        default="",
    ),
    C(
        "organisation",
        K.TEXT,
        note="Who issues the plan, under the title.",
        default="",
    ),
    C(
        "classification",
        K.TEXT,
        note="The marking printed at the top and bottom of every page, e.g."
        " OFFICIAL or a releasability line; blank: none.",
        default="",
    ),
    C(
        "programme_id",
        K.TEXT,
        note="This programme's identity in partners' calendars: keep it when the"
        " workbook is saved under another name. Blank: made from title and"
        " planning_start.",
        default="",
    ),
    C("planning_start", K.DATE, True, "First day of the planning horizon."),
    C("planning_end", K.DATE, True, "Last day of the planning horizon (inclusive)."),
    C(
        "time_unit",
        K.CHOICE,
        note="week or day. With week, slot i covers planning_start + 7i to + 7i + 6.",
        default="week",
        choices=("week", "day"),
    ),
    C("total_budget", K.MONEY, note="Cap on organizer spend; blank: no cap."),
    C("currency", K.TEXT, note="For display only.", default=""),
    C("time_limit_s", K.NUMBER, note="Seconds the solver may search.", default=60),
    C(
        "public_holidays",
        K.BOOL,
        note="yes: each partner's public holidays (by its country_code) are"
        " blackouts; the result lists them on its Holidays sheet.",
        default=False,
    ),
    C(
        "holiday_days_per_week",
        K.INT,
        note="With week slots, a week is a blackout only when this many of its"
        " weekdays are public holidays.",
        default=2,
    ),
    C(
        "weight_value",
        K.INT,
        note="What one point of exercise value is worth, in currency units.",
        default=100_000,
    ),
    C(
        "weight_goal_shortfall",
        K.INT,
        note="Penalty per missing count of a soft goal (times the goal's weight),"
        " in currency units.",
        default=200_000,
    ),
    C(
        "weight_cost",
        K.INT,
        note="Penalty per currency unit spent (organizer and partners).",
        default=1,
    ),
    C(
        "weight_change_move",
        K.INT,
        note="Re-planning: penalty per exercise starting in another slot than in"
        " the baseline plan, in currency units.",
        default=30_000,
    ),
    C(
        "weight_change_venue",
        K.INT,
        note="Re-planning: penalty per exercise held at another venue than in"
        " the baseline plan.",
        default=30_000,
    ),
    C(
        "weight_change_drop",
        K.INT,
        note="Re-planning: penalty per baseline exercise no longer held"
        " (on top of the value it loses).",
        default=50_000,
    ),
    C(
        "weight_change_add",
        K.INT,
        note="Re-planning: penalty per exercise held that the baseline did not hold.",
        default=20_000,
    ),
    C(
        "weight_change_partner",
        K.INT,
        note="Re-planning: penalty per partner joining or leaving an exercise"
        " held in both plans.",
        default=10_000,
    ),
    C(
        "budget_shock_probability",
        K.SHARE,
        note="Robustness study: the chance the total budget is cut, 0 to 1"
        " (or 0% to 100%).",
        default=0.0,
    ),
    C(
        "budget_shock_cut",
        K.SHARE,
        note="Robustness study: the share of the total budget a cut takes away,"
        " 0 to 1 (or 0% to 100%).",
        default=0.1,
    ),
)

SETTINGS = SheetSpec(
    "Settings",
    (C("key", K.TEXT, True), C("value", K.TEXT, True)),
    note="One setting per row: key in column A, value in column B.",
)

PARTNERS = SheetSpec(
    "Partners",
    (
        C("partner_id", K.ID, True, "Unique id, e.g. NOR."),
        C("name", K.TEXT),
        C(
            "country_code",
            K.COUNTRY,
            note="ISO 3166 country code, e.g. NO or NOR; its public holidays"
            " become blackouts when public_holidays is yes.",
            default="",
        ),
        C("region", K.TEXT),
        C("budget", K.MONEY, note="Cap on what this partner spends; blank: none."),
        C("max_events", K.INT, note="Most events it takes part in; blank: no limit."),
        C("max_concurrent", K.INT, note="Events it can attend at once.", default=1),
        C(
            "min_gap",
            K.INT,
            note="Free slots between two of its events that do not overlap.",
            default=0,
        ),
        C("weight", K.INT, note="Importance in engagement goals.", default=1),
        C(
            "dropout_probability",
            K.SHARE,
            note="Robustness study: the chance it drops out of the whole "
            "programme, 0 to 1 (or 0% to 100%); blank: 0.",
            default=0.0,
        ),
        C(
            "public_holidays",
            K.CHOICE,
            note="yes or no: whether this partner's public holidays are"
            " blackouts; blank: as Settings public_holidays.",
            choices=("yes", "no"),
        ),
    ),
)

VENUES = SheetSpec(
    "Venues",
    (
        C("venue_id", K.ID, True, "Unique id."),
        C("name", K.TEXT),
        C("host_partner", K.ID, note="Partner hosting it.", refers_to="Partners"),
        C("region", K.TEXT),
        C("capabilities", K.LIST, note="e.g. maritime; airfield; cyber range."),
        C("capacity", K.INT, note="Most partners taking part in one event there."),
        C("cost_per_slot", K.MONEY, note="Organizer cost per slot used.", default=0),
        C("max_concurrent", K.INT, note="Events it hosts at once.", default=1),
    ),
)

EXERCISES = SheetSpec(
    "Exercises",
    (
        C("exercise_id", K.ID, True, "Unique id."),
        C("name", K.TEXT),
        C("kind", K.TEXT, note="exercise, exchange, staff talks, HADR drill, ..."),
        C("duration", K.INT, True, "Length in slots (weeks or days)."),
        C("mandatory", K.BOOL, note="yes: it must be held.", default=False),
        C("value", K.INT, note="Worth of holding it, typically 1 to 10.", default=1),
        C("earliest_start", K.DATE, note="Blank: planning_start."),
        C("latest_end", K.DATE, note="Blank: planning_end."),
        C("venues", K.LIST, note="Allowed venue ids; blank: any.", refers_to="Venues"),
        C("needs", K.LIST, note="Capabilities the venue must have."),
        C("required_partners", K.LIST, note="Must take part.", refers_to="Partners"),
        C(
            "invited_partners",
            K.LIST,
            note="May take part; required ones count as invited.",
            refers_to="Partners",
        ),
        C("min_partners", K.INT, note="Fewest partners taking part.", default=0),
        C("max_partners", K.INT, note="Most partners taking part; blank: no limit."),
        C("fixed_cost", K.MONEY, note="Organizer cost when held.", default=0),
        C(
            "cost_per_partner",
            K.MONEY,
            note="Paid by each partner taking part.",
            default=0,
        ),
        C("areas", K.LIST, note="Interoperability areas it trains."),
        C("assets", K.LIST, note="Assets it uses throughout.", refers_to="Assets"),
        C(
            "fixed_start",
            K.DATE,
            note="If set, it starts in the slot holding this date.",
        ),
        C("fixed_venue", K.ID, note="If set, it is held here.", refers_to="Venues"),
    ),
)

ASSETS = SheetSpec(
    "Assets",
    (
        C("asset_id", K.ID, True, "Unique id."),
        C("name", K.TEXT),
        C("capacity", K.INT, note="Events that may use it at once.", default=1),
    ),
    optional=True,
)

UNAVAILABILITY = SheetSpec(
    "Unavailability",
    (
        C("resource_id", K.ID, True, "A partner, venue or asset id."),
        C("start", K.DATE, True, "First day unavailable."),
        C("end", K.DATE, True, "Last day unavailable (inclusive)."),
        C("reason", K.TEXT),
    ),
)

TRAVEL_COSTS = SheetSpec(
    "TravelCosts",
    (
        C("partner_id", K.ID, True, refers_to="Partners"),
        C("venue_id", K.ID, True, refers_to="Venues"),
        C("cost", K.MONEY, True, "Paid by the partner for each event there."),
    ),
    optional=True,
)

GOALS = SheetSpec(
    "Goals",
    (
        C("goal_id", K.ID, True, "Unique id."),
        C(
            "kind",
            K.CHOICE,
            True,
            "together / engagement / coverage.",
            choices=("together", "engagement", "coverage"),
        ),
        C("partners", K.LIST, refers_to="Partners"),
        C("area", K.TEXT, note="Interoperability area; blank: any."),
        C("min_count", K.INT, True, "Target count."),
        C("weight", K.INT, note="Importance of a soft goal.", default=1),
        C("hard", K.BOOL, note="yes: the plan must meet it.", default=False),
    ),
)

DEPENDENCIES = SheetSpec(
    "Dependencies",
    (
        C("before", K.ID, True, refers_to="Exercises"),
        C("after", K.ID, True, refers_to="Exercises"),
        C("min_gap", K.INT, note="Free slots between them, at least.", default=0),
        C("max_gap", K.INT, note="Free slots between them, at most; blank: any."),
        C(
            "requires",
            K.BOOL,
            note="yes: after may only be held when before is.",
            default=False,
        ),
    ),
    optional=True,
)

# What-if variants of the data above, one changed cell per row; read by
# planner.workbook.scenarios, ignored when planning the base programme.
SCENARIOS = SheetSpec(
    "Scenarios",
    (
        C("scenario", K.ID, True, "Name of the what-if, e.g. budget-cut."),
        C(
            "action",
            K.CHOICE,
            note="set: change a cell; add: a new row, one column per row; "
            "delete: remove a row (a partner, venue, asset or exercise also "
            "from every row that names it).",
            default="set",
            choices=("set", "add", "delete"),
        ),
        C("sheet", K.TEXT, True, "The sheet to change, e.g. Settings."),
        C(
            "id",
            K.TEXT,
            True,
            "The row to change: its id (for Settings the key); for "
            "Unavailability resource_id; start, TravelCosts partner_id; "
            "venue_id, Dependencies before; after.",
        ),
        C("column", K.TEXT, note="The column to set; for Settings blank or value."),
        C("value", K.TEXT, note="The new value, read as that column's kind."),
        C("note", K.TEXT, note="Why: for people."),
    ),
    optional=True,
)

SHEETS: tuple[SheetSpec, ...] = (
    SETTINGS,
    PARTNERS,
    VENUES,
    EXERCISES,
    ASSETS,
    UNAVAILABILITY,
    TRAVEL_COSTS,
    GOALS,
    DEPENDENCIES,
    SCENARIOS,
)

SHEET_BY_NAME = {s.name.lower(): s for s in SHEETS}

LIST_SEPARATORS = ",;"
_LIST_SEPARATOR = re.compile("[" + re.escape(LIST_SEPARATORS) + "]")


def split_list(text: str) -> list[str]:
    """The items of a list cell, in order: split at , or ; and trimmed, empty
    items dropped."""
    return [item.strip() for item in _LIST_SEPARATOR.split(text) if item.strip()]


def holds_separator(text: str) -> bool:
    """Whether ``text`` holds a list separator (an id must not)."""
    return _LIST_SEPARATOR.search(text) is not None


TRUE_WORDS = frozenset({"yes", "true", "1", "x", "y"})
FALSE_WORDS = frozenset({"no", "false", "0", "n", ""})
