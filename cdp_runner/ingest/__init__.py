"""Getting source files into the warehouse: the source contracts (the one definition of every source), column
mappings, and the loader (which files, reading and checking them, the raw tables, the load ledger)."""
