"""What a brief says, worked out from a result as its schedule.json holds it.

A brief is made from what a result file holds (`ResultSummary`: the key
figures, the programme's heading, venues, goals in words, reasons and
changes from the baseline, each checked against its shape and bounds when
read back), so it can be made again later, for any result, without the
solver; a solve hands over the JSON it has just written, without reading it
back.

It speaks as a staff officer briefs a general: what the programme achieves,
in sentences (held, left out and why, goals, money), the plan by month with
exercise names, every event with its dates, venue, host and partners, the
goals, the budgets, what changed since the published plan, and what a
robustness study found fragile. Value points, money and weeks; the search's
own figures stay in the workbook's Run sheet.

A partner's brief (`make_partner_brief`) is prepared for that nation (its
marking keeps the programme's classification and says for whom): its
own events and the facts every participant shares (dates, venue, host), and
nothing of other partners' budgets, spend or participation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, fields

from planner import __version__
from planner.report import (
    FATES,
    LOST,
    UNCHANGED,
    Comparison,
    HeldEvent,
    ResultSummary,
    StudyResult,
    partner_marking,
)

NO_REGION = "(no region)"
# Rows of the side-by-side table of a what-if brief, as `planner.differences`
# labels its key figures.
COMPARED_FIGURES = (
    "status",
    "held, mandatory",
    "held, optional",
    "value held",
    "hard goals met",
    "soft goals met",
    "organizer spend",
    "total budget",
    "budget remaining",
    "partner spend",
)
# How the search ended, in words a general reads.
STATUS_WORDS = {
    "optimal": "This is the best plan the workbook's rules allow (proven).",
    "feasible": "This is the best plan found in the time given; a longer "
    "search may find a better one.",
}
# Exercises left out named on page 1; the table after lists them all.
LEFT_OUT_ON_PAGE_ONE = 5
# Rows of the table of every event at most (schedule.xlsx lists them all).
MAX_EVENT_ROWS = 1_000


@dataclass(frozen=True)
class Bar:
    """One held exercise on the chart, labelled with its name."""

    exercise_id: str
    label: str
    kind: str
    start: dt.date
    end: dt.date  # last day, inclusive


@dataclass(frozen=True)
class Group:
    """The exercises held in one region, in order of their start."""

    name: str
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Table:
    """A table of the brief: its title, header and rows, all as text."""

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""  # shown instead of an empty table


@dataclass(frozen=True)
class Spend:
    partner_id: str
    name: str
    spend: int
    budget: int | None


@dataclass(frozen=True)
class Brief:
    """Everything a brief shows, in the order it shows it.

    ``marking`` is printed at the top and bottom of every page (blank: none);
    ``summary`` is page 1's sentences; the tables after it are None where the
    result has nothing to say (no baseline, no study, a partner's brief).
    """

    title: str
    organisation: str
    marking: str
    period: str
    summary_title: str
    summary: tuple[str, ...]
    first_day: dt.date
    last_day: dt.date
    groups: tuple[Group, ...]  # the chart; empty without a plan
    # The programme's exercise kinds, for the chart's colours: a partner's
    # brief too, so a kind has the colour it has in every other brief.
    kinds: tuple[str, ...]
    events: Table
    footer: str  # the brief's date, the input it comes from
    goals: Table | None = None
    spends: tuple[Spend, ...] = ()
    spend_table: Table | None = None
    changes: Table | None = None  # since the baseline
    fragile: Table | None = None  # a robustness study's fragile exercises
    left_out: Table | None = None
    compared: Table | None = None  # what-if: key figures side by side
    scenario_changes: Table | None = None  # what-if: what each scenario changes
    currency: str = ""

    def texts(self) -> Iterator[str]:
        """Every text the brief prints, so a missing font can be named."""
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, str):
                yield value
            elif isinstance(value, Table):
                yield from _table_texts(value)
        yield from self.summary
        for group in self.groups:
            yield group.name
            yield from (bar.label for bar in group.bars)
        yield from self.kinds
        yield from (spend.name for spend in self.spends)


def _table_texts(table: Table) -> Iterator[str]:
    yield table.title
    yield table.note
    yield from table.header
    for row in table.rows:
        yield from row


def money(value: int | None, currency: str = "") -> str:
    if value is None:
        return "-"
    return f"{value:,} {currency}".strip()


def day(value: dt.date) -> str:
    return f"{value.day} {value:%b %Y}"


def dates(start: dt.date, end: dt.date) -> str:
    """A span as people write it: "4 Jan to 17 Jan 2027"."""
    if start.year == end.year:
        return f"{start.day} {start:%b} to {day(end)}"
    return f"{day(start)} to {day(end)}"


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _partner_names(summary: ResultSummary) -> dict[str, str]:
    """Partner names by id, the id where a partner has no name."""
    return {p.id: p.name or p.id for p in summary.partners}


def _reasons(summary: ResultSummary, kind: str) -> dict[str, str]:
    return {r.id: r.text for r in summary.reasons if r.kind == kind}


def _exercise_names(summary: ResultSummary) -> dict[str, str]:
    return {e.id: e.name for e in summary.exercises}


def _exercise_label(names: Mapping[str, str], exercise_id: str) -> str:
    """An exercise as people name it: "Cold Response 27 (CR27)"."""
    name = names.get(exercise_id, "")
    return f"{name} ({exercise_id})" if name else exercise_id


def gantt_groups(
    summary: ResultSummary, events: Sequence[HeldEvent] | None = None
) -> list[Group]:
    """Held exercises grouped by the region of their venue, regions by name.

    A venue's region is where the exercise happens, which is what a
    commander looks at a year plan for; a venue without one is grouped
    under "(no region)".
    """
    regions = {
        venue: facts.region or NO_REGION for venue, facts in summary.venues.items()
    }
    exercises = {e.id: e for e in summary.exercises}
    grouped: dict[str, list[Bar]] = {}
    for event in sorted(
        (summary.events or ()) if events is None else events,
        key=lambda e: (e.start, e.exercise_id),
    ):
        exercise = exercises.get(event.exercise_id)
        label = exercise.name if exercise is not None and exercise.name else ""
        grouped.setdefault(regions.get(event.venue_id, NO_REGION), []).append(
            Bar(
                event.exercise_id,
                label or event.exercise_id,
                exercise.kind if exercise is not None else "",
                event.start,
                event.end,
            )
        )
    return [Group(region, tuple(bars)) for region, bars in sorted(grouped.items())]


def _venue_and_host(
    summary: ResultSummary, partners: Mapping[str, str], venue_id: str
) -> str:
    """Where an event is, and who hosts it: "Tapa (TAP), host Estonia"."""
    venue = summary.venues.get(venue_id)
    if venue is None:
        return venue_id
    where = f"{venue.name} ({venue_id})" if venue.name else venue_id
    host = partners.get(venue.host, venue.host)
    return f"{where}, host {host}" if venue.host else where


def event_table(
    summary: ResultSummary,
    events: Sequence[HeldEvent],
    with_partners: bool = True,
    title: str = "Every event of the plan",
) -> Table:
    """Each held exercise: when, what, where and with whom, by start date;
    the first MAX_EVENT_ROWS of a larger plan (schedule.xlsx lists every
    one: typesetting 20,000 rows took minutes)."""
    partners = _partner_names(summary)
    names = _exercise_names(summary)
    kinds = {e.id: e.kind for e in summary.exercises}
    mandatory = {e.id for e in summary.exercises if e.mandatory}
    rows = []
    shown = sorted(events, key=lambda e: (e.start, e.exercise_id))[:MAX_EVENT_ROWS]
    if len(events) > len(shown):
        title += (
            f" (the first {len(shown):,} of {len(events):,}; schedule.xlsx "
            "lists every one)"
        )
    for event in shown:
        row = [
            dates(event.start, event.end),
            _exercise_label(names, event.exercise_id)
            + (" (mandatory)" if event.exercise_id in mandatory else ""),
            kinds.get(event.exercise_id, ""),
            _venue_and_host(summary, partners, event.venue_id),
        ]
        if with_partners:
            row.append(", ".join(partners.get(p, p) for p in event.participants))
        rows.append(tuple(row))
    header = ("Dates", "Exercise", "Kind", "Venue and host")
    return Table(
        title,
        (*header, "Partners") if with_partners else header,
        tuple(rows),
        note="No event is planned." if not rows else "",
    )


def summary_sentences(summary: ResultSummary) -> list[str]:
    """Page 1: what the programme achieves, in sentences a general reads."""
    if summary.events is None:
        return [
            "No plan exists for this programme: the rows named in no-plan.xlsx "
            "cannot all hold together."
        ]
    total, events = len(summary.exercises), summary.events
    mandatory = sum(e.mandatory for e in summary.exercises)
    taking_part = {p for e in events for p in e.participants}
    sentences = []
    held = f"The plan holds {len(events):,} of the {plural(total, 'exercise')}"
    if mandatory:
        held += f", all {mandatory:,} mandatory ones among them"
    if events:
        first = min(e.start for e in events)
        last = max(e.end for e in events)
        held += f", from {dates(first, last)}"
    sentences.append(
        f"{held}; {len(taking_part):,} of {len(summary.partners):,} partner nations "
        "take part."
    )
    points = sum(e.value for e in summary.exercises)
    sentences.append(
        f"The exercises held carry {summary.value or 0:,} of the {points:,} value "
        "points the programme sets."
    )
    sentences += _left_out_sentences(summary)
    sentences += _goal_sentences(summary)
    sentences.append(_money_sentence(summary))
    changes = summary.baseline_changes
    if changes:
        sentences.append(
            f"Against the published plan, {plural(len(changes), 'change')}: "
            "listed under Changes since the published plan."
        )
    status = STATUS_WORDS.get(summary.status)
    if summary.status == "interrupted" or summary.interrupted:
        status = "The search was stopped early: this is the best plan found by then."
    if status:
        sentences.append(status)
    return sentences


def _left_out_sentences(summary: ResultSummary) -> list[str]:
    why = _reasons(summary, "exercise")
    if not summary.left_out:
        return ["Every exercise of the programme is held."]
    ids = [item.exercise_id for item in summary.left_out]
    names = _exercise_names(summary)
    named = [
        f"{_exercise_label(names, i)}: {why[i].rstrip('.')}" if i in why else
        _exercise_label(names, i)
        for i in ids[:LEFT_OUT_ON_PAGE_ONE]
    ]  # fmt: skip
    more = len(ids) - len(named)
    tail = f" And {more} more, listed after the plan." if more > 0 else ""
    return [f"Left out: {'; '.join(named)}.{tail}"]


def _goal_sentences(summary: ResultSummary) -> list[str]:
    goals = summary.goals
    if not goals:
        return []
    met = [g for g in goals if g.met]
    hard = sum(g.hard for g in goals)
    must = f" ({hard} of them must be met)" if hard else ""
    if len(met) == len(goals):
        return [f"All {plural(len(goals), 'goal')}{must} are met."]
    texts = {goal: text.partition(": ")[2] for goal, text in summary.goal_texts.items()}
    missed = [
        f"{g.id} ({texts.get(g.id) or g.kind}) short by {g.shortfall}"
        for g in goals
        if not g.met
    ]
    return [
        f"{len(met):,} of {plural(len(goals), 'goal')}{must} are met; missed: "
        f"{'; '.join(missed)}."
    ]


def _money_sentence(summary: ResultSummary) -> str:
    currency = summary.currency
    spend = summary.organizer_spend or 0
    partners = sum(p.spend for p in summary.partners)
    text = f"The organiser spends {money(spend, currency)}"
    if summary.total_budget is not None:
        left = summary.total_budget - spend
        text += (
            f" of its {money(summary.total_budget, currency)} budget "
            f"({money(left, currency)} left)"
        )
    return f"{text}; partner nations spend {money(partners, currency)} between them."


def goal_table(summary: ResultSummary) -> Table:
    texts = {
        goal: text.partition(": ")[2] or text
        for goal, text in summary.goal_texts.items()
    }
    why = _reasons(summary, "goal")
    rows = []
    for goal in sorted(summary.goals, key=lambda g: (g.met, not g.hard, g.id)):
        reason = "" if goal.met else why.get(goal.id, "")
        rows.append(
            (
                goal.id,
                texts.get(goal.id, goal.kind),
                "must be met" if goal.hard else "aim",
                f"{goal.achieved:,} of {goal.target:,}",
                "met" if goal.met else f"missed by {goal.shortfall}",
                reason,
            )
        )
    return Table(
        "Goals met and missed",
        ("Goal", "What it asks", "Kind", "Achieved", "Met", "Why missed"),
        tuple(rows),
        note="The programme sets no goals." if not rows else "",
    )


def spend_rows(summary: ResultSummary) -> list[Spend]:
    return [Spend(p.id, p.name, p.spend, p.budget) for p in summary.partners]


def spend_table(summary: ResultSummary) -> Table:
    spend = summary.organizer_spend or 0
    budget = summary.total_budget
    rows = [
        (
            "Organiser",
            "",
            str(len(summary.events or ())),
            money(spend),
            money(budget),
            money(None if budget is None else budget - spend),
        )
    ]
    for p in summary.partners:
        remaining = None if p.budget is None else p.budget - p.spend
        rows.append(
            (
                p.id,
                p.name,
                str(p.events),
                money(p.spend),
                money(p.budget),
                money(remaining),
            )
        )
    return Table(
        f"Spend against budget ({summary.currency or 'currency units'})",
        ("Who", "Name", "Events", "Spend", "Budget", "Left"),
        tuple(rows),
    )


def left_out_table(summary: ResultSummary) -> Table:
    why = _reasons(summary, "exercise")
    rows = tuple(
        (
            item.exercise_id,
            item.name,
            "" if item.value is None else str(item.value),
            why.get(
                item.exercise_id,
                "not examined (solve with --explain-all for every reason)",
            ),
        )
        for item in summary.left_out
    )
    return Table(
        "Exercises left out",
        ("Exercise", "Name", "Value points", "Why left out"),
        rows,
        note="Every exercise is held." if not rows else "",
    )


def changes_table(summary: ResultSummary) -> Table | None:
    """What changed since the published plan, when re-planned against one."""
    if not summary.baseline_changes:
        return None
    names = _exercise_names(summary)
    rows = tuple(
        (_exercise_label(names, change.exercise_id), change.change, change.detail)
        for change in summary.baseline_changes
    )
    return Table(
        "Changes since the published plan", ("Exercise", "Change", "Detail"), rows
    )


def fragile_table(study: StudyResult) -> Table:
    """The committed exercises a robustness study found most often disturbed."""
    planned = study.planned
    rows = tuple(
        (
            tally.exercise_id,
            tally.name,
            "yes" if tally.mandatory else "no",
            *(f"{tally.share(fate, planned):.0%}" for fate in FATES),
        )
        for tally in study.fragile_first
        if tally.counts.get(UNCHANGED, 0) < planned or tally.counts.get(LOST, 0)
    )
    return Table(
        f"Fragile exercises: {planned} drawn futures re-planned",
        ("Exercise", "Name", "Mandatory", *(f.capitalize() for f in FATES)),
        rows,
        note="Every exercise stays as committed in every future drawn."
        if not rows
        else "",
    )


def compared_tables(comparison: Comparison) -> tuple[Table, Table]:
    """Key figures side by side, and every change from the first plan."""
    rows = tuple(
        (
            kpi.label,
            *(
                "-" if v is None else f"{v:,}" if isinstance(v, int) else str(v)
                for v in kpi.values
            ),
        )
        for kpi in comparison.kpis
        if kpi.label in COMPARED_FIGURES
    )
    side = Table("Scenarios side by side", ("Figure", *comparison.labels), rows)
    changes = tuple(
        (d.plan, d.exercise_id, str(d.change), _change_detail(str(d)))
        for d in comparison.differences
    )
    return side, Table(
        f"What changed from {comparison.labels[0]}",
        ("Plan", "Exercise", "Change", "Detail"),
        changes,
        note="Nothing changed." if not changes else "",
    )


def _change_detail(text: str) -> str:
    """The part of a difference's sentence after the exercise and change."""
    head, _, tail = text.partition(": ")
    rest = tail if tail else head
    for word in ("moved", "venue changed"):
        if f" {word} " in rest:
            return rest.split(f" {word} ", 1)[1]
    return rest


def _kinds(summary: ResultSummary) -> tuple[str, ...]:
    return tuple(sorted({e.kind for e in summary.exercises}))


def _heading(summary: ResultSummary) -> tuple[str, str, str]:
    """Title, organisation and marking, as the programme's Settings give them."""
    heading = summary.heading
    title = heading.title or f"Training programme {summary.programme}"
    return title, heading.organisation, heading.marking


def _footer(summary: ResultSummary, today: dt.date) -> str:
    return (
        f"Brief of {day(today)}; input {summary.input_file} "
        f"({(summary.input_sha256 or 'unknown')[:12]}); planner "
        f"{summary.planner_version or __version__}"
    )


def _period(summary: ResultSummary) -> str:
    return (
        f"{dates(summary.planning_start, summary.planning_end)}, planned in "
        f"{summary.time_unit}s"
    )


def make_brief(
    summary: ResultSummary,
    comparison: Comparison | None = None,
    today: dt.date | None = None,
    study: StudyResult | None = None,
) -> Brief:
    """The brief of ``summary``, with a what-if's ``comparison`` (``summary``
    its first plan, the scenarios after it) or a robustness ``study`` of it."""
    title, organisation, marking = _heading(summary)
    compared = scenario_changes = None
    if comparison is not None:
        compared, scenario_changes = compared_tables(comparison)
    events = summary.events or ()
    return Brief(
        title=title,
        organisation=organisation,
        marking=marking,
        period=_period(summary),
        summary_title="What the programme achieves",
        summary=tuple(summary_sentences(summary)),
        first_day=summary.planning_start,
        last_day=summary.planning_end,
        groups=tuple(gantt_groups(summary)) if summary.events else (),
        kinds=_kinds(summary),
        events=event_table(summary, events),
        footer=_footer(summary, today or dt.date.today()),
        goals=goal_table(summary),
        spends=tuple(spend_rows(summary)),
        spend_table=spend_table(summary),
        changes=changes_table(summary),
        fragile=None if study is None else fragile_table(study),
        left_out=left_out_table(summary),
        compared=compared,
        scenario_changes=scenario_changes,
        currency=summary.currency,
    )


def make_partner_brief(
    summary: ResultSummary, partner_id: str, today: dt.date | None = None
) -> Brief:
    """The brief of one partner nation: its events and the shared facts, its
    own spend and budget, nothing of the other partners'."""
    title, organisation, marking = _heading(summary)
    partner = next(p for p in summary.partners if p.id == partner_id)
    name = partner.name or partner.id
    mine = [e for e in summary.events or () if partner_id in e.participants]
    groups = tuple(gantt_groups(summary, mine))
    sentences = [
        f"{name} takes part in {plural(len(mine), 'exercise')} of the programme"
        + (
            f", from {dates(min(e.start for e in mine), max(e.end for e in mine))}."
            if mine
            else "."
        ),
        f"{name} spends {money(partner.spend, summary.currency)}"
        + (
            f" of its {money(partner.budget, summary.currency)} budget."
            if partner.budget is not None
            else "."
        ),
    ]
    spend = Table(
        f"Spend against budget ({summary.currency or 'currency units'})",
        ("Who", "Name", "Events", "Spend", "Budget", "Left"),
        (
            (
                partner.id,
                partner.name,
                str(partner.events),
                money(partner.spend),
                money(partner.budget),
                money(
                    None if partner.budget is None else partner.budget - partner.spend
                ),
            ),
        ),
    )
    return Brief(
        title=f"{title}: {name}",
        organisation=organisation,
        marking=partner_marking(marking, f"{name} ({partner.id})"),
        period=_period(summary),
        summary_title=f"What the programme holds for {name}",
        summary=tuple(sentences),
        first_day=summary.planning_start,
        last_day=summary.planning_end,
        groups=groups,
        kinds=_kinds(summary),
        events=event_table(
            summary, mine, with_partners=False, title=f"The events of {name}"
        ),
        footer=_footer(summary, today or dt.date.today()),
        spend_table=spend,
        currency=summary.currency,
    )
