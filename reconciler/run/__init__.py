"""One request, in stage order: discover, interpreter, lock, desire, observe, plan, apply, then
execute.

Entry: ``pipeline.sync(request)`` (the project, or ``bare.sync_bare`` without one), then
``execute.execute``. Cached environments for ``--with`` (``overlay``), PEP 723 scripts
(``script``) and ``--isolated`` runs (``cached``); ``lock.lock_target`` for ``accord lock``,
``export``/``why`` for their commands, ``edit`` for add/remove; ``stamp`` writes the fast
path's stamp after a sync.
"""
