"""Parity of `kw.evaluation.fid_inception` with pytorch-fid's own network (not run by CI).

Both networks get the same seeded random weights (`seeded_state_dict`,
NumPy only, so each side derives them alike) and the same seeded 299x299
images; their `pool_3` features and 1008 logits are compared as

`max_rel_diff = max |keras - torch| / max(1, |torch|)` over both outputs.

Two steps, two environments:

1. The torch side, in a one-off virtual environment with PyTorch,
   torchvision and pytorch-fid from the index (not a dependency of
   keras_wgan), runs pytorch-fid's `fid_inception_v3()` (its
   `FIDInceptionA/C/E` blocks) with `load_state_dict_from_url` answering
   with the seeded weights instead of downloading, and writes the outputs
   into the fixture `tests/evaluation/fid_inception_parity.npz`:

       python -m venv /tmp/fid-venv
       /tmp/fid-venv/bin/pip install torch==2.14.1 torchvision==0.29.1 numpy
       /tmp/fid-venv/bin/pip install --no-deps pytorch-fid
       /tmp/fid-venv/bin/python benchmarks/fid_inception_parity.py --torch

2. The Keras side, in the project's environment (each backend), compares
   and writes `benchmarks/results/fid_inception_parity.json`:

       python benchmarks/fid_inception_parity.py
       KERAS_BACKEND=jax python benchmarks/fid_inception_parity.py

CI checks the Keras side against the fixture without PyTorch
(tests/evaluation/test_fid_network.py).
"""

import argparse
import json
import os
import platform
import sys
import zlib

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURE = os.path.join(ROOT, "tests", "evaluation", "fid_inception_parity.npz")
RESULTS = os.path.join(ROOT, "benchmarks", "results", "fid_inception_parity.json")
SEED = 2015
TOLERANCE = 1e-4


def seeded_state_dict(layout, seed=SEED):
    """Random weights in pytorch-fid's layout, each tensor from its own name and `seed`.

    He-scaled convolutions and batch-norm statistics near (0, 1), so that
    the activations keep an order of magnitude of 1 through the network and
    a relative comparison is meaningful.

    Args:
        layout: `{name: shape}` (a torch `state_dict`'s, or
            `fid_network.torch_state_dict_layout()`).
        seed: an int.

    Returns:
        `{name: float32 array}`.
    """
    state = {}
    for name, shape in layout.items():
        rng = np.random.default_rng([seed, zlib.crc32(name.encode())])
        if name.endswith("conv.weight"):
            fan_in = int(np.prod(shape[1:]))
            value = rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)
        elif name.endswith("bn.weight") or name.endswith("running_var"):
            value = rng.uniform(0.8, 1.2, shape)
        elif name.endswith("bn.bias") or name.endswith("running_mean") or name == "fc.bias":
            value = rng.normal(0.0, 0.1, shape)
        elif name == "fc.weight":
            value = rng.standard_normal(shape) / np.sqrt(shape[1])
        else:
            raise ValueError(f"Unexpected tensor in the layout. Received: name={name!r}")
        state[name] = value.astype(np.float32)
    return state


def seeded_images(seed=SEED, count=2):
    """`count` 299x299 RGB images in [-1, 1], NHWC float32."""
    return np.random.default_rng(seed).uniform(-1.0, 1.0, (count, 299, 299, 3)).astype(np.float32)


def max_rel_diff(got, expected):
    return float(np.max(np.abs(got - expected) / np.maximum(1.0, np.abs(expected))))


def torch_side():
    import torch
    from pytorch_fid import inception

    # pytorch-fid's own builder runs, with the seeded weights instead of the download.
    def seeded(*args, **kwargs):
        return {name: torch.from_numpy(value) for name, value in state.items()}

    skeleton = inception._inception_v3(num_classes=1008, aux_logits=False, weights=None)
    torch_names = {name: tuple(value.shape) for name, value in skeleton.state_dict().items()}
    # fid_inception_v3 replaces the Mixed blocks; their tensors have the same names and shapes.
    layout = {name: shape for name, shape in torch_names.items() if not name.endswith("num_batches_tracked")}
    state = seeded_state_dict(layout)
    state.update(
        {name: np.zeros((), np.int64) for name in torch_names if name.endswith("num_batches_tracked")}
    )
    inception.load_state_dict_from_url = seeded
    network = inception.fid_inception_v3().eval()
    pooled = {}
    network.avgpool.register_forward_hook(lambda module, inputs, output: pooled.update(pool=output))
    images = torch.from_numpy(seeded_images().transpose(0, 3, 1, 2).copy())
    with torch.no_grad():
        logits = network(images)
    np.savez(
        FIXTURE,
        seed=SEED,
        pool=torch.flatten(pooled["pool"], 1).numpy(),
        logits=logits.numpy(),
        torch_version=torch.__version__,
    )
    print(
        f"wrote {FIXTURE}: pool {pooled['pool'].shape}, logits {tuple(logits.shape)}, torch {torch.__version__}"
    )


def keras_side():
    sys.path.insert(0, ROOT)
    import keras

    from keras_wgan.evaluation import fid_network

    expected = np.load(FIXTURE)
    model = fid_network._build()
    fid_network.load_state_dict(model, seeded_state_dict(fid_network.torch_state_dict_layout(model)))
    outputs = model.predict(seeded_images(int(expected["seed"])), verbose=0)
    diffs = {key: max_rel_diff(outputs[key], expected[key]) for key in ("pool", "logits")}
    backend = keras.backend.backend()
    entry = {
        "max_rel_diff": max(diffs.values()),
        "max_rel_diff_pool": diffs["pool"],
        "max_rel_diff_logits": diffs["logits"],
        "tolerance": TOLERANCE,
        "torch_reference": f"pytorch-fid 0.3.0 fid_inception_v3(), torch {expected['torch_version']}",
        "command": f"KERAS_BACKEND={backend} python benchmarks/fid_inception_parity.py",
        "machine": "2-core AMD EPYC CPU",
        "python": platform.python_version(),
        "keras": keras.__version__,
    }
    results = {}
    if os.path.isfile(RESULTS):
        with open(RESULTS, encoding="utf-8") as file:
            results = json.load(file)
    results[backend] = entry
    from keras_wgan.utils.file_utils import write_text_atomically

    write_text_atomically(RESULTS, json.dumps(results, indent=2) + "\n")
    print(json.dumps(entry, indent=2))
    return entry["max_rel_diff"] <= TOLERANCE


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--torch", action="store_true", help="run pytorch-fid and write the fixture")
    args = parser.parse_args()
    if args.torch:
        torch_side()
    else:
        sys.exit(0 if keras_side() else 1)


if __name__ == "__main__":
    main()
