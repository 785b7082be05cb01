/**
 * The coordinator page (Dutch labels; docs/coordinator.md has the English). Like the station page it
 * holds no data and is served without a session: everything arrives over the cookie-authenticated
 * API. Each section names the capability it needs in `data-capability`; the script shows only those
 * the logged-in role has (a technician sees Status alone). Script and style are separate routes so
 * the Content-Security-Policy needs no 'unsafe-inline'.
 */
export function coordinatorPageHtml(parts: { readonly transcripts: boolean; readonly update?: boolean }): string {
  return `<!doctype html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Coördinatie</title>
<link rel="stylesheet" href="/coordinator.css">
<script src="/coordinator.js" defer></script>
${parts.transcripts ? '<script src="/coordinator-transcripts.js" defer></script>\n' : ''}${parts.update ? '<script src="/coordinator-update.js" defer></script>\n' : ''}</head>
<body>
<header>
  <h1>Coördinatie</h1>
  <p id="who" class="who" role="status"></p>
  <button id="logout" type="button" hidden>Afmelden</button>
</header>
<main>
  <section id="login" aria-labelledby="login-title" hidden>
    <h2 id="login-title">Aanmelden</h2>
    <form id="login-form" class="grid">
      <label for="login-account">Account</label>
      <input id="login-account" name="accountId" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required maxlength="64">
      <label for="login-password">Wachtwoord</label>
      <input id="login-password" name="password" type="password" autocomplete="current-password" required>
      <button type="submit">Aanmelden</button>
      <p id="login-error" class="error" role="alert"></p>
    </form>
  </section>

  <nav id="tabs" aria-label="Onderdelen" hidden></nav>
  <p id="no-access" hidden>Dit account heeft op deze pagina niets te doen. Gebruik de stationpagina.</p>

  <section id="section-supervision" class="panel" data-capability="listen-along" data-title="Meeluisteren" hidden>
    <h2>Meeluisteren</h2>
    <p>Je eigen toestel gaat over; neem op om mee te luisteren. De beller hoort je nooit; met fluisteren hoort de vrijwilliger je. Er wordt niets opgenomen; elke keer meeluisteren staat in het auditlog.</p>
    <form id="supervision-desk-form" class="grid">
      <label for="supervision-desk">Mijn toestel</label>
      <select id="supervision-desk" name="desk"></select>
    </form>
    <p id="supervision-result" class="result" role="status"></p>
    <h3>Ik luister mee</h3>
    <ul id="supervision-sessions" class="items"></ul>
    <h3>Gesprekken per station</h3>
    <p class="who">Vernieuwt elke paar seconden.</p>
    <ul id="supervision-calls" class="items"></ul>
  </section>

  <section id="section-requests" class="panel" data-capability="rights.manage" data-title="Verzoeken" hidden>
    <h2>Verzoeken van bellers</h2>
    <form id="request-form" class="grid">
      <label for="request-kind">Soort</label>
      <select id="request-kind" name="kind" required>
        <option value="access">Inzage / kopie</option>
        <option value="erasure">Verwijderen</option>
        <option value="objection">Bezwaar</option>
      </select>
      <label for="request-channel">Kanaal</label>
      <select id="request-channel" name="channel" required>
        <option value="phone">Telefoon</option>
        <option value="chat">Chat</option>
        <option value="mail">E-mail</option>
      </select>
      <label for="request-supplied">Opgegeven door de persoon</label>
      <input id="request-supplied" name="supplied" type="text" autocomplete="off" spellcheck="false" required maxlength="320">
      <label for="request-received">Ontvangen op (leeg: nu)</label>
      <input id="request-received" name="receivedAt" type="date">
      <button type="submit">Verzoek registreren</button>
      <p id="request-result" class="result" role="status"></p>
    </form>
    <h3>Openstaande en afgehandelde verzoeken</h3>
    <p id="request-alerts" class="alerts"></p>
    <ul id="request-list" class="items"></ul>
  </section>

  <section id="section-disclosures" class="panel" data-capability="disclosure.approve" data-title="Doorbreken geheimhouding" hidden>
    <h2>Doorbreken van de geheimhouding</h2>
    <p>Alleen als anderen in gevaar zijn. Een tweede coördinator moet goedkeuren; elke stap staat in het auditlog.</p>
    <form id="disclosure-form" class="grid">
      <label for="disclosure-reference">Contactreferentie</label>
      <input id="disclosure-reference" name="reference" type="text" autocomplete="off" spellcheck="false" required maxlength="16">
      <label for="disclosure-reason">Reden (minstens 30 tekens, zonder nummer of adres)</label>
      <textarea id="disclosure-reason" name="reason" required minlength="30" maxlength="2000" rows="3"></textarea>
      <button type="submit">Aanvragen</button>
      <p id="disclosure-result" class="result" role="status"></p>
    </form>
    <div id="revealed" class="revealed" hidden>
      <p>Nummer of adres bij <span id="revealed-reference"></span>:</p>
      <p id="revealed-value" class="revealed-value"></p>
      <button id="revealed-hide" type="button">Verbergen</button>
    </div>
    <h3>Wachten op een tweede coördinator</h3>
    <ul id="disclosure-list" class="items"></ul>
  </section>
${parts.transcripts ? TRANSCRIPTS_SECTION : ''}
  <section id="section-moderation" class="panel" data-capability="moderation.block" data-title="Moderatie" hidden>
    <h2>Moderatie: Time Outs en blokkades</h2>
    <p id="moderation-policy"></p>
    <p id="moderation-result" class="result" role="status"></p>
    <ul id="moderation-list" class="items"></ul>
    <h3>Beller blokkeren</h3>
    <form id="block-form" class="grid">
      <label for="block-reference">Contactreferentie</label>
      <input id="block-reference" name="reference" type="text" autocomplete="off" spellcheck="false" required maxlength="16">
      <label for="block-reason">Reden (minstens 20 tekens, zonder nummer of adres)</label>
      <textarea id="block-reason" name="reason" required minlength="20" maxlength="1000" rows="3"></textarea>
      <button type="submit">Blokkeren</button>
    </form>
  </section>

  <section id="section-incidents" class="panel" data-capability="incidents.manage" data-title="Incidenten" hidden>
    <h2>Incidenten</h2>
    <ul id="incident-list" class="items"></ul>
    <h3>Incident melden</h3>
    <form id="incident-form" class="grid">
      <label for="incident-kind">Soort</label>
      <select id="incident-kind" name="kind">
        <option value="data-breach">Datalek</option>
        <option value="tamper">Geknoei aan het kastje</option>
        <option value="other">Anders</option>
      </select>
      <label for="incident-severity">Ernst</label>
      <select id="incident-severity" name="severity">
        <option value="low">Laag</option>
        <option value="medium" selected>Middel</option>
        <option value="high">Hoog</option>
        <option value="critical">Kritiek</option>
      </select>
      <label for="incident-summary">Wat is er gebeurd (zonder nummers of adressen)</label>
      <textarea id="incident-summary" name="summary" required maxlength="2000" rows="3"></textarea>
      <button type="submit">Melden</button>
      <p id="incident-result" class="result" role="status"></p>
    </form>
  </section>

  <section id="section-audit" class="panel" data-capability="audit.read" data-title="Auditlog" hidden>
    <h2>Auditlog</h2>
    <button id="audit-verify" type="button">Keten controleren</button>
    <p id="audit-verification" class="result" role="status"></p>
    <table>
      <thead><tr><th>#</th><th>Tijd</th><th>Wie</th><th>Actie</th><th>Betreft</th><th>Details</th></tr></thead>
      <tbody id="audit-list"></tbody>
    </table>
  </section>

  <section id="section-retention" class="panel" data-capability="audit.read" data-title="Bewaartermijnen" hidden>
    <h2>Bewaartermijnen</h2>
    <p id="retention-zone"></p>
    <ul id="retention-list" class="items"></ul>
  </section>

  <section id="section-accounts" class="panel" data-capability="accounts.manage" data-title="Accounts" hidden>
    <h2>Accounts</h2>
    <ul id="account-list" class="items"></ul>
    <h3>Account aanmaken</h3>
    <form id="account-form" class="grid">
      <label for="account-id">Account</label>
      <input id="account-id" name="id" type="text" autocomplete="off" autocapitalize="none" spellcheck="false" required maxlength="64">
      <label for="account-role">Rol</label>
      <select id="account-role" name="role"></select>
      <label for="account-password">Wachtwoord (minstens 12 tekens)</label>
      <input id="account-password" name="password" type="password" autocomplete="new-password" required minlength="12">
      <button type="submit">Aanmaken</button>
      <p id="account-result" class="result" role="status"></p>
    </form>
  </section>

  <section id="section-status" class="panel" data-capability="health.read" data-title="Status" hidden>
    <h2>Status</h2>
    <p>Firmwareversie: <strong id="status-version"></strong></p>
    <p id="status-overall"></p>
    <ul id="status-checks" class="items"></ul>
    <h3>Gezondheid van het kastje</h3>
    <ul id="status-report" class="items"></ul>
  </section>

${parts.update ? UPDATE_SECTION : ''}
  <p id="announcer" class="visually-hidden" aria-live="polite" aria-atomic="true"></p>
</main>
</body>
</html>
`;
}

