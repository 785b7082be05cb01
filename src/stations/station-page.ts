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
<script src="/station-chat.js" defer></script>
<script src="/station-mail.js" defer></script>
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

  <section id="chat" class="panel" aria-labelledby="chat-title" hidden>
    <h2 id="chat-title">Chat</h2>
    <h3 id="chat-queue-title">Wachtrij</h3>
    <ul id="chat-queue" class="contact-list" aria-labelledby="chat-queue-title"></ul>
    <p id="chat-queue-empty" class="meta">Niemand in de wachtrij.</p>
    <p id="chat-queue-status" class="status" role="status"></p>
    <nav id="chat-mine" aria-label="Mijn chats" hidden></nav>
    <article id="chat-conversation" class="conversation" aria-labelledby="chat-conversation-title" hidden>
      <h3 id="chat-conversation-title" tabindex="-1"></h3>
      <div id="chat-conversation-info"></div>
      <div id="chat-lines" class="lines" role="log" aria-label="Berichten"></div>
      <p class="hint">Gemarkeerd: mogelijk een persoonlijk gegeven. Verwijder het, of selecteer zelf tekst in een bericht.</p>
      <button id="chat-redact-selection" type="button">Geselecteerde tekst verwijderen</button>
      <p id="chat-status" class="status" role="status"></p>
      <form id="chat-send-form" class="compose" aria-label="Bericht aan de beller">
        <label for="chat-message">Bericht</label>
        <textarea id="chat-message" name="text" rows="3" maxlength="10000" required></textarea>
        <button type="submit">Versturen</button>
      </form>
      <button id="chat-close" type="button">Gesprek afsluiten</button>
    </article>
  </section>

  <section id="mail" class="panel" aria-labelledby="mail-title" hidden>
    <h2 id="mail-title">E-mail</h2>
    <ul id="mail-threads" class="contact-list" aria-labelledby="mail-title"></ul>
    <p id="mail-empty" class="meta">Geen e-mail die wacht.</p>
    <article id="mail-thread" class="conversation" aria-labelledby="mail-thread-title" hidden>
      <h3 id="mail-thread-title" tabindex="-1"></h3>
      <div id="mail-thread-info"></div>
      <ol id="mail-messages" class="lines"></ol>
      <form id="mail-answer-form" class="compose" aria-label="Antwoord op deze e-mail">
        <label for="mail-answer">Antwoord</label>
        <textarea id="mail-answer" name="text" rows="6" maxlength="10000" required></textarea>
        <button type="submit">Versturen</button>
      </form>
      <p id="mail-status" class="status" role="status"></p>
      <button id="mail-resend" type="button" hidden>Opnieuw versturen</button>
      <button id="mail-close" type="button">Afsluiten</button>
    </article>
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
/* The hidden attribute must win over the display rules below. */
[hidden] { display: none !important; }
.panel { border-top: 1px solid var(--muted); margin-top: 1.5rem; }
.panel .reference { font-size: 1.5rem; }
.conversation { border: 2px solid var(--muted); border-radius: 0.75rem; padding: 1rem; margin-top: 1rem; }
.conversation > button { margin: 0.5rem 0.5rem 0.5rem 0; }
#chat-mine { display: flex; flex-wrap: wrap; gap: 0.5rem; margin-top: 1rem; }
#chat-mine button[aria-pressed="true"] { font-weight: 700; outline: 2px solid var(--accent); }
.lines { list-style: none; padding: 0; max-height: 28rem; overflow-y: auto; }
.line { border-radius: 0.5rem; padding: 0.5rem 0.75rem; margin: 0.5rem 0; border: 1px solid var(--muted); }
.line.volunteer, .line.out { margin-left: 3rem; }
.line.caller, .line.in { margin-right: 3rem; border-left: 0.4rem solid var(--muted); }
.line-text { white-space: pre-wrap; overflow-wrap: anywhere; margin: 0.25rem 0; }
.line-actions { display: flex; flex-wrap: wrap; gap: 0.5rem; }
.note { font-style: italic; }
.line.undelivered { border-color: var(--accent); }
mark { background: #ffe08a; color: #000; padding: 0 0.1em; border-radius: 0.2em; outline: 1px dashed #7a5b00; }
.compose { display: grid; gap: 0.5rem; margin-top: 0.5rem; }
.compose button { justify-self: start; }
textarea { font: inherit; padding: 0.4rem 0.6rem; width: 100%; box-sizing: border-box; }
.hint { color: var(--muted); font-size: 0.9rem; margin: 0.25rem 0; }
.status { margin: 0.25rem 0; min-height: 1.4em; }
.visually-hidden {
  position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap;
}
@media (prefers-reduced-motion: no-preference) {
  .ringing-card:not(.live) { animation: ring 1.2s ease-in-out infinite alternate; }
  @keyframes ring { from { box-shadow: 0 0 0 0 transparent; } to { box-shadow: 0 0 0 0.5rem color-mix(in srgb, var(--accent) 35%, transparent); } }
}
`;
