/* Musofir console: one case (conversation, reply box, actions, suggestions, previous cases). */
(() => {
  'use strict';
  const M = window.Musofir;
  const { $, el } = M;

  const AUTHOR_CLASS = {
    person: 'msg-person',
    staff: 'msg-staff',
    note: 'msg-note',
    system: 'msg-system',
  };

  // Lower-case on purpose (the CSS capitalises the first letter); each contains the state's code.
  const DELIVERY_LABELS = {
    sending: 'sending…',
    sent: 'sent',
    waiting: 'waiting for the person to come back (WhatsApp 24 h)',
    failed: 'failed: not delivered',
    unreachable: 'unreachable: the person cannot be reached on this channel',
    unknown: 'delivery unknown',
  };

  const MEDIA_LABELS = {
    photo: 'Photo',
    voice: 'Voice message',
    audio: 'Audio',
    video: 'Video',
    sticker: 'Sticker',
    document: 'Document',
    other: 'Attachment',
  };

  M.ready(() => {
    const page = $('#case-page');
    if (!page) return;
    const caseId = Number(page.dataset.caseId);
    const base = `/console/api/cases/${encodeURIComponent(caseId)}`;
    const myUsername = document.body.dataset.username || '';

    const conversation = $('#conversation');
    const conversationEmpty = $('#conversation-empty');
    const replyForm = $('#reply-form');
    const reply = $('#reply-text');
    const replyHint = $('#reply-hint');
    const sendButton = $('#send-reply');
    const noteButton = $('#add-note');
    const claimButton = $('#claim');
    const releaseButton = $('#release');
    const transferRole = $('#transfer-role');
    const transferTo = $('#transfer-to');
    const transferButton = $('#transfer');
    const closeOutcome = $('#close-outcome');
    const closeButton = $('#close-case');
    const suggestQuery = $('#suggest-query');
    const suggestions = $('#suggestions');
    const previous = $('#previous-cases');

    let current = null; // the last {case, messages, previous, can_reply}
    let canReply = false;
    let gone = false; // the case is no longer readable (transferred away, deleted)
    const rendered = new Map(); // message id -> {node, signature}

    // ---- header and facts ---------------------------------------------------------------------

    function setText(selector, text) {
      const node = $(selector);
      if (node) node.textContent = text;
    }

    function renderCase(c) {
      setText('#case-title', c.pseudonym ? `${c.pseudonym} · case ${c.id}` : `Case ${c.id}`);
      setText('#case-pseudonym', c.pseudonym || '—');
      setText('#case-language', M.languageLabel(c.language) || '—');
      setText('#case-channel', M.channelLabel(c.channel) || '—');
      setText('#case-region', c.region || 'Not given');
      setText('#case-role', M.roleLabel(c.role) || '—');
      const status = $('#case-status');
      if (status) {
        status.textContent = M.statusLabel(c.status);
        status.dataset.status = c.status;
      }
      setText('#case-assignee', c.mine ? `${c.assignee} (you)` : c.assignee || 'Nobody yet');
      const opened = $('#case-opened');
      if (opened) {
        const ageText = M.age(c.created_at);
        const suffix = ageText === 'just now' ? ')' : ' ago)';
        opened.replaceChildren(M.timeEl(c.created_at, 'datetime'), ' (', M.timeEl(c.created_at, 'age'), suffix);
      }
      const urgent = $('#case-urgent');
      if (urgent) urgent.hidden = !c.urgent;
      const waiting = $('#case-waiting');
      if (waiting) waiting.hidden = !c.waiting_window;
      const expected = $('#case-expected');
      if (expected) {
        if (c.expected_by && c.status !== 'closed') {
          expected.replaceChildren('Answer expected by ', M.timeEl(c.expected_by, 'datetime'));
          expected.hidden = false;
        } else {
          expected.replaceChildren();
          expected.hidden = true;
        }
      }
      const outcome = $('#case-outcome');
      if (outcome) {
        if (c.status === 'closed') {
          outcome.replaceChildren(
            `Closed${c.outcome ? `: ${M.outcomeLabel(c.outcome)}` : ''}`,
            c.closed_at ? ', ' : '',
            c.closed_at ? M.timeEl(c.closed_at, 'datetime') : '',
          );
          outcome.hidden = false;
        } else {
          outcome.replaceChildren();
          outcome.hidden = true;
        }
      }
      const rating = $('#case-rating');
      if (rating) {
        const rated = c.rating !== null && c.rating !== undefined && c.rating !== '';
        rating.textContent = rated ? `Rated ${c.rating}/5` : '';
        rating.hidden = !rated;
      }
      page.classList.toggle('is-closed', c.status === 'closed');
      page.classList.toggle('is-urgent', Boolean(c.urgent));
    }

    function renderControls() {
      const c = current && current.case;
      const closed = !c || c.status === 'closed' || gone;
      M.lock(claimButton, closed || c.status !== 'queued' || Boolean(c.mine));
      M.lock(releaseButton, closed || !(c && c.mine));
      M.lock(transferButton, closed);
      M.lock(closeButton, closed);
      M.lock(sendButton, !canReply || gone);
      M.lock(noteButton, gone || !c);

      let hint = '';
      if (gone) hint = 'This case is no longer available to you.';
      else if (!c) hint = '';
      else if (c.status === 'closed') hint = 'The case is closed: you can still add a note for colleagues.';
      else if (!canReply) hint = `${c.assignee || 'A colleague'} has claimed this case: only they can reply. You can add a note.`;
      else if (c.status === 'queued') hint = 'Sending a reply claims the case for you.';
      if (replyHint) {
        replyHint.textContent = hint;
        replyHint.hidden = !hint;
      }
    }

    // ---- conversation -------------------------------------------------------------------------

    function authorLabel(m) {
      switch (m.author) {
        case 'person':
          return (current && current.case && current.case.pseudonym) || 'Person';
        case 'staff':
          return m.staff || 'Staff';
        case 'note':
          return m.staff ? `Note by ${m.staff}` : 'Note';
        default:
          return 'System';
      }
    }

    function mediaBlock(m) {
      if (!m.media_kind && !m.media_ref) return null;
      const kind = MEDIA_LABELS[m.media_kind] || MEDIA_LABELS.other;
      const block = el('div', { class: 'msg-media', dataset: { mediaKind: m.media_kind || 'other' } });
      if (m.media_link && m.media_link.startsWith('/console/')) {
        block.append(M.safeLink(new URL(m.media_link, location.origin).href, `${kind}: open`));
      } else if (M.isHttpUrl(m.media_ref)) {
        block.append(M.safeLink(m.media_ref, `${kind}: open`));
      } else if (m.media_ref) {
        block.append(el('span', { class: 'media-kind', text: `${kind} ` }), el('span', { class: 'plain-ref', text: `(file id ${m.media_ref})` }));
      } else {
        block.append(el('span', { class: 'media-kind', text: kind }));
      }
      return block;
    }

    function locationBlock(m) {
      if (m.latitude === null || m.latitude === undefined || m.longitude === null || m.longitude === undefined) {
        return null;
      }
      const lat = Number(m.latitude);
      const lon = Number(m.longitude);
      if (!Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) {
        return el('div', { class: 'msg-location', text: `Location: ${m.latitude}, ${m.longitude}` });
      }
      const url = new URL('https://www.openstreetmap.org/');
      url.searchParams.set('mlat', String(lat));
      url.searchParams.set('mlon', String(lon));
      url.hash = `map=16/${lat}/${lon}`;
      return el(
        'div',
        { class: 'msg-location' },
        M.safeLink(url.href, `Location: ${lat.toFixed(5)}, ${lon.toFixed(5)} (map)`),
      );
    }

    function deliveryBlock(m) {
      if (m.author !== 'staff' || !m.delivery) return null;
      return el('div', {
        class: `delivery delivery-${String(m.delivery).replace(/[^a-z_]/gi, '')}`,
        dataset: { delivery: m.delivery },
        text: DELIVERY_LABELS[m.delivery] || String(m.delivery),
      });
    }

    function buildMessage(m) {
      const kind = AUTHOR_CLASS[m.author] || 'msg-system';
      const text = el('div', { class: 'msg-text' });
      text.append(M.linkify(m.text || ''));
      if (kind === 'msg-system') {
        return el(
          'div',
          { class: `msg ${kind}`, dataset: { messageId: m.id, author: m.author } },
          text,
          ' ',
          M.timeEl(m.created_at, 'datetime', 'msg-time'),
        );
      }
      return el(
        'div',
        { class: `msg ${kind}`, dataset: { messageId: m.id, author: m.author } },
        el(
          'div',
          { class: 'msg-head' },
          kind === 'msg-note' ? el('span', { class: 'note-label', text: 'Note' }) : null,
          el('span', { class: 'msg-author', text: kind === 'msg-note' ? (m.staff ? `by ${m.staff} · only staff see it` : 'only staff see it') : authorLabel(m) }),
          M.timeEl(m.created_at, 'datetime', 'msg-time'),
        ),
        text,
        mediaBlock(m),
        locationBlock(m),
        deliveryBlock(m),
      );
    }

    function renderMessages(messages, forceBottom) {
      const nearBottom =
        forceBottom || conversation.scrollHeight - conversation.scrollTop - conversation.clientHeight < 120;
      const seen = new Set();
      let previousNode = null;
      let added = 0;
      for (const m of messages) {
        const key = String(m.id);
        seen.add(key);
        const signature = JSON.stringify([
          m.author, m.staff, m.text, m.media_kind, m.media_ref, m.latitude, m.longitude, m.delivery, m.created_at,
          current && current.case ? current.case.pseudonym : '',
        ]);
        let entry = rendered.get(key);
        if (!entry || entry.signature !== signature) {
          const node = buildMessage(m);
          if (entry) entry.node.replaceWith(node);
          else added += 1;
          entry = { node, signature };
          rendered.set(key, entry);
        }
        const expected = previousNode ? previousNode.nextSibling : conversation.firstChild;
        if (entry.node !== expected) conversation.insertBefore(entry.node, expected);
        previousNode = entry.node;
      }
      for (const [key, entry] of rendered) {
        if (!seen.has(key)) {
          entry.node.remove();
          rendered.delete(key);
        }
      }
      if (conversationEmpty) conversationEmpty.hidden = messages.length > 0;
      if (nearBottom) conversation.scrollTop = conversation.scrollHeight;
      else if (added) {
        const area = $('#status');
        if (area && (!area.textContent || area.classList.contains('status-info'))) {
          M.say(`${added} new ${added === 1 ? 'message' : 'messages'} below.`, 'info');
        }
      }
    }

    // ---- previous cases -----------------------------------------------------------------------

    function renderPrevious(items) {
      if (!previous) return;
      if (!items.length) {
        previous.replaceChildren(el('li', { class: 'muted previous-none', text: 'No earlier cases from this person.' }));
        return;
      }
      previous.replaceChildren(
        ...items.map((p) => {
          const rated = p.rating !== null && p.rating !== undefined;
          return el(
            'li',
            { class: 'previous-case', dataset: { caseId: p.id } },
            el(
              'div',
              { class: 'previous-top' },
              M.pageLink(`/console/cases/${Number(p.id)}`, `Case ${Number(p.id)}`, 'previous-link'),
              ' · ',
              M.timeEl(p.created_at, 'date', 'previous-date'),
            ),
            el(
              'div',
              { class: 'previous-meta' },
              el('span', { class: 'previous-role', text: M.roleLabel(p.role) }),
              ' · ',
              el('span', {
                class: 'previous-outcome',
                text: p.outcome ? M.outcomeLabel(p.outcome) : p.status === 'closed' ? 'Closed' : `Still ${M.statusLabel(p.status)}`,
              }),
              rated ? ' · ' : null,
              rated ? el('span', { class: 'previous-rating', text: `Rated ${p.rating}/5` }) : null,
            ),
            p.summary ? el('p', { class: 'previous-summary', text: p.summary }) : null,
          );
        }),
      );
    }

    // ---- loading ------------------------------------------------------------------------------

    let firstLoad = true;
    let loadInFlight = null;
    let loadAgain = false;

    async function load() {
      if (loadInFlight) {
        loadAgain = true;
        return loadInFlight;
      }
      loadInFlight = (async () => {
        try {
          const data = await M.api(base);
          current = {
            case: data.case || {},
            messages: Array.isArray(data.messages) ? data.messages : [],
            previous: Array.isArray(data.previous) ? data.previous : [],
          };
          canReply = Boolean(data.can_reply);
          gone = false;
          renderCase(current.case);
          renderMessages(current.messages, firstLoad);
          renderPrevious(current.previous);
          if (firstLoad) {
            firstLoad = false;
            initTransferRole();
          }
          renderControls();
          // Reading marked the case read: the title badge changes.
          M.refreshQueueSoon();
        } catch (error) {
          if (error && (error.status === 403 || error.status === 404)) {
            gone = true;
            renderControls();
            M.say(error.message, 'error', M.pageLink('/console', 'Back to the queue'));
          } else {
            M.fail(error);
          }
        } finally {
          loadInFlight = null;
        }
      })();
      await loadInFlight;
      if (loadAgain) {
        loadAgain = false;
        await load();
      }
      return undefined;
    }

    const loadSoon = M.debounce(() => {
      load();
    }, 150);

    // ---- reply and note -----------------------------------------------------------------------

    const draftKey = `musofir:draft:${caseId}`;
    try {
      const draft = window.sessionStorage.getItem(draftKey);
      if (draft && reply && !reply.value) reply.value = draft;
    } catch {
      /* storage may be unavailable */
    }
    function saveDraft() {
      try {
        if (reply.value) window.sessionStorage.setItem(draftKey, reply.value);
        else window.sessionStorage.removeItem(draftKey);
      } catch {
        /* ignore */
      }
    }

    function replyText() {
      const text = reply.value.trim();
      if (!text) {
        M.say('Write something in the reply box first.', 'error');
        reply.focus();
        return null;
      }
      if (text.length > 4000) {
        M.say(`The text is too long (${text.length} characters; at most 4000).`, 'error');
        reply.focus();
        return null;
      }
      return text;
    }

    const DELIVERY_SAYING = {
      sent: ['Reply sent.', 'ok'],
      sending: ['Reply is being sent.', 'ok'],
      waiting: ['Reply saved: it will be delivered when the person writes again (WhatsApp 24 h).', 'info'],
      failed: ['The reply could not be delivered.', 'error'],
      unreachable: ['The person cannot be reached on this channel; the reply was not delivered.', 'error'],
      unknown: ['Reply saved; its delivery is not known yet.', 'info'],
    };

    async function sendReply() {
      const text = replyText();
      if (text === null) return;
      await M.busy(sendButton, async () => {
        try {
          const result = await M.post(`${base}/reply`, { text });
          reply.value = '';
          saveDraft();
          const [message, kind] = DELIVERY_SAYING[result.delivery] || ['Reply sent.', 'ok'];
          M.say(message, kind);
          await load();
          conversation.scrollTop = conversation.scrollHeight;
        } catch (error) {
          M.fail(error);
        }
      });
      reply.focus();
    }

    async function addNote() {
      const text = replyText();
      if (text === null) return;
      await M.busy(noteButton, async () => {
        try {
          await M.post(`${base}/note`, { text });
          reply.value = '';
          saveDraft();
          M.say('Note added (only staff see it).', 'ok');
          await load();
          conversation.scrollTop = conversation.scrollHeight;
        } catch (error) {
          M.fail(error);
        }
      });
      reply.focus();
    }

    replyForm.addEventListener('submit', (event) => {
      event.preventDefault();
      sendReply();
    });
    noteButton.addEventListener('click', addNote);
    reply.addEventListener('input', saveDraft);
    reply.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && !event.isComposing) {
        event.preventDefault();
        sendReply();
      }
    });

    // ---- claim, release, transfer, close ------------------------------------------------------

    async function action(button, path, body, done) {
      await M.busy(button, async () => {
        try {
          await M.post(`${base}/${path}`, body);
          M.say(done, 'ok');
          await load();
        } catch (error) {
          M.fail(error);
        }
      });
    }

    claimButton.addEventListener('click', () => action(claimButton, 'claim', {}, 'You have claimed this case.'));
    releaseButton.addEventListener('click', () =>
      action(releaseButton, 'release', {}, 'Case released back to the queue.'),
    );
    closeButton.addEventListener('click', () => {
      const outcome = closeOutcome.value;
      if (!outcome) {
        M.say('Choose an outcome first.', 'error');
        closeOutcome.focus();
        return;
      }
      action(closeButton, 'close', { outcome }, `Case closed: ${M.outcomeLabel(outcome)}.`);
    });
    transferButton.addEventListener('click', () => {
      const role = transferRole.value;
      const to = transferTo.value || null;
      if (!role) {
        M.say('Choose a role to transfer to.', 'error');
        transferRole.focus();
        return;
      }
      const whom = to ? transferTo.options[transferTo.selectedIndex].textContent : `the ${M.roleLabel(role).toLowerCase()} queue`;
      const leaving = current && current.case && role !== current.case.role;
      M.busy(transferButton, async () => {
        try {
          await M.post(`${base}/transfer`, { role, to });
        } catch (error) {
          M.fail(error);
          return;
        }
        if (leaving) {
          // The case now belongs to another role's queue: this page cannot show it any more.
          gone = true;
          renderControls();
          M.say(`Case transferred to ${whom}.`, 'info', M.pageLink('/console', 'Back to the queue'));
          M.refreshQueueSoon();
        } else {
          M.say(`Case transferred to ${whom}.`, 'ok');
          await load();
        }
      });
    });

    let staffToken = 0;
    async function loadStaff(role) {
      const token = ++staffToken;
      const keep = transferTo.value;
      transferTo.replaceChildren(el('option', { value: '', text: 'Anyone (back to the queue)' }));
      if (!role) return;
      try {
        const data = await M.api(`/console/api/staff?role=${encodeURIComponent(role)}`);
        if (token !== staffToken) return;
        const people = (Array.isArray(data.staff) ? data.staff : []).filter((p) => p.username !== myUsername);
        for (const person of people) {
          const name = person.display_name || person.username;
          transferTo.append(
            el('option', {
              value: person.username,
              text: person.display_name && person.display_name !== person.username ? `${name} (${person.username})` : name,
            }),
          );
        }
        if (keep && people.some((p) => p.username === keep)) transferTo.value = keep;
      } catch (error) {
        if (token === staffToken) M.fail(error);
      }
    }

    function initTransferRole() {
      const c = current && current.case;
      const options = Array.from(transferRole.options).map((o) => o.value);
      // Default to another role: handing over to a colleague of one's own role is the rarer case.
      const other = options.find((value) => c && value !== c.role);
      if (other) transferRole.value = other;
      loadStaff(transferRole.value);
    }
    transferRole.addEventListener('change', () => loadStaff(transferRole.value));

    // ---- suggestions --------------------------------------------------------------------------

    function insertIntoReply(text) {
      const value = reply.value;
      if (!value.trim()) {
        reply.value = text;
        reply.setSelectionRange(text.length, text.length);
      } else {
        const start = reply.selectionStart ?? value.length;
        const end = reply.selectionEnd ?? start;
        const before = value.slice(0, start);
        const after = value.slice(end);
        const lead = before && !/\n\s*$/.test(before) ? '\n\n' : '';
        const trail = after && !/^\s*\n/.test(after) ? '\n\n' : '';
        reply.value = before + lead + text + trail + after;
        const caret = (before + lead + text).length;
        reply.setSelectionRange(caret, caret);
      }
      reply.focus();
      saveDraft();
      reply.dispatchEvent(new Event('input', { bubbles: true }));
    }

    function suggestionItem(kind, item) {
      const title = item.title || (kind === 'answer' ? item.topic : '') || 'Untitled';
      const text = String(item.text || '');
      const button = el(
        'button',
        {
          type: 'button',
          class: `suggestion suggestion-${kind}`,
          dataset: { kind, topic: item.topic || null },
          title: 'Put this text into the reply box',
        },
        el('span', { class: 'suggestion-kind', text: kind === 'answer' ? 'Knowledge base' : 'Canned reply' }),
        el('span', { class: 'suggestion-title', text: title }),
        el('span', { class: 'suggestion-text', text }),
      );
      button.addEventListener('click', () => {
        insertIntoReply(text);
        M.say(`Inserted “${title}” into the reply box.`, 'ok');
      });
      return el('li', {}, button);
    }

    let suggestToken = 0;
    async function loadSuggestions() {
      const token = ++suggestToken;
      const q = suggestQuery.value.trim().slice(0, 500);
      suggestions.setAttribute('aria-busy', 'true');
      try {
        const data = await M.api(`${base}/suggestions?q=${encodeURIComponent(q)}`);
        if (token !== suggestToken) return;
        const answers = Array.isArray(data.answers) ? data.answers : [];
        const canned = Array.isArray(data.canned) ? data.canned : [];
        const items = [...answers.map((a) => suggestionItem('answer', a)), ...canned.map((c) => suggestionItem('canned', c))];
        if (!items.length) {
          items.push(el('li', { class: 'muted suggestions-none', text: q ? 'Nothing found. Try other words.' : 'No canned replies.' }));
        }
        suggestions.replaceChildren(...items);
      } catch (error) {
        if (token === suggestToken) M.fail(error);
      } finally {
        if (token === suggestToken) suggestions.removeAttribute('aria-busy');
      }
    }
    const loadSuggestionsSoon = M.debounce(loadSuggestions, 300);
    suggestQuery.addEventListener('input', loadSuggestionsSoon);
    suggestQuery.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        event.preventDefault();
        loadSuggestions();
      }
    });

    // ---- keyboard shortcuts -------------------------------------------------------------------

    document.addEventListener('keydown', (event) => {
      if (!event.altKey || event.ctrlKey || event.metaKey) return;
      const key = (event.key || '').toLowerCase();
      if (event.code === 'KeyR' || key === 'r') {
        event.preventDefault();
        reply.focus();
      } else if (event.code === 'KeyC' || key === 'c') {
        event.preventDefault();
        closeOutcome.scrollIntoView({ block: 'center', behavior: 'smooth' });
        closeOutcome.focus();
      }
    });

    // ---- live updates -------------------------------------------------------------------------

    M.onEvent((event) => {
      if (event.type === 'reconnect' || Number(event.case) === caseId) loadSoon();
    });
    document.addEventListener('visibilitychange', () => {
      if (!document.hidden) loadSoon();
    });
    setInterval(() => M.refreshAges(page), 30000);

    renderControls();
    load();
    loadSuggestions();
  });
})();
