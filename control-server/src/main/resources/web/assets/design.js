"use strict";
// Design lab page: a brief form (refusals shown on the field), generations with live progress (SSE),
// a swatch gallery with scores and reasons on hover, rate/shortlist, lineage, spec/WIF downloads,
// A/B import and the market ranking.
const $ = id => document.getElementById(id);
const labApi = async (method, url, body, raw) => {
  const opt = {method, headers: {Accept: "application/json"}};
  if (body !== undefined) {
    opt.body = raw ? body : JSON.stringify(body);
    opt.headers["Content-Type"] = raw ? "text/csv" : "application/json";
  }
  const r = await fetch(url, opt);
  const j = await r.json().catch(() => ({}));
  if (!r.ok) throw Object.assign(new Error(j.error || j.title || r.statusText || "HTTP " + r.status), {body: j, status: r.status});
  return j;
};
const OBJECTIVE_HELP = {
  harmony: "colours that sit well together (CIELAB/LCh)", contrast: "pattern legible at arm's length",
  manufacturability: "colour count, float length, repeat", cost: "yarn and weaving cost per metre",
  novelty: "unlike the existing catalogue", preference: "like what you rated and shortlisted",
  market: "A/B click-through"};
const DEFAULT = {families: ["check", "gingham", "houndstooth", "stripe"], mood: "heritage",
  weaves: ["plain", "basket_2_2", "twill_2_2", "twill_2_1"],
  weights: {harmony: 1, contrast: 1, manufacturability: 1, cost: 0.6, novelty: 0.7, preference: 1.2, market: 0.8}};
const LABEL = {name: "Name", season: "Season", families: "Fabric families", mood: "Colours", palette: "Colours",
  maxColours: "Max colours", maxFloat: "Max float", "repeat.min": "Repeat min", "repeat.max": "Repeat max",
  repeat: "Repeat", weaves: "Weaves", "sett.endsPerCm": "Ends / cm", "sett.picksPerCm": "Picks / cm",
  maxCostPerMetre: "Max cost", yarnTex: "Yarn tex", widthCm: "Width", weights: "Weights", brief: "Brief"};
const fmt = (x, n = 2) => (x == null || isNaN(x)) ? "–" : Number(x).toFixed(n);
const pct = x => (100 * x).toFixed(2);

let status = null, study = null, gen = null, designs = [], selected = null, es = null, roundsLeft = 0;
// the latest gallery / design request: a slower, older answer must not overwrite a newer view
let viewSeq = 0, designSeq = 0;

// ------------------------------------------------------------------ brief form

async function init() {
  startClock();
  status = await labApi("GET", "/api/design/status");
  if (status.llm.available) $("llm-note").textContent = "Language model: " + status.llm.describe;
  else $("llm-note").replaceChildren("No language model configured: the text is read by keywords. ",
    el("details", {}, el("summary", {}, "What a model would add"), el("span", {}, status.llm.wouldAdd)));
  buildForm();
  $("studies").onchange = () => { const v = +$("studies").value; if (v) openStudy(v); };
  $("brief-form").onsubmit = ev => { ev.preventDefault(); createStudy(); };
  $("from-text").onclick = fromText;
  $("new-study").onclick = () => showForm(true);
  $("cancel-brief").onclick = () => showForm(false);
  $("breed").onclick = breed;
  $("import-ab").onclick = importAb;
  $("ab-file").onchange = async () => { const f = $("ab-file").files[0]; if (f) { $("ab").value = await f.text(); importAb(); } };
  const list = await loadStudies();
  const want = +(location.hash.slice(1) || 0) || (list.length ? list[0].id : 0);
  if (want) await openStudy(want); else { showForm(true); renderTabs(); }
}

function chip(group, value, label, title, on) {
  const c = el("label", {class: "opt" + (on ? " on" : ""), title: title || ""},
    el("input", {type: "checkbox", value, "data-group": group}), label);
  const box = c.querySelector("input");
  box.checked = !!on;
  box.onchange = () => c.classList.toggle("on", box.checked);
  return c;
}