/**
 * Chatgesprekken (P6, P8, P9): closed chats, one transcript with "IP-adres tonen" where the preset
 * allows it, and training fragments (draft, review, save). Filled by coordinator-transcript-script.ts.
 */
const TRANSCRIPTS_SECTION = `  <section id="section-transcripts" class="panel" data-capability="transcripts.read" data-title="Chatgesprekken" hidden>
    <h2>Chatgesprekken</h2>
    <p id="transcripts-policy"></p>
    <p id="transcripts-result" class="result" role="status"></p>
    <ul id="transcripts-list" class="items"></ul>
    <div id="transcript-view" class="transcript-view" hidden>
      <h3>Gesprek <span id="transcript-reference" class="reference"></span></h3>
      <p id="transcript-times"></p>
      <div class="actions">
        <button id="transcript-address-show" type="button" hidden>IP-adres tonen</button>
        <button id="transcript-close" type="button">Sluiten</button>
      </div>
      <div id="transcript-address" class="revealed" hidden>
        <p>IP-adres van de chatter (alleen voor jou; staat in het auditlog):</p>
        <p id="transcript-address-value" class="revealed-value"></p>
        <button id="transcript-address-hide" type="button">Verbergen</button>
      </div>
      <p id="transcript-fragment-hint" hidden>Vink regels aan om er een fragment voor de opleiding van te maken.</p>
      <ol id="transcript-lines" class="transcript"></ol>
      <button id="fragment-draft" type="button" hidden disabled>Fragment maken van de gekozen regels</button>
    </div>
    <div id="fragment-review" class="fragment-review" hidden>
      <h3>Fragment nakijken</h3>
      <p>Namen en nicknames, plaatsen, data en leeftijden zijn vervangen; andere gegevens zijn verwijderd. Lees alles na en pas aan waar nodig: pas na bewaren wordt het fragment opgeslagen.</p>
      <p id="fragment-replaced" class="who"></p>
      <form id="fragment-form" class="grid">
        <label for="fragment-title">Titel</label>
        <input id="fragment-title" name="title" type="text" autocomplete="off" required maxlength="120">
        <label for="fragment-text">Tekst</label>
        <textarea id="fragment-text" name="text" required rows="10" maxlength="20000"></textarea>
        <button type="submit">Fragment bewaren</button>
        <button id="fragment-discard" type="button">Weggooien</button>
        <p id="fragment-result" class="result" role="status"></p>
      </form>
    </div>
    <div id="fragments" hidden>
      <h3>Bewaarde fragmenten</h3>
      <ul id="fragment-list" class="items"></ul>
    </div>
  </section>
`;

