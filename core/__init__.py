"""The IOP platform's domain core: models, services, plugin registry, audit.

Nothing here imports the web layer or any kommun plugin; plugins use only
``core.plugin_api`` and ``core.hookspecs``.
"""
