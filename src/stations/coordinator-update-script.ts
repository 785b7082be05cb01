/**
 * The Update section of the coordinator page (technicians, issue 7), served as /coordinator-update.js
 * beside the page script (CSP 'self', no inline code). It runs on its own: while the section is
 * shown it polls GET /api/v1/update every two seconds (versions, trial, floor, progress, last
 * result), and uploads a bundle with XMLHttpRequest for its upload progress. It asks the session
 * for the CSRF token itself. Every server value is placed with textContent, never as markup.
 */
export const COORDINATOR_UPDATE_SCRIPT = String.raw`'use strict';
(() => {
  const section = document.getElementById('section-update');
  if (!section) return;

  const OUTCOMES = {
    applied: 'klaargezet',
    received: 'ontvangen en gecontroleerd',
    committed: 'vastgelegd',
    reverted: 'teruggedraaid',
    'rolled-back': 'met de hand teruggedraaid',
    refused: 'geweigerd',
    failed: 'mislukt',
    resumed: 'afgemaakt na een onderbreking',
  };
  const PHASES = { verifying: 'controleren', staging: 'klaarzetten', switching: 'omschakelen', done: 'klaar' };
  const POLL_MS = 2000;

  let csrfToken = null;
  let poll = null;
  let uploading = false;

  const byId = (id) => document.getElementById(id);

  function dateTime(ms) {
    return new Date(ms).toLocaleString('nl-NL', { dateStyle: 'medium', timeStyle: 'medium' });
  }

  function show(id, text, isError) {
    const node = byId(id);
    node.textContent = text;
    node.className = isError ? 'result error' : 'result ok';
  }

  async function refreshSession() {
    const response = await fetch('/api/v1/session', { credentials: 'same-origin', cache: 'no-store' });
    csrfToken = response.ok ? (await response.json()).csrfToken : null;
  }

  function render(status) {
    byId('update-committed').textContent = status.committed.version + (status.committed.slot ? ' (slot ' + status.committed.slot + ')' : ' (niet in A/B-slots geïnstalleerd: updates kunnen hier niet)');
    byId('update-running').textContent = status.currentSlot ? 'slot ' + status.currentSlot : 'onbekend';
    byId('update-trial').textContent = status.trial
      ? status.trial.version + ' in slot ' + status.trial.slot + ', start ' + status.trial.starts + ' van ' + status.trial.maxStarts + (status.trial.databaseBackedUp ? ', database bewaard' : '')
      : 'geen';
    byId('update-floor').textContent = status.floor + ' (oudere of gelijke versies worden geweigerd)';
    byId('update-hardware').textContent = status.hardwareId || 'onbekend (zet update.hardwareId in de configuratie)';
    byId('update-maintenance').textContent = status.maintenance ? 'aan: uploaden kan' : 'uit: houd de knop op het kastje 3 seconden ingedrukt';
    const last = status.lastResult;
    byId('update-last').textContent = last
      ? dateTime(last.at) + ' · ' + (OUTCOMES[last.outcome] || last.outcome) + (last.code ? ' (' + last.code + ')' : '') + ': ' + last.message
      : 'nog geen update op dit kastje';
    const progress = status.progress;
    if (!uploading) {
      if (status.receiving) show('update-progress', 'Bundel wordt ontvangen en gecontroleerd…', false);
      else if (status.waiting > 0) show('update-progress', 'Gecontroleerd; wacht op klaarzetten…', false);
      else if (progress && progress.phase !== 'done') show('update-progress', (PHASES[progress.phase] || progress.phase) + ': ' + (progress.totalBytes ? Math.floor((100 * progress.doneBytes) / progress.totalBytes) : 100) + '%', false);
      else show('update-progress', '', false);
    }
  }

  async function load() {
    try {
      const response = await fetch('/api/v1/update', { credentials: 'same-origin', cache: 'no-store' });
      const body = await response.json().catch(() => null);
      if (!response.ok) throw new Error(body && body.message ? body.message : 'HTTP ' + response.status);
      render(body);
    } catch (error) {
      show('update-progress', 'Status niet te lezen: ' + error.message, true);
    }
  }

  function upload(event) {
    event.preventDefault();
    const file = byId('update-file').files[0];
    if (!file || uploading) return;
    uploading = true;
    const request = new XMLHttpRequest();
    request.open('POST', '/api/v1/update/bundle');
    request.setRequestHeader('content-type', 'application/octet-stream');
    if (csrfToken) request.setRequestHeader('x-csrf-token', csrfToken);
    request.upload.addEventListener('progress', (progress) => {
      if (progress.lengthComputable) show('update-progress', 'Uploaden: ' + Math.floor((100 * progress.loaded) / progress.total) + '%', false);
    });
    request.addEventListener('loadend', () => {
      uploading = false;
      let body = null;
      try { body = JSON.parse(request.responseText); } catch { body = null; }
      const message = body && body.message ? body.message : request.status === 0 ? 'geen verbinding met het kastje' : 'HTTP ' + request.status;
      if (request.status === 202) show('update-result', 'Ontvangen: ' + message, false);
      else show('update-result', 'Geweigerd' + (body && body.code ? ' (' + body.code + ')' : '') + ': ' + message, true);
      byId('update-form').reset();
      load();
    });
    show('update-result', '', false);
    request.send(file);
  }

  function stopPolling() {
    if (poll !== null) clearInterval(poll);
    poll = null;
  }

  async function showSection() {
    await refreshSession();
    await load();
    stopPolling();
    poll = setInterval(load, POLL_MS);
  }

  let wasHidden = section.hidden;
  new MutationObserver(() => {
    if (section.hidden === wasHidden) return;
    wasHidden = section.hidden;
    if (section.hidden) {
      stopPolling();
      csrfToken = null;
    } else {
      showSection();
    }
  }).observe(section, { attributes: true, attributeFilter: ['hidden'] });

  document.addEventListener('DOMContentLoaded', () => {
    byId('update-form').addEventListener('submit', upload);
    if (!section.hidden) showSection();
  });
})();
`;
