/* Musofir console: visits of a day, the day's slots, and publishing new slots. */
(() => {
  'use strict';
  const M = window.Musofir;
  const { $, el } = M;

  const VISIT_STATUS = {
    booked: 'booked',
    came: 'came',
    missed: 'missed: did not come',
  };

  const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

  /** Local YYYY-MM-DD of the browser's today. */
  function todayIso() {
    const d = new Date();
    const pad = (n) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  }

  function shiftDay(day, days) {
    const [y, m, d] = day.split('-').map(Number);
    const moved = new Date(Date.UTC(y, m - 1, d + days));
    return moved.toISOString().slice(0, 10);
  }

  function dayLabel(day) {
    const [y, m, d] = day.split('-').map(Number);
    return new Date(y, m - 1, d).toLocaleDateString([], {
      weekday: 'long',
      day: 'numeric',
      month: 'long',
      year: 'numeric',
    });
  }

  /**
   * Slot times are the centre's wall-clock time (ISO with the centre's offset). Show that wall time
   * in the browser's format, so it matches what was typed into the publish form.
   */
  function wallTime(iso) {
    const match = /T(\d{2}):(\d{2})/.exec(String(iso || ''));
    if (!match) return M.formatTime(iso);
    return new Date(2000, 0, 1, Number(match[1]), Number(match[2])).toLocaleTimeString([], {
      hour: '2-digit',
      minute: '2-digit',
    });
  }

  function wallEnd(iso, minutes) {
    const match = /T(\d{2}):(\d{2})/.exec(String(iso || ''));
    if (!match) return '';
    const end = new Date(2000, 0, 1, Number(match[1]), Number(match[2]) + (Number(minutes) || 0));
    return end.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  }

  M.ready(() => {
    const root = $('#visits-page');
    if (!root) return;
    const dayInput = $('#visit-day');
    const dayLabelNode = $('#visits-day-label');
    const visitsList = $('#visits-list');
    const visitsEmpty = $('#visits-empty');
    const slotsList = $('#slots-list');
    const slotsEmpty = $('#slots-empty');
    const form = $('#publish-slots');
    const publishButton = $('#publish-submit');
    const roleSelect = $('#slot-role');

    const roleOrder = roleSelect ? Array.from(roleSelect.options).map((o) => o.value) : [];
    const roleNames = {};
    if (roleSelect) for (const o of roleSelect.options) roleNames[o.value] = o.textContent;
    const roleName = (code) => roleNames[code] || M.roleLabel(code);

    let day = DAY_PATTERN.test(root.dataset.day || '') ? root.dataset.day : todayIso();
    if (dayInput && !dayInput.value) dayInput.value = day;

    // ---- rendering ----------------------------------------------------------------------------

    function visitRow(v) {
      const status = String(v.status || 'booked');
      const row = el(
        'li',
        {
          class: `visit-row visit-${status}`,
          dataset: { visitId: v.visit_id, slotId: v.slot_id, status },
        },
        el(
          'div',
          { class: 'visit-main' },
          el('span', { class: 'visit-time', text: wallTime(v.starts_at) }),
          el('span', { class: 'visit-pseudonym pseudonym', text: v.pseudonym || 'Unknown' }),
          el(
            'span',
            { class: 'visit-meta' },
            el('span', { class: 'visit-role', text: roleName(v.role) }),
            v.language ? ' · ' : null,
            v.language ? el('span', { class: 'visit-language', text: M.languageLabel(v.language) }) : null,
          ),
          el('span', { class: 'visit-status status-chip', dataset: { status }, text: VISIT_STATUS[status] || status }),
        ),
      );
      const actions = el('div', { class: 'visit-actions', role: 'group', 'aria-label': `Mark ${v.pseudonym || 'visit'}` });
      const mark = (next, label, className) => {
        const button = el('button', {
          type: 'button',
          class: `btn ${className}`,
          text: label,
          'aria-pressed': status === next ? 'true' : 'false',
        });
        button.addEventListener('click', () => markVisit(button, v.visit_id, next));
        return button;
      };
      actions.append(mark('came', 'Came', 'mark-came'), mark('missed', 'Did not come', 'mark-missed'));
      if (status !== 'booked') actions.append(mark('booked', 'Undo', 'mark-booked btn-quiet'));
      row.append(actions);
      return row;
    }

    function slotRow(s) {
      const booked = Number(s.booked) || 0;
      const capacity = Number(s.capacity) || 0;
      const full = capacity > 0 && booked >= capacity;
      const item = el(
        'li',
        { class: `slot-row${full ? ' slot-full' : ''}${booked ? '' : ' slot-free'}`, dataset: { slotId: s.id, role: s.role } },
        el('span', { class: 'slot-time', text: `${wallTime(s.starts_at)}–${wallEnd(s.starts_at, s.minutes)}` }),
        el('span', { class: 'slot-booked', text: `${booked}/${capacity} booked${full ? ' (full)' : ''}` }),
      );
      if (booked === 0) {
        const button = el('button', {
          type: 'button',
          class: 'btn btn-quiet delete-slot',
          text: 'Delete',
          'aria-label': `Delete the ${roleName(s.role)} slot at ${wallTime(s.starts_at)}`,
        });
        button.addEventListener('click', () => deleteSlot(button, s.id));
        item.append(button);
      }
      return item;
    }

    function renderSlots(slots) {
      const groups = new Map();
      for (const role of roleOrder) groups.set(role, []);
      for (const s of slots) {
        if (!groups.has(s.role)) groups.set(s.role, []);
        groups.get(s.role).push(s);
      }
      const sections = [];
      for (const [role, items] of groups) {
        if (!items.length) continue;
        items.sort((a, b) => String(a.starts_at).localeCompare(String(b.starts_at)));
        const booked = items.reduce((n, s) => n + (Number(s.booked) || 0), 0);
        const capacity = items.reduce((n, s) => n + (Number(s.capacity) || 0), 0);
        sections.push(
          el(
            'section',
            { class: 'slot-group', dataset: { role } },
            el('h3', { class: 'slot-group-title' }, roleName(role), el('span', { class: 'muted', text: ` · ${booked}/${capacity} booked` })),
            el('ul', { class: 'slot-items' }, items.map(slotRow)),
          ),
        );
      }
      slotsList.replaceChildren(...sections);
      if (slotsEmpty) slotsEmpty.hidden = slots.length > 0;
    }

    function renderVisits(visits) {
      const sorted = [...visits].sort((a, b) => String(a.starts_at).localeCompare(String(b.starts_at)));
      visitsList.replaceChildren(...sorted.map(visitRow));
      if (visitsEmpty) visitsEmpty.hidden = visits.length > 0;
    }

    // ---- loading ------------------------------------------------------------------------------

    let token = 0;
    async function load() {
      const mine = ++token;
      const asked = day;
      if (dayLabelNode) dayLabelNode.textContent = `· ${dayLabel(asked)}`;
      try {
        const data = await M.api(`/console/api/visits?day=${encodeURIComponent(asked)}`);
        if (mine !== token) return;
        renderSlots(Array.isArray(data.slots) ? data.slots : []);
        renderVisits(Array.isArray(data.visits) ? data.visits : []);
        root.dataset.loadedDay = asked;
      } catch (error) {
        if (mine === token) M.fail(error);
      }
    }
    const loadSoon = M.debounce(load, 150);

    function setDay(next, { push = true } = {}) {
      if (!DAY_PATTERN.test(next || '')) return;
      day = next;
      if (dayInput && dayInput.value !== next) dayInput.value = next;
      root.dataset.day = next;
      const slotDate = $('#slot-date');
      if (slotDate) slotDate.value = next;
      if (push) {
        const url = new URL(window.location.href);
        url.searchParams.set('day', next);
        window.history.replaceState(null, '', url.pathname + url.search);
      }
      load();
    }

    if (dayInput) {
      dayInput.addEventListener('change', () => {
        if (dayInput.value) setDay(dayInput.value);
      });
    }
    $('#day-prev')?.addEventListener('click', () => setDay(shiftDay(day, -1)));
    $('#day-next')?.addEventListener('click', () => setDay(shiftDay(day, 1)));
    $('#day-today')?.addEventListener('click', () => setDay(todayIso()));

    // ---- actions ------------------------------------------------------------------------------

    async function markVisit(button, visitId, status) {
      await M.busy(button, async () => {
        try {
          await M.post(`/console/api/visits/${encodeURIComponent(visitId)}/mark`, { status });
          const words = { came: 'Marked as came.', missed: 'Marked as did not come.', booked: 'Mark undone.' };
          M.say(words[status] || 'Saved.', 'ok');
          await load();
        } catch (error) {
          M.fail(error);
        }
      });
    }

    async function deleteSlot(button, slotId) {
      await M.busy(button, async () => {
        try {
          await M.post(`/console/api/slots/${encodeURIComponent(slotId)}/delete`, {});
          M.say('Slot deleted.', 'ok');
          await load();
        } catch (error) {
          M.fail(error);
        }
      });
    }

    function intField(selector, label, min, max) {
      const input = $(selector);
      const value = Number(input.value);
      if (!Number.isInteger(value) || value < min || value > max) {
        M.say(`${label} must be a whole number from ${min} to ${max}.`, 'error');
        input.focus();
        return null;
      }
      return value;
    }

    if (form) {
      form.addEventListener('submit', async (event) => {
        event.preventDefault();
        const role = roleSelect.value;
        const dateInput = $('#slot-date');
        const startInput = $('#slot-start');
        const date = dateInput.value;
        const start = (startInput.value || '').slice(0, 5);
        if (!role) {
          M.say('Choose a role.', 'error');
          roleSelect.focus();
          return;
        }
        if (!DAY_PATTERN.test(date)) {
          M.say('Choose a date.', 'error');
          dateInput.focus();
          return;
        }
        if (!/^\d{2}:\d{2}$/.test(start)) {
          M.say('Enter the start time as HH:MM.', 'error');
          startInput.focus();
          return;
        }
        const count = intField('#slot-count', 'Number of slots', 1, 48);
        if (count === null) return;
        const minutes = intField('#slot-minutes', 'Minutes each', 5, 240);
        if (minutes === null) return;
        const capacity = intField('#slot-capacity', 'People per slot', 1, 50);
        if (capacity === null) return;
        await M.busy(publishButton, async () => {
          try {
            const result = await M.post('/console/api/slots', { role, date, start, count, minutes, capacity });
            const created = Number(result.created) || 0;
            M.say(
              `Published ${created} ${created === 1 ? 'slot' : 'slots'} for ${roleName(role)} on ${dayLabel(date)}.`,
              'ok',
            );
            if (date !== day) setDay(date);
            else await load();
          } catch (error) {
            M.fail(error);
          }
        });
      });
    }

    // ---- live ---------------------------------------------------------------------------------

    M.onEvent((event) => {
      if (event.type === 'visits' || event.type === 'reconnect') loadSoon();
    });
    document.addEventListener('visibilitychange', () => {
      if (!document.hidden) loadSoon();
    });

    load();
  });
})();
