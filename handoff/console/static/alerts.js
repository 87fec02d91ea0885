/* Musofir console: broadcast alerts (compose, audience count, per-platform preview, follow-up).
 *
 * Alert texts come from colleagues and are shown with textContent only, like everything else.
 */
(() => {
  'use strict';
  const M = window.Musofir;
  const { $, $$, el } = M;

  const ACTIVE = ['awaiting_approval', 'scheduled', 'sending'];
  const FINISHED = ['sent', 'failed', 'skipped', 'blocked', 'uncertain'];
  const COUNT_ORDER = ['sent', 'failed', 'skipped', 'blocked', 'uncertain', 'queued'];
  const COUNT_LABELS = {
    sent: 'Sent',
    failed: 'Failed',
    skipped: 'Skipped',
    blocked: 'Blocked',
    uncertain: 'Uncertain',
    queued: 'Queued',
  };
  const COUNT_TITLES = {
    sent: 'The platform accepted the message',
    failed: 'The platform refused the message or could not be reached',
    skipped: 'Not sent: e.g. WhatsApp outside the 24-hour window without a template',
    blocked: 'The person blocked the bot or unsubscribed',
    uncertain: 'The sender stopped mid-send: it may or may not have arrived (never resent)',
    queued: 'Waiting to be sent',
  };
  const TOPIC_LABELS = {
    law: 'Law changes',
    health: 'Health',
    centre: 'Centre news',
    emergency: 'Emergencies',
  };
  const PLATFORMS = ['telegram', 'whatsapp', 'sms', 'viber'];
  const FAST_POLL = 1500;
  const SLOW_POLL = 10000;
  const AUDIENCE_WAIT = 300;
  const PREVIEW_WAIT = 300;

  const numberFormat = new Intl.NumberFormat('en-US');
  const fmt = (n) => numberFormat.format(Number(n) || 0);
  const people = (n) => `${fmt(n)} ${Number(n) === 1 ? 'person' : 'people'}`;
  const plural = (n, one, many) => `${fmt(n)} ${Number(n) === 1 ? one : many}`;
  const splitList = (text) =>
    String(text ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);

  /** "2025-12-01T10:00…" (the centre's wall clock, as the server sends it) shown as typed. */
  function wallDateTime(iso) {
    const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(String(iso || ''));
    if (!match) return M.formatDateTime(iso);
    const [, y, mo, d, h, mi] = match.map(Number);
    return new Date(y, mo - 1, d, h, mi).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
  }

  /** The centre's current wall-clock time as "YYYY-MM-DDTHH:MM" (what datetime-local holds). */
  function centreNow(timezone) {
    try {
      const parts = {};
      const format = new Intl.DateTimeFormat('en-GB', {
        timeZone: timezone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      });
      for (const part of format.formatToParts(new Date())) parts[part.type] = part.value;
      return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
    } catch {
      return null; // unknown zone name: the server decides
    }
  }

  function firstLine(text) {
    const line = String(text ?? '')
      .split(/\r?\n/)
      .map((s) => s.trim())
      .find(Boolean);
    return line || '';
  }

  /** The text a reader of `language` gets: theirs, else Russian, else English, else any. */
  function pickText(texts, language) {
    for (const choice of [language, 'ru', 'en']) {
      if (choice && texts[choice] && texts[choice].trim()) return { text: texts[choice], from: choice };
    }
    for (const [code, text] of Object.entries(texts)) {
      if (text && text.trim()) return { text, from: code };
    }
    return { text: '', from: null };
  }

  M.ready(() => {
    const root = $('#alerts-page');
    if (!root) return;
    const timezone = root.dataset.timezone || '';
    let approval = root.dataset.approval === 'true';
    const me = document.body.dataset.username || '';

    const form = $('#alert-form');
    const submitButton = $('#alert-submit');
    const textareas = $$('textarea[data-lang]', form);
    const regionsInput = $('#regions');
    const audienceCount = $('#audience-count');
    const contentSid = $('#content-sid');
    const sendAt = $('#send-at');
    const approvalNote = $('#approval-note');

    const previewLanguage = $('#preview-language');
    const previewFallback = $('#preview-fallback');
    const previewEmpty = $('#preview-empty');
    const previewPlatforms = $('#preview-platforms');

    const list = $('#alerts-list');
    const listEmpty = $('#alerts-empty');
    const listLoading = $('#alerts-loading');
    const refreshButton = $('#alerts-refresh');

    const checked = (name) => $$(`input[name="${name}"]:checked`, form).map((box) => box.value);

    function texts() {
      const result = {};
      for (const area of textareas) result[area.dataset.lang] = area.value;
      return result;
    }

    function showApproval(on) {
      approval = Boolean(on);
      root.dataset.approval = approval ? 'true' : 'false';
      if (approvalNote) {
        approvalNote.textContent = approval ? 'A second staff member must approve each alert before it is sent.' : '';
        approvalNote.hidden = !approval;
      }
      if (submitButton && submitButton.dataset.busy !== '1') {
        submitButton.textContent = approval ? 'Submit for approval' : 'Send alert';
      }
    }

    // ---- audience count -------------------------------------------------------------------

    function audienceQuery() {
      const params = new URLSearchParams();
      const languages = checked('languages');
      const topics = checked('topics');
      const channels = checked('channels');
      const regions = splitList(regionsInput.value);
      if (languages.length) params.set('languages', languages.join(','));
      if (regions.length) params.set('regions', regions.join(','));
      if (topics.length) params.set('topics', topics.join(','));
      if (channels.length) params.set('channels', channels.join(','));
      return params.toString();
    }

    let audienceToken = 0;
    async function countAudience() {
      const mine = ++audienceToken;
      const query = audienceQuery();
      audienceCount.setAttribute('aria-busy', 'true');
      try {
        const data = await M.api(`/console/api/alerts/audience${query ? `?${query}` : ''}`);
        if (mine !== audienceToken) return;
        const count = Number(data.count) || 0;
        audienceCount.textContent = people(count);
        audienceCount.dataset.count = String(count);
        audienceCount.classList.toggle('audience-none', count === 0);
      } catch (error) {
        if (mine !== audienceToken) return;
        audienceCount.textContent = 'could not count';
        delete audienceCount.dataset.count;
        M.fail(error);
      } finally {
        if (mine === audienceToken) audienceCount.removeAttribute('aria-busy');
      }
    }
    const countAudienceSoon = M.debounce(countAudience, AUDIENCE_WAIT);

    for (const box of $$('input[name="languages"], input[name="topics"], input[name="channels"]', form)) {
      box.addEventListener('change', countAudienceSoon);
    }
    regionsInput.addEventListener('input', countAudienceSoon);

    // ---- text lengths -----------------------------------------------------------------------

    function showLength(area) {
      const node = $(`#text-${area.dataset.lang}-length`);
      if (!node) return;
      const n = area.value.length;
      node.textContent = n ? `${plural(n, 'character', 'characters')} of 4,000` : '';
    }

    // ---- preview ----------------------------------------------------------------------------

    let previewLang = 'ru';
    let previewToken = 0;
    let lastPreviewText = null;

    function bubble(text, platform, index, total) {
      return el(
        'div',
        { class: 'preview-bubble', dataset: { platform } },
        total > 1 ? el('span', { class: 'preview-part muted', text: `${index + 1} of ${total}` }) : null,
        el('span', { class: 'preview-text', text }),
      );
    }

    function renderPreview(data) {
      for (const platform of PLATFORMS) {
        const part = (data && data[platform]) || {};
        const messages = Array.isArray(part.messages) ? part.messages.map((m) => String(m ?? '')) : [];
        const box = $(`#preview-${platform}`);
        const meta = $(`#preview-${platform}-meta`);
        if (box) box.replaceChildren(...messages.map((m, i) => bubble(m, platform, i, messages.length)));
        if (!meta) continue;
        if (platform === 'sms') {
          const segments = Number(part.segments) || 0;
          const encoding = String(part.encoding || '');
          meta.textContent = `${plural(segments, 'segment', 'segments')}${encoding ? `, ${encoding}` : ''}`;
          meta.dataset.segments = String(segments);
          meta.dataset.encoding = encoding;
        } else {
          meta.textContent = plural(messages.length, 'message', 'messages');
        }
        meta.dataset.messages = String(messages.length);
      }
    }

    function clearPreview() {
      lastPreviewText = null;
      previewToken += 1;
      previewEmpty.hidden = false;
      previewPlatforms.hidden = true;
      for (const platform of PLATFORMS) {
        $(`#preview-${platform}`)?.replaceChildren();
        const meta = $(`#preview-${platform}-meta`);
        if (meta) meta.textContent = '';
      }
    }

    async function updatePreview() {
      const picked = pickText(texts(), previewLang);
      previewLanguage.textContent = M.languageLabel(previewLang);
      if (picked.from && picked.from !== previewLang) {
        previewFallback.textContent = ` (empty: gets the ${M.languageLabel(picked.from)} text)`;
        previewFallback.hidden = false;
      } else {
        previewFallback.textContent = '';
        previewFallback.hidden = true;
      }
      const text = picked.text;
      if (!text.trim()) {
        clearPreview();
        return;
      }
      if (text === lastPreviewText) return;
      const mine = ++previewToken;
      previewPlatforms.setAttribute('aria-busy', 'true');
      try {
        const data = await M.post('/console/api/alerts/preview', { text });
        if (mine !== previewToken) return;
        lastPreviewText = text;
        renderPreview(data);
        previewEmpty.hidden = true;
        previewPlatforms.hidden = false;
      } catch (error) {
        if (mine === previewToken) M.fail(error);
      } finally {
        if (mine === previewToken) previewPlatforms.removeAttribute('aria-busy');
      }
    }
    const updatePreviewSoon = M.debounce(updatePreview, PREVIEW_WAIT);

    for (const area of textareas) {
      area.addEventListener('focus', () => {
        if (previewLang === area.dataset.lang) return;
        previewLang = area.dataset.lang;
        root.dataset.previewLang = previewLang;
        updatePreview();
      });
      area.addEventListener('input', () => {
        showLength(area);
        updatePreviewSoon();
      });
    }

    // ---- when -------------------------------------------------------------------------------

    const whenRadios = $$('input[name="when"]', form);
    const whenValue = () => (whenRadios.find((r) => r.checked) || {}).value || 'now';

    function syncWhen() {
      const at = whenValue() === 'at';
      sendAt.required = at;
      sendAt.closest('.send-at-field')?.classList.toggle('is-inactive', !at);
      const now = centreNow(timezone);
      if (now) sendAt.min = now;
    }
    for (const radio of whenRadios) {
      radio.addEventListener('change', () => {
        syncWhen();
        if (whenValue() === 'at' && !sendAt.value) sendAt.focus();
      });
    }
    // Typing a time means "send at that time".
    for (const type of ['input', 'change']) {
      sendAt.addEventListener(type, () => {
        if (!sendAt.value) return;
        const at = whenRadios.find((r) => r.value === 'at');
        if (at && !at.checked) {
          at.checked = true;
          syncWhen();
        }
      });
    }

    // A validation error goes away once the form is being corrected.
    form.addEventListener('input', () => {
      if ($('#status')?.classList.contains('status-error')) M.clearStatus();
    });

    // ---- the list ---------------------------------------------------------------------------

    const estimates = new Map(); // alert id → audience counted now (before sending fixes it)
    const estimating = new Set();
    let alerts = [];

    function estimate(alert) {
      const id = String(alert.id);
      if (estimates.has(id) || estimating.has(id)) return;
      estimating.add(id);
      const params = new URLSearchParams();
      for (const key of ['languages', 'regions', 'topics', 'channels']) {
        if (alert[key]) params.set(key, String(alert[key]));
      }
      const query = params.toString();
      M.api(`/console/api/alerts/audience${query ? `?${query}` : ''}`)
        .then((data) => {
          estimates.set(id, Number(data.count) || 0);
          render(alerts);
        })
        .catch(() => {})
        .finally(() => estimating.delete(id));
    }

    function audienceSummary(alert) {
      const parts = [];
      const languages = splitList(alert.languages);
      const regions = splitList(alert.regions);
      const topics = splitList(alert.topics);
      const channels = splitList(alert.channels);
      if (languages.length) parts.push(languages.map((c) => M.languageLabel(c)).join(', '));
      if (regions.length) parts.push(regions.join(', '));
      if (topics.length) parts.push(topics.map((t) => TOPIC_LABELS[t] || t).join(', '));
      if (channels.length) parts.push(channels.map((c) => M.channelLabel(c)).join(', '));
      return parts.length ? parts.join(' · ') : 'Everyone subscribed';
    }

    function metaItem(label, value, className) {
      return el('span', { class: `meta-item ${className}` }, el('span', { class: 'meta-label', text: `${label}: ` }), value);
    }

    function alertRow(alert) {
      const id = alert.id;
      const status = String(alert.status || '');
      const counts = alert.counts && typeof alert.counts === 'object' ? alert.counts : {};
      const audience = Number(alert.audience) || 0;
      const textsOf = alert.texts && typeof alert.texts === 'object' ? alert.texts : {};
      const picked = pickText(textsOf, 'ru');
      const started = status === 'sending' || status === 'done';

      let sendText;
      if (alert.send_at) sendText = `${wallDateTime(alert.send_at)} (centre time)`;
      else if (status === 'awaiting_approval') sendText = 'Now, once approved';
      else sendText = 'Now';

      let audienceText;
      if (started) audienceText = people(audience);
      else if (status === 'cancelled') audienceText = '—';
      else if (estimates.has(String(id))) audienceText = `about ${people(estimates.get(String(id)))} now (fixed when sending starts)`;
      else audienceText = 'fixed when sending starts';

      const head = el(
        'div',
        { class: 'alert-row-top' },
        el('span', { class: 'alert-id', text: `#${id}` }),
        el('span', { class: 'alert-status status-chip', dataset: { status }, text: status }),
        alert.content_sid ? el('span', { class: 'alert-template muted', title: 'WhatsApp template', text: `Template ${alert.content_sid}` }) : null,
        el('span', { class: 'alert-created muted' }, 'created ', M.timeEl(alert.created_at, 'datetime')),
      );

      const meta = el(
        'p',
        { class: 'alert-meta case-meta' },
        metaItem('By', el('span', { class: 'alert-by', text: alert.created_by || '' }), 'alert-by-item'),
        alert.approved_by ? metaItem('Approved by', el('span', { class: 'alert-approved-by', text: alert.approved_by }), 'alert-approved-item') : null,
        metaItem('Send', el('span', { class: 'alert-send-at', text: sendText }), 'alert-send-item'),
        metaItem('Audience', el('span', { class: 'alert-audience', dataset: { audience }, text: audienceText }), 'alert-audience-item'),
      );

      const textLine = el(
        'p',
        { class: 'alert-text', lang: picked.from || null, dir: 'auto' },
        firstLine(picked.text) || el('span', { class: 'muted', text: '(no text)' }),
      );

      const languages = Object.keys(textsOf).filter((k) => String(textsOf[k] || '').trim());
      const who = el('p', { class: 'alert-audience-filter muted' }, `To: ${audienceSummary(alert)}`, languages.length ? ` · Texts: ${languages.join(', ')}` : '');

      const finished = FINISHED.reduce((n, key) => n + (Number(counts[key]) || 0), 0);
      const countList = el(
        'ul',
        { class: 'alert-counts', 'aria-label': `Delivery of alert ${id}` },
        COUNT_ORDER.map((key) => {
          const n = Number(counts[key]) || 0;
          return el(
            'li',
            { class: `alert-count count-${key}${n ? ' has-count' : ''}`, dataset: { count: n }, title: COUNT_TITLES[key] },
            el('span', { class: 'count-label', text: `${COUNT_LABELS[key]} ` }),
            el('span', { class: 'count-value', text: fmt(n) }),
          );
        }),
      );

      let progress = null;
      if (started) {
        const max = audience > 0 ? audience : 1;
        const value = audience > 0 ? Math.min(finished, audience) : status === 'done' ? 1 : 0;
        const percent = Math.round((value / max) * 100);
        progress = el(
          'div',
          { class: 'alert-progress-wrap' },
          el('progress', {
            class: 'alert-progress',
            max: String(max),
            value: String(value),
            'aria-label': `Alert ${id}: ${fmt(finished)} of ${fmt(audience)} finished`,
          }),
          el('span', { class: 'alert-progress-text', text: `${fmt(finished)} of ${fmt(audience)} finished (${percent}%)` }),
        );
      }

      let actions = null;
      if (status === 'awaiting_approval' || status === 'scheduled') {
        actions = el('div', { class: 'alert-actions btn-row', role: 'group', 'aria-label': `Alert ${id}` });
        if (status === 'awaiting_approval') {
          const approve = el('button', {
            type: 'button',
            class: 'btn btn-primary approve-alert',
            text: 'Approve',
            'aria-label': `Approve alert ${id}`,
          });
          if (alert.created_by && alert.created_by === me) {
            M.lock(approve, true);
            approve.title = 'A second staff member must approve it, not its author';
          }
          approve.addEventListener('click', () => approveAlert(approve, id));
          actions.append(approve);
        }
        const cancel = el('button', {
          type: 'button',
          class: 'btn cancel-alert',
          text: 'Cancel alert',
          'aria-label': `Cancel alert ${id}`,
        });
        cancel.addEventListener('click', () => cancelAlert(cancel, id));
        actions.append(cancel);
      }

      return el(
        'li',
        {
          class: `alert-row alert-${status}`,
          dataset: { alertId: id, status },
          'aria-label': `Alert ${id}, ${status}`,
        },
        head,
        textLine,
        meta,
        who,
        countList,
        progress,
        actions,
      );
    }

    /** Keep unchanged rows (and the focus in them); replace only rows whose alert changed. */
    function render(items) {
      const wanted = [];
      const existing = new Map($$('.alert-row', list).map((row) => [row.dataset.alertId, row]));
      const focused = document.activeElement;
      let refocus = null;
      for (const alert of items) {
        const id = String(alert.id);
        if (!estimates.has(id) && (alert.status === 'scheduled' || alert.status === 'awaiting_approval')) estimate(alert);
        const signature = JSON.stringify([alert, estimates.get(id) ?? null]);
        const old = existing.get(id);
        if (old && old.dataset.signature === signature) {
          wanted.push(old);
          continue;
        }
        const row = alertRow(alert);
        row.dataset.signature = signature;
        if (old && focused && old.contains(focused)) {
          const kind = ['approve-alert', 'cancel-alert'].find((c) => focused.classList.contains(c));
          refocus = { row, kind };
        }
        if (old) old.replaceWith(row);
        wanted.push(row);
      }
      wanted.forEach((row, index) => {
        if (list.children[index] !== row) list.insertBefore(row, list.children[index] || null);
      });
      const keep = new Set(wanted);
      for (const row of $$('.alert-row', list)) if (!keep.has(row)) row.remove();
      if (refocus) {
        const target = (refocus.kind && $(`.${refocus.kind}`, refocus.row)) || null;
        if (target) target.focus();
        else {
          refocus.row.tabIndex = -1;
          refocus.row.focus();
        }
      }
      listEmpty.hidden = items.length > 0;
      listLoading.hidden = true;
    }

    let pollTimer = null;
    let loading = null;
    let loadAgain = false;

    function schedulePoll() {
      clearTimeout(pollTimer);
      const fast = alerts.some((a) => ACTIVE.includes(a.status));
      root.dataset.poll = fast ? 'fast' : 'slow';
      pollTimer = setTimeout(() => {
        if (document.hidden) schedulePoll();
        else load().catch(() => {});
      }, fast ? FAST_POLL : SLOW_POLL);
    }

    async function load() {
      if (loading) {
        loadAgain = true;
        return loading;
      }
      loading = (async () => {
        try {
          const data = await M.api('/console/api/alerts');
          alerts = Array.isArray(data.alerts) ? data.alerts : [];
          if (typeof data.approval === 'boolean' && data.approval !== approval) showApproval(data.approval);
          render(alerts);
          root.dataset.loaded = 'true';
        } catch (error) {
          listLoading.hidden = true;
          M.fail(error);
        } finally {
          loading = null;
        }
      })();
      try {
        await loading;
      } finally {
        if (loadAgain) {
          loadAgain = false;
          await load();
        } else {
          schedulePoll();
        }
      }
      return undefined;
    }

    /** Show one alert at the top straight away (before the next poll brings it). */
    function putFirst(alert) {
      alerts = [alert, ...alerts.filter((a) => String(a.id) !== String(alert.id))];
      render(alerts);
    }

    /** After an action the row is rebuilt: keep the keyboard focus on it. */
    function focusRow(id) {
      const row = list.querySelector(`.alert-row[data-alert-id="${CSS.escape(String(id))}"]`);
      const active = document.activeElement;
      if (!row || (active && active !== document.body)) return; // focus is somewhere on purpose
      const button = row.querySelector('button');
      if (button) button.focus();
      else {
        row.tabIndex = -1;
        row.focus();
      }
    }

    async function approveAlert(button, id) {
      await M.busy(button, async () => {
        try {
          await M.post(`/console/api/alerts/${encodeURIComponent(id)}/approve`, {});
          M.say(`Alert #${id} approved: it is scheduled now.`, 'ok');
        } catch (error) {
          M.fail(error);
        }
      });
      await load();
      focusRow(id);
    }

    async function cancelAlert(button, id) {
      await M.busy(button, async () => {
        try {
          await M.post(`/console/api/alerts/${encodeURIComponent(id)}/cancel`, {});
          M.say(`Alert #${id} cancelled: nobody will receive it.`, 'ok');
        } catch (error) {
          M.fail(error);
        }
      });
      await load();
      focusRow(id);
    }

    if (refreshButton) refreshButton.addEventListener('click', () => M.busy(refreshButton, load));

    // ---- submit -----------------------------------------------------------------------------

    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const written = {};
      for (const [code, text] of Object.entries(texts())) if (text.trim()) written[code] = text;
      if (!Object.keys(written).length) {
        M.say('Write the alert in at least one language (Russian is what the others get).', 'error');
        $('#text-ru')?.focus();
        return;
      }
      const tooLong = Object.entries(written).find(([, text]) => text.length > 4000);
      if (tooLong) {
        M.say(`The ${M.languageLabel(tooLong[0])} text is longer than 4,000 characters.`, 'error');
        $(`#text-${tooLong[0]}`)?.focus();
        return;
      }
      const sid = contentSid.value.trim();
      if (sid && !/^HX[0-9A-Za-z]+$/.test(sid)) {
        M.say('The WhatsApp template must be a ContentSid starting with HX, or left empty.', 'error');
        contentSid.focus();
        return;
      }
      let sendAtValue = null;
      if (whenValue() === 'at') {
        const value = (sendAt.value || '').slice(0, 16);
        if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value)) {
          M.say(`Choose the date and time to send (centre time, ${timezone}).`, 'error');
          sendAt.focus();
          return;
        }
        const now = centreNow(timezone);
        if (now && value <= now) {
          M.say(`That time has already passed at the centre (it is ${wallDateTime(now)} there). Choose a later time, or "Now".`, 'error');
          sendAt.focus();
          return;
        }
        sendAtValue = value;
      }
      const body = {
        texts: written,
        languages: checked('languages'),
        regions: splitList(regionsInput.value),
        topics: checked('topics'),
        channels: checked('channels'),
        send_at: sendAtValue,
        content_sid: sid || null,
      };
      await M.busy(submitButton, async () => {
        try {
          const result = await M.post('/console/api/alerts', body);
          const id = result.id;
          const count = Number(result.audience) || 0;
          estimates.set(String(id), count);
          const waiting = result.status === 'awaiting_approval' || (approval && result.status !== 'scheduled');
          const when = sendAtValue ? `at ${wallDateTime(sendAtValue)} (centre time)` : 'now';
          const message = waiting
            ? `Alert #${id} saved (about ${people(count)} match now). A second staff member must approve it before it is sent${
                sendAtValue ? ` ${when}` : ''
              }.`
            : `Alert #${id} scheduled ${sendAtValue ? when : 'to go out now'} to about ${people(count)}.`;
          try {
            putFirst(await M.api(`/console/api/alerts/${encodeURIComponent(id)}`));
          } catch {
            // The list poll brings it anyway.
          }
          form.reset();
          for (const area of textareas) showLength(area);
          syncWhen();
          clearPreview();
          previewFallback.hidden = true;
          countAudience();
          M.say(message, 'ok');
          load();
        } catch (error) {
          M.fail(error);
        }
      });
    });

    // ---- start ------------------------------------------------------------------------------

    document.addEventListener('visibilitychange', () => {
      if (!document.hidden) load().catch(() => {});
    });

    showApproval(approval);
    syncWhen();
    for (const area of textareas) showLength(area);
    countAudience();
    updatePreview();
    load();
  });
})();
