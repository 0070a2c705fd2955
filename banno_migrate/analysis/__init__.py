"""Analyses shared by the rules, computed once per module as LibCST metadata."""
