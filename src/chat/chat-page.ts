/**
 * The caller's chat page: Dutch, keyboard-only friendly, high contrast, no external resources, no
 * inline script or style (the CSP forbids both), no cookies, no storage. Paths are relative, so the
 * page works under any prefix the site's reverse proxy puts it on.
 */
export function chatPageHtml(maxMessageChars: number): string {
  if (!Number.isInteger(maxMessageChars) || maxMessageChars < 1) throw new TypeError('chatPageHtml: maxMessageChars must be a positive whole number');
  return `<!doctype html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Chat met een vrijwilliger</title>
<link rel="stylesheet" href="chat.css">
<script src="chat.js" defer></script>
</head>
<body>
<a class="skip" href="#bericht">Naar het berichtvak</a>
<main>
<h1>Chat met een vrijwilliger</h1>
<p id="intro">Je chat anoniem: de vrijwilliger ziet niet wie je bent. Noem liever geen namen, adressen, school of telefoonnummers.</p>
<p id="status" role="status" aria-live="polite">Je bent nog niet verbonden.</p>
<p id="notice" role="alert" aria-live="assertive"></p>
<button id="start" type="button">Start de chat</button>
<section aria-labelledby="gesprek-kop">
<h2 id="gesprek-kop">Gesprek</h2>
<ol id="messages" role="log" aria-live="polite" aria-relevant="additions" aria-label="Berichten in dit gesprek" tabindex="0"></ol>
</section>
<form id="composer" hidden>
<label for="bericht">Jouw bericht</label>
<textarea id="bericht" name="bericht" rows="4" maxlength="${maxMessageChars}" aria-describedby="hint" disabled></textarea>
<p id="hint">Enter verstuurt je bericht, Shift+Enter begint een nieuwe regel. Hoogstens ${maxMessageChars} tekens per bericht.</p>
<div class="actions">
<button id="send" type="submit" disabled>Verstuur</button>
<button id="leave" type="button" disabled>Chat beëindigen</button>
</div>
</form>
<noscript><p>Voor deze chat is JavaScript nodig.</p></noscript>
</main>
</body>
</html>
`;
}

export const CHAT_PAGE_STYLE = `:root { color-scheme: light dark; --fg: #000; --bg: #fff; --accent: #0b3d91; --mine: #e8eefc; --theirs: #f2f2f2; }
@media (prefers-color-scheme: dark) { :root { --fg: #fff; --bg: #000; --accent: #9cc3ff; --mine: #10264d; --theirs: #1f1f1f; } }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 1.125rem/1.5 system-ui, sans-serif; }
main { max-width: 42rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.5rem; margin: 0 0 0.5rem; }
h2 { font-size: 1.125rem; margin: 1rem 0 0.5rem; }
.skip { position: absolute; left: -100vw; }
.skip:focus { position: static; display: inline-block; padding: 0.5rem; background: var(--fg); color: var(--bg); }
#status { font-weight: 600; }
#notice { color: var(--fg); border-left: 0.35rem solid var(--accent); padding-left: 0.5rem; }
#notice:empty { display: none; }
#messages { list-style: none; margin: 0; padding: 0.5rem; min-height: 12rem; max-height: 60vh; overflow-y: auto; border: 2px solid var(--fg); }
#messages li { margin: 0.5rem 0; padding: 0.5rem 0.75rem; border: 1px solid var(--fg); border-radius: 0.25rem; max-width: 85%; }
#messages li.caller { margin-left: auto; background: var(--mine); }
#messages li.volunteer { background: var(--theirs); }
#messages .who { font-weight: 700; margin-right: 0.5rem; }
#messages .at { font-size: 0.875rem; }
#messages .text { margin: 0.25rem 0 0; white-space: pre-wrap; overflow-wrap: anywhere; }
label { display: block; font-weight: 700; margin-top: 1rem; }
textarea { width: 100%; font: inherit; color: var(--fg); background: var(--bg); border: 2px solid var(--fg); padding: 0.5rem; }
#hint { font-size: 0.9375rem; margin: 0.25rem 0; }
.actions { display: flex; gap: 0.75rem; flex-wrap: wrap; }
button { font: inherit; font-weight: 700; padding: 0.5rem 1rem; min-height: 2.75rem; color: var(--bg); background: var(--fg); border: 2px solid var(--fg); border-radius: 0.25rem; cursor: pointer; }
button#leave { color: var(--fg); background: var(--bg); }
button:disabled, textarea:disabled { opacity: 0.6; cursor: not-allowed; }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 3px; }
@media (forced-colors: active) { button, textarea, #messages, #messages li { border: 2px solid CanvasText; } }
`;
