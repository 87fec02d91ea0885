/* Musofir console: shared helpers (API calls, safe DOM building, live events, title badge, beep).
 *
 * Every piece of data from the server is put on the page with textContent / createElement only.
 * Nothing here ever assigns innerHTML: person messages may contain markup and must show as text.
 */
(() => {
  'use strict';

  const SPECIALIST_ROLES = ['lawyer', 'doctor', 'social_worker'];
  const BASE_TITLE = 'Musofir console';

  const ROLE_LABELS = {
    lawyer: 'Lawyer',
    doctor: 'Doctor',
    social_worker: 'Social worker',
    staff: 'Front desk',
    admin: 'Administrator',
  };
  const LANGUAGE_LABELS = {
    ru: 'Russian',
    uz: 'Uzbek',
    tg: 'Tajik',
    ky: 'Kyrgyz',
    az: 'Azerbaijani',
    hy: 'Armenian',
    en: 'English',
  };
  const CHANNEL_LABELS = {
    telegram: 'Telegram',
    whatsapp: 'WhatsApp',
    viber: 'Viber',
    sms: 'SMS',
    webchat: 'Web chat',
    web: 'Web chat',
  };
  const STATUS_LABELS = {
    queued: 'queued',
    claimed: 'claimed',
    closed: 'closed',
  };
  const OUTCOME_LABELS = {
    answered: 'Answered',
    referred: 'Referred elsewhere',
    no_reply: 'No reply from the person',
    out_of_scope: 'Out of scope',
    duplicate: 'Duplicate',
  };

  // ---- small DOM helpers ------------------------------------------------------------------

  const $ = (selector, root = document) => root.querySelector(selector);
  const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));

  function appendChildren(node, children) {
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  /** Build an element. props: class, text, dataset, hidden, disabled, on<event>, other attributes. */
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    if (props) {
      for (const [key, value] of Object.entries(props)) {
        if (value === null || value === undefined || value === false) continue;
        if (key === 'class') node.className = value;
        else if (key === 'text') node.textContent = String(value);
        else if (key === 'dataset') {
          for (const [name, data] of Object.entries(value)) {
            if (data !== null && data !== undefined) node.dataset[name] = String(data);
          }
        } else if (key === 'hidden' || key === 'disabled') node[key] = Boolean(value);
        else if (key.startsWith('on') && typeof value === 'function') {
          node.addEventListener(key.slice(2), value);
        } else if (key === 'href' || key === 'src') {
          throw new Error('use safeLink() for links');
        } else node.setAttribute(key, value === true ? '' : String(value));
      }
    }
    return appendChildren(node, children);
  }

  /** True for absolute http(s) URLs only. */
  function isHttpUrl(value) {
    if (typeof value !== 'string') return false;
    const text = value.trim();
    if (!/^https?:\/\//i.test(text)) return false;
    try {
      const url = new URL(text);
      return url.protocol === 'http:' || url.protocol === 'https:';
    } catch {
      return false;
    }
  }

  /** A link that opens in a new tab when url is http(s); otherwise plain text. */
  function safeLink(url, label, className) {
    const text = label === undefined || label === null ? String(url ?? '') : String(label);
    if (isHttpUrl(url)) {
      const a = document.createElement('a');
      a.href = new URL(String(url).trim()).href;
      a.rel = 'noopener noreferrer';
      a.target = '_blank';
      a.className = className ? `ext-link ${className}` : 'ext-link';
      a.textContent = text;
      return a;
    }
    return el('span', { class: className ? `plain-ref ${className}` : 'plain-ref', text });
  }

  /** An internal console link (path is built by our code, never taken from data). */
  function pageLink(path, label, className) {
    const a = document.createElement('a');
    a.href = path;
    if (className) a.className = className;
    a.textContent = String(label);
    return a;
  }

  /** Text with http(s) URLs turned into links; everything else stays plain text. */
  function linkify(text) {
    const fragment = document.createDocumentFragment();
    const source = String(text ?? '');
    const pattern = /\bhttps?:\/\/[^\s<>"'`]+/gi;
    let last = 0;
    let match;
    while ((match = pattern.exec(source)) !== null) {
      let url = match[0];
      const trailing = url.match(/[.,;:!?)\]}»"'’]+$/);
      if (trailing) url = url.slice(0, url.length - trailing[0].length);
      const start = match.index;
      if (start > last) fragment.append(source.slice(last, start));
      if (isHttpUrl(url)) fragment.append(safeLink(url));
      else fragment.append(url);
      last = start + url.length;
      pattern.lastIndex = Math.max(last, start + 1);
    }
    if (last < source.length) fragment.append(source.slice(last));
    return fragment;
  }

  // ---- time ------------------------------------------------------------------------------

  function parseTime(iso) {
    if (!iso) return null;
    const t = Date.parse(iso);
    return Number.isNaN(t) ? null : new Date(t);
  }

  function formatDateTime(iso) {
    const d = parseTime(iso);
    return d ? d.toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' }) : '';
  }

  function formatDate(iso) {
    const d = parseTime(iso);
    return d ? d.toLocaleDateString([], { dateStyle: 'medium' }) : '';
  }

  function formatTime(iso) {
    const d = parseTime(iso);
    return d ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : '';
  }

  /** "just now", "5 min", "2 h", "3 d". */
  function age(iso, now = Date.now()) {
    const d = parseTime(iso);
    if (!d) return '';
    const seconds = Math.max(0, (now - d.getTime()) / 1000);
    if (seconds < 60) return 'just now';
    const minutes = Math.floor(seconds / 60);
    if (minutes < 60) return `${minutes} min`;
    const hours = Math.floor(minutes / 60);
    if (hours < 48) return `${hours} h`;
    return `${Math.floor(hours / 24)} d`;
  }

  /** A <time> element showing a local date-time (or a relative age), full value in the tooltip. */
  function timeEl(iso, mode = 'datetime', className) {
    const d = parseTime(iso);
    if (!d) return el('span', { class: className, text: '' });
    let text;
    if (mode === 'age') text = age(iso);
    else if (mode === 'time') text = formatTime(iso);
    else if (mode === 'date') text = formatDate(iso);
    else text = formatDateTime(iso);
    return el('time', {
      class: className,
      datetime: d.toISOString(),
      title: formatDateTime(iso),
      dataset: mode === 'age' ? { age: iso } : null,
      text,
    });
  }

  /** Re-render every relative age on the page (they drift as time passes). */
  function refreshAges(root = document) {
    for (const node of $$('time[data-age]', root)) node.textContent = age(node.dataset.age);
  }

  // ---- status area ---------------------------------------------------------------------------

  let statusTimer = null;

  /** Show a message in the page's #status (role=alert). kind: "error" | "ok" | "info". */
  function say(message, kind = 'error', extra) {
    const area = $('#status');
    if (!area) return;
    clearTimeout(statusTimer);
    area.classList.remove('status-error', 'status-ok', 'status-info');
    if (!message) {
      area.replaceChildren();
      return;
    }
    area.classList.add(`status-${kind}`);
    area.replaceChildren(el('span', { class: 'status-text', text: message }));
    if (extra) area.append(' ', extra);
    if (kind === 'ok') statusTimer = setTimeout(() => say(''), 6000);
  }

  function clearStatus() {
    say('');
  }

  /** Show an API error; a lost session gets a "log in again" link. */
  function fail(error) {
    const status = error && error.status;
    const message = (error && error.message) || 'Something went wrong.';
    if (status === 401) {
      say(message, 'error', pageLink('/console/login', 'Log in again'));
    } else {
      say(message, 'error');
    }
  }

  // ---- API -------------------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(message, status, detail) {
      super(message);
      this.name = 'ApiError';
      this.status = status;
      this.detail = detail;
    }
  }

  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute('content') || '' : '';
  }

  function capitalise(text) {
    const s = String(text);
    return s ? s.charAt(0).toUpperCase() + s.slice(1) : s;
  }

  /** A readable sentence from FastAPI's {"detail": ...} (a string, or a list of field errors). */
  function detailText(detail) {
    if (detail === null || detail === undefined) return '';
    if (typeof detail === 'string') return capitalise(detail);
    if (Array.isArray(detail)) {
      return detail
        .map((item) => {
          if (item && typeof item === 'object') {
            const loc = Array.isArray(item.loc) ? item.loc.filter((p) => p !== 'body').join('.') : '';
            const msg = item.msg || 'is not valid';
            return loc ? `${loc}: ${msg}` : String(msg);
          }
          return String(item);
        })
        .join('; ');
    }
    if (typeof detail === 'object') {
      try {
        return JSON.stringify(detail);
      } catch {
        return String(detail);
      }
    }
    return String(detail);
  }

  async function api(path, options = {}) {
    const method = (options.method || 'GET').toUpperCase();
    const headers = { Accept: 'application/json' };
    const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
    if (method !== 'GET' && method !== 'HEAD') {
      headers['Content-Type'] = 'application/json';
      headers['X-CSRF-Token'] = csrfToken();
      init.body = JSON.stringify(options.body === undefined ? {} : options.body);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch {
      throw new ApiError('Cannot reach the server. Check the connection and try again.', 0);
    }
    let data = null;
    const raw = await response.text().catch(() => '');
    if (raw) {
      try {
        data = JSON.parse(raw);
      } catch {
        data = null;
      }
    }
    if (!response.ok) {
      let message = detailText(data && data.detail);
      if (!message) {
        if (response.status === 401) message = 'Your session has ended. Please log in again.';
        else if (response.status === 403) message = 'You are not allowed to do this.';
        else if (response.status === 404) message = 'Not found.';
        else message = `The server could not do this (error ${response.status}).`;
      } else if (response.status === 401) {
        message = `Your session has ended (${message}). Please log in again.`;
      }
      throw new ApiError(message, response.status, data && data.detail);
    }
    return data || {};
  }

  const post = (path, body) => api(path, { method: 'POST', body });

  /** Run fn at most once per `wait` ms burst (trailing call). */
  function debounce(fn, wait = 150) {
    let timer = null;
    return (...args) => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timer = null;
        fn(...args);
      }, wait);
    };
  }

  /** Disable a button while an async action runs (no double submits). */
  async function busy(button, fn) {
    if (button && button.dataset.busy === '1') return undefined;
    if (button) {
      button.dataset.busy = '1';
      button.setAttribute('aria-busy', 'true');
      button.disabled = true;
    }
    try {
      return await fn();
    } finally {
      if (button) {
        delete button.dataset.busy;
        button.removeAttribute('aria-busy');
        button.disabled = false;
      }
    }
  }

  /**
   * Mark a button as not applicable in the current state. It only looks muted: a click still asks
   * the server, which is the authority and explains in the status area why not.
   */
  function lock(button, locked) {
    if (!button) return;
    button.classList.toggle('inapplicable', Boolean(locked));
    button.dataset.applicable = locked ? 'false' : 'true';
  }

  // ---- sound ---------------------------------------------------------------------------------

  let audio = null;
  let gestured = false;
  const sound = { beeps: 0 };

  function unlockAudio() {
    gestured = true;
    try {
      const Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) return;
      if (!audio) audio = new Context();
      if (audio.state === 'suspended') audio.resume().catch(() => {});
    } catch {
      audio = null;
    }
  }
  for (const type of ['pointerdown', 'keydown', 'touchstart']) {
    window.addEventListener(type, unlockAudio, { capture: true, passive: true });
  }

  /** A short 880 Hz tone; silent until the user has interacted with the page once. */
  function beep() {
    if (!gestured || !audio) return false;
    try {
      if (audio.state === 'suspended') audio.resume().catch(() => {});
      const start = audio.currentTime + 0.01;
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      oscillator.type = 'sine';
      oscillator.frequency.setValueAtTime(880, start);
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.25, start + 0.015);
      gain.gain.setValueAtTime(0.25, start + 0.12);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.15);
      oscillator.connect(gain);
      gain.connect(audio.destination);
      oscillator.start(start);
      oscillator.stop(start + 0.16);
      sound.beeps += 1;
      document.body.dataset.beeps = String(sound.beeps);
      return true;
    } catch {
      return false;
    }
  }

  // ---- live events -----------------------------------------------------------------------------

  const eventListeners = [];
  let source = null;
  let everOpened = false;

  function dispatch(data) {
    for (const listener of eventListeners) {
      try {
        listener(data);
      } catch (error) {
        window.console.error(error);
      }
    }
  }

  function startEvents() {
    if (source || !('EventSource' in window)) return;
    source = new EventSource('/console/api/events');
    source.addEventListener('update', (event) => {
      let data;
      try {
        data = JSON.parse(event.data);
      } catch {
        return;
      }
      if (!data || typeof data !== 'object') return;
      dispatch({ type: String(data.type || ''), case: data.case ?? null });
    });
    source.addEventListener('open', () => {
      // After a reconnect some events may have been missed: everyone refreshes once.
      if (everOpened) dispatch({ type: 'reconnect', case: null });
      everOpened = true;
      retryDelay = 2500;
      document.body.classList.remove('offline');
      const area = $('#status');
      if (area && area.classList.contains('status-info')) say('');
    });
    source.addEventListener('error', () => {
      document.body.classList.add('offline');
      if (source && source.readyState === EventSource.CLOSED) {
        // The browser gave up (server down, or the session ended): find out which, retry later.
        source = null;
        api('/console/api/me').then(
          () => say('Live updates were interrupted; reconnecting…', 'info'),
          fail,
        );
        retryDelay = Math.min(retryDelay * 2, 60000);
        setTimeout(startEvents, retryDelay);
      }
    });
  }

  let retryDelay = 2500;
  window.addEventListener('pagehide', () => {
    if (source) source.close();
    source = null;
  });
  window.addEventListener('pageshow', (event) => {
    if (event.persisted && eventListeners.length) {
      startEvents();
      dispatch({ type: 'reconnect', case: null });
    }
  });

  /** Listen to live updates: fn({type, case}). Opens the stream on first use. */
  function onEvent(fn) {
    eventListeners.push(fn);
    startEvents();
  }

  // ---- queue counts: title badge and the new-case beep ------------------------------------

  const queueState = { data: null, listeners: [], pendingNew: new Set(), known: null };

  function isSpecialist() {
    return SPECIALIST_ROLES.includes(document.body.dataset.role || '');
  }

  function attentionCount(cases) {
    let count = 0;
    for (const c of cases) {
      if (c.status === 'queued') count += 1;
      else if (c.mine && c.status !== 'closed') count += Math.max(0, Number(c.unread) || 0);
    }
    return count;
  }

  function setBadge(count) {
    document.title = count > 0 ? `(${count}) ${BASE_TITLE}` : BASE_TITLE;
    const badge = $('#nav-badge');
    if (badge) {
      badge.textContent = count > 0 ? String(count) : '';
      badge.hidden = count <= 0;
      badge.setAttribute('aria-label', `${count} need attention`);
    }
  }

  let queueInFlight = null;
  let queueAgain = false;

  async function refreshQueue() {
    if (queueInFlight) {
      queueAgain = true;
      return queueInFlight;
    }
    queueInFlight = (async () => {
      try {
        const data = await api('/console/api/queue');
        const cases = Array.isArray(data.cases) ? data.cases : [];
        queueState.data = { cases, online: Number(data.online) || 0 };
        setBadge(attentionCount(cases));
        const ids = new Set(cases.map((c) => String(c.id)));
        if (queueState.pendingNew.size) {
          const heard = [...queueState.pendingNew].some((id) => id === '*' || ids.has(id));
          queueState.pendingNew.clear();
          if (heard) beep();
        }
        queueState.known = ids;
        for (const listener of queueState.listeners) listener(queueState.data);
        return queueState.data;
      } finally {
        queueInFlight = null;
      }
    })();
    try {
      return await queueInFlight;
    } finally {
      if (queueAgain) {
        queueAgain = false;
        refreshQueueSoon();
      }
    }
  }

  const refreshQueueSoon = debounce(() => {
    refreshQueue().catch(fail);
  }, 150);

  /** Start keeping the queue counts (title badge) live; listener(data) gets every refresh. */
  function watchQueue(listener) {
    if (listener) queueState.listeners.push(listener);
    if (queueState.watching) {
      if (listener && queueState.data) listener(queueState.data);
      return;
    }
    queueState.watching = true;
    onEvent((event) => {
      if (event.type === 'case') queueState.pendingNew.add(event.case === null ? '*' : String(event.case));
      if (event.type !== 'visits') refreshQueueSoon();
    });
    refreshQueue().catch(fail);
    // Safety net for missed events (and to keep the ages fresh).
    setInterval(() => {
      if (!document.hidden) refreshQueueSoon();
    }, 30000);
    document.addEventListener('visibilitychange', () => {
      if (!document.hidden) refreshQueueSoon();
    });
  }

  // ---- labels --------------------------------------------------------------------------------

  const roleLabel = (code) => ROLE_LABELS[code] || String(code ?? '');
  const languageLabel = (code) => (LANGUAGE_LABELS[code] ? `${LANGUAGE_LABELS[code]} (${code})` : String(code ?? ''));
  const channelLabel = (code) => CHANNEL_LABELS[code] || String(code ?? '');
  const statusLabel = (code) => STATUS_LABELS[code] || String(code ?? '');
  const outcomeLabel = (code) => OUTCOME_LABELS[code] || String(code ?? '').replace(/_/g, ' ');

  function ready(fn) {
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', fn, { once: true });
    else fn();
  }

  // Pages that load only this file (visits, admin) still keep the badge for specialists, and
  // every specialist page keeps the event stream open (the server counts who is online by it).
  ready(() => {
    if (isSpecialist() && document.body.dataset.page !== 'queue') watchQueue();
  });

  window.Musofir = Object.freeze({
    $,
    $$,
    el,
    safeLink,
    pageLink,
    linkify,
    isHttpUrl,
    parseTime,
    formatDateTime,
    formatDate,
    formatTime,
    age,
    timeEl,
    refreshAges,
    say,
    clearStatus,
    fail,
    api,
    post,
    ApiError,
    debounce,
    busy,
    lock,
    beep,
    sound,
    onEvent,
    watchQueue,
    refreshQueue,
    refreshQueueSoon,
    setBadge,
    isSpecialist,
    roleLabel,
    languageLabel,
    channelLabel,
    statusLabel,
    outcomeLabel,
    ready,
  });
})();
