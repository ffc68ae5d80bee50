"""Everything the commands print: the shared console, progress bars, tables and summaries. The other packages
return results; only this one writes to the terminal."""
