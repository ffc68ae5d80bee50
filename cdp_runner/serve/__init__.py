"""`cdp serve`: a read-only web application over the warehouse (docs/serve.md).

snapshot.py copies what the pages need out of the warehouse into memory (the warehouse is open only while copying),
lookup.py finds a customer by any identifier in that copy, access.py decides who may see what, pages.py and api.py
answer the requests, app.py puts them together and server.py runs it.
"""
