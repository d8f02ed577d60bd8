"use strict";
document.getElementById("login").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const msg = document.getElementById("msg");
  msg.className = "msg wait"; msg.textContent = "Checking…";
  const next = new URLSearchParams(location.search).get("next") || "";
  try {
    const r = await fetch("/api/login", {method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({username: document.getElementById("username").value.trim().toLowerCase(),
        password: document.getElementById("password").value, next})});
    const data = await r.json();
    if (!r.ok) throw new Error(data.error || r.statusText);
    location.href = data.next;
  } catch (e) {
    msg.className = "msg err"; msg.textContent = e.message;
  }
});
