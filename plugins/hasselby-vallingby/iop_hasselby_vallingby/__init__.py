"""Hässelby-Vällingby stadsdelsnämnd, Stockholms stad."""
