"""Parsers for the four forecast shapes of SPEC §2; each yields a `RawForecast`."""

FORMATS = ("json", "csv", "text", "export")  # here: the CLI offers them without loading a parser
