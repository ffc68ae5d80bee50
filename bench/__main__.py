"""`python -m bench` (what `make bench` runs): the platform's figures at scale, bench/scale.py."""

from bench.scale import main
from cdp_runner.errors import UserError

try:
    main()
except UserError as error:
    raise SystemExit(f"bench: {error.message}") from None