/**
 * Update (technicians, issue 7): versions, the trial, the floor, the last result, and the upload of
 * a signed bundle from the laptop (maintenance mode only). Filled by coordinator-update-script.ts.
 */
const UPDATE_SECTION = `  <section id="section-update" class="panel" data-capability="update.apply" data-title="Update" hidden>
    <h2>Update</h2>
    <dl class="facts">
      <dt>Vastgelegde versie</dt><dd id="update-committed"></dd>
      <dt>Draait nu</dt><dd id="update-running"></dd>
      <dt>Op proef</dt><dd id="update-trial"></dd>
      <dt>Versievloer</dt><dd id="update-floor"></dd>
      <dt>Hardware</dt><dd id="update-hardware"></dd>
      <dt>Onderhoudsstand</dt><dd id="update-maintenance"></dd>
      <dt>Laatste resultaat</dt><dd id="update-last"></dd>
    </dl>
    <p id="update-progress" class="result" role="status"></p>
    <h3>Bundel uploaden</h3>
    <p>Alleen in de onderhoudsstand: houd de knop op het kastje 3 seconden ingedrukt. Een bundel van een USB-stick installeer je met <code>helpline-gateway update apply</code>.</p>
    <form id="update-form" class="grid">
      <label for="update-file">Bundel (.hgwb)</label>
      <input id="update-file" name="bundle" type="file" accept=".hgwb,application/octet-stream" required>
      <button type="submit">Uploaden en controleren</button>
      <p id="update-result" class="result" role="status"></p>
    </form>
  </section>
`;

