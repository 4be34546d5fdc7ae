/* similar.js — while a title is typed on the new-thread form (input[data-similar]), the
 * discussions with similar titles are listed under it (GET /api/v1/threads/similar), each
 * with why it is offered, so a duplicate is caught before it is posted. Without JavaScript the form's preview button
 * lists them. On the idea proposal form (data-similar="ideas") the same for the ideas on
 * the board (GET /api/v1/ideas/similar). */
(function () {
  'use strict';
  if (!window.Corral) return;
  var input = document.querySelector('input[data-similar]');
  if (!input) return;
  var ideas = input.getAttribute('data-similar') === 'ideas';

  var box = document.createElement('div');
  box.className = 'similar-live';
  box.id = input.id + '-similar';
  box.setAttribute('aria-live', 'polite');
  input.parentNode.insertBefore(box, input.nextSibling);

  var seq = 0, ctl = null, asked = null;

  function show(items) {
    box.innerHTML = '';
    if (!items.length) return;
    var p = document.createElement('p');
    p.className = 'similar-h';
    p.textContent = ideas
      ? (items.length === 1 ? 'An idea with a similar title — is yours on the board already?'
        : 'Ideas with similar titles — is yours on the board already?')
      : items.length === 1
        ? 'A discussion with a similar title — is yours already here?'
        : 'Discussions with similar titles — is yours already here?';
    var ul = document.createElement('ul');
    ul.className = 'similar-list';
    items.forEach(function (t) {
      var li = document.createElement('li');
      var a = document.createElement('a');
      a.href = ideas ? '/ideas/' + encodeURIComponent(t.number) : '/t/' + encodeURIComponent(t.id);
      a.textContent = ideas ? t.ref + ' ' + t.title : t.title;
      li.appendChild(a);
      if (t.why) {   /* the words the titles share, or "Similar spelling" */
        var why = document.createElement('span');
        why.className = 'muted similar-why';
        why.textContent = '— ' + t.why;
        li.appendChild(document.createTextNode(' '));
        li.appendChild(why);
      }
      ul.appendChild(li);
    });
    box.appendChild(p);
    box.appendChild(ul);
  }

  function look() {
    var title = input.value.trim();
    if (title === asked) return;
    asked = title;
    var mine = ++seq;
    if (ctl) ctl.abort();
    ctl = null;
    if (title.length < 3) { show([]); return; }
    ctl = window.AbortController ? new AbortController() : null;
    Corral.api((ideas ? '/api/v1/ideas/similar?title=' : '/api/v1/threads/similar?title=') +
      encodeURIComponent(title.slice(0, 200)),
      { signal: ctl ? ctl.signal : undefined })
      .then(function (res) {
        if (mine !== seq) return;
        var list = ideas && res.data ? res.data.ideas : res.data;
        show(res.ok && Array.isArray(list) ? list.slice(0, 5) : []);
      })
      .catch(function () { /* typing on shows them again */ });
  }

  input.addEventListener('input', Corral.debounce(look, 300));
  if (input.value.trim().length >= 3) look();
})();
