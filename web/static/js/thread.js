/* thread.js — a thread page without reloads: replying (the reply forms already open in
 * place; the reply goes to POST /api/v1/threads/{id}/posts and appears in the tree where
 * it belongs), flagging a post (POST /api/v1/posts/{id}/flags) and suggesting it as an
 * idea (POST /api/v1/posts/{id}/nominations). Each form works as a plain form post without
 * JavaScript; when the API does not answer as expected, the form is sent that way. */
(function () {
  'use strict';
  if (!window.Corral) return;
  var list = document.querySelector('ol.posts[data-thread]');

  function busy(form, on) {
    form._busy = on;
    Array.prototype.forEach.call(form.querySelectorAll('button'), function (b) { b.disabled = on; });
  }

  function fallback(form) {
    busy(form, false);
    form.submit();
  }

  /* A refusal shown in the form, before its submit button, tied to the field at fault. */
  function showError(form, message, field) {
    clearError(form);
    var p = document.createElement('p');
    p.className = 'help danger form-js-error';
    p.setAttribute('role', 'alert');
    p.id = 'err-' + Math.random().toString(36).slice(2, 10);
    p.textContent = message;
    var button = form.querySelector('button[type="submit"]');
    form.insertBefore(p, button);
    var input = field && form.querySelector('[name="' + field + '"]');
    if (!input && field === 'body') input = form.querySelector('textarea');
    if (input) {
      input.setAttribute('aria-invalid', 'true');
      input.setAttribute('aria-describedby', p.id);
      input.focus();
    }
  }

  function clearError(form) {
    var old = form.querySelector('.form-js-error');
    if (old) old.parentNode.removeChild(old);
    Array.prototype.forEach.call(form.querySelectorAll('[aria-invalid="true"]'), function (el) {
      el.removeAttribute('aria-invalid');
      el.removeAttribute('aria-describedby');
    });
  }

  /* Refusals the person can act on are shown; anything else sends the form. A stale
   * CSRF token is not one to show here: sent as a plain form, the page comes back with
   * the text kept, the error said once and a fresh token. */
  function refused(form, res) {
    if (res.json && res.message && res.status >= 400 && res.status < 500 && res.code !== 'csrf') {
      busy(form, false);
      showError(form, res.message, res.field);
      return;
    }
    fallback(form);
  }

  /* Close the disclosure a form sits in, give focus back to its summary and say what
   * happened beside it. */
  function done(form, text) {
    busy(form, false);
    clearError(form);
    form.reset();
    var details = form.closest('details');
    if (details) {
      details.open = false;
      var summary = details.querySelector('summary');
      if (summary) summary.focus();
    }
    Corral.statusAfter(details || form, text);
  }

  /* --- replying --- */

  function reply(form, threadId) {
    var ta = form.querySelector('textarea[name="body"]');
    var parent = form.querySelector('input[name="parent_id"]');
    var body = { body: ta.value };
    if (parent && parent.value) body.parent_id = Number(parent.value);
    /* Without it the reply would go out under the author's name. */
    var anon = form.querySelector('input[name="anonymous"]');
    if (anon && anon.checked) body.anonymous = true;
    Corral.api('/api/v1/threads/' + threadId + '/posts', {
      method: 'POST', body: body, csrf: Corral.csrfOf(form), idempotent: true
    }).then(function (res) {
      if (res.status !== 201 || !res.data || !res.data.post) { refused(form, res); return; }
      var post = res.data.post;
      var shown = list ? Corral.insertPost(list, post.id) : Promise.resolve(null);
      return shown.catch(function () { return null; }).then(function (li) {
        li = li || document.getElementById('p' + post.id);
        var pending = post.state === 'pending';
        done(form, pending ? 'Your post is waiting for a moderator.' : 'Your reply is posted.');
        if (li && li.scrollIntoView) li.scrollIntoView({ block: 'nearest' });
      });
    }).catch(function () { fallback(form); });
  }

  /* Opening a reply form puts the cursor in it. */
  document.addEventListener('toggle', function (ev) {
    var d = ev.target;
    if (!d.matches || !d.matches('details.reply') || !d.open) return;
    var ta = d.querySelector('textarea');
    if (ta) ta.focus();
  }, true);

  /* --- flagging and suggesting as an idea --- */

  function flag(form, postId) {
    var reason = form.querySelector('input[name="reason"]:checked');
    var note = form.querySelector('[name="note"]');
    var body = { reason: reason ? reason.value : '' };
    if (note && note.value.trim()) body.note = note.value.trim();
    Corral.api('/api/v1/posts/' + postId + '/flags', {
      method: 'POST', body: body, csrf: Corral.csrfOf(form), idempotent: true
    }).then(function (res) {
      if (res.status === 201) done(form, 'Thanks — a moderator will look at it.');
      else if (res.status === 409 && res.message) done(form, res.message);
      else refused(form, res);
    }).catch(function () { fallback(form); });
  }

  function nominate(form, postId) {
    Corral.api('/api/v1/posts/' + postId + '/nominations', {
      method: 'POST', body: {}, csrf: Corral.csrfOf(form), idempotent: true
    }).then(function (res) {
      if (res.status === 201) done(form, 'Thanks — the moderators will consider it as an idea.');
      else if (res.status === 409 && res.message) done(form, res.message);
      else if (res.json && res.message && res.status >= 400 && res.status < 500) done(form, res.message);
      else fallback(form);
    }).catch(function () { fallback(form); });
  }

  var routes = [
    [/^\/t\/(\d+)\/reply$/, reply],
    [/^\/p\/(\d+)\/flag$/, flag],
    [/^\/p\/(\d+)\/nominate$/, nominate]
  ];

  /* One listener for every form of the page, also those of posts that arrive live. */
  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    if (!form.getAttribute || (form.getAttribute('method') || '').toLowerCase() !== 'post') return;
    var action = form.getAttribute('action') || '';
    /* A file still chosen (upload.js did not take it): the form itself carries it. */
    var file = form.querySelector('input[type="file"]');
    if (file && file.files && file.files.length) return;
    for (var i = 0; i < routes.length; i++) {
      var m = routes[i][0].exec(action);
      if (!m) continue;
      ev.preventDefault();
      if (form._busy) return;
      busy(form, true);
      routes[i][1](form, m[1]);
      return;
    }
  });
})();
