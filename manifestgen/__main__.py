"""`python -m manifestgen`."""

import sys

from manifestgen.cli.main import main

sys.exit(main())
