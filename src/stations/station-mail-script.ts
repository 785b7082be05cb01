/**
 * The station page's mail panel, served as /station-mail.js after /station.js, whose helpers it
 * uses (window.hgwStation). Mail arrives as plain text (HTML is reduced at intake) and is only
 * ever placed with textContent; the sender's address never reaches the page.
 */
export const STATION_MAIL_SCRIPT = String.raw`'use strict';
(() => {
  const S = window.hgwStation;
  const byId = (id) => document.getElementById(id);
  const STATES = { new: 'Nieuw', open: 'Geopend', answered: 'Beantwoord', closed: 'Afgesloten' };
  const threads = new Map();
  let enabled = false;
  let station = null;
  let current = null;
  // The text of an answer the relay did not take, while the desk still holds it unsent.
  let unsent = null;

  const path = (reference, rest) => '/api/v1/mails/' + encodeURIComponent(reference) + rest;
  const subjectOf = (thread) => thread.subject || '(geen onderwerp)';

  function stateText(thread) {
    const state = STATES[thread.state] || thread.state;
    if (thread.stationId && thread.stationId !== station) return state + ' (bij een ander station)';
    return state;
  }

  function renderList() {
    const list = byId('mail-threads');
    const sorted = [...threads.values()].sort((a, b) => a.receivedAt - b.receivedAt);
    list.replaceChildren();
    for (const thread of sorted) {
      const item = S.element('li');
      if (thread.reference === current) item.setAttribute('aria-current', 'true');
      const moderation = S.element('p', 'moderation');
      S.showModeration(moderation, thread);
      const button = S.element('button', '', 'Openen');
      button.type = 'button';
      button.setAttribute('aria-label', 'E-mail ' + thread.reference + ' openen');
      button.addEventListener('click', () => openThread(thread.reference, button));
      item.append(
        S.element('h3', 'subject', subjectOf(thread)),
        S.element('p', 'reference', thread.reference),
        moderation,
        S.element('p', 'history', S.historyText({ ...thread, channel: 'mail' })),
        S.element('p', 'meta', stateText(thread) + ' · ontvangen ' + S.timeText(thread.receivedAt)),
        button,
      );
      list.append(item);
    }
    byId('mail-empty').hidden = sorted.length !== 0;
  }

  function render() {
    byId('mail').hidden = !enabled;
    if (enabled) renderList();
  }

  function messageElement(message) {
    const undelivered = message.direction === 'out' && !message.delivered;
    const node = S.element('li', 'line ' + message.direction + (undelivered ? ' undelivered' : ''));
    const label = message.direction === 'in' ? 'Ontvangen' : undelivered ? 'Niet verstuurd' : 'Verstuurd';
    node.append(S.element('p', 'meta', label + ' · ' + S.timeText(message.at)));
    if (message.subject) node.append(S.element('p', 'subject', message.subject));
    const text = S.element('p', 'line-text');
    S.markedText(text, message.text, message.direction === 'in' ? message.suggestions : []);
    node.append(text);
    return node;
  }

  function renderThread() {
    const thread = current === null ? undefined : threads.get(current);
    byId('mail-thread').hidden = !thread;
    if (!thread) return;
    byId('mail-thread-title').textContent = subjectOf(thread);
    const moderation = S.element('p', 'moderation');
    S.showModeration(moderation, thread);
    byId('mail-thread-info').replaceChildren(
      S.element('p', 'reference', thread.reference),
      moderation,
      S.element('p', 'history', S.historyText({ ...thread, channel: 'mail' })),
      S.element('p', 'meta', stateText(thread)),
      S.timeOutControls(thread),
    );
  }

  async function loadMessages(reference) {
    const answer = await S.request('GET', path(reference, '/messages'));
    if (!answer || reference !== current) return;
    if (!answer.ok) return S.showResult(byId('mail-status'), S.failureText(answer), true);
    byId('mail-messages').replaceChildren(...answer.body.messages.map(messageElement));
  }

  function showThread(reference) {
    if (current !== reference) {
      current = reference;
      unsent = null;
      byId('mail-resend').hidden = true;
      byId('mail-answer').value = '';
      byId('mail-messages').replaceChildren();
      S.showResult(byId('mail-status'), '', false);
    }
    renderThread();
    renderList();
    loadMessages(reference);
  }

  async function openThread(reference, button) {
    const thread = threads.get(reference);
    if (!thread) return;
    // A thread this station already has open is shown again, not opened a second time.
    if (thread.state === 'new' || thread.stationId !== station) {
      button.disabled = true;
      const answer = await S.request('POST', path(reference, '/open'));
      if (!answer) return;
      button.disabled = false;
      if (!answer.ok) {
        const refused = answer.status === 409 ? 'Een ander station heeft deze e-mail al open.' : S.failureText(answer);
        return S.announce(refused);
      }
      threads.set(reference, answer.body.thread);
    }
    showThread(reference);
    byId('mail-thread-title').focus();
  }

  async function sendAnswer(text) {
    const reference = current;
    const status = byId('mail-status');
    S.showResult(status, 'Bezig met versturen…', false);
    const answer = await S.request('POST', path(reference, '/answer'), { text });
    if (!answer) return;
    if (answer.ok || answer.status === 502) {
      // Either way the desk stored the answer; the thread shows whether it went out.
      if (current === reference) byId('mail-answer').value = '';
      loadMessages(reference);
    }
    if (answer.ok) {
      unsent = null;
      byId('mail-resend').hidden = true;
      return S.showResult(status, 'Antwoord verstuurd.', false);
    }
    if (answer.status === 502) {
      unsent = text;
      return showSendFailure();
    }
    S.showResult(status, answer.status === 413 ? 'Niet gelukt: het antwoord is te lang.' : S.failureText(answer), true);
  }

  function showSendFailure() {
    byId('mail-resend').hidden = false;
    S.showResult(byId('mail-status'), 'Versturen is niet gelukt: de mailserver nam het antwoord niet aan. Het antwoord is bewaard; probeer het later opnieuw.', true);
  }

  // The desk sends the stored answer again; answering again would store (and later send) a copy.
  async function resend() {
    const reference = current;
    const status = byId('mail-status');
    S.showResult(status, 'Bezig met versturen…', false);
    const answer = await S.request('POST', path(reference, '/resend'));
    if (!answer) return;
    loadMessages(reference);
    if (answer.status === 502) return showSendFailure();
    if (!answer.ok) return S.showResult(status, S.failureText(answer), true);
    unsent = null;
    byId('mail-resend').hidden = true;
    S.showResult(status, 'Antwoord verstuurd.', false);
  }

  async function closeThread() {
    const reference = current;
    if (reference === null) return;
    if (!confirm('De e-mail ' + reference + ' afsluiten?')) return;
    const answer = await S.request('POST', path(reference, '/close'));
    if (!answer) return;
    if (!answer.ok) return S.showResult(byId('mail-status'), S.failureText(answer), true);
    applyThread(answer.body.thread);
  }

  function applyThread(thread) {
    if (thread.state === 'closed') {
      threads.delete(thread.reference);
      if (current === thread.reference) {
        current = null;
        S.announce('E-mail ' + thread.reference + ' is afgesloten. Registreer hem onder Nog te registreren.');
      }
    } else {
      threads.set(thread.reference, thread);
    }
    renderThread();
    render();
  }

  function reset() {
    enabled = false;
    station = null;
    current = null;
    unsent = null;
    threads.clear();
    byId('mail-answer').value = '';
    byId('mail-messages').replaceChildren();
    renderThread();
    render();
  }

  S.panels.push({
    snapshot(frame) {
      enabled = Array.isArray(frame.mails);
      station = frame.station || null;
      threads.clear();
      if (enabled) for (const thread of frame.mails) threads.set(thread.reference, thread);
      if (current !== null && !threads.has(current)) current = null;
      renderThread();
      render();
      if (current !== null) loadMessages(current);
    },
    receive(frame) {
      if (!enabled || frame.type !== 'mail-changed') return;
      const shown = current === frame.thread.reference;
      applyThread(frame.thread);
      // A new mail in the thread on screen changes the thread; show it.
      if (shown && current !== null) loadMessages(current);
    },
    reset,
  });

  document.addEventListener('DOMContentLoaded', () => {
    byId('mail-answer-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const text = byId('mail-answer').value;
      if (current !== null && text.trim() !== '') sendAnswer(text);
    });
    byId('mail-resend').addEventListener('click', () => {
      if (current !== null && unsent !== null) resend();
    });
    byId('mail-close').addEventListener('click', closeThread);
  });
})();
`;