function buildForm() {
  $("b-families").replaceChildren(...status.families.map(f =>
    chip("families", f.id, f.id, f.rule, DEFAULT.families.includes(f.id))));
  $("b-weaves").replaceChildren(...status.weaves.map(w =>
    chip("weaves", w.name, w.label.replace(" (hopsack)", "").replace(" weft-faced satin (sateen)", " sateen"),
      `${w.label}: ${w.shafts} shafts, floats up to ${w.maxFloat}`, DEFAULT.weaves.includes(w.name))));
  $("b-mood").replaceChildren(...status.moods.map(m => el("option", {value: m}, m + " mood")),
    el("option", {value: ""}, "my own colours…"));
  $("b-mood").value = DEFAULT.mood;
  $("b-mood").onchange = paletteChanged;
  $("b-palette").oninput = paletteChanged;
  paletteChanged();
  $("b-weights").replaceChildren(...status.objectives.map(o => {
    const v = DEFAULT.weights[o] ?? 1;
    const out = el("output", {}, fmt(v, 1));
    const r = el("input", {type: "range", min: "0", max: "3", step: "0.1", value: String(v), "data-objective": o});
    r.oninput = () => { out.textContent = fmt(r.value, 1); };
    return el("label", {class: "w", title: OBJECTIVE_HELP[o] || "", "data-field": "weights." + o}, el("span", {}, o), r, out);
  }));
  document.querySelectorAll("#brief-form input, #brief-form select").forEach(i =>
    i.addEventListener("input", () => clearFieldError(i.closest(".f"))));
}

