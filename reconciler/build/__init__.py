"""Builds (PEP 517/660): wheels from source trees and sdists, sdist metadata for the resolver,
and cached build environments.

Entry: ``builder.ProjectBuilder`` (what apply and the resolver are handed), made by
``builder.make_builder``; ``environments.ensure_build_env``; ``backend`` runs the hooks.
"""
