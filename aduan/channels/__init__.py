"""Channel adapters: one module (or small package) per provider.

The contract is :mod:`aduan.channels.base`; the list of adapters is
:mod:`aduan.channels.registry`. Importing this package loads no adapter.
"""
