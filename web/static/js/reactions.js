/* reactions.js — reacting without a reload: a reaction button (it submits the page's one
 * reaction form, form="rx", to /p/{id}/reactions/{kind}[/delete]) goes to the JSON API
 * instead, and the post's line of reactions is redrawn from the answer. Without
 * JavaScript, or when the API does not answer 200, the form is sent as it is. */
(function () {
  'use strict';
  if (!window.Corral) return;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  /* The same markup as web/templates/reactions.html draws for a member who may react. */
  function redraw(line, postId, reactions) {
    var focus = null, pressedKind = document.activeElement && document.activeElement.dataset
      ? document.activeElement.dataset.kind : null;
    line.textContent = '';
    reactions.forEach(function (r) {
      var b = el('button');
      b.setAttribute('form', 'rx');
      b.setAttribute('formaction', '/p/' + postId + '/reactions/' + r.kind + (r.reacted ? '/delete' : ''));
      if (r.reacted) b.setAttribute('aria-pressed', 'true');
      b.dataset.kind = r.kind;
      if (r.reacted) b.appendChild(el('span', 'vh', 'Take back '));
      b.appendChild(document.createTextNode(r.label + ' ' + r.total));
      line.appendChild(b);
      var d = r.by_kind.doer, h = r.by_kind.helper, parts = [];
      if (d) parts.push(d + ' practitioner' + (d === 1 ? '' : 's'));
      if (h) parts.push(h + ' helper' + (h === 1 ? '' : 's'));
      if (parts.length) line.appendChild(el('small', 'reaction-split', ' from ' + parts.join(', ')));
      line.appendChild(document.createTextNode(' '));
      if (r.kind === pressedKind) focus = b;
    });
    if (focus) focus.focus();
  }

  /* The plain form post the button would have made (submit() fires no submit event). */
  function send(form, button) {
    form.setAttribute('action', button.getAttribute('formaction'));
    form.submit();
  }

  document.addEventListener('submit', function (ev) {
    var button = ev.submitter;
    if (!ev.target || ev.target.id !== 'rx' || !button) return;
    var m = /^\/p\/(\d+)\/reactions\/(\w+)(\/delete)?$/.exec(button.getAttribute('formaction') || '');
    var line = button.closest('.reactions');
    if (!m || !line) return;
    ev.preventDefault();
    if (line._busy) return;
    line._busy = true;
    button.dataset.kind = m[2];
    Corral.api('/api/v1/posts/' + m[1] + '/reactions/' + m[2], {
      method: m[3] ? 'DELETE' : 'POST', csrf: Corral.csrfOf(ev.target)
    }).then(function (res) {
      line._busy = false;
      if (res.status === 200 && res.data && res.data.reactions) redraw(line, m[1], res.data.reactions);
      else send(ev.target, button);
    }).catch(function () {
      line._busy = false;
      send(ev.target, button);
    });
  });
})();