/** The page without the sections of optional parts. */
export const COORDINATOR_PAGE_HTML = coordinatorPageHtml({ transcripts: false });

export const COORDINATOR_PAGE_STYLE = `:root {
  color-scheme: light dark;
  --accent: #b3261e;
  --warn: #a15c00;
  --muted: #5f6368;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  line-height: 1.4;
}
body { margin: 0 auto; max-width: 64rem; padding: 1rem; }
header { display: flex; justify-content: space-between; align-items: baseline; gap: 1rem; flex-wrap: wrap; }
h1 { font-size: 1.25rem; margin: 0; }
.who { color: var(--muted); margin: 0; }
nav { display: flex; gap: 0.25rem; flex-wrap: wrap; border-bottom: 2px solid var(--muted); margin: 1rem 0; }
nav button { border: 1px solid var(--muted); border-bottom: none; border-radius: 0.4rem 0.4rem 0 0; background: none; }
nav button[aria-selected="true"] { background: var(--accent); color: white; }
.grid { display: grid; grid-template-columns: max-content 1fr; gap: 0.5rem 1rem; align-items: center; max-width: 48rem; }
.grid button, .grid .result, .grid .error { grid-column: 1 / -1; justify-self: start; }
.items { list-style: none; padding: 0; }
.items > li { border: 1px solid var(--muted); border-radius: 0.5rem; padding: 0.75rem; margin-bottom: 0.75rem; }
.items .actions { display: flex; flex-wrap: wrap; gap: 0.5rem; margin-top: 0.5rem; align-items: center; }
.reference { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-weight: 700; letter-spacing: 0.05em; }
.badge { display: inline-block; border-radius: 1rem; padding: 0 0.6rem; margin-left: 0.5rem; font-size: 0.85rem; font-weight: 600; color: white; }
.badge.overdue { background: var(--accent); }
.badge.nearly-due { background: var(--warn); }
.revealed { border: 3px solid var(--accent); border-radius: 0.75rem; padding: 1rem; margin: 1rem 0; }
.revealed-value { font-family: ui-monospace, monospace; font-size: 2rem; font-weight: 700; margin: 0.25rem 0; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { text-align: left; border-bottom: 1px solid var(--muted); padding: 0.25rem 0.5rem; vertical-align: top; }
label { font-weight: 600; }
input, select, button, textarea { font: inherit; padding: 0.4rem 0.6rem; }
button { cursor: pointer; }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.error { color: var(--accent); }
.ok { color: inherit; }
.transcript { padding-left: 0; list-style: none; }
.transcript > li { display: grid; grid-template-columns: auto max-content 1fr; gap: 0.25rem 0.75rem; padding: 0.35rem 0; border-bottom: 1px solid var(--muted); }
.transcript .author { font-weight: 600; }
.transcript .gone { color: var(--muted); font-style: italic; }
.fragment-review textarea { width: 100%; box-sizing: border-box; }
.fragment-text { white-space: pre-wrap; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; }
.facts dt { font-weight: 600; }
.facts dd { margin: 0; }
.visually-hidden {
  position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap;
}
`;
