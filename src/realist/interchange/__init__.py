"""Interchange: moving a review's data to and from other tools and other Realist stores.

Format code lives here; the use cases that open a transaction live in
:mod:`realist.services.interchange`. Modules:

- :mod:`~realist.interchange.zips`: reading untrusted zip files within limits, writing
  deterministic ones (fixed timestamps and order);
- :mod:`~realist.interchange.records_table`: records as RIS, CSV and XLSX, with their
  screening decisions;
- :mod:`~realist.interchange.refi_model`, :mod:`~realist.interchange.refi_write`,
  :mod:`~realist.interchange.refi_read`: REFI-QDA projects (``.qdpx``) as plain data, as
  XML, and back;
- :mod:`~realist.interchange.refi_store`: a review as a REFI-QDA project, and a project
  mapped into a review;
- :mod:`~realist.interchange.archive`: the whole-review archive (every table as JSON).

Nothing here imports :mod:`realist.services` or the CLI. docs/INTERCHANGE.md describes
every format.
"""
