/* upload.js — attaching files without leaving the text: a file chosen in the form's file
 * input, pasted into the text or dropped on it goes to POST /api/v1/uploads at once and
 * its Markdown is put where the cursor is. Without this script the file input still works:
 * the file goes with the form and the server appends the link. */
(function () {
  'use strict';
  if (!window.Corral || !window.FormData) return;

  function insertAt(area, text) {
    var start = area.selectionStart, end = area.selectionEnd, v = area.value;
    if (typeof start !== 'number') { start = end = v.length; }
    var before = v.slice(0, start), after = v.slice(end);
    var lead = before && !/\n\n$/.test(before) ? (/\n$/.test(before) ? '\n' : '\n\n') : '';
    var tail = after && !/^\n/.test(after) ? '\n\n' : '';
    area.value = before + lead + text + tail + after;
    var at = (before + lead + text).length;
    area.setSelectionRange(at, at);
    area.dispatchEvent(new Event('input', { bubbles: true }));
  }

  function send(area, input, file) {
    var form = new FormData();
    form.append('file', file, file.name || 'pasted');
    var where = input || area;
    Corral.statusAfter(where, 'Uploading ' + (file.name || 'the file') + '…', '');
    return fetch('/api/v1/uploads', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Accept': 'application/json', 'X-CSRF-Token': Corral.csrfOf(area.form),
                 'Idempotency-Key': Corral.newKey() },
      body: form
    }).then(function (r) {
      return r.json().catch(function () { return null; }).then(function (data) {
        if (r.status === 201 && data && data.markdown) {
          insertAt(area, data.markdown);
          Corral.statusAfter(where, 'Attached ' + (file.name || 'the file') + '.', '');
          Corral.announce('File attached.');
        } else {
          var msg = data && data.error && data.error.message;
          Corral.statusAfter(where, msg || 'The file could not be uploaded.', 'error');
        }
      });
    }).catch(function () {
      Corral.statusAfter(where, 'The file could not be uploaded; check your connection.', 'error');
    });
  }

  function sendAll(area, input, files) {
    var chain = Promise.resolve();
    Array.prototype.forEach.call(files, function (f) {
      chain = chain.then(function () { return send(area, input, f); });
    });
    return chain;
  }

  Array.prototype.forEach.call(document.querySelectorAll('textarea[data-upload]'), function (area) {
    var input = document.getElementById(area.getAttribute('data-upload'));
    if (input) {
      input.addEventListener('change', function () {
        if (!input.files || !input.files.length) return;
        var files = Array.prototype.slice.call(input.files);
        /* taken by the API now: the form is sent without it */
        sendAll(area, input, files).then(function () { input.value = ''; });
      });
    }
    area.addEventListener('paste', function (ev) {
      var files = ev.clipboardData && ev.clipboardData.files;
      if (!files || !files.length) return;
      ev.preventDefault();
      sendAll(area, input, files);
    });
    area.addEventListener('dragover', function (ev) {
      if (ev.dataTransfer && Array.prototype.indexOf.call(ev.dataTransfer.types, 'Files') >= 0) ev.preventDefault();
    });
    area.addEventListener('drop', function (ev) {
      var files = ev.dataTransfer && ev.dataTransfer.files;
      if (!files || !files.length) return;
      ev.preventDefault();
      area.focus();
      sendAll(area, input, files);
    });
  });
})();
