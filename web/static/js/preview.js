/* preview.js — a live Markdown preview under every post editor (textarea[data-preview],
 * whose value is the level of the "Preview" heading). The text goes to
 * POST /api/v1/preview, which renders it exactly as a post would be (mentions, IDEA-n
 * links, the same limits); what it answers is shown in a polite live region. Without
 * JavaScript the forms work as before (the new-thread form has its own preview button). */
(function () {
  'use strict';
  if (!window.Corral) return;
  var DELAY = 300;
  var count = 0;

  /* The preview region of textarea ta, made on first use right after its field. */
  function regionOf(ta) {
    if (ta._preview) return ta._preview;
    var level = Math.min(Math.max(parseInt(ta.getAttribute('data-preview'), 10) || 3, 2), 6);
    var id = 'preview-' + (ta.id || ++count);
    var box = document.createElement('div');
    box.className = 'preview';
    box.setAttribute('aria-live', 'polite');
    var h = document.createElement('h' + level);
    h.id = id + '-h';
    h.className = 'preview-h';
    h.textContent = 'Preview';
    var body = document.createElement('div');
    body.className = 'post-body';
    box.appendChild(h);
    box.appendChild(body);
    var after = ta.closest('.field') || ta;
    after.parentNode.insertBefore(box, after.nextSibling);
    ta._preview = { box: box, body: body, seq: 0, ctl: null, shown: null };
    empty(ta._preview);
    return ta._preview;
  }

  function empty(p) {
    p.body.innerHTML = '';
    var m = document.createElement('p');
    m.className = 'muted';
    m.textContent = 'Nothing to preview yet.';
    p.body.appendChild(m);
    p.box.classList.remove('refused');
    p.shown = '';
  }

  function refused(p, message) {
    p.body.innerHTML = '';
    var m = document.createElement('p');
    m.className = 'help danger';
    m.textContent = message;
    p.body.appendChild(m);
    p.box.classList.add('refused');
  }

  function render(ta) {
    var p = regionOf(ta);
    var text = ta.value;
    if (text === p.shown) return;
    if (p.ctl) p.ctl.abort();
    p.ctl = null;
    var seq = ++p.seq;
    if (!text.trim()) { empty(p); return; }
    var ctl = window.AbortController ? new AbortController() : null;
    p.ctl = ctl;
    p.box.setAttribute('aria-busy', 'true');
    Corral.api('/api/v1/preview', {
      method: 'POST', body: { body: text }, csrf: Corral.csrfOf(ta.form), signal: ctl ? ctl.signal : undefined
    }).then(function (res) {
      if (seq !== p.seq) return;
      p.box.removeAttribute('aria-busy');
      if (res.ok && res.data && typeof res.data.body_html === 'string') {
        /* HTML made by the server's Markdown renderer (safe mode), as on the post itself */
        p.body.innerHTML = res.data.body_html;
        p.box.classList.remove('refused');
        p.shown = text;
      } else {
        /* Only what is wrong with the text is the preview's to say; any other refusal
         * (a stale CSRF token, a rate limit) is for the form to report when it is sent,
         * or the same error would show twice. */
        refused(p, res.status === 400 && res.message ? res.message : 'The preview is not available right now.');
        p.shown = res.status === 400 ? text : null;
      }
    }).catch(function () {
      if (seq === p.seq) p.box.removeAttribute('aria-busy');
    });
  }

  var later = new WeakMap();
  function schedule(ta) {
    var fn = later.get(ta);
    if (!fn) {
      fn = Corral.debounce(function () { render(ta); }, DELAY);
      later.set(ta, fn);
    }
    fn();
  }

  /* One listener for every editor, also those that arrive later (live replies). */
  document.addEventListener('input', function (ev) {
    var ta = ev.target;
    if (ta && ta.matches && ta.matches('textarea[data-preview]')) schedule(ta);
  });

  /* A form cleared by a script (reply posted) says so with a reset event. The preview is
   * emptied at once, in the same task: the posted text must not stay on the page a moment
   * longer beside the post that now shows it. */
  document.addEventListener('reset', function (ev) {
    var tas = ev.target.querySelectorAll ? ev.target.querySelectorAll('textarea[data-preview]') : [];
    Array.prototype.forEach.call(tas, function (ta) {
      if (ta._preview) {
        ta._preview.seq++;
        if (ta._preview.ctl) ta._preview.ctl.abort();
        ta._preview.box.removeAttribute('aria-busy');
        empty(ta._preview);
      }
    });
  }, true);

  /* Editors shown at load (new thread, edit post, the main reply form) get their region
   * at once; those in closed reply forms when they are first typed in. */
  Array.prototype.forEach.call(document.querySelectorAll('textarea[data-preview]'), function (ta) {
    if (ta.closest('details:not([open])')) return;
    regionOf(ta);
    if (ta.value.trim()) render(ta);
  });

  /* The new-thread page after its preview button: the live preview replaces the
   * server-drawn one (the similar-threads notice stays). */
  var old = document.querySelector('section.server-preview');
  if (old && document.querySelector('textarea[data-preview]')) old.parentNode.removeChild(old);
})();
