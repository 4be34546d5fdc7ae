/* live.js — a thread page receives new replies as they are posted, from the thread's
 * event stream (/t/{id}/events). Without JavaScript the page is complete; this only adds
 * posts that appear while it is open. */
(function () {
  'use strict';
  var list = document.querySelector('ol.posts[data-thread]');
  if (!list || !window.EventSource || !window.fetch) return;
  var status = document.getElementById('live-status');
  var source = new EventSource('/t/' + list.getAttribute('data-thread') + '/events');

  function place(li) {
    var parent = document.getElementById('p' + li.getAttribute('data-parent'));
    if (!parent) { list.appendChild(li); return; }
    /* After the parent's last descendant: the next item at the parent's depth or above. */
    var depth = Number(parent.getAttribute('data-depth'));
    var next = parent.nextElementSibling;
    while (next && Number(next.getAttribute('data-depth')) > depth) next = next.nextElementSibling;
    list.insertBefore(li, next);
  }

  source.addEventListener('post', function (ev) {
    var data;
    try { data = JSON.parse(ev.data); } catch (e) { return; }
    if (document.getElementById('p' + data.id)) return;
    fetch('/p/' + data.id + '/fragment', { credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html || document.getElementById('p' + data.id)) return;
        var holder = document.createElement('template');
        holder.innerHTML = html.trim();   /* our own escaped template output */
        var li = holder.content.firstElementChild;
        if (!li) return;
        li.classList.add('arrived');
        place(li);
        if (status) status.textContent = 'A new reply arrived.';
      })
      .catch(function () { /* the next event or a reload shows it */ });
  });
})();
