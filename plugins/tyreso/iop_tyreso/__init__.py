"""Tyresö kommun."""
