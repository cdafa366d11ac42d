/*! Sightline tracker — MIT — docs: tracker/README.md */
(function (w, d) {
  var s = d.currentScript, n = navigator, l = location, h = w.history;
  if (!s) return;
  var a = function (k) { return s.getAttribute('data-' + k); };
  var api = (a('api') || new URL('/beacon', s.src).href) + '?app=' + encodeURIComponent(a('project') || '') + (a('key') ? '&k=' + encodeURIComponent(a('key')) : '');
  var hash = a('hash') !== null, none = a('storage') === 'none';
  var off = (/^(localhost|127\.|\[::1\])/.test(l.hostname) || l.protocol === 'file:') && a('include-localhost') === null;
  if (a('respect-dnt') !== null && (n.doNotTrack === '1' || n.globalPrivacyControl)) off = true;
  var id = function (store, key) {
    if (none) return;
    try {
      var v = store.getItem(key);
      if (!v) store.setItem(key, v = Math.random().toString(36).slice(2) + Date.now().toString(36));
      return v;
    } catch (e) {}
  };
  var uid = id(w.localStorage, 'sl_uid'), sid = id(w.sessionStorage, 'sl_sid');
  var ref = d.referrer, last, shown = Date.now();
  function send(type, details) {
    if (off) return;
    var e = { type: type, url: l.href, referrer: ref, title: d.title, locale: n.language, screen_size: w.screen.width, timestamp: Date.now() };
    if (hash && l.hash.charAt(1) === '/') e.path = l.hash.slice(1);
    if (uid) e.user_id = uid;
    if (sid) e.session_id = sid;
    if (details) e.details = details;
    var body = JSON.stringify(e);
    if (!(n.sendBeacon && n.sendBeacon(api, body)))
      fetch(api, { method: 'POST', body: body, keepalive: true, headers: { 'content-type': 'text/plain' } }).catch(function () {});
  }
  function page() {
    var key = l.pathname + (hash ? l.hash : '');
    if (key === last) return;
    if (last) ref = l.origin + last;
    last = key;
    shown = Date.now();
    send('pageview');
  }
  if (h.pushState) {
    ['pushState', 'replaceState'].forEach(function (m) {
      var o = h[m];
      h[m] = function () {
        o.apply(this, arguments);
        page();
      };
    });
    w.addEventListener('popstate', page);
  }
  if (hash) w.addEventListener('hashchange', page);
  if (a('engagement') !== null)
    d.addEventListener('visibilitychange', function () {
      if (d.visibilityState === 'hidden') send('engagement', { seconds: Math.round((Date.now() - shown) / 1000) });
    });
  d.addEventListener('click', function (ev) {
    var t = ev.target.closest && ev.target.closest('[data-sightline-event],a[href]');
    if (!t) return;
    var name = t.getAttribute('data-sightline-event');
    if (name) {
      var p = {}, at = t.attributes;
      for (var i = 0; i < at.length; i++) if (at[i].name.indexOf('data-sightline-prop-') === 0) p[at[i].name.slice(20)] = at[i].value;
      return send(name, p);
    }
    var u = new URL(t.href, l.href);
    if (a('outbound') !== null && u.host !== l.host && /^https?:/.test(u.protocol)) send('outbound', { url: u.href });
    else if (a('downloads') !== null && /\.(pdf|zip|dmg|exe|msi|pkg|csv|xlsx?|docx?|pptx?|mp[34]|gz|tar)$/i.test(u.pathname)) send('file_download', { url: u.href });
  });
  var q = (w.sightline && w.sightline.q) || [];
  w.sightline = function (name, props) { send(name, props); };
  page();
  for (var i = 0; i < q.length; i++) send(q[i][0], q[i][1]);
})(window, document);
