/* Vigil: evidence in from the browser (docs/upload.md).
   The upload page slices the chosen file (Blob.slice) into chunks, sends them in order with
   their offset (PUT /api/v1/uploads/{token}?offset=), resumes from the server's offset after
   an error, then follows the job's progress. Job pages follow their job until it ends. */
(function () {
  'use strict';

  var RETRIES = 8;

  function $(id) { return document.getElementById(id); }

  function mib(n) { return (n / 1048576).toFixed(1) + ' MiB'; }

  function sleep(ms) { return new Promise(function (ok) { setTimeout(ok, ms); }); }

  /* One request; resolves with {status, body} (body parsed as JSON when it is JSON).
     onSent(bytes) reports the bytes of the body sent so far. Rejects on a network error. */
  function request(method, url, body, csrf, onSent) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      xhr.open(method, url);
      xhr.setRequestHeader('Accept', 'application/json');
      if (csrf) { xhr.setRequestHeader('X-CSRF-Token', csrf); }
      if (body instanceof Blob) {
        xhr.setRequestHeader('Content-Type', 'application/octet-stream');
      } else if (body !== null) {
        xhr.setRequestHeader('Content-Type', 'application/json');
        body = JSON.stringify(body);
      }
      if (onSent) {
        xhr.upload.onprogress = function (e) { onSent(e.loaded); };
      }
      xhr.onload = function () {
        var parsed = null;
        try { parsed = JSON.parse(xhr.responseText); } catch (e) { parsed = null; }
        resolve({ status: xhr.status, body: parsed });
      };
      xhr.onerror = function () { reject(new Error('the connection failed')); };
      xhr.ontimeout = xhr.onerror;
      xhr.send(body);
    });
  }

  function detail(res) {
    var b = res.body || {};
    var text = typeof b.detail === 'string' ? b.detail : 'the server refused (' + res.status + ')';
    return b.hint ? text + ' — ' + b.hint : text;
  }

  /* ---- following a job ---- */

  function followJob(jobId, show, done) {
    var url = '/api/v1/jobs/' + encodeURIComponent(jobId);
    function tick() {
      request('GET', url, null, null, null).then(function (res) {
        if (res.status !== 200 || !res.body) { setTimeout(tick, 3000); return; }
        show(res.body);
        if (res.body.state === 'done' || res.body.state === 'failed') { done(res.body); return; }
        setTimeout(tick, 1000);
      }, function () { setTimeout(tick, 3000); });
    }
    tick();
  }

  function setBar(bar, percent) {
    if (percent === null || percent === undefined) { bar.removeAttribute('value'); }
    else { bar.value = percent; }
  }

  /* ---- the upload page ---- */

  function setupUpload(form) {
    var csrf = form.querySelector('input[name=csrf_token]').value;
    var box = $('upload-status'), bar = $('upload-progress'), text = $('upload-text');
    var phase = $('upload-phase'), errorLine = $('upload-error'), resume = $('upload-resume');
    var ingestBox = $('ingest-options'), ingest = $('upload-ingest');
    var current = null; /* {token, file} of the upload in progress */

    function kindChanged() {
      var kind = form.querySelector('input[name=kind]:checked').value;
      var reads = kind === 'chat' || kind === 'handset';
      ingestBox.hidden = !reads;
      ingest.checked = reads;
    }
    Array.prototype.forEach.call(form.querySelectorAll('input[name=kind]'), function (r) {
      r.addEventListener('change', kindChanged);
    });
    kindChanged();

    function fail(message) {
      errorLine.textContent = message;
      resume.hidden = current === null;
    }

    function value(name) {
      var el = form.elements.namedItem(name);
      var v = el && el.value ? el.value.trim() : '';
      return v === '' ? null : v;
    }

    async function send(token, file) {
      var offset = (await request('GET', '/api/v1/uploads/' + token, null, null, null)).body.offset;
      var failures = 0;
      var chunk = parseInt(form.dataset.chunk, 10) || 8388608;
      while (offset < file.size) {
        var end = Math.min(offset + chunk, file.size);
        var at = offset;
        phase.textContent = 'Uploading ' + file.name;
        var res;
        try {
          res = await request('PUT', '/api/v1/uploads/' + token + '?offset=' + at,
            file.slice(at, end), csrf, function (sent) {
              bar.value = 100 * Math.min(at + sent, file.size) / file.size;
              text.textContent = mib(Math.min(at + sent, file.size)) + ' of ' + mib(file.size) + ' sent';
            });
        } catch (e) {
          res = null;
        }
        if (res && (res.status === 200 || res.status === 409) && res.body) {
          offset = res.body.offset;  /* on 409 the server says where to resume */
          failures = res.status === 200 ? 0 : failures + 1;
        } else if (res && res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
          throw new Error(detail(res));
        } else {
          failures += 1;
        }
        if (failures > 0) {
          if (failures > RETRIES) { throw new Error('the connection keeps failing'); }
          text.textContent = 'The connection dropped; resuming (attempt ' + failures + ')…';
          await sleep(Math.min(30000, 500 * Math.pow(2, failures)));
          try {
            var st = await request('GET', '/api/v1/uploads/' + token, null, null, null);
            if (st.status === 200 && st.body) { offset = st.body.offset; }
          } catch (e) { /* try the chunk again */ }
        }
      }
      bar.value = 100;
      text.textContent = mib(file.size) + ' sent; checking it in…';
      var done = await request('POST', '/api/v1/uploads/' + token + '/complete', {}, csrf, null);
      if (done.status !== 200) { throw new Error(detail(done)); }
      return done.body;
    }

    function watch(status) {
      var link = $('upload-job');
      link.href = status.job_url;
      $('upload-links').hidden = false;
      resume.hidden = true;
      phase.textContent = 'Checking in ' + status.name;
      followJob(status.job_id, function (job) {
        setBar(bar, job.percent);
        text.textContent = job.state_label + ': ' + job.step_label;
      }, function (job) {
        if (job.state === 'done') {
          phase.textContent = 'Done: ' + job.title;
          text.textContent = job.result.exhibit ? 'Registered as exhibit ' + job.result.exhibit +
            (job.result.messages !== undefined ? '; ' + job.result.messages + ' messages read and analysed' : '') +
            '. The results are leads for a trained person to assess.' : 'Finished.';
          bar.value = 100;
        } else {
          phase.textContent = 'The job failed';
          fail(job.message);
        }
        box.classList.add('finished', job.state);
      });
    }

    async function run() {
      errorLine.textContent = '';
      resume.hidden = true;
      box.hidden = false;
      try {
        watch(await send(current.token, current.file));
      } catch (e) {
        fail('The upload stopped: ' + e.message + '. What was sent is kept.');
      }
    }

    resume.addEventListener('click', function () { if (current) { run(); } });

    form.addEventListener('submit', async function (ev) {
      ev.preventDefault();
      var file = $('upload-file').files[0];
      if (!file) { return; }
      var kind = form.querySelector('input[name=kind]:checked').value;
      var body = {
        name: file.name, size: file.size, kind: kind, source: value('source') || '',
        acquired_by: value('acquired_by') || '', acquired_at: value('acquired_at'),
        notes: value('notes'), persona: value('persona'), tz: value('tz'),
        format: value('format') || 'auto', ingest: !ingestBox.hidden && ingest.checked
      };
      $('upload-start').disabled = true;
      box.hidden = false;
      errorLine.textContent = '';
      phase.textContent = 'Starting';
      var res;
      try {
        res = await request('POST', '/api/v1/cases/' + encodeURIComponent(form.dataset.case) + '/uploads', body, csrf, null);
      } catch (e) {
        res = { status: 0, body: { detail: 'the workbench could not be reached' } };
      }
      if (res.status !== 201) {
        $('upload-start').disabled = false;
        fail(detail(res));
        return;
      }
      current = { token: res.body.token, file: file };
      form.classList.add('sent');
      await run();
    });
  }

  /* ---- job pages and the job list ---- */

  function setupJob(section) {
    followJob(section.dataset.job, function (job) {
      $('job-state').textContent = job.state_label;
      $('job-step').textContent = job.step_label;
      setBar($('job-progress'), job.percent);
    }, function () { window.location.reload(); });
  }

  document.addEventListener('DOMContentLoaded', function () {
    var form = $('upload-form');
    if (form) { setupUpload(form); }
    var job = $('job');
    if (job && job.dataset.finished === 'no') { setupJob(job); }
    var list = $('jobs');
    if (list && list.dataset.refresh) {
      setTimeout(function () { window.location.reload(); }, 1000 * parseInt(list.dataset.refresh, 10));
    }
  });
}());
