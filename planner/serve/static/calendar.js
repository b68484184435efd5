"use strict";
// The plan's calendar, drawn as the page's own HTML so that it reads at 400
// exercises: the date axis stays at the top while the rows scroll, the row
// names stay at the left while the dates scroll, labels keep their size
// (a bar too short for its label has it beside it, on a lane of its own if
// need be), every venue and partner keeps one colour in every view and
// comparison, and rows can be grouped, filtered, searched and zoomed.
// Every name from a workbook is set as text, never as markup.

const CAL_DAY_MS = 86400000;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
// Okabe-Ito first (told apart with colour blindness), then Kelly's colours of
// greatest contrast; every bar also says its exercise or venue in words.
const CAL_PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
  "#F0E442", "#875692", "#F38400", "#A1CAF1", "#BE0032", "#C2B280", "#848482", "#008856",
  "#E68FAC", "#0067A5", "#F99379", "#604E97", "#F6A600", "#B3446C", "#DCD300", "#882D17",
  "#8DB600", "#654522", "#E25822", "#2B3D26"];
const ZOOM_DAYS = { year: null, quarter: 91, month: 31 };
// Past this many rows the first screen shows only the first weeks' exercises
// (rows go by start): a strip of exercises running each week, above the rows,
// shows the whole year at once and takes the rows to the week clicked.
const OVERVIEW_ROWS = 25;

function calDay(iso) {
  return Math.round(Date.parse(`${iso}T00:00:00Z`) / CAL_DAY_MS);
}

function calIso(day) {
  return new Date(day * CAL_DAY_MS).toISOString().slice(0, 10);
}

