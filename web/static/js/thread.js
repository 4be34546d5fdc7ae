/* thread.js — a thread page without reloads: replying (under each post a link to its reply
 * page opens the page's reply form in place instead; the reply goes to
 * POST /api/v1/threads/{id}/posts and appears in the tree where it belongs), flagging a post
 * (its link opens the flag form of the page's one <template> in place; POST
 * /api/v1/posts/{id}/flags) and suggesting it as an idea (a button of the page's #rx form;
 * POST /api/v1/posts/{id}/nominations). Without JavaScript the links go to the pages and the
 * forms post as they are; when the API does not answer as expected, the form is sent that
 * way. */
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

  /* Close the form opened in place (or the disclosure it sits in), give focus back to what
   * opened it and say what happened beside it. */
  function done(form, text) {
    busy(form, false);
    clearError(form);
    form.reset();
    var opener = form._opener;
    if (opener) {
      close(opener);
      opener.focus();
      Corral.statusAfter(opener, text);
      return;
    }
    var details = form.closest('details');
    if (details) {
      details.open = false;
      var summary = details.querySelector('summary');
      if (summary) summary.focus();
    }
    Corral.statusAfter(details || form, text);
  }

  /* --- the reply and flag forms of a post, opened in place --- */

  /* A copy's ids made unique, with what refers to them (labels, descriptions, the upload
   * field of a textarea). */
  function uniqueIds(root, suffix) {
    ['id', 'for', 'aria-describedby', 'aria-labelledby', 'data-upload'].forEach(function (attr) {
      Array.prototype.forEach.call(root.querySelectorAll('[' + attr + ']'), function (el) {
        el.setAttribute(attr, el.getAttribute(attr).split(/\s+/).map(function (x) {
          return x + suffix;
        }).join(' '));
      });
    });
  }

  /* The page's own reply form, emptied, answering post postId. */
  function replyForm(postId) {
    var main = document.getElementById('reply-form');
    if (!main) return null;
    var form = main.cloneNode(true);
    form.removeAttribute('id');
    clearError(form);
    Array.prototype.forEach.call(form.querySelectorAll('.preview, .js-status, .form-js-error, .alert'), function (el) {
      el.parentNode.removeChild(el);
    });
    Array.prototype.forEach.call(form.querySelectorAll('[aria-describedby="form-error"]'), function (el) {
      el.removeAttribute('aria-describedby');
      el.removeAttribute('aria-invalid');
    });
    var ta = form.querySelector('textarea');
    if (ta) { ta.value = ''; ta.textContent = ''; }
    var parent = form.querySelector('input[name="parent_id"]');
    if (!parent) {
      parent = document.createElement('input');
      parent.type = 'hidden';
      parent.name = 'parent_id';
      form.insertBefore(parent, form.firstChild);
    }
    parent.value = postId;
    return form;
  }

  function flagForm(postId) {
    var tpl = document.getElementById('flag-form');
    if (!tpl || !tpl.content) return null;
    var form = tpl.content.firstElementChild.cloneNode(true);
    form.setAttribute('action', '/p/' + postId + '/flag');
    return form;
  }

  function close(link) {
    var form = link._form;
    if (form && form.parentNode) form.parentNode.removeChild(form);
    link._form = null;
    link.setAttribute('aria-expanded', 'false');
  }

  /* A plain click on Reply or Flag opens (or closes again) its form in the post's row of
   * actions; any other click, or a page without the form, follows the link. */
  document.addEventListener('click', function (ev) {
    if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
    var link = ev.target.closest ? ev.target.closest('a.reply-link, a.flag-link') : null;
    var li = link && link.closest('li.post');
    var actions = link && link.closest('.post-actions');
    if (!li || !actions) return;
    if (link._form) {
      ev.preventDefault();
      close(link);
      return;
    }
    var postId = li.id.slice(1);
    var reply = link.classList.contains('reply-link');
    var form = reply ? replyForm(postId) : flagForm(postId);
    if (!form) return;
    ev.preventDefault();
    uniqueIds(form, '-p' + postId);
    form.classList.add('inplace');
    form._opener = link;
    link._form = form;
    link.setAttribute('aria-expanded', 'true');
    actions.appendChild(form);
    var first = form.querySelector(reply ? 'textarea' : 'input[type="radio"]');
    if (first) first.focus();
  });

  /* Escape in a form opened in place closes it and gives focus back to its link. */
  document.addEventListener('keydown', function (ev) {
    if (ev.key !== 'Escape' || !ev.target.closest) return;
    var form = ev.target.closest('form.inplace');
    if (!form || !form._opener) return;
    var link = form._opener;
    close(link);
    link.focus();
  });

  /* --- replying --- */

  function reply(form, threadId) {
    var ta = form.querySelector('textarea[name="body"]');
    var parent = form.querySelector('input[name="parent_id"]');
    var body = { body: ta.value };
    if (parent && parent.value) body.parent_id = Number(parent.value);
    /* Without it the reply would go out under the author's name. */
    var anon = form.querySelector('input[name="anonymous"]');
    if (anon && anon.checked) body.anonymous = true;
    /* The thread's event stream may bring this reply before its answer does: live.js holds
     * it until the reply ends, so the post appears as its form (and preview) empties. */
    Corral.replying++;
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
    }).catch(function () { fallback(form); }).then(replied, replied);
  }

  function replied() {
    Corral.replying--;
    document.dispatchEvent(new CustomEvent('corral:replied'));
  }

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

  var routes = [
    [/^\/t\/(\d+)\/reply$/, reply],
    [/^\/p\/(\d+)\/flag$/, flag]
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

  /* --- suggesting as an idea: a button of the page's #rx form --- */

  /* The plain form post the button would have made, with its idempotency key (submit()
   * fires no submit event and sends no button). */
  function sendRx(form, button) {
    form.setAttribute('action', button.getAttribute('formaction'));
    if (button.name) {
      var key = document.createElement('input');
      key.type = 'hidden';
      key.name = button.name;
      key.value = button.value;
      form.appendChild(key);
    }
    form.submit();
  }

  document.addEventListener('submit', function (ev) {
    var button = ev.submitter, form = ev.target;
    if (!form || form.id !== 'rx' || !button) return;
    var m = /^\/p\/(\d+)\/nominate$/.exec(button.getAttribute('formaction') || '');
    if (!m) return;
    ev.preventDefault();
    if (button._busy) return;
    button._busy = true;
    Corral.api('/api/v1/posts/' + m[1] + '/nominations', {
      method: 'POST', body: {}, csrf: Corral.csrfOf(form), idempotent: true
    }).then(function (res) {
      button._busy = false;
      if (res.status === 201) Corral.statusAfter(button, 'Thanks — the moderators will consider it as an idea.');
      else if (res.json && res.message && res.status >= 400 && res.status < 500 && res.code !== 'csrf')
        Corral.statusAfter(button, res.message);
      else sendRx(form, button);
    }).catch(function () {
      button._busy = false;
      sendRx(form, button);
    });
  });
})();
