"""The environment: observe it, and apply a plan to it (venv, wheels, removals, rollback).

Entry: ``observe.observe_environment(venv)``, ``apply.apply_plan(plan, venv, cache, ...)``;
``verify`` hashes installed files against RECORD (``--verify``); ``envlock`` serialises syncs.
"""
