"""The command line (slow path): options and variables to a ``RunRequest``; the one place an
error becomes ``error:``/``hint:`` lines and an exit code.

Entry: ``main.main(argv)``. The commands: ``pipeline_commands`` (run, sync),
``lock_commands`` (lock, export, why), ``edit_commands`` (add, remove); their options in
``options``/``command_options``, uv's variables in ``variables``, what accord refuses in
``refusals``, options to request in ``settings``, uv-worded usage errors in ``usage``.
"""
