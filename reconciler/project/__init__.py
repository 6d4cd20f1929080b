"""The project as declared: find it, read its pyproject.toml files and uv's configuration files,
its workspace, indexes and local source trees; edit its dependency tables (add/remove).

Entry: ``discover.discover_target(start)``, ``workspace.read_workspace``, ``config.settings_for``,
``indexes.configured_indexes``, ``source_trees.locate_source_trees``.
"""
