/**
 * The station page's script, served as /station.js (CSP 'self', no inline code). Plain browser
 * JavaScript without a framework; every value from the server is placed with textContent, never as
 * markup. It is a string here so the same module works from `tsx src/...` and `node dist/...`.
 */
export const STATION_PAGE_SCRIPT = String.raw`'use strict';
(() => {
  const TOKEN_KEY = 'hgw-station-token';
  const UNAUTHORIZED_CLOSE = 4401;
  const MAX_RECONNECT_MS = 30000;
  const REGISTERED_VISIBLE_MS = 5000;
  const CHANNELS = { phone: 'telefoon', chat: 'chat', mail: 'e-mail' };
  const FIELDS = [
    { name: 'ageBand', label: 'Leeftijd', list: 'ageBands' },
    { name: 'topic', label: 'Onderwerp', list: 'topics' },
    { name: 'outcome', label: 'Afloop', list: 'outcomes' },
  ];

  const contacts = new Map();
  const wrapUpItems = new Map();
  // Channels whose ringing contacts a panel shows (chat queue, mail list) instead of the card.
  const panelChannels = new Set();
  const panels = [];
  let categories = null;
  let socket = null;
  let generation = 0;
  let reconnectDelay = 1000;
  let reconnectTimer = null;
  let fieldIds = 0;

  const byId = (id) => document.getElementById(id);

  function takeTokenFromHash() {
    const match = /(?:^#|&)token=([^&]*)/.exec(location.hash);
    if (!match) return;
    if (match[1]) sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
    history.replaceState(null, '', location.pathname + location.search);
  }

  const storedToken = () => sessionStorage.getItem(TOKEN_KEY);

  function setConnection(text, online) {
    const element = byId('connection');
    element.textContent = text;
    element.classList.toggle('online', online);
  }

  function announce(text) {
    const element = byId('announcer');
    element.textContent = '';
    setTimeout(() => { element.textContent = text; }, 50);
  }

  function historyText(contact) {
    if (contact.recorded === false) return 'Aantal eerdere contacten onbekend (storing)';
    if (!contact.callerKnown) return contact.channel === 'phone' ? 'Nummer afgeschermd' : 'Afzender onbekend';
    if (contact.priorContacts === 0) return 'Eerste contact';
    if (contact.priorContacts === 1) return '1 eerder contact';
    return contact.priorContacts + ' eerdere contacten';
  }

  function metaText(contact) {
    const time = new Date(contact.offeredAt).toLocaleTimeString('nl-NL', { hour: '2-digit', minute: '2-digit' });
    return (CHANNELS[contact.channel] || contact.channel) + ' · ' + time;
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function untilText(ms, withWeekday) {
    const date = new Date(ms);
    const time = date.toLocaleTimeString('nl-NL', { hour: '2-digit', minute: '2-digit' });
    if (withWeekday) return date.toLocaleDateString('nl-NL', { weekday: 'short', day: 'numeric', month: 'short' }) + ' ' + time;
    const day = date.toLocaleDateString('nl-NL', { day: 'numeric', month: 'long', year: 'numeric' });
    return date.getHours() === 0 && date.getMinutes() === 0 ? day : day + ' ' + time;
  }

  // A Time Out or block is what the volunteer must see first: the caller is not put through.
  function moderationText(contact) {
    const moderation = contact.moderation;
    if (!moderation) return '';
    if (moderation.kind === 'time-out') return 'Time Out tot ' + untilText(moderation.until, true);
    if (moderation.kind === 'blocked') return 'Geblokkeerd tot ' + untilText(moderation.until, false);
    return moderation.routing === 'refuse' ? 'Moderatiestatus onbekend: niet doorverbonden' : 'Moderatiestatus onbekend';
  }

  function showModeration(node, contact) {
    const text = moderationText(contact);
    node.textContent = text;
    node.hidden = text === '';
    node.className = 'moderation' + (contact.moderation ? ' ' + contact.moderation.kind : '');
  }

  function contactSummary(contact, headingTag) {
    const fragment = document.createDocumentFragment();
    const moderation = element('p', 'moderation');
    showModeration(moderation, contact);
    fragment.append(
      element(headingTag, 'reference', contact.reference),
      moderation,
      element('p', 'history', historyText(contact)),
      element('p', 'meta', metaText(contact)),
    );
    return fragment;
  }

  function timeText(ms) {
    return new Date(ms).toLocaleTimeString('nl-NL', { hour: '2-digit', minute: '2-digit' });
  }

  // Every API call of the page: JSON both ways; a refused token sends the volunteer back to the login.
  async function request(method, path, body) {
    const init = { method, headers: { authorization: 'Bearer ' + storedToken() }, cache: 'no-store' };
    if (body !== undefined) {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch {
      return { ok: false, status: 0, body: { message: 'geen verbinding met de gateway.' } };
    }
    if (response.status === 401) {
      logout('Stationcode niet (meer) geldig. Meld opnieuw aan.');
      return null;
    }
    return { ok: response.ok, status: response.status, body: await response.json().catch(() => ({})) };
  }

  function failureText(result) {
    return 'Niet gelukt: ' + (result.body.message || ('fout ' + result.status));
  }

  function showResult(node, text, isError) {
    node.classList.toggle('error', isError);
    node.textContent = text;
  }

  const PII_LABELS = {
    PHONE: 'telefoonnummer', EMAIL: 'e-mailadres', URL: 'link', IP: 'IP-adres', HANDLE: 'gebruikersnaam',
    POSTCODE: 'postcode', ADDRESS: 'adres', DATE: 'datum', AGE: 'leeftijd', BSN: 'BSN', RRN: 'rijksregisternummer',
    IBAN: 'rekeningnummer', PLATE: 'kenteken', NAME: 'naam', PLACE: 'plaats', ORG: 'organisatie',
  };
  const piiLabel = (type) => PII_LABELS[type] || 'persoonlijk gegeven';

  // Text with the detector's suggestions as <mark>s; the node's textContent stays exactly the text,
  // so a selection inside it maps back to offsets in the line. Returns each mark with its span.
  function markedText(node, text, suggestions) {
    const marks = [];
    let at = 0;
    for (const span of [...suggestions].sort((a, b) => a.start - b.start)) {
      if (span.start < at || span.end > text.length || span.end <= span.start) continue;
      if (span.start > at) node.append(text.slice(at, span.start));
      const mark = element('mark', '', text.slice(span.start, span.end));
      mark.dataset.type = span.type;
      mark.title = piiLabel(span.type);
      node.append(mark);
      marks.push({ mark, span });
      at = span.end;
    }
    if (at < text.length) node.append(text.slice(at));
    return marks;
  }

  function timeOutControls(contact) {
    const box = element('div', 'time-out');
    if (!contact.callerKnown) return box;
    const button = element('button', 'time-out-button', 'Time Out geven');
    button.type = 'button';
    const result = element('p', 'time-out-result');
    result.setAttribute('role', 'status');
    button.addEventListener('click', () => giveTimeOut(contact.reference, button, result));
    box.append(button, result);
    return box;
  }

  async function giveTimeOut(reference, button, result) {
    if (!confirm('De beller van ' + reference + ' een Time Out geven? Tot die voorbij is, wordt de beller niet doorverbonden.')) return;
    button.disabled = true;
    showResult(result, 'Bezig…', false);
    const answer = await request('POST', '/api/v1/contacts/' + encodeURIComponent(reference) + '/time-out');
    if (!answer) return;
    if (answer.ok) {
      announce('Time Out gegeven tot ' + untilText(answer.body.timeOut.until, true) + '.');
      return applyContact(answer.body.contact);
    }
    showResult(result, failureText(answer), true);
    button.disabled = false;
  }

  // A live call (a volunteer answered on a SIP desk phone) stays on the card until it ends, so the
  // Time Out button is there during the conversation; ringing contacts follow it.
  function renderRinging() {
    const current = (c) => (c.state === 'ringing' || c.state === 'live') && !panelChannels.has(c.channel);
    const ringing = [...contacts.values()].filter(current).sort((a, b) => (a.state === 'live') === (b.state === 'live') ? b.offeredAt - a.offeredAt : a.state === 'live' ? -1 : 1);
    const card = byId('ringing-current');
    const others = byId('ringing-others');
    card.replaceChildren();
    others.replaceChildren();
    byId('ringing').hidden = ringing.length === 0;
    byId('ringing-title').textContent = ringing[0] && ringing[0].state === 'live' ? 'In gesprek' : 'Binnenkomend contact';
    card.classList.toggle('live', Boolean(ringing[0] && ringing[0].state === 'live'));
    byId('no-contacts').hidden = ringing.length !== 0 || wrapUpItems.size !== 0 || storedToken() === null;
    if (ringing.length === 0) return;
    card.append(contactSummary(ringing[0], 'p'), timeOutControls(ringing[0]));
    for (const contact of ringing.slice(1)) {
      const item = element('li');
      item.append(contactSummary(contact, 'p'));
      others.append(item);
    }
  }

  function wrapUpForm(contact, item) {
    const form = element('form', 'wrap-up');
    form.setAttribute('aria-label', 'Registratie van ' + contact.reference);
    for (const field of FIELDS) {
      fieldIds += 1;
      const id = 'field-' + fieldIds;
      const label = element('label', '', field.label);
      label.htmlFor = id;
      const select = element('select');
      select.id = id;
      select.name = field.name;
      select.required = true;
      const placeholder = element('option', '', 'Kies…');
      placeholder.value = '';
      select.append(placeholder);
      for (const value of categories[field.list]) {
        const option = element('option', '', value);
        option.value = value;
        select.append(option);
      }
      form.append(label, select);
    }
    const button = element('button', '', 'Registreren');
    button.type = 'submit';
    const result = element('p', 'result');
    result.setAttribute('role', 'status');
    form.append(button, result);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      submitWrapUp(contact.reference, form, button, result, item);
    });
    return form;
  }

  async function submitWrapUp(reference, form, button, result, item) {
    const data = new FormData(form);
    button.disabled = true;
    showResult(result, 'Bezig met registreren…', false);
    const body = { ageBand: data.get('ageBand'), topic: data.get('topic'), outcome: data.get('outcome') };
    const answer = await request('POST', '/api/v1/contacts/' + encodeURIComponent(reference) + '/wrap-up', body);
    if (!answer) return;
    if (answer.ok) return markRegistered(reference, item);
    showResult(result, failureText(answer), true);
    button.disabled = false;
  }

  function markRegistered(reference, item) {
    if (item.dataset.registered) return;
    item.dataset.registered = 'true';
    for (const control of item.querySelectorAll('select, button')) control.disabled = true;
    const result = item.querySelector('.result');
    result.classList.remove('error');
    result.textContent = 'Geregistreerd.';
    setTimeout(() => {
      if (wrapUpItems.get(reference) === item) wrapUpItems.delete(reference);
      item.remove();
      renderLists();
    }, REGISTERED_VISIBLE_MS);
  }

  function renderWrapUps() {
    const list = byId('wrap-up-list');
    const waiting = [...contacts.values()].filter((c) => c.state === 'ended').sort((a, b) => a.offeredAt - b.offeredAt);
    for (const [reference, item] of wrapUpItems) {
      const contact = contacts.get(reference);
      if (item.dataset.registered) continue;
      if (!contact || contact.state !== 'ended') {
        wrapUpItems.delete(reference);
        item.remove();
      } else {
        showModeration(item.querySelector('.moderation'), contact);
      }
    }
    if (categories) {
      for (const contact of waiting) {
        if (wrapUpItems.has(contact.reference)) continue;
        const item = element('li');
        item.append(contactSummary(contact, 'h3'));
        item.append(timeOutControls(contact));
        item.append(wrapUpForm(contact, item));
        wrapUpItems.set(contact.reference, item);
        list.append(item);
      }
    }
    byId('wrap-ups').hidden = wrapUpItems.size === 0;
  }

  function renderLists() {
    renderWrapUps();
    renderRinging();
  }

  function applyContact(contact) {
    const known = contacts.get(contact.reference);
    if (contact.state === 'registered') {
      contacts.delete(contact.reference);
      const item = wrapUpItems.get(contact.reference);
      if (item) markRegistered(contact.reference, item);
    } else {
      contacts.set(contact.reference, contact);
      if (contact.state === 'ringing' && !known) {
        const moderation = moderationText(contact);
        announce('Nieuw contact via ' + (CHANNELS[contact.channel] || contact.channel) + ': ' + (moderation ? moderation + '. ' : '') + historyText(contact) + '. Referentie ' + contact.reference + '.');
      }
    }
    renderLists();
  }

  function showLogin(message) {
    byId('login').hidden = false;
    byId('login-error').textContent = message || '';
    byId('logout').hidden = true;
    byId('ringing').hidden = true;
    byId('wrap-ups').hidden = true;
    byId('no-contacts').hidden = true;
    for (const panel of panels) panel.reset();
    setConnection('Niet aangemeld', false);
    byId('token-input').focus();
  }

  function logout(message) {
    generation += 1;
    clearTimeout(reconnectTimer);
    sessionStorage.removeItem(TOKEN_KEY);
    if (socket) socket.close(1000, 'logout');
    socket = null;
    categories = null;
    contacts.clear();
    panelChannels.clear();
    for (const item of wrapUpItems.values()) item.remove();
    wrapUpItems.clear();
    renderRinging();
    showLogin(message);
  }

  function scheduleReconnect(myGeneration) {
    if (myGeneration !== generation) return;
    const seconds = Math.round(reconnectDelay / 1000);
    setConnection('Verbinding verbroken; opnieuw proberen over ' + seconds + ' s', false);
    clearTimeout(reconnectTimer);
    reconnectTimer = setTimeout(() => connect(myGeneration), reconnectDelay + Math.random() * 500);
    reconnectDelay = Math.min(reconnectDelay * 2, MAX_RECONNECT_MS);
  }

  async function loadCategories() {
    const response = await fetch('/api/v1/categories', {
      headers: { authorization: 'Bearer ' + storedToken() },
      cache: 'no-store',
    });
    if (response.status === 401) return false;
    if (!response.ok) throw new Error('categories ' + response.status);
    categories = await response.json();
    return true;
  }

  async function connect(myGeneration) {
    if (myGeneration !== generation || storedToken() === null) return;
    setConnection('Verbinden…', false);
    try {
      if (!categories && !(await loadCategories())) return logout('Stationcode niet herkend.');
    } catch {
      return scheduleReconnect(myGeneration);
    }
    if (myGeneration !== generation) return;
    const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
    const ws = new WebSocket(scheme + location.host + '/api/v1/events');
    socket = ws;
    ws.addEventListener('open', () => ws.send(JSON.stringify({ type: 'auth', token: storedToken() })));
    ws.addEventListener('message', (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      if (frame.type === 'snapshot') {
        reconnectDelay = 1000;
        setConnection('Verbonden', true);
        contacts.clear();
        for (const contact of frame.contacts) contacts.set(contact.reference, contact);
        panelChannels.clear();
        if (frame.chats) panelChannels.add('chat');
        if (frame.mails) panelChannels.add('mail');
        renderLists();
        for (const panel of panels) panel.snapshot(frame);
      } else if (frame.type === 'contact') {
        applyContact(frame.contact);
      } else {
        for (const panel of panels) panel.receive(frame);
      }
    });
    ws.addEventListener('close', (event) => {
      if (socket !== ws) return;
      socket = null;
      if (event.code === UNAUTHORIZED_CLOSE) return logout('Stationcode niet herkend.');
      scheduleReconnect(myGeneration);
    });
  }

  function start() {
    byId('login').hidden = true;
    byId('logout').hidden = false;
    generation += 1;
    reconnectDelay = 1000;
    connect(generation);
  }

  // What the chat and mail scripts (/station-chat.js, /station-mail.js) share with this one; each
  // registers a panel: { snapshot(frame), receive(frame), reset() }.
  window.hgwStation = {
    panels, element, announce, markedText, piiLabel, historyText, showModeration, timeText, timeOutControls, request, failureText, showResult,
  };

  document.addEventListener('DOMContentLoaded', () => {
    byId('login-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const input = byId('token-input');
      const value = input.value.trim();
      input.value = '';
      if (!value) return;
      sessionStorage.setItem(TOKEN_KEY, value);
      start();
    });
    byId('logout').addEventListener('click', () => logout('Afgemeld.'));
    takeTokenFromHash();
    if (storedToken() === null) showLogin();
    else start();
  });
})();
`;
