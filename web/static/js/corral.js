/* corral.js — what the page scripts share: JSON calls to /api/v1 with the session's CSRF
 * token and an idempotency key, the server's error message, a debounce, live messages,
 * and placing a post in the reply tree. Every page works without it; the scripts that use
 * it only enhance forms that already work on their own.
 *
 * Loaded before the page scripts (all with defer, so in document order). */
(function () {
  'use strict';
  if (!window.fetch || !window.JSON || !document.querySelector) return;

  /* The CSRF token of a form (its hidden csrf field), or of the page's first form. */
  function csrfOf(form) {
    var f = form && form.querySelector('input[name="csrf"]');
    if (!f) f = document.querySelector('input[name="csrf"]');
    return f ? f.value : '';
  }

  /* A fresh random key for Idempotency-Key (crypto.randomUUID needs a secure context;
   * getRandomValues does not). */
  function newKey() {
    if (window.crypto && typeof window.crypto.randomUUID === 'function') return window.crypto.randomUUID();
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }

  /* A call to the JSON API. opts: {method, body (an object), csrf, idempotent (true: send a
   * new Idempotency-Key), signal}. Resolves to {ok, status, data, message, code, field}: data
   * is the parsed JSON (or null), message, code and field the server's error when it sent one. Rejects
   * only when the request did not complete (network, abort). */
  function api(path, opts) {
    opts = opts || {};
    var method = opts.method || 'GET';
    var headers = { 'Accept': 'application/json' };
    var init = { method: method, headers: headers, credentials: 'same-origin' };
    if (opts.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(opts.body);
    }
    if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = opts.csrf || csrfOf(null);
    if (opts.idempotent && method === 'POST') headers['Idempotency-Key'] = newKey();
    if (opts.signal) init.signal = opts.signal;
    return fetch(path, init).then(function (r) {
      return r.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        var err = data && data.error;
        return {
          ok: r.ok,
          status: r.status,
          data: data,
          json: data !== null,
          message: err && typeof err.message === 'string' ? err.message : null,
          code: err && typeof err.code === 'string' ? err.code : null,
          field: err && err.field ? err.field : null
        };
      });
    });
  }

  function debounce(fn, ms) {
    var t = null;
    return function () {
      var self = this, args = arguments;
      if (t) clearTimeout(t);
      t = setTimeout(function () { t = null; fn.apply(self, args); }, ms);
    };
  }

  /* The page's live message line (created once, visually hidden): screen readers hear
   * what changed without the page moving. */
  function announce(text) {
    var el = document.getElementById('live-status');
    if (!el) {
      el = document.createElement('p');
      el.id = 'live-status';
      el.className = 'vh';
      el.setAttribute('aria-live', 'polite');
      (document.querySelector('main') || document.body).appendChild(el);
    }
    el.textContent = '';
    /* a change of text after a tick is announced even when the same words come twice */
    setTimeout(function () { el.textContent = text; }, 50);
  }

  /* A visible status message right after el, reused on later calls (role=status: a
   * polite live region). kind: '' or 'error'. Returns the <p>. */
  function statusAfter(el, text, kind) {
    var p = el.nextElementSibling;
    var fresh = !p || !p.classList.contains('js-status');
    if (fresh) {
      p = document.createElement('p');
      p.setAttribute('role', 'status');
      el.parentNode.insertBefore(p, el.nextSibling);
    }
    p.className = 'js-status' + (kind === 'error' ? ' error' : '');
    /* a live region that arrives with its text is often not read: fill it a tick later,
     * with the latest text — a second status within that tick (an upload answered at
     * once) must not be overwritten by the first one */
    p._text = text;
    if (fresh) {
      p._pending = true;
      setTimeout(function () { p._pending = false; p.textContent = p._text; }, 50);
    } else if (!p._pending) {
      p.textContent = text;
    }
    return p;
  }

  /* Parse one <li class="post"> from the HTML of /p/{id}/fragment (our own template
   * output, escaped by the server). */
  function postFromHTML(html) {
    var holder = document.createElement('template');
    holder.innerHTML = html.trim();
    var li = holder.content.firstElementChild;
    return li && li.matches('li.post') ? li : null;
  }

  /* Put li into the thread's list after its parent's last descendant (the next item at the
   * parent's depth or above, in the list holding the parent; at the end of the parent's
   * folded subtree when it has one), or at the end when the parent is not on this page.
   * Returns false when the post is on the page already. */
  function placePost(list, li) {
    if (document.getElementById(li.id)) return false;
    var parent = document.getElementById('p' + li.getAttribute('data-parent'));
    if (!parent || !list.contains(parent)) { list.appendChild(li); return true; }
    var next = parent.nextElementSibling;
    if (next && next.matches('li.subtree')) { next.querySelector('ol').appendChild(li); return true; }
    var depth = Number(parent.getAttribute('data-depth'));
    while (next && Number(next.getAttribute('data-depth')) > depth) next = next.nextElementSibling;
    parent.parentNode.insertBefore(li, next);
    return true;
  }

  /* Fetch post id's fragment and place it in list, marked as arrived. Resolves to the
   * <li> (or null when it could not be shown, or was there already). */
  function insertPost(list, id) {
    if (document.getElementById('p' + id)) return Promise.resolve(null);
    return fetch('/p/' + id + '/fragment', { credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        var li = html && postFromHTML(html);
        if (!li) return null;
        li.classList.add('arrived');
        return placePost(list, li) ? li : null;
      });
  }

  window.Corral = {
    api: api,
    csrfOf: csrfOf,
    newKey: newKey,
    debounce: debounce,
    announce: announce,
    statusAfter: statusAfter,
    placePost: placePost,
    insertPost: insertPost,
    /* Replies of this page on their way (thread.js); live.js holds the posts the stream
     * brings meanwhile, and 'corral:replied' on the document says one ended. */
    replying: 0
  };
})();
