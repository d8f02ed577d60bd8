"use strict";
// Line overview: one card per line, pushed by the server (SSE /api/lines/live), readable across the room.
startClock();
const SVGNS = "http://www.w3.org/2000/svg";
function spark(classes, minutes) {
  const svg = document.createElementNS(SVGNS, "svg");
  const n = minutes.length || 30, w = 300, h = 70;
  svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
  svg.setAttribute("preserveAspectRatio", "none");
  const totals = new Array(n).fill(0);
  for (const c of classes) c.counts.forEach((v, i) => totals[i] += v);
  const max = Math.max(1, ...totals);
  const bw = w / n;
  const base = new Array(n).fill(0);
  for (const c of classes) {
    c.counts.forEach((v, i) => {
      if (!v) return;
      const r = document.createElementNS(SVGNS, "rect");
      const bh = v / max * (h - 4);
      r.setAttribute("x", i * bw + 1); r.setAttribute("width", Math.max(1, bw - 2));
      r.setAttribute("y", h - base[i] - bh); r.setAttribute("height", bh);
      r.setAttribute("fill", colorOf(c.class));
      svg.append(r);
      base[i] += bh;
    });
  }
  return svg;
}
function card(l) {
  const href = `/lines/${encodeURIComponent(l.site)}/${encodeURIComponent(l.line)}`;
  const total = l.classes.reduce((s, c) => s + c.total, 0);
  const mix = el("div", {class: "mix", title: "class mix, last 30 min"});
  for (const c of l.classes) {
    const seg = el("div", {title: `${pretty(c.class)}: ${c.total}`});
    seg.style.width = (100 * c.total / Math.max(1, total)) + "%";
    seg.style.background = colorOf(c.class);
    mix.append(seg);
  }
  const a = el("a", {class: "lcard s-" + l.state, href, "data-line": l.site + "/" + l.line, "data-total": total},
    el("div", {class: "head"}, el("div", {class: "name"}, l.line), el("div", {class: "state"}, l.state)),
    el("div", {class: "nums"},
      el("div", {}, el("b", {class: "per-minute"}, l.lastMinute), el("span", {}, "removed / min")),
      el("div", {}, el("b", {}, l.capturePct == null ? "–" : l.capturePct.toFixed(1) + "%"), el("span", {}, "capture 10 min")),
      el("div", {}, el("b", {}, l.escapes10), el("span", {}, "escapes 10 min")),
      el("div", {}, el("b", {}, l.valveCycles10), el("span", {}, "valve cycles 10 min"))),
    el("div", {class: "chart-label"}, "Removed per minute by class · last 30 min"), spark(l.classes, l.minutes), mix,
    el("div", {class: "foot"},
      el("span", {}, "Lot ", el("b", {}, l.lot || "–")),
      el("span", {}, "Devices ", el("b", {}, `${l.online}/${l.devices}`)),
      el("span", {}, l.fps == null ? "" : `${l.fps.toFixed(0)} fps`),
      el("span", {}, "seen ", el("b", {}, l.lastSeen ? hhmmss(l.lastSeen) : "–"))));
  if (l.auditCameras && l.auditCameras.length) {
    // a camera in audit (a model canary, or set by an engineer) detects and reports but fires nothing
    a.append(el("div", {class: "audit-cameras"}, `Audit: ${l.auditCameras.join(", ")} ${l.auditCameras.length > 1 ? "fire" : "fires"} nothing`));
  }
  if (l.alarms.length) {
    a.append(el("div", {class: "alarm"}, `⚠ ${l.alarms.length} active alarm${l.alarms.length > 1 ? "s" : ""}: ${l.alarms[0].message}`));
  }
  return a;
}
function render(data) {
  const root = document.getElementById("sites");
  if (data.lines.length === 0) {
    root.replaceChildren(el("p", {class: "muted"}, "No line has reported yet. Start an edge agent pointed at this server's MQTT broker."));
    return;
  }
  const bySite = {};
  for (const l of data.lines) (bySite[l.site] = bySite[l.site] || []).push(l);
  const out = [];
  for (const [site, lines] of Object.entries(bySite)) {
    out.push(el("h2", {class: "site-name", style: "grid-column: 1 / -1; margin: 0.4rem 0 0; color: var(--muted); font-size: 0.95rem; letter-spacing: 0.15em; text-transform: uppercase"}, site));
    for (const l of lines) out.push(card(l));
  }
  root.replaceChildren(...out);
  window.__winnowOverview = data;
}
function connect() {
  const live = document.getElementById("live"), text = document.getElementById("live-text");
  const es = new EventSource("/api/lines/live");
  es.addEventListener("snapshot", ev => { render(JSON.parse(ev.data)); live.className = "live on"; text.textContent = "live"; });
  es.onerror = () => { live.className = "live off"; text.textContent = "reconnecting"; };
}
ME.ready.then(connect);
