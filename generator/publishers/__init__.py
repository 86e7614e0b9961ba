"""Publishers: one module per output format, each taking the model.

Every module here has ``build(manual, *, out, quiet, jobs, cache, lang)``:
``out`` is the dist/ folder (print and forms outputs), the site goes to
``manual.root / "site"``.  It returns the list of paths it wrote, and writes
each file atomically (``generator.common.outputs``).
"""
