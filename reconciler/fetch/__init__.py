"""The network and what it brings: index pages and metadata, artifacts, git checkouts, over one
HTTP stack (``http``) with one policy (``network``).

Entry: ``index.IndexClient``, ``artifacts.prepare_wheels``/``fetch_archive``,
``git.resolve_commit``/``checkout``.
"""
