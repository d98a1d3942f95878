import sys

from nasbench_lite.cli import main

sys.exit(main())
