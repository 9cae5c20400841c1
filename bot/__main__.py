"""python -m bot -> the rekam command line."""

import sys

from bot.cli import main

sys.exit(main())
