import sys

from srcodec.cli import main

sys.exit(main())
