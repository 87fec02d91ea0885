// Musofir web chat. Plain ES2020, no dependencies, no external requests.
// Server text is only ever inserted as text nodes or attribute values, never as HTML.
'use strict';
(() => {
  const API = '/chat/api';
  const $ = (id) => document.getElementById(id);
  const messages = $('messages');
  const log = $('log');
  const input = $('input');
  const sendBtn = $('send');
  const locBtn = $('share-location');
  const status = $('status');
  const statusText = $('status-text');
  const intro = $('intro');
  const typing = $('typing');
  const form = $('composer');

  let S = {};               // UI strings of the current language
  let lang = null;          // language the strings were asked for
  let stringsReq = 0;       // only the newest strings request may apply
  const seen = new Set();   // rendered event ids
  let lastId = null;        // id of the newest rendered event
  let lastBot = null;       // the only bot message whose buttons are active
  let burstStart = null;    // the first bot message since the person last wrote
  let inHistory = false;
  let historyLang = null;
  let historyLoaded = false;
  let es = null;
  let reconnectTimer = 0;
  let reconnectDelay = 1000;
  let queue = Promise.resolve();
  let pending = null;       // {id, text} of typed text not yet accepted
  let sending = false;
  let locating = false;
  let typingTimer = 0;
  let botCount = 0;         // bot events seen so far; a reply may arrive before the POST returns

  const t = (k) => (typeof S[k] === 'string' ? S[k] : '');
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  };

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    // crypto.randomUUID needs a secure context; getRandomValues does not.
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  async function getJSON(path) {
    const r = await fetch(API + path, {
      credentials: 'same-origin',
      headers: { Accept: 'application/json' },
      cache: 'no-store',
    });
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    return r.json();
  }

  // ---------- UI strings ----------

  function applyStrings() {
    document.title = t('web.title') || 'Musofir';
    input.placeholder = t('web.placeholder');
    for (const [b, k] of [[sendBtn, 'web.send'], [locBtn, 'web.share_location']]) {
      const s = t(k);
      if (s) { b.setAttribute('aria-label', s); b.title = s; }
    }
    statusText.textContent = t('web.reconnecting');
    intro.textContent = t('web.intro');
    updateIntro();
  }

  async function loadStrings(l) {
    const my = ++stringsReq;
    for (let i = 0; i < 5; i++) {
      try {
        const data = await getJSON('/strings' + (l ? '?lang=' + encodeURIComponent(l) : ''));
        if (my !== stringsReq) return;
        const obj = data && typeof data === 'object' && data.strings && typeof data.strings === 'object' ? data.strings : data;
        S = obj && typeof obj === 'object' ? obj : {};
        applyStrings();
        return;
      } catch (e) {
        await sleep(1000 * 2 ** i);
        if (my !== stringsReq) return;
      }
    }
  }

  function setLang(l) {
    if (typeof l !== 'string' || !l || l === lang) return;
    lang = l;
    document.documentElement.lang = l;
    loadStrings(l);
  }

  // The intro stands above a conversation the person has not yet taken part in
  // (empty, or only the bot's greeting).
  function updateIntro() {
    intro.hidden = !(historyLoaded && intro.textContent && !messages.querySelector('.msg-user'));
  }

  // ---------- rendering ----------

  // URLs (http, https, www.) and phone numbers become links; everything else is text.
  const LINK_RE = /(https?:\/\/[^\s<>"'«»]+|www\.[^\s<>"'«»]+\.[^\s<>"'«»]+)|(\+\d[\d \-()]{8,}\d|8[ -]?\(?\d{3}\)?[ -]?\d{3}[ -]?\d{2}[ -]?\d{2})/gi;
  const TRAIL_RE = /[.,;:!?'"»…)\]]+$/;

  function linkify(parent, text) {
    let pos = 0;
    let m;
    LINK_RE.lastIndex = 0;
    while ((m = LINK_RE.exec(text))) {
      let s = m[0];
      const start = m.index;
      let href = null;
      if (m[1]) {
        let tail = (s.match(TRAIL_RE) || [''])[0];
        // keep a closing bracket that belongs to the URL, e.g. .../Foo_(bar)
        while (tail.startsWith(')') && (s.slice(0, s.length - tail.length).split('(').length > s.slice(0, s.length - tail.length).split(')').length)) {
          tail = tail.slice(1);
        }
        s = s.slice(0, s.length - tail.length);
        href = /^www\./i.test(s) ? 'https://' + s : s;
      } else {
        const before = start > 0 ? text[start - 1] : '';
        const after = text[start + s.length] || '';
        const digits = s.replace(/\D/g, '');
        if (!/[\w\d]/.test(before) && !/\d/.test(after) && digits.length >= 10 && digits.length <= 15) {
          href = 'tel:' + (s.startsWith('+') ? '+' : '') + digits;
        }
      }
      if (!href || !s) continue;
      if (start > pos) parent.appendChild(document.createTextNode(text.slice(pos, start)));
      // Long addresses (map links) read as their site's name on a small screen.
      const shown = !href.startsWith('tel:') && s.length > 40 ? (hostOf(href) || s) + ' ↗' : s;
      const a = el('a', null, shown);
      a.href = href;
      if (!href.startsWith('tel:')) { a.target = '_blank'; a.rel = 'noopener noreferrer'; }
      parent.appendChild(a);
      pos = start + s.length;
      LINK_RE.lastIndex = pos;
    }
    if (pos < text.length) parent.appendChild(document.createTextNode(text.slice(pos)));
  }

  function safeUrl(u) {
    if (typeof u !== 'string' || !/^(https?:\/\/|\/(?!\/))/i.test(u)) return null;
    try {
      const x = new URL(u, location.href);
      return x.protocol === 'https:' || x.protocol === 'http:' ? x.href : null;
    } catch (e) {
      return null;
    }
  }

  function coords(loc) {
    if (!loc || typeof loc !== 'object') return null;
    const lat = Number(loc.latitude);
    const lon = Number(loc.longitude);
    return Number.isFinite(lat) && Number.isFinite(lon) ? [lat, lon] : null;
  }

  const osm = ([lat, lon]) =>
    `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=17/${lat}/${lon}`;
  const fmt = ([lat, lon]) => `${lat.toFixed(5)}, ${lon.toFixed(5)}`;

  function extLink(cls, href, text) {
    const a = el('a', cls, text);
    a.href = href;
    a.target = '_blank';
    a.rel = 'noopener noreferrer';
    return a;
  }

  function hostOf(u) {
    try { return new URL(u).hostname.replace(/^www\./, ''); } catch (e) { return ''; }
  }

  function venueCard(v) {
    const c = coords(v);
    const href = safeUrl(v.map_url) || (c && osm(c));
    const card = el('div', 'card venue');
    if (v.title) card.appendChild(el('div', 'card-title', '📍 ' + v.title));
    if (v.address) card.appendChild(el('div', 'card-sub', v.address));
    if (href) card.appendChild(extLink('maplink', href, '🗺️ ' + (t('web.map') || hostOf(href)) + ' ↗'));
    return card;
  }

  const MEDIA_ICON = { image: '🖼️', photo: '🖼️', video: '🎬', audio: '🔊', voice: '🔊', document: '📄', file: '📄' };

  function mediaCard(md) {
    const href = safeUrl(md.url);
    let file = '';
    try { file = href ? decodeURIComponent(new URL(href).pathname.split('/').pop() || '') : ''; } catch (e) { /* keep '' */ }
    const name = String(md.caption || file || hostOf(href || '')).trim();
    const icon = MEDIA_ICON[String(md.kind || '').toLowerCase()] || '📎';
    const card = el('div', 'card media');
    if (href) card.appendChild(extLink('medialink', href, `${icon} ${name} ↗`));
    else if (name) card.appendChild(el('div', null, `${icon} ${name}`));
    return card;
  }

  function renderMessage(role, m) {
    const bubble = el('div', 'bubble');
    const add = (n) => bubble.appendChild(n);
    if (role !== 'bot') {
      const c = coords(m.location);
      if (typeof m.text === 'string' && m.text) {
        const d = el('div', 'text');
        linkify(d, m.text);
        add(d);
      } else if (m.title != null || m.payload != null) {
        add(el('div', 'text', String(m.title || m.payload)));
      } else if (c) {
        add(el('div', 'text', '📍 ' + fmt(c)));
      }
      return [bubble, null];
    }
    if (typeof m.text === 'string' && m.text) {
      const d = el('div', 'text');
      linkify(d, m.text);
      add(d);
    }
    if (m.media && typeof m.media === 'object') add(mediaCard(m.media));
    if (m.venue && typeof m.venue === 'object') add(venueCard(m.venue));
    else {
      const c = coords(m.location);
      if (c) {
        const card = el('div', 'card');
        card.appendChild(extLink('maplink', osm(c), '📍 ' + fmt(c) + ' ↗'));
        add(card);
      }
    }
    let chips = null;
    if (Array.isArray(m.buttons) && m.buttons.length) {
      chips = el('div', 'chips');
      for (const b of m.buttons) {
        if (!b || typeof b !== 'object') continue;
        const title = String(b.title != null ? b.title : b.payload != null ? b.payload : '');
        const url = b.payload == null ? safeUrl(b.url) : null;
        if (url) {
          chips.appendChild(extLink('chip-link', url, title + ' ↗'));
          continue;
        }
        const btn = el('button', 'chip', title);
        btn.type = 'button';
        btn.dataset.payload = b.payload != null ? String(b.payload) : title;
        btn.dataset.title = title;
        chips.appendChild(btn);
      }
    }
    return [bubble.childNodes.length ? bubble : null, chips];
  }

  function deactivate(msg) {
    if (!msg) return;
    msg.classList.add('old');
    for (const b of msg.querySelectorAll('button.chip')) b.disabled = true;
  }

  function addEvent(ev) {
    if (!ev || typeof ev !== 'object') return;
    const id = ev.id != null ? String(ev.id) : '';
    if (id) {
      if (seen.has(id)) return;
      seen.add(id);
      lastId = id;
    }
    const m = ev.message && typeof ev.message === 'object' ? ev.message : {};
    const bot = ev.role === 'bot';
    if (m.reset === true) {
      // The person erased their data: the server's log is gone, so is what this screen shows.
      messages.replaceChildren();
      lastBot = null;
      burstStart = null;
    }
    const node = el('div', 'msg ' + (bot ? 'msg-bot' : 'msg-user'));
    if (id) node.dataset.id = id;
    const [bubble, chips] = renderMessage(bot ? 'bot' : 'user', m);
    if (bubble) node.appendChild(bubble);
    if (chips) node.appendChild(chips);
    messages.appendChild(node);
    if (!bot) burstStart = null;
    else if (!burstStart) burstStart = node;
    if (bot) {
      deactivate(lastBot);
      lastBot = node;
      botCount++;
      stopTyping();
      if (typeof m.language === 'string' && m.language) {
        if (inHistory) historyLang = m.language;
        else setLang(m.language);
      }
    }
    if (!inHistory) {
      updateIntro();
      scrollToNewest(bot ? burstStart : null);
    }
  }

  function note(text) {
    if (!text) return;
    messages.appendChild(el('div', 'note', text));
    scrollToNewest(null);
  }

  // Newest at the bottom; when the bot's replies since the person's last message are taller
  // than the screen, they are shown from the first one, so an answer is read from its start.
  function scrollToNewest(first) {
    requestAnimationFrame(() => {
      const tall = first && log.scrollHeight - first.offsetTop > log.clientHeight - 24;
      if (tall) log.scrollTop = first.offsetTop - 8;
      else log.scrollTop = log.scrollHeight;
    });
  }

  // Show the typing dots only if no bot message arrived since the send began.
  // Keep the newest message in view when the log shrinks (keyboard opens, notice appears).
  let atBottom = true;
  log.addEventListener('scroll', () => {
    atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 48;
  }, { passive: true });
  const stick = () => { if (atBottom) log.scrollTop = log.scrollHeight; };
  if (window.ResizeObserver) new ResizeObserver(stick).observe(log);
  else window.addEventListener('resize', stick);

  function startTyping(since) {
    if (botCount !== since) return;
    clearTimeout(typingTimer);
    typing.hidden = false;
    scrollToNewest(null);
    typingTimer = setTimeout(stopTyping, 30000);
  }

  function stopTyping() {
    clearTimeout(typingTimer);
    typing.hidden = true;
  }

  // ---------- connection ----------

  function setDown(down) {
    status.hidden = !down;
  }

  async function loadHistory() {
    const data = await getJSON('/history');
    const evs = data && Array.isArray(data.events) ? data.events : [];
    inHistory = true;
    historyLang = null;
    try {
      for (const ev of evs) addEvent(ev);
    } finally {
      inHistory = false;
    }
    if (historyLang) setLang(historyLang);
    historyLoaded = true;
    updateIntro();
    scrollToNewest(null);
  }

  function openStream() {
    if (es) es.close();
    const src = new EventSource(API + '/events' + (lastId ? '?after=' + encodeURIComponent(lastId) : ''));
    es = src;
    src.onopen = () => {
      if (es !== src) return;
      reconnectDelay = 1000;
      setDown(false);
    };
    src.onmessage = (e) => {
      if (es !== src) return;
      let ev;
      try { ev = JSON.parse(e.data); } catch (err) { return; }
      if (ev && typeof ev === 'object' && ev.id == null && e.lastEventId) ev.id = e.lastEventId;
      addEvent(ev);
    };
    src.onerror = () => {
      if (es !== src) return;
      setDown(true);
      // CONNECTING: the browser retries by itself (sending Last-Event-ID).
      // CLOSED (e.g. an HTTP error): start over ourselves.
      if (src.readyState === EventSource.CLOSED) {
        es = null;
        scheduleReconnect();
      }
    };
  }

  function scheduleReconnect(now) {
    clearTimeout(reconnectTimer);
    reconnectTimer = setTimeout(resync, now ? 0 : reconnectDelay);
    reconnectDelay = Math.min(reconnectDelay * 2, 30000);
  }

  // Re-establish the session (the cookie may be gone), catch up, reopen the stream.
  async function resync() {
    try {
      const sess = await getJSON('/session');
      if (!lang && sess && sess.language) setLang(sess.language);
      await loadHistory();
      openStream();
    } catch (e) {
      setDown(true);
      scheduleReconnect();
    }
  }

  function kick() {
    if (!es || es.readyState === EventSource.CLOSED) scheduleReconnect(true);
  }
  window.addEventListener('online', kick);
  document.addEventListener('visibilitychange', () => { if (!document.hidden) kick(); });

  // ---------- sending ----------

  // POST one message; network errors and 5xx are retried with the same id (the server dedupes).
  async function post(body) {
    const delays = [1000, 2000, 4000, 8000];
    let renewed = false;
    for (let i = 0; ; i++) {
      let r = null;
      try {
        r = await fetch(API + '/messages', {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify(body),
        });
      } catch (e) {
        r = null;
      }
      if (r && r.ok) return { ok: true };
      if (r && (r.status === 401 || r.status === 403) && !renewed) {
        renewed = true;
        try { await getJSON('/session'); continue; } catch (e) { /* fall through */ }
      }
      if (r && r.status < 500 && r.status !== 408 && r.status !== 429) {
        let detail = '';
        try { detail = (await r.json()).detail; } catch (e) { /* no body */ }
        return { ok: false, detail: typeof detail === 'string' ? detail : '' };
      }
      if (i >= delays.length) return { ok: false, detail: '' };
      await sleep(delays[i]);
    }
  }

  // Messages go out one at a time, in order.
  function enqueue(body) {
    const p = queue.then(() => post(body));
    queue = p.catch(() => {});
    return p;
  }

  function refreshSendState() {
    sendBtn.classList.toggle('empty', !input.value.trim());
  }

  async function sendText() {
    const text = input.value.trim();
    if (!text || sending) return;
    if (!pending || pending.text !== text) pending = { id: uuid(), text };
    const body = { id: pending.id, text };
    const since = botCount;
    sending = true;
    sendBtn.classList.remove('error');
    sendBtn.classList.add('busy');
    form.setAttribute('aria-busy', 'true');
    const res = await enqueue(body);
    sending = false;
    sendBtn.classList.remove('busy');
    form.removeAttribute('aria-busy');
    if (res.ok) {
      if (pending && pending.id === body.id) pending = null;
      if (input.value.trim() === text) input.value = '';
      startTyping(since);
    } else {
      sendBtn.classList.add('error');
      note(res.detail);
    }
    refreshSendState();
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    sendText();
  });
  input.addEventListener('input', () => {
    sendBtn.classList.remove('error');
    refreshSendState();
  });

  messages.addEventListener('click', async (e) => {
    const chip = e.target.closest('button.chip');
    if (!chip || chip.disabled) return;
    const msg = chip.closest('.msg');
    if (!msg || msg !== lastBot) return;
    // The bot's "share location" button asks this browser for the location, as 📍 does.
    if (chip.dataset.payload === 'share_location') { shareLocation(); return; }
    const group = Array.from(msg.querySelectorAll('button.chip'));
    for (const b of group) { b.disabled = true; b.classList.remove('chosen'); }
    chip.classList.add('busy');
    const since = botCount;
    const res = await enqueue({ id: uuid(), payload: chip.dataset.payload, title: chip.dataset.title });
    chip.classList.remove('busy');
    if (msg === lastBot) for (const b of group) b.disabled = false;
    if (res.ok) {
      chip.classList.add('chosen');
      startTyping(since);
    } else {
      note(res.detail);
    }
  });

  function locationDenied() {
    note(t('web.location_denied'));
    input.focus();
  }

  function shareLocation() {
    if (locating) return;
    if (!navigator.geolocation) { locationDenied(); return; }
    locating = true;
    locBtn.classList.remove('error');
    locBtn.classList.add('busy');
    let answered = false;
    const finish = () => {
      answered = true;
      locating = false;
      locBtn.classList.remove('busy');
      clearTimeout(guard);
    };
    // Some browsers never answer while their permission prompt is ignored.
    const guard = setTimeout(() => { finish(); locationDenied(); }, 25000);
    navigator.geolocation.getCurrentPosition(async (pos) => {
      if (!answered) finish();
      const round = (x) => Math.round(x * 1e6) / 1e6;
      const since = botCount;
      const res = await enqueue({
        id: uuid(),
        location: { latitude: round(pos.coords.latitude), longitude: round(pos.coords.longitude) },
      });
      if (res.ok) startTyping(since);
      else { locBtn.classList.add('error'); note(res.detail); }
    }, () => {
      if (answered) return;
      finish();
      locationDenied();
    }, { enableHighAccuracy: false, timeout: 10000, maximumAge: 600000 });
  }
  locBtn.addEventListener('click', shareLocation);

  // ---------- start ----------

  async function start() {
    applyStrings();
    let sess = null;
    for (let i = 0; !sess; i++) {
      try {
        sess = await getJSON('/session');
      } catch (e) {
        setDown(true);
        await sleep(Math.min(30000, 1000 * 2 ** i));
      }
    }
    lang = typeof sess.language === 'string' && sess.language ? sess.language : null;
    if (lang) document.documentElement.lang = lang;
    loadStrings(lang);
    for (let i = 0; ; i++) {
      try {
        await loadHistory();
        break;
      } catch (e) {
        setDown(true);
        await sleep(Math.min(30000, 1000 * 2 ** i));
      }
    }
    openStream();
  }

  start();
})();
