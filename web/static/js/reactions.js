/* reactions.js — reacting without a reload: the form of a reaction (POST
 * /p/{id}/reactions/{kind}[/delete]) goes to the JSON API instead, and the post's counts
 * are redrawn from the answer. Without JavaScript, or when the API does not answer 200,
 * the form is sent as it is. */
(function () {
  'use strict';
  if (!window.Corral) return;

  function redraw(ul, postId, reactions) {
    reactions.forEach(function (r) {
      var li = ul.querySelector('li.reaction-' + r.kind);
      if (!li) return;
      var form = li.querySelector('form');
      var button = li.querySelector('button');
      if (form && button) {
        form.setAttribute('action', '/p/' + postId + '/reactions/' + r.kind + (r.reacted ? '/delete' : ''));
        button.setAttribute('aria-pressed', r.reacted ? 'true' : 'false');
        button.textContent = '';
        if (r.reacted) {
          var vh = document.createElement('span');
          vh.className = 'vh';
          vh.textContent = 'Take back ';
          button.appendChild(vh);
        }
        button.appendChild(document.createTextNode(r.label + ' '));
        var count = document.createElement('span');
        count.className = 'count';
        count.textContent = String(r.total);
        button.appendChild(count);
      }
      var split = li.querySelector('.reaction-split');
      var parts = [];
      var d = r.by_kind.doer, h = r.by_kind.helper;
      if (d) parts.push(d + ' practitioner' + (d === 1 ? '' : 's'));
      if (h) parts.push(h + ' helper' + (h === 1 ? '' : 's'));
      if (parts.length && !split) {
        split = document.createElement('span');
        split.className = 'reaction-split';
        li.appendChild(split);
      }
      if (split) {
        if (parts.length) split.textContent = 'from ' + parts.join(', ');
        else split.parentNode.removeChild(split);
      }
    });
  }

  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    if (!form.getAttribute || (form.getAttribute('method') || '').toLowerCase() !== 'post') return;
    var m = /^\/p\/(\d+)\/reactions\/(\w+)(\/delete)?$/.exec(form.getAttribute('action') || '');
    var ul = form.closest('ul.reactions');
    if (!m || !ul) return;
    ev.preventDefault();
    if (form._busy) return;
    form._busy = true;
    Corral.api('/api/v1/posts/' + m[1] + '/reactions/' + m[2], {
      method: m[3] ? 'DELETE' : 'POST', csrf: Corral.csrfOf(form)
    }).then(function (res) {
      form._busy = false;
      if (res.status === 200 && res.data && res.data.reactions) redraw(ul, m[1], res.data.reactions);
      else form.submit();
    }).catch(function () { form._busy = false; form.submit(); });
  });
})();
