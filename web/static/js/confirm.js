/* confirm.js — a link to a confirmation page (a[data-confirm], e.g. "Delete this post…")
 * asks its question in a dialog instead and, on yes, sends the very form post the
 * confirmation page would send. Without the script the link opens that page. */
(function () {
  'use strict';
  if (!document.querySelector || !window.confirm) return;

  document.addEventListener('click', function (e) {
    var a = e.target.closest ? e.target.closest('a[data-confirm]') : null;
    if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    if (!window.confirm(a.getAttribute('data-confirm'))) return;
    var csrf = document.querySelector('input[name="csrf"]');
    var form = document.createElement('form');
    form.method = 'post';
    form.action = a.getAttribute('href');
    var field = document.createElement('input');
    field.type = 'hidden';
    field.name = 'csrf';
    field.value = csrf ? csrf.value : '';
    form.appendChild(field);
    document.body.appendChild(form);
    form.submit();
  });
})();
