"""Plain-language help (issue 16): see README below (filled in)."""
