"""Evidence in from the browser: resumable uploads and background jobs (docs/upload.md).

- :mod:`~vigil.services.jobs.uploads`: the upload protocol (start, chunks at an offset,
  complete), the partial file streamed to disk under the workspace;
- :mod:`~vigil.services.jobs.store`: job rows, who may see them, progress, recovery after a
  restart;
- :mod:`~vigil.services.jobs.work`: what a job does (register the upload as an exhibit, then
  ingest, analyse and index it for search), through the same services as the command line;
- :mod:`~vigil.services.jobs.runner`: the worker threads the web app starts.
"""
