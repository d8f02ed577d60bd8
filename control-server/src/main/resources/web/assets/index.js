"use strict";
startClock();
async function load() {
  const root = document.getElementById("sites");
  try {
    const res = await fetch("/api/lines");
    const data = await res.json();
    root.replaceChildren();
    if (data.lines.length === 0) {
      root.append(el("p", {class: "muted"}, "No line has reported yet. Start an edge agent pointed at this server's MQTT broker."));
      return;
    }
    const bySite = {};
    for (const l of data.lines) (bySite[l.site] = bySite[l.site] || []).push(l);
    for (const [site, lines] of Object.entries(bySite)) {
      root.append(el("h2", {}, site));
      const cards = el("div", {class: "cards"});
      for (const l of lines) {
        const state = l.devices === 0 ? "offline" : l.online === l.devices ? "online" : l.online === 0 ? "offline" : "partial";
        cards.append(el("a", {class: "card", href: `/lines/${encodeURIComponent(l.site)}/${encodeURIComponent(l.line)}`},
          el("div", {class: "name"}, l.line),
          el("span", {class: "badge " + state}, `${state} · ${l.online}/${l.devices}`),
          el("div", {class: "stat"}, "Rejections last minute", el("b", {}, l.lastMinute)),
          el("div", {class: "stat"}, "Last seen", el("b", {}, l.lastSeen ? hhmmss(l.lastSeen) : "–"))));
      }
      root.append(cards);
    }
  } catch (e) {
    root.replaceChildren(el("p", {class: "muted"}, "Cannot reach the server: " + e));
  }
}
load();
setInterval(load, 5000);
