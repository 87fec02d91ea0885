/* Musofir console: the admin page (retention period and the audit log). */
(() => {
  'use strict';
  const M = window.Musofir;
  const { $, el } = M;

  const ACTION_LABELS = {
    login: 'Logged in',
    login_failed: 'Failed login',
    logout: 'Logged out',
    open: 'Opened case',
    denied: 'Denied access',
    claim: 'Claimed',
    release: 'Released',
    transfer: 'Transferred',
    note: 'Added note',
    reply: 'Replied',
    close: 'Closed',
    retention: 'Retention',
    slots: 'Published slots',
    visit_came: 'Visit: came',
    visit_missed: 'Visit: did not come',
    visit_booked: 'Visit: mark undone',
  };

  function detailText(detail) {
    if (detail === null || detail === undefined) return '';
    if (typeof detail === 'string') return detail;
    try {
      return JSON.stringify(detail);
    } catch {
      return String(detail);
    }
  }

  M.ready(() => {
    const form = $('#retention-form');
    const daysInput = $('#retention-days');
    const saveButton = $('#retention-save');
    const body = $('#audit-body') || $('#audit-log tbody');
    const empty = $('#audit-empty');
    const refreshButton = $('#audit-refresh');

    async function loadSettings() {
      try {
        const data = await M.api('/console/api/settings');
        if (daysInput && document.activeElement !== daysInput) daysInput.value = String(data.retention_days ?? '');
      } catch (error) {
        M.fail(error);
      }
    }

    function auditRow(entry) {
      const caseId = entry.case_id;
      const action = String(entry.action ?? '');
      return el(
        'tr',
        { class: 'audit-row', dataset: { action } },
        el('td', { class: 'audit-time' }, M.timeEl(entry.at, 'datetime')),
        el('td', { class: 'audit-staff', text: entry.staff ?? '' }),
        el('td', { class: 'audit-action', title: action, text: ACTION_LABELS[action] || action }),
        el(
          'td',
          { class: 'audit-case' },
          caseId !== null && caseId !== undefined && Number.isInteger(Number(caseId))
            ? M.pageLink(`/console/cases/${Number(caseId)}`, `#${Number(caseId)}`)
            : '',
        ),
        el('td', { class: 'audit-detail', text: detailText(entry.detail) }),
      );
    }

    let token = 0;
    async function loadAudit() {
      const mine = ++token;
      try {
        const data = await M.api('/console/api/audit');
        if (mine !== token) return;
        const entries = Array.isArray(data.entries) ? data.entries : [];
        body.replaceChildren(...entries.map(auditRow));
        if (empty) empty.hidden = entries.length > 0;
      } catch (error) {
        if (mine === token) M.fail(error);
      }
    }

    if (form) {
      form.addEventListener('submit', async (event) => {
        event.preventDefault();
        const days = Number(daysInput.value);
        if (!daysInput.value.trim() || !Number.isInteger(days) || days < 1 || days > 3650) {
          M.say('Retention must be a whole number of days, at least 1 (at most 3650).', 'error');
          daysInput.focus();
          return;
        }
        await M.busy(saveButton, async () => {
          try {
            await M.post('/console/api/settings', { retention_days: days });
            M.say(`Saved: closed cases are kept for ${days} ${days === 1 ? 'day' : 'days'}.`, 'ok');
            loadAudit();
          } catch (error) {
            M.fail(error);
          }
        });
      });
    }

    if (refreshButton) {
      refreshButton.addEventListener('click', () => M.busy(refreshButton, loadAudit));
    }

    // Audit entries follow what colleagues do: refresh (debounced) on live events.
    const loadAuditSoon = M.debounce(loadAudit, 1000);
    M.onEvent(() => loadAuditSoon());

    loadSettings();
    loadAudit();
  });
})();
