"""Deciding: evidence and rules, classification, group decisions (canonicals, versions, overlaps),
layout (sections, archive folders, root budget), and the plan file, the contract with `apply`.

May import: `core`, `markdown`, `security`, `analysis`.
"""
