"use strict";
function ackCell(a) {
  if (a.acknowledgedBy) return el("td", {class: "acked"}, el("span", {class: "badge acknowledged"}, "✓ " + a.acknowledgedBy));
  if (!canDo("operator", "engineer")) return el("td", {class: "muted"}, "not yet");
  const b = el("button", {class: "btn small primary ack", type: "button", "data-id": a.id}, "Acknowledge");
  b.addEventListener("click", async () => {
    b.disabled = true;
    try { await api(`/api/alarms/${encodeURIComponent(a.id)}/ack`, "POST", {}); say("msg", "Acknowledged.", "ok"); }
    catch (e) { say("msg", e.message, "err"); b.disabled = false; }
  });
  return el("td", {}, b);
}
function render(d) {
  document.getElementById("n-active").textContent = d.active.length;
  document.getElementById("n-unack").textContent = d.active.filter(a => !a.acknowledgedBy).length;
  document.getElementById("n-critical").textContent = d.active.filter(a => a.severity === "critical").length;
  const act = document.getElementById("active");
  act.replaceChildren(...(d.active.length ? d.active.map(a => el("tr", {class: "raised", "data-id": a.id},
    el("td", {class: "mono"}, fmtTime(a.time)), el("td", {}, el("span", {class: "badge " + a.severity}, a.severity)),
    el("td", {}, a.site + " / " + a.line), el("td", {class: "mono"}, a.device), el("td", {class: "mono"}, a.cause),
    el("td", {}, a.message), ackCell(a))) : [el("tr", {}, el("td", {colspan: 7, class: "muted"}, "No active alarm. All clear."))]));
  document.getElementById("history").replaceChildren(...d.history.map(a => el("tr", {},
    el("td", {class: "mono"}, fmtTime(a.time)), el("td", {}, el("span", {class: "badge " + a.state}, a.state)),
    el("td", {}, el("span", {class: "badge " + a.severity}, a.severity)), el("td", {}, a.site + " / " + a.line),
    el("td", {class: "mono"}, a.device), el("td", {class: "mono"}, a.cause), el("td", {}, a.message),
    el("td", {}, a.acknowledgedBy ? `${a.acknowledgedBy} · ${fmtTime(a.acknowledgedAt)}` : ""))));
}
ME.ready.then(() => {
  const live = document.getElementById("live"), text = document.getElementById("live-text");
  const es = new EventSource("/api/alarms/live");
  es.addEventListener("snapshot", ev => { render(JSON.parse(ev.data)); live.className = "live on"; text.textContent = "live"; });
  es.onerror = () => { live.className = "live off"; text.textContent = "reconnecting"; };
});
