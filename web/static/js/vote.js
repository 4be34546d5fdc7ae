/* vote.js — voting for an idea without a reload, on the board (/ideas) and on an idea's
 * page: the vote form (form.vote, posting to /ideas/{n}/vote or /unvote) becomes
 * POST or DELETE /api/v1/ideas/{n}/votes, and the counts and the button follow the answer
 * {votes, voted}. Anything unexpected and the form is sent as it would be without
 * JavaScript. */
(function () {
  'use strict';
  if (!window.Corral) return;

  function setText(root, sel, text) {
    var el = root.querySelector(sel);
    if (el) el.textContent = text;
  }

  function badge(role) {
    var b = document.createElement('span');
    b.className = 'badge kind-' + role.kind;
    b.title = role.label + ' (' + role.kind + ')';
    var mark = document.createElement('span');
    mark.className = 'badge-mark';
    mark.setAttribute('aria-hidden', 'true');
    var vh = document.createElement('span');
    vh.className = 'vh';
    vh.textContent = ' (' + role.kind + ')';
    b.appendChild(mark);
    b.appendChild(document.createTextNode(role.label));
    b.appendChild(vh);
    return b;
  }

  function update(form, n, votes, voted) {
    var scope = form.closest('li.idea-item') || form.closest('article.idea') || document;
    var kinds = votes.by_kind || {};
    scope.querySelectorAll('p.votes').forEach(function (p) {
      setText(p, '.votes-total strong', String(votes.total));
      setText(p, '.votes-doer', (kinds.doer || 0) + ' from doers');
      setText(p, '.votes-helper', (kinds.helper || 0) + ' from helpers');
    });
    /* the idea page lists the votes by role too */
    var roles = scope.querySelector('section ul.voices-roles');
    if (roles && Array.isArray(votes.by_role)) {
      roles.innerHTML = '';
      votes.by_role.forEach(function (r) {
        var li = document.createElement('li');
        var c = document.createElement('span');
        c.className = 'count';
        c.textContent = String(r.count);
        li.appendChild(badge(r));
        li.appendChild(document.createTextNode(' '));
        li.appendChild(c);
        roles.appendChild(li);
      });
    }
    var button = form.querySelector('button[type="submit"], button:not([type])');
    var vh = button.querySelector('.vh');
    var forWhat = vh ? vh.textContent : '';
    button.textContent = voted ? 'Remove my vote' : 'Vote';
    if (forWhat) {
      var s = document.createElement('span');
      s.className = 'vh';
      s.textContent = forWhat;
      button.appendChild(s);
    }
    button.setAttribute('aria-pressed', voted ? 'true' : 'false');
    form.setAttribute('action', '/ideas/' + n + '/' + (voted ? 'unvote' : 'vote'));
    Corral.announce((voted ? 'Your vote is counted. ' : 'Your vote is taken back. ') +
      votes.total + (votes.total === 1 ? ' vote.' : ' votes.'));
  }

  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    if (!form.matches || !form.matches('form.vote')) return;
    var m = /\/ideas\/(\d+)\/(vote|unvote)$/.exec(form.getAttribute('action') || '');
    if (!m) return;
    ev.preventDefault();
    if (form._busy) return;
    form._busy = true;
    var button = form.querySelector('button');
    if (button) button.disabled = true;
    var fallback = function () { form._busy = false; if (button) button.disabled = false; form.submit(); };
    Corral.api('/api/v1/ideas/' + m[1] + '/votes', {
      method: m[2] === 'vote' ? 'POST' : 'DELETE', csrf: Corral.csrfOf(form), idempotent: true
    }).then(function (res) {
      if (!res.ok || !res.data || !res.data.votes) { fallback(); return; }
      form._busy = false;
      if (button) button.disabled = false;
      update(form, m[1], res.data.votes, res.data.voted === true);
      if (button) button.focus();
    }).catch(fallback);
  });
})();
