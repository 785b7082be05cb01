/**
 * The Moderatie section of the coordinator page (P4): moderated callers with their Time Outs and
 * blocks, blocking with a reason, lifting. Plain browser JavaScript placed inside the page script's
 * closure (coordinator-page-script.ts), so it shares `call`, `element`, `button`, `dateTime`,
 * `show`, `announce` and `LOADERS`; every server value is placed with textContent.
 */
export const COORDINATOR_MODERATION_SCRIPT = String.raw`
  // ---- Moderatie ----

  const MODERATION_REFUSALS = {
    forbidden: 'Alleen coördinatoren.',
    'unknown-contact': 'Geen contact met deze referentie.',
    'unknown-entry': 'Deze Time Out of blokkade bestaat niet (meer).',
    'caller-not-linkable': 'Bij dit contact is het nummer afgeschermd of niet meer te koppelen.',
    'too-few-time-outs': 'Deze beller heeft nog te weinig Time Outs gehad voor een blokkade.',
    'already-blocked': 'Deze beller is al geblokkeerd.',
    'already-lifted': 'Dit is al opgeheven.',
    'no-reason': 'Schrijf een reden van minstens 20 tekens.',
    'reason-holds-identifier': 'De reden mag geen nummer, e-mailadres of IP-adres bevatten.',
  };
  const MODERATION_KINDS = { 'time-out': 'Time Out', block: 'Blokkade' };

  function moderationFailure(error) {
    if (error instanceof ApiError && error.reason && MODERATION_REFUSALS[error.reason]) return 'Niet gelukt: ' + MODERATION_REFUSALS[error.reason];
    return failure(error);
  }

  function moderationStatusText(status) {
    if (status.kind === 'blocked') return 'Geblokkeerd tot ' + dateTime(status.until);
    if (status.kind === 'time-out') return 'Time Out tot ' + dateTime(status.until);
    return 'Nu geen Time Out of blokkade';
  }

  async function loadModeration() {
    let data;
    try { data = await json('GET', '/api/v1/moderation'); } catch (error) { show('moderation-result', moderationFailure(error), true); return; }
    byId('moderation-policy').textContent = 'Een Time Out duurt ' + data.timeOutHours + ' uur; na ' + data.timeOutsBeforeBlock + ' Time Outs kan een beller ' + data.blockMonths + ' maanden geblokkeerd worden.';
    const list = byId('moderation-list');
    if (data.callers.length === 0) { list.replaceChildren(element('li', '', 'Geen Time Outs of blokkades.')); return; }
    list.replaceChildren(...data.callers.map((caller) => moderatedCallerItem(caller, data)));
  }

  function moderatedCallerItem(caller, data) {
    const item = element('li');
    item.dataset.reference = caller.latestReference;
    const title = element('p');
    title.append(element('strong', '', moderationStatusText(caller.status)), ' · ' + caller.timeOutsInWindow + ' van ' + data.timeOutsBeforeBlock + ' Time Outs voor een blokkade');
    item.append(title);
    const entries = element('ul');
    for (const entry of caller.entries) entries.append(moderationEntryItem(entry));
    item.append(entries);
    if (caller.blockable) {
      const actions = element('div', 'actions');
      actions.append(button('Blokkeren…', () => {
        byId('block-reference').value = caller.latestReference;
        byId('block-reason').focus();
      }));
      item.append(actions);
    }
    return item;
  }

  function moderationEntryItem(entry) {
    const item = element('li');
    item.dataset.entry = String(entry.id);
    const line = element('p');
    const state = entry.liftedAt !== null ? ' · opgeheven ' + dateTime(entry.liftedAt) + ' door ' + entry.liftedBy : entry.active ? '' : ' · voorbij';
    line.append(MODERATION_KINDS[entry.kind] || entry.kind, ' na ', element('span', 'reference', entry.reference), ' · ' + dateTime(entry.givenAt) + ' door ' + entry.givenBy + ' · tot ' + dateTime(entry.until) + state);
    item.append(line);
    if (entry.reason) item.append(element('p', '', 'Reden: ' + entry.reason));
    if (entry.liftedAt === null) {
      const actions = element('div', 'actions');
      actions.append(button('Opheffen…', () => { if (!item.querySelector('form')) item.append(liftForm(entry)); }));
      item.append(actions);
    }
    return item;
  }

  function liftForm(entry) {
    const form = element('form', 'grid');
    const reasonId = 'lift-reason-' + entry.id;
    const label = element('label', '', 'Waarom opheffen (minstens 20 tekens)');
    label.htmlFor = reasonId;
    const reason = element('textarea');
    reason.id = reasonId;
    reason.required = true;
    reason.rows = 2;
    const submit = element('button', '', 'Opheffen');
    submit.type = 'submit';
    const outcome = element('p', 'result');
    form.append(label, reason, submit, outcome);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        await call('POST', '/api/v1/moderation/' + entry.id + '/lift', { reason: reason.value });
        announce('Opgeheven.');
        show('moderation-result', 'Opgeheven.', false);
        await loadModeration();
      } catch (error) {
        outcome.textContent = moderationFailure(error);
        outcome.className = 'result error';
      }
    });
    return form;
  }

  async function blockCaller(event) {
    event.preventDefault();
    const reference = byId('block-reference');
    const reason = byId('block-reason');
    try {
      const data = await json('POST', '/api/v1/moderation/blocks', { reference: reference.value, reason: reason.value });
      show('moderation-result', 'Geblokkeerd tot ' + dateTime(data.block.until) + '.', false);
      reference.value = '';
      reason.value = '';
    } catch (error) {
      show('moderation-result', moderationFailure(error), true);
    }
    await loadModeration();
  }

  LOADERS['section-moderation'] = loadModeration;
  document.addEventListener('DOMContentLoaded', () => byId('block-form').addEventListener('submit', blockCaller));
`;
