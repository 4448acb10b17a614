"""The shared core: passive models (frozen dataclasses), the one exception family, settings,
every call to git, text decoding and the files that ship with the tool.

May import: the standard library and third-party libraries only.
"""
