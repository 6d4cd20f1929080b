"""The lock: read ``uv.lock``, decide whether it is current, resolve a new one, write it in uv's
format. Never imports install/ or build/ (a metadata builder is handed in).

Entry: ``ensure.ensure_lock(project, interpreter, policy, index, config_files, builders=...)``;
``read.read_lock``, ``write.write_lock``; the universal resolver in ``resolve``.
"""