function customPalette() {
  // "navy #1f2a44, cream #efe6d2" or "#1f2a44 #efe6d2"
  return $("b-palette").value.split(/[,;\n]+/).map(s => s.trim()).filter(Boolean).map(s => {
    const m = s.match(/^(.*?)\s*(#?[0-9a-fA-F]{6}|#[0-9a-fA-F]{3})$/);
    if (!m) return {hex: s};
    return m[1] ? {name: m[1].trim(), hex: m[2].startsWith("#") ? m[2] : "#" + m[2]} : {hex: m[2]};
  });
}

function paletteChanged() {
  const mood = $("b-mood").value;
  $("b-palette").classList.toggle("hidden", !!mood);
  const cols = mood ? status.palettes[mood] : customPalette().filter(c => /^#?[0-9a-fA-F]{3,6}$/.test(c.hex || ""));
  $("b-palette-preview").replaceChildren(...cols.map(c =>
    el("span", {class: "pc", title: `${c.name || c.hex} ${c.hex}`, style: `background:${c.hex.startsWith("#") ? c.hex : "#" + c.hex}`})));
  clearFieldError($("b-palette").closest(".f"));
}

const num = id => { const v = $(id).value.trim(); return v === "" ? undefined : Number(v); };

function readForm() {
  const checked = g => [...document.querySelectorAll(`input[data-group=${g}]:checked`)].map(i => i.value);
  const weights = {};
  document.querySelectorAll("#b-weights input").forEach(r => { weights[r.dataset.objective] = Number(r.value); });
  const b = {name: $("b-name").value.trim(), season: $("b-season").value.trim(), families: checked("families"),
    maxColours: num("b-maxColours"), repeat: {min: num("b-repeatMin"), max: num("b-repeatMax")}, weaves: checked("weaves"),
    maxFloat: num("b-maxFloat"), sett: {endsPerCm: num("b-epc"), picksPerCm: num("b-ppc")},
    maxCostPerMetre: num("b-cost"), yarnTex: num("b-tex"), weights};
  if ($("b-mood").value) b.mood = $("b-mood").value; else b.palette = customPalette();
  return b;
}

function fillForm(b) {
  const set = (id, v) => { if (v !== undefined && v !== null) $(id).value = v; };
  set("b-name", b.name); set("b-season", b.season);
  if (b.families) document.querySelectorAll("input[data-group=families]").forEach(i => {
    i.checked = b.families.includes(i.value); i.parentElement.classList.toggle("on", i.checked); });
  if (b.weaves) document.querySelectorAll("input[data-group=weaves]").forEach(i => {
    i.checked = b.weaves.includes(i.value); i.parentElement.classList.toggle("on", i.checked); });
  if (b.mood && status.palettes[b.mood]) $("b-mood").value = b.mood;
  if (b.palette && b.palette.length) {
    $("b-mood").value = "";
    $("b-palette").value = b.palette.map(c => typeof c === "string" ? c : `${c.name || ""} ${c.hex}`.trim()).join(", ");
  }
  paletteChanged();
  set("b-maxColours", b.maxColours); set("b-maxFloat", b.maxFloat);
  if (b.repeat) { set("b-repeatMin", b.repeat.min); set("b-repeatMax", b.repeat.max); }
  if (b.sett) { set("b-epc", b.sett.endsPerCm); set("b-ppc", b.sett.picksPerCm); }
  set("b-cost", b.maxCostPerMetre); set("b-tex", b.yarnTex);
  if (b.weights) document.querySelectorAll("#b-weights input").forEach(r => {
    if (b.weights[r.dataset.objective] !== undefined) { r.value = b.weights[r.dataset.objective]; r.oninput(); } });
}

function clearFieldError(f) {
  if (!f) return;
  f.classList.remove("bad");
  f.querySelectorAll(".bad").forEach(x => x.classList.remove("bad"));
  const w = f.querySelector(":scope > .why");
  if (w) w.remove();
}

/** Marks the form field a refusal names ("repeat.min", "palette[2].hex", "weights.cost") with its reason. */
function showFieldError(field, reason) {
  document.querySelectorAll("#brief-form .f.bad").forEach(clearFieldError);
  const base = field.replace(/\[\d+\].*$/, "");
  const all = [...document.querySelectorAll("#brief-form [data-field]")];
  const hit = all.find(f => f.dataset.field.split(" ").includes(field))
    || all.find(f => f.dataset.field.split(" ").includes(base))
    || all.find(f => f.dataset.field.split(" ").includes(field.split(".")[0]));
  const label = LABEL[field] || LABEL[base] || LABEL[field.split(".")[0]] || field;
  $("brief-error").textContent = `Refused — ${label} (${field}): ${reason}`;
  if (!hit) return;
  const f = hit.classList.contains("f") ? hit : hit.closest(".f");
  hit.classList.add("bad");
  f.classList.add("bad");
  f.append(el("p", {class: "why"}, reason));
  f.scrollIntoView({block: "center", behavior: "smooth"});
  const input = hit.querySelector("input:not([type=checkbox]), select");
  if (input) input.focus({preventScroll: true});
}

async function fromText() {
  const text = $("brief-text").value.trim();
  if (!text) { $("brief-text").focus(); return; }
  try {
    const r = await labApi("POST", "/api/design/brief-from-text", {text});
    fillForm(r.brief);
    $("llm-note").textContent = (r.source === "llm" ? "Filled in by the language model. " : "Filled in from keywords — check the form. ")
      + (r.source === "llm" ? (r.note || "") : "");
  } catch (e) { $("brief-error").textContent = e.message; }
}

async function createStudy() {
  $("brief-error").textContent = "";
  document.querySelectorAll("#brief-form .f.bad").forEach(clearFieldError);
  $("create").disabled = true;
  try {
    const s = await labApi("POST", "/api/design/studies", readForm());
    await loadStudies();
    await openStudy(s.id);
    showForm(false);
  } catch (e) {
    if (e.body && e.body.field) showFieldError(e.body.field, e.body.reason);
    else $("brief-error").textContent = e.message;
  } finally { $("create").disabled = false; }
}

function showForm(on) {
  $("brief-form").classList.toggle("hidden", !on);
  $("cancel-brief").classList.toggle("hidden", !study);
  $("breed-block").classList.toggle("hidden", on || !study);
  $("ab-block").classList.toggle("hidden", on || !study);
  $("summary").classList.toggle("hidden", on || !study);
  if (on) $("b-name").focus();
}

// ------------------------------------------------------------------ studies

async function loadStudies() {
  const s = await labApi("GET", "/api/design/studies");
  $("studies").replaceChildren(el("option", {value: ""}, s.studies.length ? "— pick a study —" : "no studies yet — write a brief"),
    ...s.studies.map(x => el("option", {value: x.id}, `#${x.id} ${x.name} · ${x.generations} gen`)));
  if (study) $("studies").value = study.id;
  return s.studies;
}

function renderSummary() {
  const r = study.resolved, b = study.brief;
  const fact = (k, v) => el("div", {}, el("span", {class: "k"}, k), el("span", {}, v));
  $("summary").replaceChildren(
    el("div", {class: "palette"}, ...r.palette.map(c => el("span", {class: "pc", title: `${c.name} ${c.hex} · ${c.dye} · €${c.costPerKg}/kg`, style: `background:${c.hex}`}))),
    el("div", {class: "facts"},
      fact("families", r.families.join(", ")),
      fact("colours", `≤ ${r.maxColours} of ${r.palette.length}${b.mood ? " · " + b.mood : ""}`),
      fact("repeat", `${r.repeat.min}–${r.repeat.max} ends · float ≤ ${r.maxFloat}`),
      fact("weaves", r.weaves.map(w => w.replace(/_/g, " ")).join(", ")),
      fact("cost", `≤ €${fmt(r.maxCostPerMetre)}/m`),
      fact("designs", `${study.designs} in ${study.generations} generation${study.generations === 1 ? "" : "s"}`)));
}

async function openStudy(id) {
  if (!id) return;
  study = await labApi("GET", `/api/design/studies/${id}`);
  history.replaceState(null, "", "#" + id);
  $("studies").value = id;
  $("study-name").textContent = "· " + study.name;
  showForm(false);
  renderSummary();
  if (es) es.close();
  es = new EventSource(`/api/design/studies/${id}/events`);
  es.addEventListener("hello", () => setLive(true, study.running ? "breeding" : "connected"));
  es.addEventListener("progress", ev => {
    const p = JSON.parse(ev.data);
    progress(p.done / p.total, `Generation ${p.generation}: ${p.done} / ${p.total} designs bred, rendered and scored`
      + (roundsLeft ? ` · ${roundsLeft} more queued` : ""));
    setLive(true, "breeding");
    $("breed").disabled = true;
    $("gen-head").classList.add("busy");
    if (gen === null) breedingGallery(p);
  });
  es.addEventListener("generation", async ev => {
    const p = JSON.parse(ev.data);
    progress(1, `Generation ${p.generation}: ${p.count} designs in ${p.seconds} s · best ${fmt(p.best, 3)}`);
    study = await labApi("GET", `/api/design/studies/${id}`);
    renderSummary();
    await showGeneration(p.generation);
    loadStudies();
    if (roundsLeft > 0) { roundsLeft--; startGeneration(); }
    else { $("breed").disabled = false; setLive(true, "connected"); $("gen-head").classList.remove("busy"); }
  });
  es.addEventListener("failed", ev => {
    roundsLeft = 0;
    progress(0, "Generation failed: " + JSON.parse(ev.data).error);
    $("breed").disabled = false; $("gen-head").classList.remove("busy");
  });
  es.onerror = () => setLive(false, "reconnecting");
  $("breed").disabled = study.running;
  progress(0, study.generations ? `${study.generations} generation${study.generations === 1 ? "" : "s"} so far` : "No generations yet.");
  if (study.generations > 0) await showGeneration(study.generations - 1);
  else { gen = null; renderTabs(); emptyGallery(); }
}

function emptyGallery() {
  $("gen-head").replaceChildren();
  $("gallery").replaceChildren(el("div", {class: "empty"}, el("div", {class: "loom"}), el("h2", {}, "Ready to breed"),
    el("p", {}, `“${study.name}” is set up. Press `, el("b", {}, "Run generations"),
      " on the left: the first generation is random within the brief; each next one is bred from the best, your ratings and the market.")));
}

/** The gallery while the first generation is being bred: what is happening, and how far. */
function breedingGallery(p) {
  let box = $("breeding");
  if (!box) {
    box = el("div", {class: "empty", id: "breeding"}, el("div", {class: "loom weaving"}), el("h2", {}, ""),
      el("div", {class: "progress wide"}, el("div", {})), el("p", {}, "Each design is drawn thread by thread within your brief, "
        + "rendered as a swatch and scored by the critics. The gallery fills in when the generation is done."));
    $("gallery").replaceChildren(box);
  }
  box.querySelector("h2").textContent = `Breeding generation ${p.generation} — ${p.done} of ${p.total}`;
  box.querySelector(".progress div").style.width = (100 * p.done / p.total) + "%";
}

function progress(frac, text) {
  $("bar").style.width = (100 * Math.max(0, Math.min(1, frac))) + "%";
  $("progress").classList.toggle("done", frac >= 1);
  $("progress-text").textContent = text;
}

function setLive(on, text) {
  $("live").className = "live " + (on ? "on" : "off");
  $("live-text").textContent = text;
}

// ------------------------------------------------------------------ gallery

function renderTabs() {
  if (!study) { $("tabs").replaceChildren(); return; }
  const tab = (label, active, onclick, extra) => {
    const b = el("button", {class: "tab" + (active ? " active" : ""), role: "tab", type: "button", ...(extra || {})}, label);
    b.onclick = onclick;
    return b;
  };
  const tabs = [];
  for (let g = 0; g < study.generations; g++) tabs.push(tab("Gen " + g, g === gen, () => showGeneration(g), {"data-gen": g}));
  tabs.push(el("span", {class: "spacer"}));
  tabs.push(tab("★ Shortlist", gen === "shortlist", showShortlist, {id: "tab-shortlist"}));
  tabs.push(tab("Market", gen === "market", showMarket, {id: "tab-market"}));
  $("tabs").replaceChildren(...tabs);
}

async function showGeneration(g) {
  gen = g;
  renderTabs();
  const my = ++viewSeq;
  const r = await labApi("GET", `/api/design/studies/${study.id}/generations/${g}`);
  if (my !== viewSeq) return;
  designs = r.designs;
  const totals = designs.map(d => d.total).sort((a, b) => a - b);
  const median = totals.length ? totals[Math.floor(totals.length / 2)] : 0;
  const fams = {};
  designs.forEach(d => { fams[d.family] = (fams[d.family] || 0) + 1; });
  $("gen-head").replaceChildren(el("h2", {}, `Generation ${g}`),
    el("span", {class: "stat"}, el("b", {}, designs.length), " designs"),
    el("span", {class: "stat"}, "best ", el("b", {}, fmt(totals[totals.length - 1], 3))),
    el("span", {class: "stat"}, "median ", el("b", {}, fmt(median, 3))),
    ...(g > 0 ? [el("span", {class: "stat", id: "gen-bred", title: "bred from the last generation and the archive's best; the rest are new random designs (immigrants), for variety"},
      el("b", {}, designs.filter(d => d.parents.length > 0).length), " bred")] : []),
    el("span", {class: "stat muted"}, Object.entries(fams).map(([f, n]) => `${f} ${n}`).join(" · ")),
    el("span", {class: "hint muted"}, "hover for scores · click to open"));
  $("gallery").replaceChildren(...designs.map((d, i) => card(d, i + 1)));
}

async function showShortlist() {
  gen = "shortlist";
  renderTabs();
  const my = ++viewSeq;
  const r = await labApi("GET", `/api/design/studies/${study.id}/shortlist`);
  if (my !== viewSeq) return;
  designs = r.shortlisted.concat(r.suggested);
  $("gen-head").replaceChildren(el("h2", {}, "Shortlist"),
    el("span", {class: "stat"}, el("b", {}, r.shortlisted.length), " shortlisted"),
    el("span", {class: "hint muted"}, "plus the best of each quality-diversity cell, so the choice stays varied"));
  $("gallery").replaceChildren(
    el("h3", {class: "section"}, `Shortlisted by you (${r.shortlisted.length})`),
    ...(r.shortlisted.length ? r.shortlisted.map(d => card(d)) : [el("p", {class: "muted span"}, "Nothing shortlisted yet: open a design and press ☆ Shortlist.")]),
    el("h3", {class: "section"}, "Suggested — the best of each family and style cell"), ...r.suggested.map(d => card(d)));
}

async function showMarket() {
  gen = "market";
  renderTabs();
  const my = ++viewSeq;
  const m = await labApi("GET", `/api/design/studies/${study.id}/market`);
  if (my !== viewSeq) return;
  $("gen-head").replaceChildren(el("h2", {}, "Market ranking"),
    el("span", {class: "stat"}, el("b", {}, m.designs.length), " designs tested"),
    m.designs.length ? el("span", {class: "stat"}, "pooled CTR ", el("b", {}, pct(m.pooledCtr) + " %")) : "");
  if (!m.designs.length) {
    $("gallery").replaceChildren(el("div", {class: "empty"}, el("h2", {}, "No A/B results yet"),
      el("p", {}, "Paste or choose a CSV with design_id, impressions, clicks under “Market” on the left. Designs are ranked by click-through with honest uncertainty, and the market score feeds the next generation.")));
    return;
  }
  const max = Math.max(...m.designs.map(r => r.high));
  const rows = m.designs.map((r, i) => {
    const bar = el("div", {class: "ci"}, el("i", {style: `left:${100 * r.low / max}%;width:${Math.max(0.5, 100 * (r.high - r.low) / max)}%`}),
      el("b", {style: `left:${100 * r.mean / max}%`}), el("u", {style: `left:${100 * m.pooledCtr / max}%`, title: "pooled CTR"}));
    const tr = el("tr", {class: "mrow", "data-design": r.design}, el("td", {class: "rank"}, i + 1),
      el("td", {}, el("img", {src: `/api/design/designs/${r.design}/thumb.png`, alt: r.design})),
      el("td", {class: "id"}, r.design), el("td", {class: "num"}, `${r.clicks} / ${r.impressions}`),
      el("td", {class: "num"}, pct(r.ctr)), el("td", {class: "num"}, pct(r.mean)),
      el("td", {class: "num"}, `${pct(r.low)} – ${pct(r.high)}`), el("td", {class: "cicell"}, bar),
      el("td", {class: "num " + (r.pBeatsPooled > 0.9 ? "good" : r.pBeatsPooled < 0.1 ? "poor" : "")}, fmt(r.pBeatsPooled)));
    tr.onclick = () => showDesign(r.design);
    return tr;
  });
  $("gallery").replaceChildren(el("table", {class: "market", id: "market-table"},
    el("thead", {}, el("tr", {}, ...["#", "", "design", "clicks / impr.", "CTR %", "posterior %", "95 % credible", "interval vs pooled", "P(beats pooled)"].map((h, i) => el("th", {class: i >= 3 && i !== 7 ? "num" : ""}, h)))),
    el("tbody", {}, ...rows)),
    el("p", {class: "muted small span"}, `Ranked by the ${m.rankedBy}.`));
}

function card(d, rank) {
  const c = el("div", {class: "sw" + (d.shortlisted ? " listed" : "") + (selected === d.id ? " sel" : ""), "data-id": d.id, tabindex: "0"},
    el("img", {src: `/api/design/designs/${d.id}/thumb.png`, alt: d.id, loading: "lazy", width: "96", height: "96"}),
    el("div", {class: "meta"}, el("span", {class: "score"}, fmt(d.total, 3)),
      el("span", {class: "star"}, d.rating ? "★".repeat(d.rating) : rank ? "#" + rank : "")),
    el("div", {class: "sub"}, `${d.family} · ${d.weave.replace(/_/g, " ")}`));
  c.onclick = () => showDesign(d.id);
  c.onkeydown = ev => { if (ev.key === "Enter") showDesign(d.id); };
  c.onmouseenter = ev => tip(d, ev);
  c.onmousemove = ev => moveTip(ev);
  c.onmouseleave = () => { $("tip").style.display = "none"; };
  return c;
}

function scoreRow(s) {
  const v = Math.max(0, Math.min(1, s.value));
  const tone = v >= 0.7 ? "good" : v < 0.4 ? "poor" : "mid";
  return el("div", {class: "score-row"}, el("span", {class: "n"}, s.name),
    el("span", {class: "meter " + tone}, el("i", {style: `width:${100 * v}%`})),
    el("b", {}, fmt(s.value)), el("span", {class: "r"}, s.reason));
}

function tip(d, ev) {
  const t = $("tip");
  t.replaceChildren(el("div", {class: "th"}, el("b", {}, d.name || d.id), el("span", {}, `${d.family} · ${d.weave.replace(/_/g, " ")}`),
    el("span", {class: "tot"}, "total ", el("b", {}, fmt(d.total, 3)))),
    el("div", {class: "palette"}, ...d.colours.map(c => el("span", {class: "pc sm", style: `background:${c.hex}`, title: c.name}))),
    ...d.scores.map(scoreRow));
  t.style.display = "block";
  moveTip(ev);
}
function moveTip(ev) {
  const t = $("tip");
  let x = ev.clientX + 18, y = ev.clientY + 18;
  if (x + t.offsetWidth > innerWidth - 8) x = ev.clientX - t.offsetWidth - 18;
  if (y + t.offsetHeight > innerHeight - 8) y = Math.max(8, innerHeight - t.offsetHeight - 8);
  t.style.left = Math.max(8, x) + "px"; t.style.top = y + "px";
}

// ------------------------------------------------------------------ one design

async function showDesign(id) {
  selected = id;
  $("tip").style.display = "none";
  document.querySelectorAll(".sw").forEach(s => s.classList.toggle("sel", s.dataset.id === id));
  const [d, lin, m] = await Promise.all([labApi("GET", `/api/design/designs/${id}`), labApi("GET", `/api/design/designs/${id}/lineage`),
    labApi("GET", `/api/design/studies/${study.id}/market`)]);
  if (selected !== id) return;
  const stars = el("div", {class: "stars", role: "radiogroup", "aria-label": "rating"}, ...[1, 2, 3, 4, 5].map(n => {
    const b = el("button", {type: "button", class: "starbtn" + (d.rating >= n ? " on" : ""), title: `rate ${n} of 5`, "data-rating": n}, "★");
    b.onclick = async () => { await labApi("POST", `/api/design/designs/${id}/rating`, {rating: n}); refresh(id); };
    return b;
  }));
  const sl = el("button", {type: "button", id: "shortlist-btn", class: "pill" + (d.shortlisted ? " on" : "")}, d.shortlisted ? "★ Shortlisted" : "☆ Shortlist");
  sl.onclick = async () => { await labApi("POST", `/api/design/designs/${id}/shortlist`, {shortlisted: !d.shortlisted}); refresh(id); };
  const nameBtn = el("button", {type: "button", class: "pill"}, d.copy ? "New name & copy" : "Name & copy");
  const copyBox = el("div", {class: "copy"});
  const showCopy = c => copyBox.replaceChildren(el("p", {class: "cname"}, c.name),
    ...(c.copies || []).map(x => el("p", {class: "quote"}, "“" + x + "”")),
    el("p", {class: "note"}, c.source === "llm" ? (c.note || "") : "Template text — a language model would write these. "));
  nameBtn.onclick = async () => { nameBtn.disabled = true; try { showCopy(await labApi("POST", `/api/design/designs/${id}/copy`)); } finally { nameBtn.disabled = false; } };
  if (d.copy) showCopy(d.copy);

  // lineage: the design, then its parents, grandparents... one row per generation
  const byGen = {};
  lin.ancestors.forEach(a => (byGen[a.generation] = byGen[a.generation] || []).push(a));
  const gens = Object.keys(byGen).map(Number).sort((a, b) => b - a);
  const lineage = el("div", {class: "lineage", id: "lineage"}, ...gens.map(g =>
    el("div", {class: "gen"}, el("span", {class: "g"}, "gen " + g), ...byGen[g].map(a => {
      const im = el("img", {src: `/api/design/designs/${a.id}/thumb.png`, class: a.id === id ? "self" : "",
        title: `${a.id} · ${a.operator.replace(/_/g, " ")} · ${fmt(a.total, 3)}`});
      im.onclick = () => showDesign(a.id);
      return el("figure", {}, im, el("figcaption", {}, a.operator.replace(/_/g, " ")));
    }))));
  const ab = m.designs.find(r => r.design === id);
  const market = ab ? el("p", {class: "small"}, `${ab.clicks} clicks / ${ab.impressions} impressions · CTR ${pct(ab.ctr)} % · posterior ${pct(ab.mean)} % (95 %: ${pct(ab.low)}–${pct(ab.high)}) · P(beats pooled) ${fmt(ab.pBeatsPooled)}`)
    : el("p", {class: "muted small"}, "Not A/B tested; its market score is inherited from its parents.");
  const dl = (href, label, extra) => el("a", {class: "dl", href, ...(extra || {})}, label);
  $("detail").replaceChildren(
    el("div", {class: "dhead"}, el("h2", {}, d.name || d.id), el("span", {class: "muted"}, `gen ${d.generation} · ${d.family} · ${d.weave.replace(/_/g, " ")}`)),
    el("img", {class: "swatch-big", id: "detail-swatch", src: `/api/design/designs/${id}/swatch.png?px=6&size=384`, alt: "swatch of " + id}),
    el("div", {class: "palette named"}, ...d.colours.map(c => el("span", {class: "pcn"}, el("i", {style: `background:${c.hex}`}), c.name))),
    el("div", {class: "actions"}, stars, sl, nameBtn),
    copyBox,
    el("div", {class: "dls", id: "downloads"},
      dl(`/api/design/designs/${id}/wif`, "⬇ WIF draft", {download: `${id}.wif`, id: "dl-wif"}),
      dl(`/api/design/designs/${id}/spec.txt`, "⬇ Production spec", {download: `${id}-spec.txt`, id: "dl-spec"}),
      dl(`/api/design/designs/${id}/spec`, "spec JSON", {target: "_blank"}),
      dl(`/api/design/designs/${id}/tile.png?px=10`, "repeat tile", {target: "_blank"})),
    el("div", {class: "label"}, `Scores · total ${fmt(d.total, 3)}`),
    el("div", {class: "scores"}, ...d.scores.map(scoreRow)),
    el("div", {class: "label"}, "Lineage"),
    el("p", {class: "muted small"}, d.parents.length ? `Made by ${d.operator.replace(/_/g, " ")} of ${d.parents.join(" × ")}` : `Generation ${d.generation} founder (${d.operator.replace(/_/g, " ")})`),
    lineage,
    el("div", {class: "label"}, "Market"), market,
    el("div", {class: "label"}, "Draft"),
    el("img", {class: "draft", src: `/api/design/designs/${id}/draft.png`, alt: "draft"}));
}

async function refresh(id) {
  await showDesign(id);
  if (typeof gen === "number") showGeneration(gen); else if (gen === "shortlist") showShortlist(); else if (gen === "market") showMarket();
}

// ------------------------------------------------------------------ breeding and market

async function breed() {
  if (!study) return;
  const rounds = Math.max(1, Math.min(20, +$("rounds").value || 1));
  roundsLeft = rounds - 1;
  await startGeneration();
}

async function startGeneration() {
  $("breed").disabled = true;
  $("gen-head").classList.add("busy");
  try {
    const r = await labApi("POST", `/api/design/studies/${study.id}/generations`, {size: +$("size").value});
    progress(0, `Generation ${r.generation} started…`);
    setLive(true, "breeding");
  } catch (e) {
    roundsLeft = 0;
    progress(0, e.message);
    $("breed").disabled = false; $("gen-head").classList.remove("busy");
  }
}

async function importAb() {
  if (!study) return;
  const csv = $("ab").value;
  if (!csv.trim()) { $("ab-result").textContent = "Paste CSV lines first: design_id,impressions,clicks"; return; }
  try {
    const r = await labApi("POST", `/api/design/studies/${study.id}/ab`, csv, true);
    $("ab-result").replaceChildren(el("span", {class: r.imported ? "ok" : ""}, `Imported ${r.imported} design${r.imported === 1 ? "" : "s"}.`),
      ...r.errors.map(e => el("span", {class: "err"}, e)));
    if (r.imported) await showMarket();
  } catch (e) { $("ab-result").textContent = e.message; }
}

init();