function calNode(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

// One colour per id for good: ids get the next free colour in the order
// they are first seen (sorted within each batch), and the book is kept per
// programme in the browser, so a venue is the same colour in the result, in
// a comparison and on the next visit.
class ColourBook {
  constructor(key) {
    this.key = key;
    this.colours = {};
    try {
      this.colours = JSON.parse(localStorage.getItem(key) || "{}") || {};
    } catch (_) {
      this.colours = {};
    }
  }

  learn(ids) {
    let added = false;
    for (const id of [...ids].sort()) {
      if (this.colours[id]) continue;
      const used = Object.keys(this.colours).length;
      const colour = CAL_PALETTE[used % CAL_PALETTE.length];
      // past the palette, the same colours again in a lighter tone
      this.colours[id] = used < CAL_PALETTE.length ? colour : `${colour}99`;
      added = true;
    }
    if (added) {
      try { localStorage.setItem(this.key, JSON.stringify(this.colours)); } catch (_) { /* private mode */ }
    }
  }

  of(id) {
    if (!this.colours[id]) this.learn([id]);
    return this.colours[id];
  }
}

function textColour(background) {
  const hex = background.slice(1, 7);
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  const light = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return light > 0.55 || background.length > 7 ? "#111" : "#fff";
}

let measureContext = null;
function textWidth(text, font) {
  if (!measureContext) measureContext = document.createElement("canvas").getContext("2d");
  measureContext.font = font;
  return measureContext.measureText(text).width;
}

class PlannerCalendar {
  // ``onPick(event, planLabel)``: an exercise's bar was chosen.
  constructor(box, onPick) {
    this.box = box;
    this.onPick = onPick;
    this.state = { view: "exercise", group: "none", colour: "venue", zoom: "year",
      region: "", partner: "", venue: "", kind: "", goal: "", search: "", changedOnly: false };
    this.model = null;
    this.picked = null;
    this.tip = null;
    // drawn again for a new width (a resized window, a shown tab)
    this.drawnWidth = 0;
    new ResizeObserver(() => {
      if (this.model && this.box.clientWidth && this.box.clientWidth !== this.drawnWidth) {
        requestAnimationFrame(() => this.draw());
      }
    }).observe(box);
  }

  // ``model``: start, end (the horizon), plans [{label, events}], venues and
  // partners (id -> name), regions {venue, partner}, blackouts, goals, the
  // colour books, and optionally changed (exercise id -> what changed) and
  // changedOnly (show only those at first), today and freeze (dates drawn
  // as lines).
  show(model) {
    const keep = this.model && this.model.plans.length === model.plans.length;
    this.model = model;
    if (!keep) this.state.changedOnly = Boolean(model.changedOnly);
    if (model.plans.length > 1) this.state.view = "exercise";
    this.buildTools();
    this.draw();
  }

  set(name, value) {
    this.state[name] = value;
    if (name === "view") {
      if (value !== "exercise" && this.state.group === "venue") this.state.group = "none";
      this.buildTools();
    }
    this.syncTools();
    this.draw();
  }

  // --- the tools above the calendar --------------------------------------------------

  buildTools() {
    const m = this.model;
    const s = this.state;
    const events = m.plans.flatMap((p) => p.events);
    const regionsUsed = new Set(events.map((e) => m.regions.venue[e.venue_id] || ""));
    for (const e of events) for (const p of e.participants) regionsUsed.add(m.regions.partner[p] || "");
    const regions = [...regionsUsed].filter((r) => r).sort();
    const kinds = [...new Set(events.map((e) => e.kind || ""))].filter((k) => k).sort();
    const tools = calNode("div", "cal-tools");
    const segmented = (label, name, choices, testid) => {
      const wrap = calNode("label");
      wrap.append(label);
      const group = calNode("span", "zoom");
      group.setAttribute("role", "group");
      group.setAttribute("data-testid", testid);
      for (const [value, words] of choices) {
        const button = calNode("button", "", words);
        button.type = "button";
        button.dataset.value = value;
        button.dataset.name = name;
        button.addEventListener("click", () => this.set(name, value));
        group.append(button);
      }
      wrap.append(group);
      return wrap;
    };
    // ``choices`` [value, words]; the first is the default (a filter's "all" is "").
    const select = (label, name, choices, testid, chosen = (value) => this.set(name, value)) => {
      const wrap = calNode("label");
      wrap.append(label);
      const box = calNode("select");
      box.dataset.name = name;
      box.setAttribute("data-testid", testid);
      for (const [value, words] of choices) box.append(new Option(words, value));
      box.addEventListener("change", () => chosen(box.value));
      wrap.append(box);
      return wrap;
    };
    const filter = (label, name, choices, testid) => select(label, name, [["", "all"], ...choices], testid);
    const many = m.plans.length > 1;
    if (!many) {
      tools.append(segmented("Rows", "view", [["exercise", "Exercises"], ["partner", "Partners"], ["venue", "Venues"]], "cal-view"));
    }
    const groups = [["none", "nothing"], ["region", "region"], ["kind", "kind"]];
    if (this.state.view === "exercise" || many) groups.push(["venue", "venue"]);
    tools.append(select("Group by", "group", groups, "cal-group"));
    tools.append(select("Colour by", "colour", [["venue", "venue"], ["kind", "kind"]], "cal-colour"));
    tools.append(segmented("Zoom", "zoom", [["year", "Year"], ["quarter", "Quarter"], ["month", "Month"]], "cal-zoom"));
    const months = [];
    const first = calDay(m.start);
    for (const [day, , major] of this.ticks(first, calDay(m.end) + 1, 10)) {
      const date = new Date(day * CAL_DAY_MS);
      if (major) months.push([String(day - first), `${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`]);
    }
    const jump = select("Show from", "from", months, "cal-from", (value) => {
      this.jumpTo = Number(value);
      this.draw();
    });
    this.jumpBox = jump;
    tools.append(jump);
    tools.append(filter("Region", "region", regions.map((r) => [r, r]), "cal-region"));
    tools.append(filter("Partner", "partner", Object.entries(m.partners).map(([id, name]) => [id, `${id} ${name}`]), "cal-partner"));
    tools.append(filter("Venue", "venue", Object.entries(m.venues).map(([id, name]) => [id, `${id} ${name}`]), "cal-venue"));
    tools.append(filter("Kind", "kind", kinds.map((k) => [k, k]), "cal-kind"));
    tools.append(filter("Counts for goal", "goal", m.goals.map((g) => [g.id, g.id]), "cal-goal"));
    const find = calNode("label");
    find.append("Find (id or name)");
    const search = calNode("input");
    search.type = "search";
    search.dataset.name = "search";
    search.setAttribute("data-testid", "cal-search");
    search.placeholder = "e.g. CR27 or Cold";
    search.addEventListener("input", () => { this.state.search = search.value; this.draw(); });
    find.append(search);
    tools.append(find);
    if (many && m.changed) {
      const only = calNode("label", "check");
      const box = calNode("input");
      box.type = "checkbox";
      box.dataset.name = "changedOnly";
      box.setAttribute("data-testid", "cal-changed-only");
      box.addEventListener("change", () => this.set("changedOnly", box.checked));
      only.append(box, " only what changed");
      tools.append(only);
    }
    this.count = calNode("span", "cal-count");
    this.count.setAttribute("data-testid", "cal-count");
    tools.append(this.count);
    this.scroller = calNode("div", "cal-scroll");
    this.scroller.setAttribute("tabindex", "0");
    this.scroller.setAttribute("aria-label", "Calendar: scroll to see more rows and dates");
    this.legend = calNode("div", "cal-legend");
    this.box.replaceChildren(tools, this.scroller, this.legend);
    this.syncTools();
    if (s.search) search.value = s.search;
  }

  syncTools() {
    if (this.jumpBox) this.jumpBox.hidden = this.state.zoom === "year";
    for (const node of this.box.querySelectorAll(".cal-tools [data-name]")) {
      if (node.dataset.name === "from") continue;
      const value = this.state[node.dataset.name];
      if (node.tagName === "BUTTON") node.setAttribute("aria-pressed", String(node.dataset.value === value));
      else if (node.type === "checkbox") node.checked = Boolean(value);
      else if (node.tagName === "SELECT") node.value = value || "";
    }
  }

  // --- what is shown --------------------------------------------------------------

  shows(event) {
    const s = this.state;
    const m = this.model;
    if (s.region && (m.regions.venue[event.venue_id] || "") !== s.region &&
        !event.participants.some((p) => (m.regions.partner[p] || "") === s.region)) return false;
    if (s.partner && !event.participants.includes(s.partner)) return false;
    if (s.venue && event.venue_id !== s.venue) return false;
    if (s.kind && event.kind !== s.kind) return false;
    if (s.goal) {
      const goal = m.goals.find((g) => g.id === s.goal);
      if (!goal || !goal.exercises.includes(event.exercise_id)) return false;
    }
    if (s.changedOnly && m.changed && !m.changed[event.exercise_id]) return false;
    if (s.search) {
      const needle = s.search.trim().toLowerCase();
      if (needle && !`${event.exercise_id} ${event.name}`.toLowerCase().includes(needle)) return false;
    }
    return true;
  }

  colourOf(event) {
    const m = this.model;
    return this.state.colour === "kind" ? m.kindColours.of(event.kind || "(no kind)") : m.venueColours.of(event.venue_id);
  }

  groupOf(event) {
    const m = this.model;
    if (this.state.group === "region") return m.regions.venue[event.venue_id] || "(no region)";
    if (this.state.group === "kind") return event.kind || "(no kind)";
    if (this.state.group === "venue") return `${event.venue_id} ${m.venues[event.venue_id] || ""}`.trim();
    return "";
  }

  // Rows of the current view: [{group, key, label, swatch, tag, items, off}]
  rows() {
    const m = this.model;
    const s = this.state;
    const rows = [];
    if (s.view === "exercise") {
      const order = [];
      const byExercise = {};
      m.plans.forEach((plan, index) => {
        for (const e of plan.events) {
          if (!this.shows(e)) continue;
          if (!byExercise[e.exercise_id]) { byExercise[e.exercise_id] = []; order.push(e); }
          byExercise[e.exercise_id].push({ event: e, plan, index });
        }
      });
      order.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.exercise_id < b.exercise_id ? -1 : 1));
      for (const first of order) {
        const placed = byExercise[first.exercise_id];
        rows.push({ group: this.groupOf(first), key: first.exercise_id,
          label: `${first.exercise_id} ${first.name}`, items: placed, off: [], lanesByPlan: m.plans.length > 1 });
      }
    } else {
      const owners = s.view === "partner" ? m.partners : m.venues;
      const regionOf = s.view === "partner" ? m.regions.partner : m.regions.venue;
      const plan = m.plans[0];
      for (const [id, name] of Object.entries(owners)) {
        const items = plan.events.filter((e) => this.shows(e) &&
          (s.view === "partner" ? e.participants.includes(id) : e.venue_id === id))
          .map((event) => ({ event, plan, index: 0 }));
        const filtered = s.region || s.partner || s.venue || s.kind || s.goal || s.search;
        if (filtered && !items.length) continue;
        if (s.view === "partner" && s.partner && s.partner !== id) continue;
        if (s.view === "venue" && s.venue && s.venue !== id) continue;
        let group = "";
        if (s.group === "region") group = regionOf[id] || "(no region)";
        rows.push({ group, key: id, label: `${id} ${name}`,
          swatch: s.view === "partner" ? m.partnerColours.of(id) : m.venueColours.of(id),
          items, off: (m.blackouts || []).filter((b) => b.owner_kind === s.view && b.owner_id === id) });
      }
    }
    if (s.group !== "none") rows.sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
    return rows;
  }

  // --- drawing ----------------------------------------------------------------------

  draw() {
    const m = this.model;
    if (!m) return;
    this.drawnWidth = this.box.clientWidth;
    const first = calDay(m.start);
    const last = calDay(m.end) + 1;
    const label = parseFloat(getComputedStyle(this.box).fontSize) * 15;
    const room = Math.max(300, this.box.clientWidth - label - 20);
    const span = ZOOM_DAYS[this.state.zoom] || (last - first);
    const perDay = Math.max(room / span, 0.5);
    const width = Math.ceil((last - first) * perDay);
    const x = (iso) => (calDay(iso) - first) * perDay;
    const leftDate = this.jumpTo !== undefined ? this.jumpTo : this.scroller.scrollLeft / (this.perDay || perDay);
    this.jumpTo = undefined;
    this.perDay = perDay;
    this.width = width;

    const font = `${parseFloat(getComputedStyle(this.box).fontSize) * 0.8}px system-ui, "Segoe UI", Roboto, "DejaVu Sans", sans-serif`;
    const grid = calNode("div", "cal-grid");
    grid.style.width = `${label + width}px`;
    const rows = this.rows();
    grid.append(this.axis(first, last, perDay, width, rows));
    const body = calNode("div", "cal-body");
    body.append(this.lines(first, last, perDay, width, label));
    let group = null;
    let bars = 0;
    const shownRows = [];
    for (const row of rows) {
      if (this.state.group !== "none" && row.group !== group) {
        group = row.group;
        const head = calNode("div", "cal-group", group);
        head.setAttribute("data-testid", "cal-group-head");
        body.append(head);
      }
      const line = calNode("div", "cal-row");
      line.dataset.row = row.key;
      const name = calNode("div", "cal-label");
      name.title = row.label;
      if (row.swatch) {
        const swatch = calNode("span", "swatch");
        swatch.style.background = row.swatch;
        name.append(swatch);
      }
      name.append(row.label);
      const lane = calNode("div", "cal-lane");
      lane.style.width = `${width}px`;
      for (const off of row.off) {
        const block = calNode("div", "cal-off");
        block.style.left = `${x(off.start)}px`;
        block.style.width = `${Math.max(2, x(calIso(calDay(off.end) + 1)) - x(off.start))}px`;
        const typed = off.typed_start ? ` (typed ${off.typed_start} to ${off.typed_end}: the plan counts whole weeks)` : "";
        block.title = `Unavailable ${off.start} to ${off.end}${typed}${off.reason ? `: ${off.reason}` : ""}`;
        lane.append(block);
      }
      const lanes = this.pack(row, x, font);
      const height = parseFloat(getComputedStyle(this.box).fontSize) * 1.6;
      for (const placed of lanes.items) {
        const e = placed.event;
        const left = x(e.start);
        const barWidth = Math.max(4, x(calIso(calDay(e.end) + 1)) - left);
        const top = placed.lane * height + 2;
        const colour = this.colourOf(e);
        const bar = calNode("button", "cal-bar");
        bar.type = "button";
        bar.style.left = `${left}px`;
        bar.style.width = `${barWidth}px`;
        bar.style.top = `${top}px`;
        bar.style.backgroundColor = colour;  // not the shorthand: it would wipe the stripes of a changed bar
        bar.dataset.exercise = e.exercise_id;
        bar.dataset.plan = placed.plan.label;
        if (m.changed && m.changed[e.exercise_id] && placed.index > 0) bar.classList.add("changed");
        if (this.picked === `${placed.plan.label}|${e.exercise_id}`) bar.classList.add("picked");
        bar.setAttribute("aria-label", `${e.exercise_id} ${e.name}, ${e.start} to ${e.end} at ${e.venue_id}` +
          (m.plans.length > 1 ? ` (${placed.plan.label})` : ""));
        bar.addEventListener("click", () => this.pick(bar, e, placed.plan));
        bar.addEventListener("mouseenter", (ev) => this.showTip(ev, e, placed.plan));
        bar.addEventListener("mousemove", (ev) => this.moveTip(ev));
        bar.addEventListener("mouseleave", () => this.hideTip());
        bar.addEventListener("focus", () => this.showTipAt(bar, e, placed.plan));
        bar.addEventListener("blur", () => this.hideTip());
        const text = calNode("span", "cal-text", placed.text);
        text.style.top = `${top}px`;
        if (placed.inside) {
          text.style.left = `${left}px`;
          text.style.color = textColour(colour);
        } else if (placed.before) {
          text.style.left = `${left - placed.needed + 4}px`;
        } else {
          text.style.left = `${left + barWidth + 1}px`;
        }
        lane.append(bar, text);
        bars += 1;
      }
      lane.style.height = `${Math.max(1, lanes.count) * height + 2}px`;
      line.append(name, lane);
      body.append(line);
      shownRows.push(row.key);
    }
    if (!rows.length) body.append(calNode("div", "cal-empty", "Nothing matches: change the filters or the search."));
    grid.append(body);
    this.scroller.replaceChildren(grid);
    if (this.state.zoom !== "year") this.scroller.scrollLeft = leftDate * perDay;
    this.drawLegend(rows);
    const exercises = new Set(rows.flatMap((r) => r.items.map((i) => i.event.exercise_id)));
    const total = new Set(m.plans.flatMap((p) => p.events.map((e) => e.exercise_id))).size;
    this.count.textContent = `${exercises.size} of ${total} exercises shown`;
    this.box.dataset.rows = shownRows.join("|");
    this.box.dataset.bars = String(bars);
  }

  // Sub-lanes in a row so that no two labels overlap; with several plans,
  // one lane per plan in the plans' order.
  pack(row, x, font) {
    const items = [];
    const ends = [];
    const placed = [...row.items].sort((a, b) => (a.index - b.index) || (a.event.start < b.event.start ? -1 : 1));
    const many = row.lanesByPlan;
    for (const item of placed) {
      const e = item.event;
      const text = this.state.view === "exercise" ? (many ? `${e.venue_id} · ${item.plan.label}` : e.venue_id) : e.exercise_id;
      const left = x(e.start);
      const barWidth = Math.max(4, x(calIso(calDay(e.end) + 1)) - left);
      const needed = textWidth(text, font) + 8;
      const inside = needed <= barWidth;
      // past the last day there is no room: the label goes before the bar
      const before = !inside && left + barWidth + needed > this.width && left >= needed;
      const from = before ? left - needed : left;
      const right = inside || before ? left + barWidth : left + barWidth + needed;
      let lane = many ? item.index : ends.findIndex((end) => end <= from);
      if (lane < 0) lane = ends.length;
      ends[lane] = Math.max(ends[lane] || 0, right + 2);
      items.push({ ...item, lane, text, inside, before, needed });
    }
    return { items, count: Math.max(ends.length, many ? this.model.plans.length : 1) };
  }

  axis(first, last, perDay, width, rows) {
    const head = calNode("div", "cal-head");
    const corner = calNode("div", "cal-corner", { exercise: "Exercise", partner: "Partner", venue: "Venue" }[this.state.view]);
    const years = [new Date(first * CAL_DAY_MS).getUTCFullYear(), new Date((last - 1) * CAL_DAY_MS).getUTCFullYear()];
    corner.append(calNode("div", "cal-years", years[0] === years[1] ? years[0] : `${years[0]} to ${years[1]}`));
    const axis = calNode("div", "cal-axis");
    axis.style.width = `${width}px`;
    for (const [day, words, major] of this.ticks(first, last, perDay)) {
      const tick = calNode("div", `tick ${major ? "major" : "minor"}`, words);
      tick.style.left = `${(day - first) * perDay}px`;
      axis.append(tick);
    }
    if (rows.length > OVERVIEW_ROWS) {
      head.classList.add("with-overview");
      corner.append(calNode("div", "cal-overview-words", "running each week (click: go there)"));
      axis.append(this.overview(rows, first, last, perDay));
    }
    head.append(corner, axis);
    return head;
  }

  // How many of the exercises shown run in each week, as bars: the year at a
  // glance, and a way to the rows of the week clicked.
  overview(rows, first, last, perDay) {
    const strip = calNode("div", "cal-overview");
    strip.setAttribute("data-testid", "cal-overview");
    const weeks = Math.ceil((last - first) / 7);
    const running = Array.from({ length: weeks }, () => new Set());
    const firstRow = new Array(weeks).fill(null);
    for (const row of rows) {
      for (const { event, plan } of row.items) {
        const from = Math.max(0, Math.floor((calDay(event.start) - first) / 7));
        const to = Math.min(weeks - 1, Math.floor((calDay(event.end) - first) / 7));
        for (let week = from; week <= to; week += 1) {
          running[week].add(`${plan.label}|${event.exercise_id}`);
          if (firstRow[week] === null) firstRow[week] = row.key;
        }
      }
    }
    const most = Math.max(1, ...running.map((found) => found.size));
    running.forEach((found, week) => {
      if (!found.size) return;
      const bar = calNode("button", "week");
      bar.type = "button";
      bar.style.left = `${week * 7 * perDay}px`;
      bar.style.width = `${Math.max(2, 7 * perDay - 1)}px`;
      bar.style.height = `${Math.max(8, Math.round((100 * found.size) / most))}%`;
      const monday = calIso(first + week * 7);
      bar.dataset.week = monday;
      bar.title = `week of ${monday}: ${found.size} exercise${found.size === 1 ? "" : "s"} running`;
      bar.setAttribute("aria-label", bar.title);
      bar.addEventListener("click", () => this.showRow(firstRow[week]));
      strip.append(bar);
    });
    return strip;
  }

  // Scroll the rows so that ``key``'s row is the first under the axis.
  showRow(key) {
    const line = [...this.scroller.querySelectorAll(".cal-row")].find((node) => node.dataset.row === key);
    if (line) this.scroller.scrollTop = line.offsetTop;
  }

  // Months on top (with the year on January and the first); weeks below
  // when zoomed in enough to read them.
  ticks(first, last, perDay) {
    const start = new Date(first * CAL_DAY_MS);
    const found = [];
    let year = start.getUTCFullYear();
    let month = start.getUTCMonth();
    const short = perDay * 30 < 40;
    for (;;) {
      const day = Math.max(first, Math.round(Date.UTC(year, month, 1) / CAL_DAY_MS));
      if (day >= last) break;
      const withYear = !found.length || month === 0;
      const words = short ? MONTHS[month][0] : (withYear && perDay * 30 >= 70 ? `${MONTHS[month]} ${year}` : MONTHS[month]);
      found.push([day, words, true]);
      month += 1;
      if (month === 12) { month = 0; year += 1; }
    }
    if (perDay * 7 >= 22) {
      for (let day = first; day < last; day += 7) {
        const date = new Date(day * CAL_DAY_MS);
        found.push([day, perDay >= 9 ? `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]}` : String(date.getUTCDate()), false]);
      }
    }
    return found;
  }

  lines(first, last, perDay, width, label) {
    const lines = calNode("div", "cal-lines");
    lines.style.width = `${width}px`;
    lines.style.left = `${label}px`;
    for (const [day, , major] of this.ticks(first, last, perDay)) {
      const line = calNode("div", `line${major ? " major" : ""}`);
      line.style.left = `${(day - first) * perDay}px`;
      lines.append(line);
    }
    for (const [name, iso, words] of [["today", this.model.today, "today"], ["freeze", this.model.freeze, "kept as it is before this"]]) {
      if (!iso) continue;
      const day = calDay(iso);
      if (day < first || day > last) continue;
      const line = calNode("div", `line ${name}`);
      line.style.left = `${(day - first) * perDay}px`;
      line.title = `${iso}: ${words}`;
      lines.append(line);
    }
    return lines;
  }

  drawLegend(rows) {
    const m = this.model;
    const shown = new Set();
    for (const row of rows) for (const item of row.items) shown.add(this.state.colour === "kind" ? item.event.kind || "(no kind)" : item.event.venue_id);
    const parts = [...shown].sort().map((key) => {
      const span = calNode("span");
      const swatch = calNode("span", "swatch");
      swatch.style.background = this.state.colour === "kind" ? m.kindColours.of(key) : m.venueColours.of(key);
      span.append(swatch, this.state.colour === "kind" ? key : `${key} ${m.venues[key] || ""}`.trim());
      return span;
    });
    if (this.state.view !== "exercise") {
      const off = calNode("span");
      const swatch = calNode("span", "swatch off");
      off.append(swatch, "unavailable (blackout)");
      parts.push(off);
    }
    if (m.changed && m.plans.length > 1) {
      const changed = calNode("span");
      changed.append(calNode("span", "swatch changed"), "striped: changed");
      parts.push(changed);
    }
    if (m.today) parts.push(calNode("span", "", "red line: today"));
    if (m.freeze) parts.push(calNode("span", "", "dashed line: kept as it is before this"));
    const words = this.state.colour === "kind" ? "kind" : "venue";
    const notes = parts.splice(shown.size);
    if (shown.size <= 12) {
      this.legend.replaceChildren(calNode("strong", "", `Colours by ${words}:`), ...parts, ...notes);
      return;
    }
    const more = calNode("details");
    more.append(calNode("summary", "", `Colours of the ${shown.size} ${words === "kind" ? "kinds" : "venues"} shown (each bar also names its ${words === "kind" ? "venue" : "venue"})`));
    const list = calNode("div", "cal-legend");
    list.append(...parts);
    more.append(list);
    this.legend.replaceChildren(more, ...notes);
  }

  // --- hover and click --------------------------------------------------------------

  details(e, plan) {
    const m = this.model;
    const box = document.createDocumentFragment();
    box.append(calNode("b", "", `${e.exercise_id} ${e.name}`));
    box.append(calNode("div", "", `${e.start} to ${e.end}`));
    box.append(calNode("div", "", `at ${e.venue_id} ${m.venues[e.venue_id] || e.venue_name || ""}`));
    box.append(calNode("div", "", `partners: ${e.participants.map((p) => `${p} ${m.partners[p] || ""}`.trim()).join(", ") || "none"}`));
    if (e.kind) box.append(calNode("div", "", `kind: ${e.kind}${e.mandatory ? ", mandatory" : ""}`));
    if (m.plans.length > 1) box.append(calNode("div", "", `plan: ${plan.label}`));
    for (const change of (m.changed && m.changed[e.exercise_id]) || []) box.append(calNode("div", "warn", change));
    box.append(calNode("div", "hint", "Click for more, and to move it by hand."));
    return box;
  }

  showTip(ev, e, plan) {
    this.hideTip();
    this.tip = calNode("div", "cal-tip");
    this.tip.setAttribute("role", "tooltip");
    this.tip.setAttribute("data-testid", "cal-tip");
    this.tip.append(this.details(e, plan));
    document.body.append(this.tip);
    this.moveTip(ev);
  }

  showTipAt(bar, e, plan) {
    const box = bar.getBoundingClientRect();
    this.showTip({ clientX: box.left, clientY: box.bottom }, e, plan);
  }

  moveTip(ev) {
    if (!this.tip) return;
    const width = this.tip.offsetWidth;
    const left = Math.min(ev.clientX + 14, window.innerWidth - width - 8);
    this.tip.style.left = `${Math.max(4, left)}px`;
    const below = ev.clientY + 16;
    this.tip.style.top = `${below + this.tip.offsetHeight > window.innerHeight ? ev.clientY - this.tip.offsetHeight - 10 : below}px`;
  }

  hideTip() {
    if (this.tip) this.tip.remove();
    this.tip = null;
  }

  pick(bar, e, plan) {
    for (const other of this.box.querySelectorAll(".cal-bar.picked")) other.classList.remove("picked");
    bar.classList.add("picked");
    this.picked = `${plan.label}|${e.exercise_id}`;
    this.hideTip();
    if (this.onPick) this.onPick(e, plan);
  }
}

window.PlannerCalendar = PlannerCalendar;
window.ColourBook = ColourBook;
