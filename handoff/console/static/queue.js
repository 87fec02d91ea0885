/* Musofir console: the queue page. */
(() => {
  'use strict';
  const M = window.Musofir;
  const { $, el } = M;

  const STATUS_RANK = { queued: 0, claimed: 1, closed: 2 };

  M.ready(() => {
    const list = $('#queue-list');
    const empty = $('#queue-empty');
    const loading = $('#queue-loading');
    const summary = $('#queue-summary');
    const onlineCount = $('#online-count');
    const languageFilter = $('#language-filter');
    const statusFilter = $('#status-filter');
    const filters = $('#queue-filters');
    if (!list) return;

    let cases = [];
    let loaded = false;

    function matches(c) {
      const language = languageFilter ? languageFilter.value : 'all';
      const status = statusFilter ? statusFilter.value : 'all';
      if (language !== 'all' && c.language !== language) return false;
      switch (status) {
        case 'open':
          return c.status !== 'closed';
        case 'queued':
        case 'claimed':
        case 'closed':
          return c.status === status;
        case 'mine':
          return Boolean(c.mine) && c.status !== 'closed';
        default:
          return true;
      }
    }

    function sorted(items) {
      // The server sends urgent and oldest first; keep that order inside each status group,
      // my own open cases before colleagues' ones.
      return items
        .map((c, index) => ({ c, index }))
        .sort((a, b) => {
          const rank = (STATUS_RANK[a.c.status] ?? 3) - (STATUS_RANK[b.c.status] ?? 3);
          if (rank) return rank;
          if (a.c.status === 'claimed' && a.c.mine !== b.c.mine) return a.c.mine ? -1 : 1;
          return a.index - b.index;
        })
        .map((x) => x.c);
    }

    function metaItem(label, value, className) {
      if (value === null || value === undefined || value === '') return null;
      return el(
        'span',
        { class: `meta-item${className ? ` ${className}` : ''}` },
        el('span', { class: 'visually-hidden', text: `${label}: ` }),
        value,
      );
    }

    function row(c) {
      const id = Number(c.id);
      const classes = ['case-row', `status-${c.status}`];
      if (c.urgent) classes.push('is-urgent');
      if (c.mine) classes.push('is-mine');
      if (Number(c.unread) > 0) classes.push('has-unread');

      const unread = Math.max(0, Number(c.unread) || 0);
      const unreadBadge = el('span', {
        class: 'unread badge',
        text: String(unread),
        hidden: unread === 0,
        title: `${unread} unread`,
        'aria-label': `${unread} unread ${unread === 1 ? 'message' : 'messages'}`,
      });

      const link = M.pageLink(`/console/cases/${id}`, '', 'open-case');
      link.append(el('span', { class: 'pseudonym', text: c.pseudonym || `Case ${id}` }));

      let assignee;
      if (c.status === 'closed') assignee = c.assignee ? `Closed by ${c.assignee}` : 'Closed';
      else if (c.mine) assignee = 'Claimed by you';
      else if (c.assignee) assignee = `Claimed by ${c.assignee}`;
      else assignee = 'Not claimed yet';

      const flags = el(
        'div',
        { class: 'case-flags' },
        c.waiting_window
          ? el('span', { class: 'waiting-window', text: 'Waiting for the person (WhatsApp 24 h)' })
          : null,
        c.expected_by && c.status !== 'closed'
          ? el('span', { class: 'expected' }, 'Answer expected by ', M.timeEl(c.expected_by, 'datetime'))
          : null,
        c.status === 'closed' && c.outcome
          ? el('span', { class: 'outcome', text: `Outcome: ${M.outcomeLabel(c.outcome)}` })
          : null,
        c.status === 'closed' && c.rating !== null && c.rating !== undefined
          ? el('span', { class: 'rating', text: `Rated ${c.rating}/5` })
          : null,
      );

      return el(
        'li',
        {
          class: classes.join(' '),
          dataset: {
            caseId: id,
            status: c.status,
            language: c.language,
            urgent: c.urgent ? 'true' : 'false',
          },
        },
        el(
          'div',
          { class: 'case-row-top' },
          link,
          c.urgent ? el('span', { class: 'urgent', text: 'Urgent' }) : null,
          el('span', { class: 'status-chip', dataset: { status: c.status }, text: M.statusLabel(c.status) }),
          unreadBadge,
          el(
            'span',
            { class: 'case-age', title: 'Waiting since' },
            M.timeEl(c.created_at, 'age'),
          ),
        ),
        el('p', { class: 'summary', text: c.summary || '' }),
        el(
          'div',
          { class: 'case-meta' },
          metaItem('Language', M.languageLabel(c.language), 'language'),
          metaItem('Channel', M.channelLabel(c.channel), 'channel'),
          metaItem('Region', c.region, 'region'),
          metaItem('Assignee', assignee, 'assignee'),
          c.last_person_at
            ? metaItem('Last message', el('span', {}, 'last message ', M.timeEl(c.last_person_at, 'age')), 'last-message')
            : null,
        ),
        flags.childNodes.length ? flags : null,
      );
    }

    function render() {
      const focusedId = document.activeElement && document.activeElement.closest
        ? document.activeElement.closest('.case-row')?.dataset.caseId
        : undefined;
      const visible = sorted(cases.filter(matches));
      list.replaceChildren(...visible.map(row));
      if (loading) loading.hidden = loaded;
      if (empty) {
        empty.hidden = !loaded || visible.length > 0;
        empty.textContent = cases.length ? 'No cases match these filters.' : 'The queue is empty.';
      }
      if (summary) {
        const queued = cases.filter((c) => c.status === 'queued').length;
        const mine = cases.filter((c) => c.mine && c.status !== 'closed').length;
        const inProgress = cases.filter((c) => c.status === 'claimed').length;
        const closed = cases.filter((c) => c.status === 'closed').length;
        summary.textContent = loaded
          ? `${queued} waiting · ${inProgress} in progress (${mine} yours) · ${closed} closed in the last 24 h`
          : '';
      }
      if (focusedId) {
        const again = list.querySelector(`.case-row[data-case-id="${CSS.escape(focusedId)}"] a.open-case`);
        if (again) again.focus();
      }
    }

    M.watchQueue((data) => {
      cases = data.cases;
      loaded = true;
      if (onlineCount) onlineCount.textContent = String(data.online);
      render();
    });

    if (languageFilter) languageFilter.addEventListener('change', render);
    if (statusFilter) statusFilter.addEventListener('change', render);
    if (filters) filters.addEventListener('submit', (event) => event.preventDefault());

    // Clicking anywhere on a row opens the case (the link itself handles Enter and middle-click).
    list.addEventListener('click', (event) => {
      if (event.defaultPrevented || event.button !== 0) return;
      if (event.target.closest('a, button, input, select, textarea')) return;
      if (window.getSelection && String(window.getSelection()).trim()) return;
      const item = event.target.closest('.case-row');
      const link = item && item.querySelector('a.open-case');
      if (!link) return;
      if (event.ctrlKey || event.metaKey) window.open(link.href, '_blank', 'noopener');
      else window.location.assign(link.href);
    });

    setInterval(() => M.refreshAges(list), 30000);
  });
})();
