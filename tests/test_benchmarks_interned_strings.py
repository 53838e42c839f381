"""The probe behind the soak's one-time step: counting strings up to the interned-string table's rebuilds."""

import json
import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
# The same code in every process, so that each starts with the same table.
SCRIPT = f"""
import json, sys
sys.path.insert(0, {str(BENCHMARKS)!r})
from interned_strings import strings_before_rebuilds
# A table of a size where a rebuild that grows it allocates more than 1 MiB.
held = [sys.intern(f"held_{{index}}") for index in range(150_000)]
for index in range(int(sys.argv[1])):
    sys.intern(f"churned_{{index}}")  # dies at once, leaving a deleted slot
print(json.dumps(strings_before_rebuilds()))
"""


def probe(churn):
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(churn)], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def test_strings_that_died_bring_the_first_rebuild_closer_but_not_the_second():
    (first, jump), (second, _) = probe(0)
    assert jump > 2**20
    churn = first // 2
    (first_after_churn, _), (second_after_churn, _) = probe(churn)
    # To within the probe's resolution of 10 strings.
    assert abs(first - churn - first_after_churn) <= 10
    assert abs(second - second_after_churn) <= 10
