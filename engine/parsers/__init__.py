"""Parsers for the four forecast shapes of SPEC §2; each yields a `RawForecast`."""
