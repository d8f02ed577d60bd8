"use strict";
// The line page's lot control: shows the current lot, sets a new one (set-lot to the line's devices).
(function () {
  const [, , site, line] = location.pathname.split("/").map(decodeURIComponent);
  const base = `/api/lines/${encodeURIComponent(site)}/${encodeURIComponent(line)}`;
  const input = document.getElementById("lot"), msg = document.getElementById("lot-msg");
  let csrf = null;
  fetch("/api/me").then(r => r.ok ? r.json() : null).then(me => { csrf = me && me.csrf; });
  fetch(base + "/lots").then(r => r.ok ? r.json() : {lots: []}).then(d => { if (d.lots && d.lots.length) input.value = d.lots[0].lot; });
  document.getElementById("lot-form").addEventListener("submit", async ev => {
    ev.preventDefault();
    msg.className = "muted"; msg.textContent = "sending…";
    const headers = {"Content-Type": "application/json"};
    if (csrf) headers["X-CSRF-Token"] = csrf;
    try {
      const r = await fetch(base + "/lot", {method: "POST", headers, body: JSON.stringify({lot: input.value.trim()})});
      const d = await r.json();
      if (!r.ok) throw new Error(d.error || (d.devices || []).map(x => `${x.device}: ${x.state} ${x.reason || ""}`).join("; "));
      msg.className = "ok"; msg.textContent = "✓ set";
    } catch (e) { msg.className = "err"; msg.textContent = e.message; }
  });
})();
