/**
 * The station page's chat panel, served as /station-chat.js after /station.js, whose helpers it
 * uses (window.hgwStation). The queue is everyone's; a taken chat's lines reach only the station
 * that took it. The caller's text is only ever placed with textContent, marks included.
 */
export const STATION_CHAT_SCRIPT = String.raw`'use strict';
(() => {
  const S = window.hgwStation;
  const byId = (id) => document.getElementById(id);
  const chats = new Map();
  // reference -> Map(line id -> line); the lines of the chats this station took.
  const lineMaps = new Map();
  const drafts = new Map();
  let enabled = false;
  let station = null;
  let current = null;
  // line id -> element, for the conversation on screen, so a new line does not disturb a selection.
  const shownLines = new Map();

  const path = (reference, rest) => '/api/v1/chats/' + encodeURIComponent(reference) + rest;
  const isMine = (chat) => chat.state === 'active' && chat.stationId === station;
  const mine = () => [...chats.values()].filter(isMine).sort((a, b) => a.openedAt - b.openedAt);

  function chatSummary(chat, extra) {
    const fragment = document.createDocumentFragment();
    const moderation = S.element('p', 'moderation');
    S.showModeration(moderation, chat);
    fragment.append(
      S.element('p', 'reference', chat.reference),
      moderation,
      S.element('p', 'history', S.historyText({ ...chat, channel: 'chat' })),
      S.element('p', 'meta', extra),
    );
    return fragment;
  }

  function renderQueue() {
    const list = byId('chat-queue');
    const queued = [...chats.values()].filter((c) => c.state === 'queued').sort((a, b) => (a.queuePosition || 0) - (b.queuePosition || 0));
    list.replaceChildren();
    for (const chat of queued) {
      const item = S.element('li');
      const button = S.element('button', '', 'Aannemen');
      button.type = 'button';
      button.setAttribute('aria-label', 'Chat ' + chat.reference + ' aannemen');
      button.addEventListener('click', () => accept(chat.reference, button));
      item.append(chatSummary(chat, 'Wacht sinds ' + S.timeText(chat.openedAt) + (chat.queuePosition ? ' · plaats ' + chat.queuePosition : '')), button);
      list.append(item);
    }
    byId('chat-queue-empty').hidden = queued.length !== 0;
  }

  function renderMine() {
    const nav = byId('chat-mine');
    const taken = mine();
    nav.replaceChildren();
    nav.hidden = taken.length < 2;
    for (const chat of taken) {
      const button = S.element('button', '', 'Gesprek ' + chat.reference);
      button.type = 'button';
      button.setAttribute('aria-pressed', String(chat.reference === current));
      button.addEventListener('click', () => show(chat.reference));
      nav.append(button);
    }
  }

  function lineElement(reference, line) {
    const node = S.element('div', 'line ' + line.author);
    node.dataset.lineId = String(line.id);
    const meta = S.element('p', 'meta', (line.author === 'caller' ? 'Beller' : 'Jij') + ' · ' + S.timeText(line.at));
    if (line.redacted) meta.append(' · ', S.element('span', 'note', 'aangepast'));
    const text = S.element('p', 'line-text');
    text.dataset.lineId = String(line.id);
    const marks = S.markedText(text, line.text, line.author === 'caller' ? line.suggestions : []);
    node.append(meta, text);
    if (marks.length > 0) {
      const actions = S.element('div', 'line-actions');
      for (const { mark, span } of marks) {
        const button = S.element('button', '', 'verwijderen');
        button.type = 'button';
        button.setAttribute('aria-label', S.piiLabel(span.type) + ' "' + mark.textContent + '" verwijderen');
        button.addEventListener('click', () => redact(reference, line.id, [{ type: span.type, start: span.start, end: span.end }]));
        actions.append(button);
      }
      node.append(actions);
    }
    return node;
  }

  function showLine(reference, line) {
    if (reference !== current) return;
    const container = byId('chat-lines');
    const fresh = lineElement(reference, line);
    const shown = shownLines.get(line.id);
    if (shown) {
      shown.replaceWith(fresh);
    } else {
      const atBottom = container.scrollTop + container.clientHeight >= container.scrollHeight - 8;
      const next = [...shownLines.keys()].filter((id) => id > line.id).sort((a, b) => a - b)[0];
      container.insertBefore(fresh, next === undefined ? null : shownLines.get(next));
      if (atBottom) container.scrollTop = container.scrollHeight;
    }
    shownLines.set(line.id, fresh);
  }

  // A redacted line never goes back to its original, even if an older answer arrives after the event.
  function mergeLine(reference, line) {
    const lines = lineMaps.get(reference) || new Map();
    lineMaps.set(reference, lines);
    const known = lines.get(line.id);
    if (known && known.redacted && !line.redacted) return;
    lines.set(line.id, line);
    showLine(reference, line);
  }

  function renderConversation() {
    const article = byId('chat-conversation');
    const chat = current === null ? undefined : chats.get(current);
    article.hidden = !chat;
    shownLines.clear();
    byId('chat-lines').replaceChildren();
    byId('chat-conversation-info').replaceChildren();
    if (!chat) return;
    byId('chat-conversation-title').textContent = 'Gesprek ' + chat.reference;
    const moderation = S.element('p', 'moderation');
    S.showModeration(moderation, chat);
    byId('chat-conversation-info').append(moderation, S.element('p', 'history', S.historyText({ ...chat, channel: 'chat' })), S.timeOutControls(chat));
    const lines = [...(lineMaps.get(chat.reference) || new Map()).values()].sort((a, b) => a.id - b.id);
    for (const line of lines) showLine(chat.reference, line);
    byId('chat-message').value = drafts.get(chat.reference) || '';
  }

  function render() {
    byId('chat').hidden = !enabled;
    if (!enabled) return;
    renderQueue();
    renderMine();
  }

  function show(reference) {
    if (current !== null) drafts.set(current, byId('chat-message').value);
    current = reference;
    S.showResult(byId('chat-status'), '', false);
    renderMine();
    renderConversation();
  }

  async function loadLines(reference) {
    const answer = await S.request('GET', path(reference, '/lines'));
    if (!answer) return;
    if (!answer.ok) return S.showResult(byId('chat-status'), S.failureText(answer), true);
    for (const line of answer.body.lines) mergeLine(reference, line);
  }

  function applyChat(chat) {
    const wasMine = chats.has(chat.reference) && isMine(chats.get(chat.reference));
    if (chat.state === 'queued' || isMine(chat)) {
      chats.set(chat.reference, chat);
      if (isMine(chat) && !lineMaps.has(chat.reference)) {
        lineMaps.set(chat.reference, new Map());
        loadLines(chat.reference);
      }
    } else {
      chats.delete(chat.reference);
      lineMaps.delete(chat.reference);
      drafts.delete(chat.reference);
      if (wasMine && chat.state === 'closed') S.announce('Chat ' + chat.reference + ' is afgesloten. Registreer hem onder Nog te registreren.');
    }
    if (current === chat.reference && !chats.has(chat.reference)) current = null;
    if (current === null && mine()[0]) show(mine()[0].reference);
    else if (current === null) renderConversation();
    render();
  }

  async function accept(reference, button) {
    button.disabled = true;
    const answer = await S.request('POST', path(reference, '/accept'));
    if (!answer) return;
    const status = byId('chat-queue-status');
    if (!answer.ok) {
      button.disabled = false;
      return S.showResult(status, answer.status === 409 ? 'Een ander station heeft deze chat al aangenomen.' : S.failureText(answer), true);
    }
    S.showResult(status, '', false);
    applyChat(answer.body.chat);
    show(reference);
    byId('chat-message').focus();
  }

  async function redact(reference, lineId, spans) {
    const status = byId('chat-status');
    S.showResult(status, 'Bezig met verwijderen…', false);
    const answer = await S.request('POST', path(reference, '/lines/' + lineId + '/redact'), { spans });
    if (!answer) return;
    if (!answer.ok) return S.showResult(status, S.failureText(answer), true);
    mergeLine(reference, answer.body.line);
    S.showResult(status, 'Verwijderd.', false);
  }

  // Offsets of the selection inside one line's text, in UTF-16 code units like the server's.
  function selectedSpan() {
    const selection = document.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return undefined;
    const range = selection.getRangeAt(0);
    const lineOf = (node) => (node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement)?.closest('#chat-lines .line-text');
    const text = lineOf(range.startContainer);
    if (!text || text !== lineOf(range.endContainer)) return null;
    const before = document.createRange();
    before.selectNodeContents(text);
    before.setEnd(range.startContainer, range.startOffset);
    const start = before.toString().length;
    return { lineId: Number(text.dataset.lineId), start, end: start + range.toString().length };
  }

  function redactSelection() {
    const span = selectedSpan();
    const status = byId('chat-status');
    if (span === undefined) return S.showResult(status, 'Selecteer eerst tekst in een bericht.', true);
    if (span === null) return S.showResult(status, 'Selecteer tekst binnen één bericht.', true);
    document.getSelection().removeAllRanges();
    redact(current, span.lineId, [{ type: '', start: span.start, end: span.end }]);
  }

  async function send(event) {
    event.preventDefault();
    const box = byId('chat-message');
    const text = box.value;
    if (current === null || text.trim() === '') return;
    const reference = current;
    const status = byId('chat-status');
    const answer = await S.request('POST', path(reference, '/messages'), { text });
    if (!answer) return;
    if (!answer.ok) return S.showResult(status, answer.status === 413 ? 'Niet gelukt: het bericht is te lang.' : S.failureText(answer), true);
    if (current === reference) box.value = '';
    S.showResult(status, '', false);
    mergeLine(reference, answer.body.line);
  }

  async function closeChat() {
    const reference = current;
    if (reference === null) return;
    if (!confirm('Het gesprek ' + reference + ' afsluiten? De beller kan daarna niets meer sturen.')) return;
    const answer = await S.request('POST', path(reference, '/close'));
    if (!answer) return;
    if (!answer.ok) return S.showResult(byId('chat-status'), S.failureText(answer), true);
    applyChat(answer.body.chat);
  }

  function reset() {
    enabled = false;
    station = null;
    current = null;
    chats.clear();
    lineMaps.clear();
    drafts.clear();
    byId('chat-message').value = '';
    renderConversation();
    render();
  }

  S.panels.push({
    snapshot(frame) {
      enabled = Array.isArray(frame.chats);
      station = frame.station || null;
      chats.clear();
      // Lines are fetched again: some may have been written or redacted while the socket was down.
      lineMaps.clear();
      if (enabled) for (const chat of frame.chats) applyChat(chat);
      if (current !== null && !chats.has(current)) current = null;
      if (current === null && mine()[0]) current = mine()[0].reference;
      renderConversation();
      render();
    },
    receive(frame) {
      if (!enabled) return;
      if (frame.type === 'chat-changed') applyChat(frame.chat);
      else if (frame.type === 'chat-line' && chats.has(frame.reference)) mergeLine(frame.reference, frame.line);
    },
    reset,
  });

  document.addEventListener('DOMContentLoaded', () => {
    const redactButton = byId('chat-redact-selection');
    // Keeps the text selection: a press on the button would otherwise clear it before the click.
    redactButton.addEventListener('mousedown', (event) => event.preventDefault());
    redactButton.addEventListener('click', redactSelection);
    byId('chat-send-form').addEventListener('submit', send);
    byId('chat-message').addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) byId('chat-send-form').requestSubmit();
    });
    byId('chat-close').addEventListener('click', closeChat);
  });
})();
`;
