'use strict';
document.getElementById('f').addEventListener('submit', async (e) => {
  e.preventDefault();
  const body = Object.fromEntries(new FormData(e.target));
  body.channel = 'web';
  const r = await fetch('/api/contact', {method: 'POST', headers: {'Content-Type': 'application/json'},
    body: JSON.stringify(body)});
  const j = await r.json();
  document.getElementById('done').textContent = r.ok
    ? 'Thank you. Your question is number ' + j.ticket.id + '; a person will answer it by e-mail.'
    : (j.error || 'Something went wrong.');
  if (r.ok) e.target.reset();
});
