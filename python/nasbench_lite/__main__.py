import sys

try:
    from nasbench_lite.cli import main
except KeyboardInterrupt:  # Ctrl-C while the package is still importing
    sys.stderr.write("nasbench-lite: interrupted\n")
    sys.exit(130)

sys.exit(main())
