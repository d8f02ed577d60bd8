"use strict";
document.getElementById("path").textContent = new URLSearchParams(location.search).get("path") || "this page";
ME.ready.then(u => { if (u) document.getElementById("home").href = u.home; });
