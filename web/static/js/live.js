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

  source.addEventListener('post', function (ev) {
    var data;
    try { data = JSON.parse(ev.data); } catch (e) { return; }
    if (!data || document.getElementById('p' + data.id)) return;
    Corral.insertPost(list, data.id)
      .then(function (li) { if (li) Corral.announce('A new reply arrived.'); })
      .catch(function () { /* the next event or a reload shows it */ });
  });
})();
