/**
 * The volunteer station page (Dutch labels; docs/stations.md has the English). It holds no data:
 * everything arrives over the authenticated API, so the page itself is served without a token.
 * Script and style are separate routes so the Content-Security-Policy needs no 'unsafe-inline'.
 */
export const STATION_PAGE_HTML = `<!doctype html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Station</title>
<link rel="stylesheet" href="/station.css">
<script src="/station.js" defer></script>
</head>
<body>
<header>
  <h1>Station</h1>
  <p id="connection" class="connection" role="status">Niet verbonden</p>
</header>
<main>
  <section id="login" aria-labelledby="login-title" hidden>
    <h2 id="login-title">Aanmelden</h2>
    <form id="login-form">
      <label for="token-input">Stationcode</label>
      <input id="token-input" name="token" type="password" autocomplete="off" required minlength="16">
      <button type="submit">Aanmelden</button>
      <p id="login-error" class="error" role="alert"></p>
    </form>
  </section>

  <section id="ringing" aria-labelledby="ringing-title" hidden>
    <h2 id="ringing-title">Binnenkomend contact</h2>
    <div id="ringing-current" class="ringing-card"></div>
    <ul id="ringing-others" class="contact-list"></ul>
  </section>

  <section id="no-contacts" hidden>
    <p>Geen binnenkomend contact.</p>
  </section>

  <section id="wrap-ups" aria-labelledby="wrap-ups-title" hidden>
    <h2 id="wrap-ups-title">Nog te registreren</h2>
    <ul id="wrap-up-list" class="contact-list"></ul>
  </section>

  <p id="announcer" class="visually-hidden" aria-live="assertive" aria-atomic="true"></p>
</main>
<footer>
  <button id="logout" type="button" hidden>Afmelden</button>
</footer>
</body>
</html>
`;

export const STATION_PAGE_STYLE = `:root {
  color-scheme: light dark;
  --accent: #b3261e;
  --muted: #5f6368;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  line-height: 1.4;
}
body { margin: 0 auto; max-width: 48rem; padding: 1rem; }
header { display: flex; justify-content: space-between; align-items: baseline; gap: 1rem; }
h1 { font-size: 1.25rem; margin: 0; }
.connection { color: var(--muted); margin: 0; }
.connection.online { color: inherit; }
.ringing-card {
  border: 3px solid var(--accent);
  border-radius: 0.75rem;
  padding: 1.25rem;
  margin-bottom: 1rem;
}
.reference {
  font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
  font-size: clamp(2.5rem, 10vw, 4.5rem);
  font-weight: 700;
  letter-spacing: 0.08em;
  margin: 0;
}
.history { font-size: 1.5rem; margin: 0.25rem 0; }
.moderation {
  font-size: 1.5rem;
  font-weight: 700;
  margin: 0.25rem 0;
  padding: 0.25rem 0.75rem;
  border-left: 0.5rem solid var(--accent);
  color: var(--accent);
}
.moderation.unknown { border-left-color: var(--muted); color: inherit; }
.time-out { display: flex; gap: 1rem; align-items: center; margin-top: 0.5rem; }
.time-out-result { margin: 0; }
.time-out-result.error { color: var(--accent); }
.meta { color: var(--muted); margin: 0; }
.contact-list { list-style: none; padding: 0; }
.contact-list > li { border: 1px solid var(--muted); border-radius: 0.5rem; padding: 0.75rem; margin-bottom: 0.75rem; }
.contact-list .reference { font-size: 1.5rem; }
form.wrap-up { display: grid; grid-template-columns: max-content 1fr; gap: 0.5rem 1rem; align-items: center; margin-top: 0.5rem; }
form.wrap-up button, form.wrap-up .result { grid-column: 1 / -1; }
label { font-weight: 600; }
input, select, button { font: inherit; padding: 0.4rem 0.6rem; }
button { cursor: pointer; }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.error { color: var(--accent); }
.visually-hidden {
  position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap;
}
@media (prefers-reduced-motion: no-preference) {
  .ringing-card:not(.live) { animation: ring 1.2s ease-in-out infinite alternate; }
  @keyframes ring { from { box-shadow: 0 0 0 0 transparent; } to { box-shadow: 0 0 0 0.5rem color-mix(in srgb, var(--accent) 35%, transparent); } }
}
`;
