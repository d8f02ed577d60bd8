"use strict";
let linesLoaded = false;
function cardOf(it) {
  const img = it.hasCrop
    ? el("img", {src: `/api/gallery/${encodeURIComponent(it.id)}/crop.jpg`, alt: pretty(it.cls), loading: "lazy"})
    : el("div", {class: "ph"}, el("div", {style: "font-size:2.4rem"}, "▣"), "no crop uploaded");
  const tag = el("span", {class: "cls"}, pretty(it.cls));
  tag.style.background = colorOf(it.cls);
  const btn = el("button", {class: "btn small" + (it.markedBy ? "" : " danger"), type: "button"},
    it.markedBy ? "Unmark" : "False rejection");
  btn.addEventListener("click", async () => {
    try {
      const r = await api(`/api/gallery/${encodeURIComponent(it.id)}/false-rejection`, it.markedBy ? "DELETE" : "POST");
      c.replaceWith(cardOf(r));
    } catch (e) { say("msg", e.message, "err"); }
  });
  const c = el("article", {class: "crop" + (it.markedBy ? " marked" : ""), "data-id": it.id},
    el("div", {class: "img"}, img, tag),
    el("div", {class: "meta"},
      el("div", {}, "Confidence ", el("b", {}, (it.confidence * 100).toFixed(0) + "%")),
      el("div", {}, el("b", {}, fmtTime(it.time)), " · ", it.camera),
      el("div", {}, `${it.site} / ${it.line} · lanes `, el("b", {}, it.lanes.join(", ") || "–")),
      it.markedBy ? el("div", {style: "color:var(--warn)"}, "marked by " + it.markedBy) : el("div", {}, it.lot ? "lot " + it.lot : ""),
      canDo("operator", "engineer") ? btn : ""));
  return c;
}
async function load() {
  const line = document.getElementById("line").value, cls = document.getElementById("cls").value;
  const marked = document.getElementById("marked").value;
  const q = new URLSearchParams();
  if (line) { const [s, l] = line.split("/"); q.set("site", s); q.set("line", l); }
  if (cls) q.set("class", cls);
  if (marked) q.set("marked", marked);
  const exp = new URLSearchParams(); if (q.get("site")) { exp.set("site", q.get("site")); exp.set("line", q.get("line")); }
  document.getElementById("export").href = "/api/gallery/export.zip?" + exp;
  try {
    const d = await api("/api/gallery?" + q);
    const sel = document.getElementById("cls");
    if (sel.options.length === 1) for (const c of d.classes) sel.append(el("option", {value: c}, pretty(c)));
    if (!linesLoaded) {
      linesLoaded = true;
      const l = await api("/api/lines");
      for (const x of l.lines) document.getElementById("line").append(el("option", {value: x.site + "/" + x.line}, x.site + " / " + x.line));
    }
    const g = document.getElementById("gal");
    g.replaceChildren(...(d.items.length ? d.items.map(cardOf) : [el("p", {class: "muted"}, "Nothing rejected yet.")]));
  } catch (e) { say("msg", e.message, "err"); }
}
document.getElementById("filter").addEventListener("submit", ev => { ev.preventDefault(); load(); });
ME.ready.then(load);
