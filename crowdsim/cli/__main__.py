"""``python -m crowdsim.cli`` runs the ``crowdsim`` command."""

import sys

from crowdsim.cli import main

sys.exit(main())
