import { COORDINATOR_MODERATION_SCRIPT } from './coordinator-moderation-script.js';
import { SUPERVISION_PAGE_SCRIPT } from './supervision-page-script.js';

/**
 * The coordinator page's script, served as /coordinator.js (CSP 'self', no inline code). Plain
 * browser JavaScript; every server value is placed with textContent, never as markup. The session
 * cookie is HttpOnly: the script holds only the CSRF token, in memory, and sends it as x-csrf-token.
 */
export const COORDINATOR_PAGE_SCRIPT = String.raw`'use strict';
(() => {
  const ROLES = { volunteer: 'vrijwilliger', supervisor: 'werkbegeleider', coordinator: 'coördinator', technician: 'technicus' };
  const KINDS = { access: 'inzage', erasure: 'verwijderen', objection: 'bezwaar' };
  const CHANNELS = { phone: 'telefoon', chat: 'chat', mail: 'e-mail' };
  const STATUSES = { received: 'ontvangen', 'identity-checked': 'identiteit bevestigd', extended: 'verlengd', answered: 'afgehandeld' };
  const ALERTS = { 'nearly-due': 'bijna verlopen', overdue: 'te laat' };
  const SEVERITIES = { low: 'laag', medium: 'middel', high: 'hoog', critical: 'kritiek' };
  const DISCLOSURE_REFUSALS = {
    'not-coordinator': 'Alleen coördinatoren.',
    'no-reason': 'Schrijf een reden van minstens 30 tekens.',
    'reason-holds-identifier': 'De reden mag geen nummer, e-mailadres of IP-adres bevatten.',
    'unknown-contact': 'Geen contact met deze referentie.',
    'outside-retention': 'Het nummer of adres wordt niet meer bewaard.',
    'same-coordinator': 'Een tweede, andere coördinator moet goedkeuren.',
    'not-pending': 'Deze aanvraag staat niet meer open.',
    expired: 'Deze aanvraag is verlopen.',
  };
  const LOADERS = {
    'section-requests': loadRequests,
    'section-disclosures': loadDisclosures,
    'section-incidents': loadIncidents,
    'section-audit': loadAudit,
    'section-retention': loadRetention,
    'section-accounts': loadAccounts,
    'section-status': loadStatus,
  };

  let session = null;

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

  function badge(alert) {
    return alert ? element('span', 'badge ' + alert, ALERTS[alert] || alert) : document.createTextNode('');
  }

  function dateTime(ms) {
    return ms === null || ms === undefined ? '–' : new Date(ms).toLocaleString('nl-NL', { dateStyle: 'medium', timeStyle: 'short' });
  }

  function dateOnly(ms) {
    return new Date(ms).toLocaleDateString('nl-NL', { dateStyle: 'medium' });
  }

  /** A date input's value as the start of that day in the browser's zone; undefined when empty. */
  function dayStart(value) {
    return value ? new Date(value + 'T00:00').getTime() : undefined;
  }

  function announce(text) {
    const node = byId('announcer');
    node.textContent = '';
    setTimeout(() => { node.textContent = text; }, 50);
  }

  class ApiError extends Error {
    constructor(status, body, retryAfter) {
      super(body && body.message ? body.message : 'HTTP ' + status);
      this.status = status;
      this.reason = body && body.reason;
      this.retryAfter = retryAfter;
    }
  }

  async function call(method, path, body) {
    const headers = {};
    if (method !== 'GET' && session) headers['x-csrf-token'] = session.csrfToken;
    const init = { method, headers, credentials: 'same-origin' };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    if (response.status === 401 && session && path !== '/api/v1/session') {
      showLogin('Uw sessie is verlopen; meld opnieuw aan.');
    }
    if (!response.ok) {
      const data = await response.json().catch(() => null);
      throw new ApiError(response.status, data, Number(response.headers.get('retry-after')) || 0);
    }
    return response;
  }

  async function json(method, path, body) {
    const response = await call(method, path, body);
    return response.status === 204 ? null : response.json();
  }

  function failure(error) {
    if (error instanceof ApiError) {
      if (error.reason && DISCLOSURE_REFUSALS[error.reason]) return 'Niet gelukt: ' + DISCLOSURE_REFUSALS[error.reason];
      if (error.status === 403) return 'Niet gelukt: geen toestemming (' + error.message + ').';
      return 'Niet gelukt: ' + error.message;
    }
    return 'Niet gelukt: geen verbinding met het kastje.';
  }

  function show(resultId, text, isError) {
    const node = byId(resultId);
    node.textContent = text;
    node.className = isError ? 'result error' : 'result ok';
  }

  /** Runs an action, shows its outcome in resultId (or announces it) and reloads the section. */
  async function act(resultId, action, doneText, reload) {
    try {
      await action();
      if (resultId) show(resultId, doneText, false);
      announce(doneText);
    } catch (error) {
      if (resultId) show(resultId, failure(error), true);
      announce(failure(error));
    }
    if (reload) await reload();
  }

  // ---- login and tabs ----

  function showLogin(message) {
    session = null;
    for (const panel of document.querySelectorAll('.panel')) panel.hidden = true;
    byId('tabs').hidden = true;
    byId('tabs').replaceChildren();
    byId('no-access').hidden = true;
    byId('logout').hidden = true;
    byId('who').textContent = '';
    hideRevealed();
    byId('login').hidden = false;
    byId('login-error').textContent = message || '';
  }

  function enter(current) {
    session = current;
    byId('login').hidden = true;
    byId('logout').hidden = false;
    byId('who').textContent = 'Aangemeld als ' + current.accountId + ' (' + (ROLES[current.role] || current.role) + ')';
    const tabs = byId('tabs');
    tabs.replaceChildren();
    const allowed = [...document.querySelectorAll('.panel')].filter((panel) => current.capabilities.includes(panel.dataset.capability));
    for (const panel of allowed) {
      const tab = button(panel.dataset.title, () => select(panel.id));
      tab.setAttribute('role', 'tab');
      tab.dataset.panel = panel.id;
      tabs.append(tab);
    }
    tabs.hidden = allowed.length === 0;
    byId('no-access').hidden = allowed.length !== 0;
    if (allowed.length > 0) select(allowed[0].id);
  }

  function select(panelId) {
    for (const panel of document.querySelectorAll('.panel')) panel.hidden = panel.id !== panelId;
    for (const tab of byId('tabs').children) tab.setAttribute('aria-selected', String(tab.dataset.panel === panelId));
    const load = LOADERS[panelId];
    if (load) load();
  }

  async function login(event) {
    event.preventDefault();
    const accountId = byId('login-account').value;
    const passwordInput = byId('login-password');
    const password = passwordInput.value;
    passwordInput.value = '';
    try {
      enter(await json('POST', '/api/v1/session', { accountId, password }));
    } catch (error) {
      if (error instanceof ApiError && error.status === 429) {
        byId('login-error').textContent = 'Te veel mislukte pogingen. Probeer het over ' + Math.max(1, error.retryAfter) + ' seconden opnieuw.';
      } else if (error instanceof ApiError && error.status === 403) {
        byId('login-error').textContent = 'Dit account is uitgeschakeld.';
      } else if (error instanceof ApiError && error.status === 401) {
        byId('login-error').textContent = 'Account of wachtwoord klopt niet.';
      } else {
        byId('login-error').textContent = failure(error);
      }
    }
  }

  async function logout() {
    try { await call('DELETE', '/api/v1/session'); } catch { /* the session may have ended already */ }
    showLogin('Afgemeld.');
  }

  // ---- Verzoeken ----

  async function loadRequests() {
    let data;
    try { data = await json('GET', '/api/v1/requests'); } catch (error) { show('request-result', failure(error), true); return; }
    const alerts = data.alerts.length;
    byId('request-alerts').textContent = alerts === 0 ? '' : alerts + (alerts === 1 ? ' verzoek vraagt' : ' verzoeken vragen') + ' aandacht (bijna verlopen of te laat).';
    byId('request-list').replaceChildren(...data.requests.map(requestItem));
  }

  function requestItem(request) {
    const item = element('li');
    item.dataset.reference = request.reference;
    const title = element('p');
    title.append(element('span', 'reference', request.reference), ' · ' + (KINDS[request.kind] || request.kind) + ' · ' + (CHANNELS[request.channel] || request.channel) + ' · ' + (STATUSES[request.status] || request.status), badge(request.alert));
    item.append(title, element('p', '', 'Ontvangen ' + dateTime(request.receivedAt) + ' · uiterlijk beantwoorden op ' + dateOnly(request.dueAt)));
    if (request.extension) item.append(element('p', '', 'Verlengd: ' + request.extension.reason));
    if (request.answer) item.append(element('p', '', 'Afgehandeld ' + dateTime(request.answeredAt) + ': ' + request.answer.summary));
    const actions = element('div', 'actions');
    const result = element('span', 'result');
    const run = (action, doneText) => act(null, action, doneText, loadRequests).then(() => undefined);
    const path = '/api/v1/requests/' + encodeURIComponent(request.reference);
    if (request.status === 'received') {
      actions.append(button('Identiteit bevestigd', () => run(() => call('POST', path + '/confirm-identity'), 'Identiteit bevestigd.')));
    }
    const checked = request.status === 'identity-checked' || request.status === 'extended';
    if (request.kind === 'access' && checked) {
      actions.append(button('Inzage beantwoorden (JSON + HTML)', () => downloadExport(request.reference, result)));
    }
    if (request.kind === 'erasure' && checked) {
      actions.append(button('Gegevens verwijderen', () => {
        if (confirm('Alles wat bij ' + request.reference + ' hoort definitief verwijderen?')) run(() => call('POST', path + '/erase'), 'Verwijderd.');
      }));
    }
    if (request.kind === 'objection' && checked) {
      actions.append(button('Bezwaar verwerken', () => run(() => call('POST', path + '/object'), 'Bezwaar verwerkt.')));
    }
    if (request.status !== 'answered' && !request.extension) actions.append(button('Verlengen…', () => item.append(extendForm(request))));
    actions.append(result);
    item.append(actions);
    return item;
  }

  function extendForm(request) {
    const form = element('form', 'grid');
    const reasonId = 'extend-reason-' + request.reference;
    const noticeId = 'extend-notice-' + request.reference;
    const reasonLabel = element('label', '', 'Reden van de verlenging');
    reasonLabel.htmlFor = reasonId;
    const reason = element('textarea');
    reason.id = reasonId;
    reason.required = true;
    const noticeLabel = element('label', '', 'Persoon ingelicht op');
    noticeLabel.htmlFor = noticeId;
    const notice = element('input');
    notice.id = noticeId;
    notice.type = 'date';
    notice.required = true;
    const outcome = element('p', 'result');
    const submit = element('button', '', 'Verlenging vastleggen');
    submit.type = 'submit';
    form.append(reasonLabel, reason, noticeLabel, notice, submit, outcome);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        await call('POST', '/api/v1/requests/' + encodeURIComponent(request.reference) + '/extend', { reason: reason.value, noticeSentAt: dayStart(notice.value) });
        announce('Verlengd.');
        await loadRequests();
      } catch (error) {
        outcome.textContent = failure(error);
        outcome.className = 'result error';
      }
    });
    return form;
  }

  // One answer, two files: the export is made once and never kept on the box, so save both now.
  async function downloadExport(reference, result) {
    try {
      const response = await call('POST', '/api/v1/requests/' + encodeURIComponent(reference) + '/access-export');
      const answer = await response.json();
      for (const file of answer.files) {
        const url = URL.createObjectURL(new Blob([file.content], { type: file.contentType }));
        const link = element('a');
        link.href = url;
        link.download = file.fileName;
        document.body.append(link);
        link.click();
        link.remove();
        setTimeout(() => URL.revokeObjectURL(url), 10000);
      }
      announce('Inzage beantwoord: ' + answer.files.map((file) => file.fileName).join(' en ') + ' opgeslagen.');
      await loadRequests();
    } catch (error) {
      result.textContent = failure(error);
      result.className = 'result error';
    }
  }


  async function registerRequest(event) {
    event.preventDefault();
    const supplied = byId('request-supplied');
    const body = { kind: byId('request-kind').value, channel: byId('request-channel').value, supplied: supplied.value.trim() };
    // The identifier leaves the form at once: it must not linger on screen or in the DOM.
    supplied.value = '';
    const receivedAt = dayStart(byId('request-received').value);
    if (receivedAt !== undefined) body.receivedAt = receivedAt;
    try {
      const data = await json('POST', '/api/v1/requests', body);
      show('request-result', 'Geregistreerd als ' + data.request.reference + '. Noem deze referentie aan de persoon.', false);
      byId('request-received').value = '';
    } catch (error) {
      show('request-result', failure(error), true);
    }
    await loadRequests();
  }

  // ---- Doorbreken geheimhouding ----

  function hideRevealed() {
    byId('revealed-value').textContent = '';
    byId('revealed-reference').textContent = '';
    byId('revealed').hidden = true;
  }

  async function loadDisclosures() {
    let data;
    try { data = await json('GET', '/api/v1/disclosures'); } catch (error) { show('disclosure-result', failure(error), true); return; }
    byId('disclosure-list').replaceChildren(...data.requests.map((request) => {
      const item = element('li');
      const title = element('p');
      title.append(element('span', 'reference', request.reference), ' · aangevraagd door ' + request.requestedBy + ' op ' + dateTime(request.requestedAt));
      item.append(title, element('p', '', request.reason), element('p', '', 'Verloopt ' + dateTime(request.expiresAt)));
      const actions = element('div', 'actions');
      const path = '/api/v1/disclosures/' + request.requestId;
      if (session && request.requestedBy !== session.accountId) {
        actions.append(button('Goedkeuren en tonen', () => approve(path)));
      }
      const own = session && request.requestedBy === session.accountId;
      actions.append(button(own ? 'Intrekken' : 'Weigeren', () => act('disclosure-result', () => call('POST', path + '/refuse'), own ? 'Ingetrokken.' : 'Geweigerd.', loadDisclosures)));
      item.append(actions);
      return item;
    }));
  }

  async function approve(path) {
    try {
      const data = await json('POST', path + '/approve');
      byId('revealed-reference').textContent = data.reference;
      byId('revealed-value').textContent = data.revealed;
      byId('revealed').hidden = false;
      show('disclosure-result', 'Goedgekeurd; incident ' + data.incidentId + ' is aangemaakt.', false);
    } catch (error) {
      show('disclosure-result', failure(error), true);
    }
    await loadDisclosures();
  }

  async function requestDisclosure(event) {
    event.preventDefault();
    const reference = byId('disclosure-reference');
    const reason = byId('disclosure-reason');
    try {
      const data = await json('POST', '/api/v1/disclosures', { reference: reference.value, reason: reason.value });
      show('disclosure-result', 'Aangevraagd (nummer ' + data.requestId + '). Een tweede coördinator moet goedkeuren.', false);
      reference.value = '';
      reason.value = '';
    } catch (error) {
      show('disclosure-result', failure(error), true);
    }
    await loadDisclosures();
  }

  // ---- Incidenten ----

  async function loadIncidents() {
    let data;
    try { data = await json('GET', '/api/v1/incidents'); } catch (error) { show('incident-result', failure(error), true); return; }
    const list = byId('incident-list');
    if (data.incidents.length === 0) { list.replaceChildren(element('li', '', 'Geen open incidenten.')); return; }
    list.replaceChildren(...data.incidents.map(incidentItem));
  }

  function incidentItem(incident) {
    const item = element('li');
    const title = element('p');
    title.append(element('strong', '', 'Incident ' + incident.id + ' · ' + incident.kind + ' · ' + (SEVERITIES[incident.severity] || incident.severity)), badge(incident.alert));
    item.append(title, element('p', '', incident.summary));
    item.append(element('p', '', 'Ontdekt ' + dateTime(incident.detectedAt) + ' · melden bij de toezichthouder vóór ' + dateTime(incident.authorityDueAt)));
    item.append(element('p', '', 'Gemeld bij de toezichthouder: ' + dateTime(incident.reportedToAuthorityAt) + ' · betrokkenen ingelicht: ' + dateTime(incident.notifiedPersonsAt)));
    const path = '/api/v1/incidents/' + incident.id;
    const result = 'incident-result';
    const assessment = element('textarea');
    assessment.value = incident.assessment || '';
    assessment.rows = 2;
    assessment.setAttribute('aria-label', 'Beoordeling van incident ' + incident.id);
    const actions = element('div', 'actions');
    actions.append(assessment, button('Beoordeling opslaan', () => act(result, () => call('POST', path + '/assessment', { assessment: assessment.value }), 'Beoordeling opgeslagen.', loadIncidents)));
    if (incident.reportedToAuthorityAt === null) actions.append(button('Gemeld bij de toezichthouder', () => act(result, () => call('POST', path + '/reported-to-authority'), 'Melding vastgelegd.', loadIncidents)));
    if (incident.notifiedPersonsAt === null) actions.append(button('Betrokkenen ingelicht', () => act(result, () => call('POST', path + '/persons-notified'), 'Vastgelegd.', loadIncidents)));
    actions.append(button('Sluiten', () => act(result, () => call('POST', path + '/close'), 'Incident gesloten.', loadIncidents)));
    item.append(actions);
    return item;
  }

  async function raiseIncident(event) {
    event.preventDefault();
    const summary = byId('incident-summary');
    const body = { kind: byId('incident-kind').value, severity: byId('incident-severity').value, summary: summary.value };
    await act('incident-result', async () => { await call('POST', '/api/v1/incidents', body); summary.value = ''; }, 'Incident gemeld.', loadIncidents);
  }

  // ---- Auditlog, bewaartermijnen, status ----

  async function loadAudit() {
    let data;
    try { data = await json('GET', '/api/v1/audit?limit=50'); } catch (error) { show('audit-verification', failure(error), true); return; }
    byId('audit-list').replaceChildren(...data.entries.map((entry) => {
      const row = element('tr');
      const details = Object.entries(entry.details).map(([key, value]) => key + '=' + value).join(', ');
      for (const text of [entry.seq, dateTime(Date.parse(entry.at)), entry.actorId + ' (' + entry.actorRole + ')', entry.action, entry.target || '', details]) row.append(element('td', '', text));
      return row;
    }));
  }

  async function verifyAudit() {
    try {
      const result = await json('GET', '/api/v1/audit/verification');
      if (result.ok) show('audit-verification', 'Keten intact: ' + result.entries + ' items' + (result.head ? ', laatste #' + result.head.seq + ' ' + result.head.hash.slice(0, 16) + '…' : '') + '.', false);
      else show('audit-verification', 'Keten verbroken bij item #' + result.seq + ' (' + result.reason + '); ' + result.intactEntries + ' items ervoor zijn in orde.', true);
    } catch (error) {
      show('audit-verification', failure(error), true);
    }
  }

  async function loadRetention() {
    let data;
    try { data = await json('GET', '/api/v1/retention'); } catch (error) { byId('retention-zone').textContent = failure(error); return; }
    byId('retention-zone').textContent = 'Tijdzone ' + data.timeZone + ' · stand van ' + dateTime(data.now);
    byId('retention-list').replaceChildren(...data.status.map((line) => {
      const item = element('li');
      const title = element('p');
      title.append(element('strong', '', line.dataClass + ' (' + line.kind + ')'), line.overdue ? badge('overdue') : '');
      item.append(title, element('p', '', 'Oudste: ' + (line.oldestItemAt === null ? 'niets bewaard' : dateTime(line.oldestItemAt)) + ' · volgende termijn: ' + dateTime(line.nextDeadline)));
      return item;
    }));
  }

  async function loadAccounts() {
    let data;
    try { data = await json('GET', '/api/v1/accounts'); } catch (error) { show('account-result', failure(error), true); return; }
    byId('account-list').replaceChildren(...data.accounts.map((account) => {
      const item = element('li');
      item.dataset.account = account.id;
      const state = account.disabledAt === null ? 'actief' : 'uitgeschakeld sinds ' + dateTime(account.disabledAt);
      item.append(element('p', '', account.id + ' · ' + (ROLES[account.role] || account.role) + ' · ' + state));
      if (session && account.id === session.accountId) { item.append(element('p', '', 'Uw eigen account: een andere coördinator kan het wijzigen.')); return item; }
      const path = '/api/v1/accounts/' + encodeURIComponent(account.id);
      const role = roleSelect(account.role);
      role.setAttribute('aria-label', 'Rol van ' + account.id);
      const actions = element('div', 'actions');
      actions.append(role, button('Rol wijzigen', () => act('account-result', () => call('PUT', path + '/role', { role: role.value }), 'Rol gewijzigd.', loadAccounts)));
      if (account.disabledAt === null) actions.append(button('Uitschakelen', () => act('account-result', () => call('POST', path + '/disable'), 'Uitgeschakeld.', loadAccounts)));
      else actions.append(button('Inschakelen', () => act('account-result', () => call('POST', path + '/enable'), 'Ingeschakeld.', loadAccounts)));
      item.append(actions);
      return item;
    }));
  }

  function roleSelect(selected) {
    const select = element('select');
    for (const [value, label] of Object.entries(ROLES)) {
      const option = element('option', '', label);
      option.value = value;
      option.selected = value === selected;
      select.append(option);
    }
    return select;
  }

  async function createAccount(event) {
    event.preventDefault();
    const password = byId('account-password');
    const body = { id: byId('account-id').value, role: byId('account-role').value, password: password.value };
    password.value = '';
    await act('account-result', async () => { await call('POST', '/api/v1/accounts', body); byId('account-id').value = ''; }, 'Account aangemaakt.', loadAccounts);
  }

  async function loadStatus() {
    try {
      const [version, health] = await Promise.all([json('GET', '/api/v1/system/version'), json('GET', '/api/v1/system/health')]);
      byId('status-version').textContent = version.firmwareVersion;
      byId('status-overall').textContent = health.ok ? 'Alles in orde.' : 'Er is iets mis: zie hieronder.';
      byId('status-checks').replaceChildren(...health.checks.map((check) => element('li', check.ok ? 'ok' : 'error', (check.ok ? '✓ ' : '✗ ') + check.name + ': ' + check.detail)));
    } catch (error) {
      byId('status-overall').textContent = failure(error);
    }
    try {
      byId('status-report').replaceChildren(...reportLines(await json('GET', '/health')).map(([text, bad]) => element('li', bad ? 'error' : 'ok', text)));
    } catch (error) {
      byId('status-report').replaceChildren(element('li', 'error', failure(error)));
    }
  }

  function mebibytes(bytes) {
    return Math.floor(bytes / 1048576).toLocaleString('nl-NL') + ' MiB';
  }

  function orUnknown(value) {
    return value === null || value === undefined ? 'onbekend' : String(value);
  }

  /** The /health report as lines of text, each with whether it is a problem. */
  function reportLines(report) {
    const when = (iso) => (iso ? new Date(iso).toLocaleString('nl-NL') : 'nog niet');
    const leds = Object.entries(report.panel.leds).map(([led, mode]) => led + ' ' + mode).join(', ');
    const lines = [
      ['Storingen: ' + (report.faults.length ? report.faults.join(', ') : 'geen'), report.faults.length > 0],
      ['Inname: ' + (report.intake === 'open' ? 'open' : 'gestopt door een storing (zie docs/health.md)'), report.intake !== 'open'],
      ['Firmware ' + report.firmware + ', Node ' + report.node + ', databaseschema ' + orUnknown(report.schemas.database), false],
      ['Draait sinds ' + when(report.startedAt) + ' (' + Math.floor(report.uptimeSeconds / 3600) + ' uur)', false],
      ['Vrije ruimte: ' + (report.disk ? mebibytes(report.disk.freeBytes) + ' van ' + mebibytes(report.disk.totalBytes) : 'onbekend'), report.disk === null],
      ['Wachtrijen: uitgaand ' + orUnknown(report.queues.outbox) + ', chat ' + orUnknown(report.queues.chatQueue) + ', mail niet verstuurd ' + orUnknown(report.queues.mailsUndelivered) + ', contacten bezig ' + orUnknown(report.queues.contactsLive), false],
      ['Laatste bewaartermijnronde: ' + when(report.retention.lastRunAt) + (report.retention.outcome ? ' (' + (report.retention.outcome === 'ok' ? 'gelukt' : 'mislukt') + ')' : ''), report.retention.outcome === 'failed'],
      ['Open incidenten: ' + orUnknown(report.incidents.open), report.incidents.open > 0],
      ['Onderhoudsstand: ' + (report.maintenance.active ? 'aan tot ' + when(report.maintenance.until) : 'uit'), false],
      ['Voorpaneel (' + report.panel.kind + '): ' + report.panel.connection + '; lampjes ' + leds, report.panel.connection === 'lost'],
    ];
    if (report.update) lines.push(['Update: ' + report.update.committed + (report.update.trial ? ', op proef ' + report.update.trial : ''), false]);
    return lines;
  }

${COORDINATOR_MODERATION_SCRIPT}
${SUPERVISION_PAGE_SCRIPT}
  document.addEventListener('DOMContentLoaded', async () => {
    byId('login-form').addEventListener('submit', login);
    byId('logout').addEventListener('click', logout);
    byId('request-form').addEventListener('submit', registerRequest);
    byId('disclosure-form').addEventListener('submit', requestDisclosure);
    byId('revealed-hide').addEventListener('click', hideRevealed);
    byId('incident-form').addEventListener('submit', raiseIncident);
    byId('audit-verify').addEventListener('click', verifyAudit);
    byId('account-form').addEventListener('submit', createAccount);
    byId('account-role').replaceWith(Object.assign(roleSelect('volunteer'), { id: 'account-role', name: 'role' }));
    try {
      const response = await fetch('/api/v1/session', { credentials: 'same-origin' });
      if (response.ok) enter(await response.json());
      else showLogin('');
    } catch {
      showLogin('Geen verbinding met het kastje.');
    }
  });
})();
`;
