"""Järva stadsdelsnämnd, Stockholms stad."""
