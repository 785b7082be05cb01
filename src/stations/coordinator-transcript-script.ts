/**
 * The Chatgesprekken section of the coordinator page (P6, P8, P9), served as
 * /coordinator-transcripts.js beside the page script (CSP 'self', no inline code). It runs on its
 * own: it loads when the page script shows the section and forgets what it showed (the IP address
 * above all) when the section is hidden or the coordinator logs out. It asks the session for the
 * CSRF token itself. Every server value is placed with textContent, never as markup.
 */
export const COORDINATOR_TRANSCRIPT_SCRIPT = String.raw`'use strict';
(() => {
  const section = document.getElementById('section-transcripts');
  if (!section) return;

  const REFUSALS = {
    forbidden: 'Geen toegang: alleen coördinatoren, en alleen waar de privacyverklaring het toelaat.',
    'unknown-chat': 'Geen chat met deze referentie.',
    'chat-open': 'Deze chat loopt nog; lezen kan pas na afloop.',
    'outside-retention': 'Dit wordt niet meer bewaard: de bewaartermijn is voorbij.',
    'no-address': 'Bij deze chat is geen IP-adres bewaard.',
    'bad-lines': 'Kies leesbare regels uit dit gesprek (hoogstens 200).',
    'unknown-draft': 'Dit concept bestaat niet meer (bewaard, weggegooid of verlopen). Maak het fragment opnieuw.',
    'unknown-fragment': 'Dit fragment bestaat niet meer.',
    'invalid-title': 'Geef een titel van 1 tot 120 tekens.',
    'invalid-text': 'De tekst mag niet leeg zijn en telt hoogstens 20.000 tekens.',
  };
  const PII_WORDS = {
    PHONE: 'een telefoonnummer',
    EMAIL: 'een e-mailadres',
    URL: 'een webadres',
    IP: 'een IP-adres',
    IBAN: 'een rekeningnummer',
    BSN: 'een BSN',
    RRN: 'een rijksregisternummer',
    IDENTIFIER: 'een nummer of adres in de titel',
  };
  const AUTHORS = { caller: 'Chatter', volunteer: 'Vrijwilliger' };

  let csrfToken = null;
  let features = null;
  let openReference = null;
  let draftId = null;

  const byId = (id) => document.getElementById(id);

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function button(text, onClick) {
    const node = element('button', '', text);
    node.type = 'button';
    node.addEventListener('click', onClick);
    return node;
  }

  function dateTime(ms) {
    return ms === null || ms === undefined ? '–' : new Date(ms).toLocaleString('nl-NL', { dateStyle: 'medium', timeStyle: 'short' });
  }

  function show(id, text, isError) {
    const node = byId(id);
    node.textContent = text;
    node.className = isError ? 'result error' : 'result ok';
  }

  class ApiError extends Error {
    constructor(status, body) {
      super(body && body.message ? body.message : 'HTTP ' + status);
      this.status = status;
      this.reason = body && body.reason;
      this.found = body && Array.isArray(body.found) ? body.found : [];
    }
  }

  function failure(error) {
    if (error instanceof ApiError) {
      if (error.reason === 'holds-pii') {
        return 'Niet bewaard: het fragment bevat nog ' + error.found.map((type) => PII_WORDS[type] || type).join(', ') + '. Haal dat weg en bewaar opnieuw.';
      }
      if (error.reason && REFUSALS[error.reason]) return 'Niet gelukt: ' + REFUSALS[error.reason];
      if (error.status === 401) return 'Niet gelukt: meld opnieuw aan.';
      return 'Niet gelukt: ' + error.message;
    }
    return 'Niet gelukt: geen verbinding met het kastje.';
  }

  async function refreshSession() {
    const response = await fetch('/api/v1/session', { credentials: 'same-origin', cache: 'no-store' });
    csrfToken = response.ok ? (await response.json()).csrfToken : null;
  }

  async function json(method, path, body) {
    const headers = {};
    if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
    const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
    return response.status === 204 ? null : response.json();
  }

  // ---- the list ----

  async function load() {
    try {
      await refreshSession();
      const data = await json('GET', '/api/v1/transcripts');
      features = data.features;
      byId('transcripts-policy').textContent =
        'Afgesloten chats van de laatste ' + features.retentionMonths + ' maanden; ouder wordt niet bewaard.' +
        (features.chatIpVisible ? ' Het IP-adres van een chat zie je pas na afloop, op aanvraag; dat staat in het auditlog.' : ' Het IP-adres van een chat is voor niemand zichtbaar.');
      const list = byId('transcripts-list');
      list.replaceChildren(...(data.chats.length === 0 ? [element('li', '', 'Geen afgesloten chats.')] : data.chats.map(chatItem)));
      byId('fragments').hidden = !features.trainingFragments;
      if (features.trainingFragments) await loadFragments();
    } catch (error) {
      show('transcripts-result', failure(error), true);
    }
  }

  function chatItem(chat) {
    const item = element('li');
    item.dataset.reference = chat.reference;
    const title = element('p');
    title.append(element('span', 'reference', chat.reference), ' · geopend ' + dateTime(chat.openedAt) + ' · afgesloten ' + dateTime(chat.endedAt) + ' · ' + chat.lineCount + (chat.lineCount === 1 ? ' regel' : ' regels'));
    const actions = element('div', 'actions');
    actions.append(button('Lezen', () => openChat(chat.reference)));
    item.append(title, actions);
    return item;
  }

  // ---- one transcript ----

  function hideAddress() {
    byId('transcript-address-value').textContent = '';
    byId('transcript-address').hidden = true;
  }

  function closeChat() {
    hideAddress();
    openReference = null;
    byId('transcript-lines').replaceChildren();
    byId('transcript-view').hidden = true;
  }

  async function openChat(reference) {
    closeChat();
    let data;
    try { data = await json('GET', '/api/v1/transcripts/' + encodeURIComponent(reference)); } catch (error) { show('transcripts-result', failure(error), true); return; }
    openReference = data.chat.reference;
    byId('transcript-reference').textContent = data.chat.reference;
    byId('transcript-times').textContent = 'Geopend ' + dateTime(data.chat.openedAt) + ' · afgesloten ' + dateTime(data.chat.endedAt);
    byId('transcript-address-show').hidden = !(features && features.chatIpVisible && data.addressAvailable);
    const picking = Boolean(features && features.trainingFragments);
    byId('transcript-fragment-hint').hidden = !picking;
    byId('fragment-draft').hidden = !picking;
    byId('fragment-draft').disabled = true;
    byId('transcript-lines').replaceChildren(...data.lines.map((line) => lineItem(line, picking)));
    byId('transcript-view').hidden = false;
    show('transcripts-result', '', false);
  }

  function lineItem(line, picking) {
    const item = element('li');
    item.dataset.line = String(line.id);
    const pick = element('input');
    pick.type = 'checkbox';
    pick.value = String(line.id);
    pick.setAttribute('aria-label', 'Regel kiezen voor een fragment');
    pick.hidden = !picking;
    pick.disabled = line.state !== 'readable';
    pick.addEventListener('change', () => {
      byId('fragment-draft').disabled = byId('transcript-lines').querySelectorAll('input:checked').length === 0;
    });
    const who = element('span', 'author', (AUTHORS[line.author] || line.author) + ' · ' + dateTime(line.at));
    let text;
    if (line.state === 'readable') text = element('span', 'text', line.text + (line.redacted ? ' (aangepast door de vrijwilliger)' : ''));
    else if (line.state === 'erased') text = element('span', 'text gone', 'Gewist.');
    else text = element('span', 'text gone', 'Niet meer leesbaar: de sleutel van deze maand is vernietigd.');
    item.append(pick, who, text);
    return item;
  }

  async function showAddress() {
    if (!openReference) return;
    try {
      const data = await json('POST', '/api/v1/transcripts/' + encodeURIComponent(openReference) + '/address');
      if (data.reference !== openReference) return;
      byId('transcript-address-value').textContent = data.address;
      byId('transcript-address').hidden = false;
    } catch (error) {
      show('transcripts-result', failure(error), true);
    }
  }

  // ---- training fragments ----

  function closeReview() {
    draftId = null;
    byId('fragment-text').value = '';
    byId('fragment-title').value = '';
    byId('fragment-replaced').textContent = '';
    byId('fragment-review').hidden = true;
  }

  async function makeDraft() {
    if (!openReference) return;
    const lineIds = [...byId('transcript-lines').querySelectorAll('input:checked')].map((input) => Number(input.value));
    try {
      const data = await json('POST', '/api/v1/transcripts/' + encodeURIComponent(openReference) + '/fragment-drafts', { lineIds });
      draftId = data.draft.id;
      const r = data.draft.replaced;
      byId('fragment-replaced').textContent =
        'Vervangen: ' + r.names + ' namen, ' + r.places + ' plaatsen, ' + r.dates + ' data, ' + r.ages + ' leeftijden; ' + r.removed + ' gegevens verwijderd. Bewaar voor ' + dateTime(data.draft.expiresAt) + '.';
      byId('fragment-text').value = data.draft.text;
      show('fragment-result', '', false);
      byId('fragment-review').hidden = false;
      byId('fragment-title').focus();
    } catch (error) {
      show('transcripts-result', failure(error), true);
    }
  }

  async function saveDraft(event) {
    event.preventDefault();
    if (!draftId) return;
    try {
      await json('POST', '/api/v1/fragment-drafts/' + draftId + '/save', { title: byId('fragment-title').value, text: byId('fragment-text').value });
      closeReview();
      for (const input of byId('transcript-lines').querySelectorAll('input:checked')) input.checked = false;
      byId('fragment-draft').disabled = true;
      show('transcripts-result', 'Fragment bewaard.', false);
      await loadFragments();
    } catch (error) {
      show('fragment-result', failure(error), true);
    }
  }

  async function discardDraft() {
    const id = draftId;
    closeReview();
    if (!id) return;
    try { await json('DELETE', '/api/v1/fragment-drafts/' + id); show('transcripts-result', 'Concept weggegooid.', false); } catch (error) { show('transcripts-result', failure(error), true); }
  }

  async function loadFragments() {
    let data;
    try { data = await json('GET', '/api/v1/fragments'); } catch (error) { show('transcripts-result', failure(error), true); return; }
    const list = byId('fragment-list');
    list.replaceChildren(...(data.fragments.length === 0 ? [element('li', '', 'Nog geen fragmenten.')] : data.fragments.map(fragmentItem)));
  }

  function fragmentItem(fragment) {
    const item = element('li');
    item.dataset.fragment = String(fragment.id);
    const title = element('p');
    title.append(element('strong', '', fragment.title));
    item.append(title, element('p', 'who', 'Bewaard door ' + fragment.savedBy + ' op ' + dateTime(fragment.savedAt)), element('p', 'fragment-text', fragment.text));
    const actions = element('div', 'actions');
    actions.append(button('Verwijderen', async () => {
      if (!window.confirm('Dit fragment verwijderen?')) return;
      try { await json('DELETE', '/api/v1/fragments/' + fragment.id); show('transcripts-result', 'Fragment verwijderd.', false); } catch (error) { show('transcripts-result', failure(error), true); }
      await loadFragments();
    }));
    item.append(actions);
    return item;
  }

  // ---- showing and forgetting ----

  function forget() {
    closeChat();
    closeReview();
    csrfToken = null;
    byId('transcripts-list').replaceChildren();
    byId('fragment-list').replaceChildren();
  }

  let wasHidden = section.hidden;
  new MutationObserver(() => {
    if (section.hidden === wasHidden) return;
    wasHidden = section.hidden;
    if (section.hidden) forget();
    else load();
  }).observe(section, { attributes: true, attributeFilter: ['hidden'] });

  document.addEventListener('DOMContentLoaded', () => {
    byId('transcript-close').addEventListener('click', closeChat);
    byId('transcript-address-show').addEventListener('click', showAddress);
    byId('transcript-address-hide').addEventListener('click', hideAddress);
    byId('fragment-draft').addEventListener('click', makeDraft);
    byId('fragment-form').addEventListener('submit', saveDraft);
    byId('fragment-discard').addEventListener('click', discardDraft);
    if (!section.hidden) load();
  });
})();
`;
