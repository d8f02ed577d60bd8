"use strict";
// Live line page: initial state over the JSON API, then Server-Sent Events only (no polling).
const parts = location.pathname.split("/").filter(Boolean); // ["lines", site, line]
const SITE = decodeURIComponent(parts[1]);
const LINE = decodeURIComponent(parts[2]);
const API = `/api/lines/${encodeURIComponent(SITE)}/${encodeURIComponent(LINE)}`;
const MAX_ROWS = 40;
document.getElementById("site").textContent = SITE;
document.getElementById("line").textContent = LINE;
document.title = `Winnow — ${SITE} / ${LINE}`;
startClock();

let lastSummary = null;

function renderSummary(s) {
  lastSummary = s;
  const big = document.getElementById("last-minute");
  big.textContent = s.lastMinute;
  big.style.setProperty("--digits", String(s.lastMinute).length); // the CSS shrinks long numbers to fit
  document.getElementById("total").textContent = s.total;
  // a camera in audit (a model canary, or set by an engineer) detects and reports but fires nothing
  const audit = s.auditCameras || [], note = document.getElementById("audit-note");
  note.hidden = audit.length === 0;
  note.textContent = audit.length ? `Audit: ${audit.join(", ")} ${audit.length > 1 ? "fire" : "fires"} nothing` : "";
  renderChart(s);
  renderClasses(s);
}

// Drawn in real pixels (the viewBox is the element's size), so labels stay crisp and undistorted.
function renderChart(s) {
  const svg = document.getElementById("chart");
  const W = Math.max(300, Math.round(svg.clientWidth)), H = Math.max(120, Math.round(svg.clientHeight));
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  const FS = Math.round(Math.min(20, Math.max(14, H / 16)));
  const padL = FS * 2.6, padB = FS * 1.8, padT = FS * 0.6;
  const n = s.minuteStarts.length;
  let max = 1;
  const stacked = new Array(n).fill(0);
  for (const c of s.classes) c.counts.forEach((v, i) => { stacked[i] += v; });
  max = Math.max(1, ...stacked);
  const nice = niceMax(max);
  const bw = (W - padL) / n;
  const y = v => H - padB - (v / nice) * (H - padB - padT);
  const parts = [];
  for (let g = 0; g <= 4; g++) {
    const v = nice * g / 4, yy = y(v);
    parts.push(`<line x1="${padL}" x2="${W}" y1="${yy}" y2="${yy}" stroke="#243140" stroke-width="1"/>`);
    parts.push(`<text x="${padL - 8}" y="${yy + FS * 0.35}" fill="#9aa7b4" font-size="${FS}" text-anchor="end">${Math.round(v)}</text>`);
  }
  const base = new Array(n).fill(0);
  for (const c of s.classes.slice().reverse()) {
    const col = colorOf(c.class);
    c.counts.forEach((v, i) => {
      if (v <= 0) return;
      const y0 = y(base[i]), y1 = y(base[i] + v);
      parts.push(`<rect x="${padL + i * bw + 2}" y="${y1}" width="${Math.max(1, bw - 4)}" height="${y0 - y1}" fill="${col}" rx="2"><title>${pretty(c.class)}: ${v}</title></rect>`);
      base[i] += v;
    });
  }
  for (let i = (n - 1) % 5; i < n; i += 5) { // the last label is the current minute
    const t = new Date(s.minuteStarts[i]).toLocaleTimeString([], {hour: "2-digit", minute: "2-digit", hour12: false});
    const last = i === n - 1; // right-aligned so it never runs off the edge
    parts.push(`<text x="${last ? W : padL + i * bw + bw / 2}" y="${H - FS * 0.4}" fill="#9aa7b4" font-size="${FS}" text-anchor="${last ? "end" : "middle"}">${t}</text>`);
  }
  svg.innerHTML = parts.join("");
  const legend = document.getElementById("legend");
  legend.replaceChildren(...s.classes.map(c => el("span", {}, swatch(c.class), pretty(c.class))));
}

function swatch(cls) { const i = el("i"); i.style.background = colorOf(cls); return i; }

// The axis top: close above v, with four gridlines at round whole numbers.
function niceMax(v) {
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  const steps = p >= 10 ? [1, 1.2, 1.6, 2, 2.4, 3.2, 4, 6, 8, 10] : [1, 2, 4, 8, 12];
  for (const m of steps) if (m * p >= v) return m * p;
  return 10 * p;
}

function renderClasses(s) {
  const root = document.getElementById("classes");
  if (s.classes.length === 0) {
    root.replaceChildren(el("p", {class: "muted"}, "No rejections in the last 30 minutes."));
    return;
  }
  const max = Math.max(...s.classes.map(c => c.total));
  root.replaceChildren(...s.classes.map(c => {
    const fg = el("div", {class: "barfg"});
    fg.style.width = (100 * c.total / max) + "%";
    fg.style.background = colorOf(c.class);
    return el("div", {class: "row"},
      el("div", {class: "cname"}, swatch(c.class), pretty(c.class)),
      el("div", {class: "count"}, c.total),
      el("div", {class: "barbg"}, fg));
  }));
}

function row(r, fresh) {
  const cls = el("td", {}, el("span", {class: "chip"}), pretty(r.class));
  cls.firstChild.style.background = colorOf(r.class);
  if (r.audit) cls.append(el("span", {class: "audit"}, "AUDIT"));
  return el("tr", {class: fresh ? "fresh" : ""},
    el("td", {class: "time"}, hhmmss(r.time)),
    cls,
    el("td", {class: "num"}, (r.confidence * 100).toFixed(0) + "%"),
    el("td", {}, r.valves.length ? r.valves.join(", ") : "–"),
    el("td", {class: "num"}, r.acrossMm.toFixed(0) + " mm"),
    el("td", {}, r.camera),
    el("td", {class: "muted"}, r.device));
}

function addRejections(list, fresh) {
  const body = document.getElementById("events");
  if (body.querySelector("td[colspan]")) body.replaceChildren();
  for (const r of list.slice().reverse()) body.prepend(row(r, fresh));
  while (body.children.length > MAX_ROWS) body.lastChild.remove();
}

function setLive(state, text) {
  const live = document.getElementById("live");
  live.className = "live " + state;
  document.getElementById("live-text").textContent = text;
}

async function init() {
  try {
    const [sum, rej] = await Promise.all([fetch(API + "/summary?minutes=30"), fetch(API + `/rejections?limit=${MAX_ROWS}`)]);
    renderSummary(await sum.json());
    const list = (await rej.json()).rejections;
    if (list.length) addRejections(list, false);
    else document.getElementById("events").replaceChildren(el("tr", {}, el("td", {colspan: 7, class: "muted"}, "No rejections yet.")));
  } catch (e) { setLive("off", "offline"); }
  const es = new EventSource(API + "/events");
  es.addEventListener("hello", () => setLive("on", "live"));
  es.addEventListener("summary", e => renderSummary(JSON.parse(e.data)));
  es.addEventListener("rejections", e => addRejections(JSON.parse(e.data).rejections, true));
  es.onerror = () => setLive("off", "reconnecting");
  es.onopen = () => setLive("on", "live");
}
let resizeTimer = 0;
window.addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => { if (lastSummary) renderChart(lastSummary); }, 100);
});
init();
