"""The examples' folder on `sys.path`, as when a script runs: tests that load an example
in-process find its shared set-up, `examples/training_run.py`."""

import sys
from pathlib import Path

EXAMPLES = str(Path(__file__).resolve().parents[2] / "examples")
if EXAMPLES not in sys.path:
    sys.path.insert(0, EXAMPLES)
