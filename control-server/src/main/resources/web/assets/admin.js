"use strict";
async function loadUsers() {
  const d = await api("/api/users");
  const sel = document.getElementById("u-role");
  if (!sel.options.length) for (const r of d.roles) sel.append(el("option", {value: r}, r));
  const tb = document.getElementById("users");
  tb.replaceChildren(...d.users.map(u => {
    const toggle = el("button", {class: "btn small" + (u.disabled ? "" : " danger"), type: "button"}, u.disabled ? "Enable" : "Disable");
    toggle.addEventListener("click", async () => {
      try { await api("/api/users/" + encodeURIComponent(u.username), "PUT", {disabled: !u.disabled}); load(); }
      catch (e) { say("u-msg", e.message, "err"); }
    });
    return el("tr", {}, el("td", {class: "mono"}, u.username), el("td", {}, u.displayName),
      el("td", {}, u.roles.join(", ")), el("td", {}, el("span", {class: "badge " + (u.disabled ? "offline" : "online")}, u.disabled ? "disabled" : "active")),
      el("td", {}, toggle));
  }));
}
async function loadTokens() {
  const d = await api("/api/me/tokens");
  document.getElementById("tokens").replaceChildren(...d.tokens.filter(t => !t.revoked).map(t => {
    const b = el("button", {class: "btn small danger", type: "button"}, "Revoke");
    b.addEventListener("click", async () => { await api("/api/me/tokens/" + encodeURIComponent(t.id), "DELETE"); loadTokens(); });
    return el("tr", {}, el("td", {}, t.name), el("td", {}, fmtTime(t.created)), el("td", {}, ago(t.lastUsed)), el("td", {}, b));
  }));
}
async function loadAudit() {
  const d = await api("/api/audit?limit=200");
  document.getElementById("audit").replaceChildren(...d.entries.map(a => el("tr", {},
    el("td", {class: "mono"}, fmtTime(a.at)), el("td", {}, a.username), el("td", {class: "mono"}, a.action),
    el("td", {}, a.target), el("td", {class: "muted"}, a.detail || ""))));
}
function load() { loadUsers(); loadTokens(); loadAudit(); }
document.getElementById("add").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  try {
    await api("/api/users", "POST", {username: document.getElementById("u-name").value.trim(),
      displayName: document.getElementById("u-display").value.trim(), roles: [document.getElementById("u-role").value],
      password: document.getElementById("u-pass").value});
    say("u-msg", "User added.", "ok"); ev.target.reset(); load();
  } catch (e) { say("u-msg", e.message, "err"); }
});
document.getElementById("tok").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  try {
    const t = await api("/api/me/tokens", "POST", {name: document.getElementById("t-name").value.trim()});
    say("t-msg", "Token (shown once): " + t.token, "ok"); loadTokens();
  } catch (e) { say("t-msg", e.message, "err"); }
});
ME.ready.then(load);
