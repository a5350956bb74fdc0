"""The Textual layer: it presents the core and owns no data rules."""
