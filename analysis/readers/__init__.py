"""Readers: input files of every format (tables, feeds, page dumps, HTML) become one canonical articles table."""
