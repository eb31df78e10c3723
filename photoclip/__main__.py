"""`python -m photoclip` runs the command line."""

from photoclip.cli.main import main

raise SystemExit(main())
