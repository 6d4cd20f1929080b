"""interpreters stage."""
