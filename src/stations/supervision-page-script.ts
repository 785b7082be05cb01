/**
 * The Meeluisteren section of the coordinator page (issue 4, items 5 and 6), for supervisors: live
 * calls by station (refreshed every few seconds while the section is open), the desk whose phone
 * rings, and Meeluisteren / Fluisteren aan-uit / Stoppen. Plain browser JavaScript placed inside the
 * page script's closure (coordinator-page-script.ts), so it shares `json`, `element`, `button`,
 * `show`, `announce`, `failure`, `ApiError`, `session` and `LOADERS`; every server value is placed
 * with textContent.
 */
export const SUPERVISION_PAGE_SCRIPT = String.raw`
  // ---- Meeluisteren ----

  const SUPERVISION_REFRESH_MS = 3000;
  const SUPERVISION_REFUSALS = {
    forbidden: 'Alleen werkbegeleiders luisteren mee.',
    'unknown-desk': 'Dit toestel bestaat niet (meer).',
    'no-desk-phone': 'Dit station heeft geen toestel.',
    'unknown-call': 'Dit gesprek is al voorbij.',
    'not-connected': 'Dit gesprek is nog niet aangenomen.',
    'other-group': 'Dit station hoort niet bij de groep van je toestel.',
    'desk-busy': 'Je toestel is al in gesprek of luistert al mee.',
    'phone-unanswered': 'Je toestel nam niet op.',
    'unknown-session': 'Dit meeluisteren is al voorbij.',
    'not-yours': 'Dit is het meeluisteren van een andere werkbegeleider.',
  };
  const CALL_STATES = { ringing: 'gaat over', connected: 'in gesprek' };

  const supervision = { timer: null, loading: false, desks: [], calls: [], sessions: [], ringing: null };

  function supervisionFailure(error) {
    if (error instanceof ApiError && error.reason && SUPERVISION_REFUSALS[error.reason]) return 'Niet gelukt: ' + SUPERVISION_REFUSALS[error.reason];
    return failure(error);
  }

  function clockTime(ms) {
    return new Date(ms).toLocaleTimeString('nl-NL', { hour: '2-digit', minute: '2-digit' });
  }

  function chosenDesk() {
    const id = byId('supervision-desk').value;
    return supervision.desks.find((desk) => desk.stationId === id) || null;
  }

  async function loadSupervision() {
    if (supervision.loading) return;
    supervision.loading = true;
    try {
      const data = await json('GET', '/api/v1/supervision/calls');
      supervision.calls = data.calls;
      supervision.sessions = data.sessions;
      renderDesks(data.desks);
      renderSupervision();
    } catch (error) {
      show('supervision-result', supervisionFailure(error), true);
    } finally {
      supervision.loading = false;
    }
    keepRefreshing();
  }

  /** One interval while the section is open; it ends itself on another tab, logout or an expired session. */
  function keepRefreshing() {
    if (supervision.timer !== null) return;
    supervision.timer = setInterval(() => {
      if (!session || byId('section-supervision').hidden) {
        clearInterval(supervision.timer);
        supervision.timer = null;
        return;
      }
      loadSupervision();
    }, SUPERVISION_REFRESH_MS);
  }

  function renderDesks(desks) {
    const select = byId('supervision-desk');
    const same = desks.length === supervision.desks.length && desks.every((desk, index) => desk.stationId === supervision.desks[index].stationId);
    supervision.desks = desks;
    if (same && select.options.length > 0) return;
    const chosen = select.value;
    const options = desks.map((desk) => {
      const option = element('option', '', desk.stationName + ' (groep ' + desk.group + ')');
      option.value = desk.stationId;
      return option;
    });
    if (desks.length !== 1) {
      const none = element('option', '', desks.length === 0 ? 'Geen toestellen ingesteld' : 'Kies je toestel');
      none.value = '';
      options.unshift(none);
    }
    select.replaceChildren(...options);
    if (desks.some((desk) => desk.stationId === chosen)) select.value = chosen;
  }

  function renderSupervision() {
    const sessions = byId('supervision-sessions');
    if (supervision.sessions.length === 0) sessions.replaceChildren(element('li', '', 'Je luistert nu nergens mee.'));
    else sessions.replaceChildren(...supervision.sessions.map(sessionItem));
    const calls = byId('supervision-calls');
    if (supervision.calls.length === 0) calls.replaceChildren(element('li', '', 'Geen gesprekken.'));
    else calls.replaceChildren(...supervision.calls.map(liveCallItem));
  }

  function sessionItem(listening) {
    const item = element('li');
    item.dataset.session = listening.sessionId;
    const line = element('p');
    line.append('Meeluisteren met ', element('span', 'reference', listening.reference), ' bij ' + listening.stationName + ' sinds ' + clockTime(listening.startedAt) + (listening.whisper ? ' · fluisteren aan' : ''));
    const actions = element('div', 'actions');
    actions.append(
      button(listening.whisper ? 'Fluisteren uit' : 'Fluisteren aan', () => switchWhisper(listening, !listening.whisper)),
      button('Stoppen', () => stopListening(listening)),
    );
    item.append(line, actions);
    return item;
  }

  function liveCallItem(live) {
    const item = element('li');
    item.dataset.station = live.stationId;
    item.dataset.reference = live.reference;
    const line = element('p');
    line.append(
      element('strong', '', live.stationName),
      (live.group ? ' (groep ' + live.group + ')' : '') + ' · ' + (CALL_STATES[live.state] || live.state) + ' sinds ' + clockTime(live.since) + ' · ',
      element('span', 'reference', live.reference),
      live.listeners > 0 ? ' · ' + live.listeners + ' luistert mee' : '',
    );
    item.append(line);
    const action = liveCallAction(live);
    if (action) {
      const actions = element('div', 'actions');
      actions.append(action);
      item.append(actions);
    }
    return item;
  }

  /** The button (or the reason there is none) for one call; nothing for a call one already hears. */
  function liveCallAction(live) {
    const desk = chosenDesk();
    if (supervision.ringing === live.reference) return element('span', '', 'Je toestel gaat over…');
    if (live.state !== 'connected' || supervision.sessions.some((listening) => listening.reference === live.reference)) return null;
    if (!desk) return element('span', '', 'Kies eerst je toestel.');
    if (desk.group !== live.group) return element('span', '', 'Andere groep dan je toestel.');
    return supervision.ringing === null ? button('Meeluisteren', () => startListening(live, desk)) : null;
  }

  async function startListening(live, desk) {
    supervision.ringing = live.reference;
    renderSupervision();
    show('supervision-result', 'Je toestel (' + desk.stationName + ') gaat over; neem op om mee te luisteren.', false);
    try {
      const data = await json('POST', '/api/v1/supervision/listen-along', { reference: live.reference, fromStationId: desk.stationId, whisper: false });
      const text = 'Je luistert mee met ' + data.session.reference + ' bij ' + data.session.stationName + '.';
      show('supervision-result', text, false);
      announce(text);
    } catch (error) {
      show('supervision-result', supervisionFailure(error), true);
    } finally {
      supervision.ringing = null;
    }
    await loadSupervision();
  }

  async function switchWhisper(listening, on) {
    try {
      await json('POST', '/api/v1/supervision/listen-along/' + encodeURIComponent(listening.sessionId) + '/whisper', { on });
      const text = on ? 'Fluisteren aan: de vrijwilliger hoort je, de beller niet.' : 'Fluisteren uit.';
      show('supervision-result', text, false);
      announce(text);
    } catch (error) {
      show('supervision-result', supervisionFailure(error), true);
    }
    await loadSupervision();
  }

  async function stopListening(listening) {
    try {
      await call('DELETE', '/api/v1/supervision/listen-along/' + encodeURIComponent(listening.sessionId));
      show('supervision-result', 'Gestopt met meeluisteren.', false);
      announce('Gestopt met meeluisteren.');
    } catch (error) {
      show('supervision-result', supervisionFailure(error), true);
    }
    await loadSupervision();
  }

  LOADERS['section-supervision'] = loadSupervision;
  document.addEventListener('DOMContentLoaded', () => byId('supervision-desk').addEventListener('change', renderSupervision));
`;
