"use strict";
api("/api/openapi.json").then(d => {
  const rows = [];
  for (const [p, ops] of Object.entries(d.paths)) for (const [m, o] of Object.entries(ops))
    rows.push(el("tr", {}, el("td", {class: "mono"}, m.toUpperCase()), el("td", {class: "mono"}, p), el("td", {}, o.summary),
      el("td", {class: "muted"}, o.description.replace("Roles: ", ""))));
  document.getElementById("ops").replaceChildren(...rows);
});
