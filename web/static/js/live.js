/* live.js — a thread page receives new replies as they are posted, from the thread's
 * event stream (/t/{id}/events). Without JavaScript the page is complete; this only adds
 * posts that appear while it is open (placed in the tree by corral.js). */
(function () {
  'use strict';
  var list = document.querySelector('ol.posts[data-thread]');
  if (!list || !window.EventSource || !window.Corral) return;
  var source = new EventSource('/t/' + list.getAttribute('data-thread') + '/events');
  /* data-live says whether the stream is open (styles and tests read it). */
  source.addEventListener('open', function () { list.setAttribute('data-live', 'open'); });
  source.addEventListener('error', function () { list.setAttribute('data-live', 'retrying'); });

  function place(id) {
    if (document.getElementById('p' + id)) return;
    Corral.insertPost(list, id)
      .then(function (li) { if (li) Corral.announce('A new reply arrived.'); })
      .catch(function () { /* the next event or a reload shows it */ });
  }

  /* Posts that arrive while a reply of this page is on its way wait for it to end
   * (thread.js): one of them may be that reply, which its own answer places, emptying its
   * form in the same moment; placed by the stream first, it would sit beside the posted
   * text still in the form. */
  var held = [];
  source.addEventListener('post', function (ev) {
    var data;
    try { data = JSON.parse(ev.data); } catch (e) { return; }
    if (!data || document.getElementById('p' + data.id)) return;
    if (Corral.replying > 0) { held.push(data.id); return; }
    place(data.id);
  });
  document.addEventListener('corral:replied', function () {
    if (Corral.replying > 0) return;
    var ids = held;
    held = [];
    ids.forEach(place);
  });
})();
