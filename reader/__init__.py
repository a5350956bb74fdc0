"""reader: read a folder of articles, find, tag and annotate passages, export the annotations.

The core (corpus, anchoring, store, search, export, records, paths) is plain Python and never imports
Textual; ``reader.tui`` presents it.
"""

__version__ = "0.1.0"
