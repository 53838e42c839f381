"""`QualityMetric`: a sample-quality metric evaluated during `fit` and logged per epoch."""

import math

import keras

from keras_wgan.evaluation.conditional_accuracy import conditional_accuracy
from keras_wgan.evaluation.frechet import frechet_distance
from keras_wgan.evaluation.frechet_classifier_distance import FrechetClassifierDistance
from keras_wgan.evaluation.samples import as_sample_array, check_sample_count, sample_indices
from keras_wgan.evaluation.stacked_mnist import PUBLISHED_NUM_SAMPLES, generated_stacked_mnist_modes
from keras_wgan.evaluation.wasserstein import w1_to_data
from keras_wgan.models.generator_utils import generate_samples, generator_of
from keras_wgan.utils import argument_validation


class QualityMetric(keras.callbacks.Callback):
    """Evaluates a sample-quality metric during `fit` and logs it per epoch.

    At the end of the epochs it is due, calls `metric(model)` and writes the
    result into the epoch's logs as `logs[name]`. The value then appears
    next to `wasserstein_estimate` in the progress bar, in
    `History.history[name]`, and for every callback that comes AFTER this
    one in the `callbacks` list: `CSVLogger`, `TrainingCurves`,
    `EarlyStopping`, `ModelCheckpoint(monitor=name)`, TensorBoard.

    Order matters: Keras calls the callbacks in list order with one logs
    dict, so a `CSVLogger` placed BEFORE this callback has already written
    its row (and fixed its columns at the first epoch) when the value is
    added, and never gets the column. Put `QualityMetric` first:

    ```python
    callbacks = [QualityMetric.w1(real), keras.callbacks.CSVLogger("log.csv")]
    ```

    (`History` and the progress bar are appended by Keras after all of your
    callbacks, so they always see the value.)

    Due epochs (counted as Keras counts them, from 0 and from
    `initial_epoch` when resuming): every `every`-th epoch (0, every,
    2 * every, ...), the first epoch of each `fit` call (so that `CSVLogger`,
    which fixes its columns from the first row, always gets this one), and
    the last epoch of the call (so the final model is always measured).

    On the other epochs `logs[name]` is `fill_value`:

    - NaN (default): `History.history[name]` stays aligned with the epochs
      and `CSVLogger` writes `nan`. But `EarlyStopping` and
      `ReduceLROnPlateau` monitoring `name` count a NaN epoch as one
      without improvement: scale their `patience` with `every`.
    - None: the key is left out. `EarlyStopping` and `ReduceLROnPlateau`
      then skip those epochs (with a warning), `CSVLogger` writes `NA`,
      and `History.history[name]` holds only the evaluated epochs (see
      `epochs` for which).

    The evaluated values are also kept on the callback, in `epochs` and
    `values` (accumulated over `fit` calls).

    Args:
        metric: a callable `metric(model) -> float`, called with the model
            being trained (e.g. a `WGANGP`). See the constructors
            `QualityMetric.w1` and `QualityMetric.frechet`.
        every: evaluate every `every` epochs (an int >= 1).
        name: key in the logs. Defaults to the metric's `__name__` (or
            `"quality"` for a lambda). Must not clash with a key the model
            logs itself.
        fill_value: what the logs hold on epochs it is not evaluated: a
            float (default NaN) or None to leave the key out.

    Example:

    ```python
    heldout = kw.datasets.eight_gaussians(2000, seed=1)  # held-out reals
    history = wgan.fit(
        train, epochs=20,
        callbacks=[QualityMetric.w1(heldout, n=1000, every=2),
                   keras.callbacks.CSVLogger("log.csv")],
    )
    history.history["w1"]  # one value per epoch, NaN on skipped ones
    ```
    """

    def __init__(self, metric, *, every=1, name=None, fill_value=math.nan):
        super().__init__()
        if not callable(metric):
            raise TypeError(
                f"`metric` must be a callable `metric(model) -> float`. Received: metric={metric!r}"
            )
        self.metric = metric
        self.every = argument_validation.check_positive_int(every, "every")
        if name is None:
            name = getattr(metric, "__name__", None)
            if not name or name == "<lambda>":
                name = "quality"
        self.name = argument_validation.check_string(name, "name")
        if fill_value is not None:
            if isinstance(fill_value, bool) or not isinstance(fill_value, (int, float)):
                raise TypeError(f"`fill_value` must be a float or None. Received: fill_value={fill_value!r}")
            fill_value = float(fill_value)  # NaN allowed: it is the default.
        self.fill_value = fill_value
        self.epochs = []
        self.values = []
        self._first_epoch = True

    @classmethod
    def w1(cls, real_samples, n=1000, *, every=1, name="w1", seed=0, fill_value=math.nan):
        """A `QualityMetric` logging the exact W1 to real samples.

        Calls `w1_to_data(model, real_samples, n, seed=seed)` at the chosen
        epochs. The fixed `seed` reuses the same latent vectors and real
        subset every time, so the curve shows the generator's progress, not
        resampling noise.

        Args:
            real_samples: held-out real samples in the generator's output
                range, at least `n` of them.
            n: samples per side (time and memory grow as `n**2`).
            every: evaluate every `every` epochs.
            name: log key, `"w1"` by default.
            seed: seeds the latent vectors and the real subset.
            fill_value: logged on epochs it is not evaluated (NaN, or None
                to leave the key out); see the class.

        Returns:
            A `QualityMetric`.
        """
        real = as_sample_array(real_samples, "real_samples")
        n = check_sample_count(n, len(real), "real_samples")
        seed = argument_validation.check_seed(seed)

        def w1(model):
            return w1_to_data(model, real, n, seed=seed)

        return cls(w1, every=every, name=name, fill_value=fill_value)

    @classmethod
    def frechet(
        cls,
        real_images,
        n=1000,
        classifier=None,
        value_range=(-1.0, 1.0),
        *,
        every=1,
        name="fcd",
        seed=0,
        fill_value=math.nan,
    ):
        """A `QualityMetric` logging the FCD between generated and real digits.

        The real images' feature statistics are computed once, here; each
        evaluation generates `n` images (the same latent vectors every time,
        from `seed`) and computes `frechet_distance` to them.

        Args:
            real_images: real MNIST-like images, at least `n`: uint8 pixels
                (e.g. from `load_mnist`) or floats in `value_range`.
            n: number of real and of generated images (>= 2; use several
                hundred or more).
            classifier: a classifier with a `"features"` layer; defaults to
                `mnist_classifier()` (trained on first use, then cached).
            value_range: the generator's output range (and that of float
                `real_images`): `(-1, 1)` for `tanh`, `(0, 1)` for `sigmoid`.
            every: evaluate every `every` epochs.
            name: log key, `"fcd"` by default.
            seed: seeds the latent vectors and the choice of real images.
            fill_value: logged on epochs it is not evaluated (NaN, or None
                to leave the key out); see the class.

        Returns:
            A `QualityMetric`.
        """
        real = as_sample_array(real_images, "real_images")
        n = check_sample_count(n, len(real), "real_images")
        seed = argument_validation.check_seed(seed)
        if n < 2:
            raise ValueError(f"The Frechet distance needs n >= 2 images. Received: n={n}")
        distance = FrechetClassifierDistance(classifier, value_range=value_range)
        real_statistics = distance.statistics(real[sample_indices(len(real), n, seed)])

        def fcd(model):
            return frechet_distance(*real_statistics, *distance.statistics(generate_samples(model, n, seed)))

        return cls(fcd, every=every, name=name, fill_value=fill_value)

    @classmethod
    def conditional_accuracy(
        cls,
        n_per_class=100,
        classifier=None,
        value_range=(-1.0, 1.0),
        *,
        every=1,
        name="conditional_accuracy",
        seed=0,
        fill_value=math.nan,
    ):
        """A `QualityMetric` logging a conditional model's `conditional_accuracy`.

        Each evaluation generates `n_per_class` digits per class (the same
        latent vectors every time, from `seed`) and logs the share the MNIST
        classifier assigns to the requested class.

        Args:
            n_per_class: samples per class.
            classifier: a classifier of 28x28 images in [0, 1]; defaults to
                `mnist_classifier()`.
            value_range: the generator's output range.
            every: evaluate every `every` epochs.
            name: log key, `"conditional_accuracy"` by default.
            seed: seeds the latent vectors.
            fill_value: logged on epochs it is not evaluated; see the class.

        Returns:
            A `QualityMetric`.
        """
        n_per_class = argument_validation.check_positive_int(n_per_class, "n_per_class")
        seed = argument_validation.check_seed(seed)

        def accuracy(model):
            return conditional_accuracy(model, n_per_class, classifier, value_range, seed=seed)

        return cls(accuracy, every=every, name=name, fill_value=fill_value)

    @classmethod
    def stacked_mnist(
        cls, n=PUBLISHED_NUM_SAMPLES, classifier=None, value_range=(-1.0, 1.0), *, every=1, seed=0
    ):
        """Two `QualityMetric`s logging Stacked MNIST's `"modes"` and `"kl"` during `fit`.

        At each due epoch the first callback draws `n` images (the same
        latent vectors every time, from `seed`) and runs
        `generated_stacked_mnist_modes` on them; the second logs the `kl`
        of that same evaluation. Put both before `CSVLogger`.

        Args:
            n: generated images per evaluation (the published 26,000).
            classifier, value_range: see `stacked_mnist_modes`.
            every: evaluate every `every` epochs.
            seed: seeds the latent vectors.

        Returns:
            `[QualityMetric(name="modes"), QualityMetric(name="kl")]`.

        Example:

        ```python
        callbacks = [*QualityMetric.stacked_mnist(every=5), keras.callbacks.CSVLogger("log.csv")]
        ```
        """
        n = argument_validation.check_positive_int(n, "n")
        seed = argument_validation.check_seed(seed)
        last = {}

        def evaluate(model):
            # One evaluation for both values: "kl" reuses the one "modes" ran
            # for the same generator weights.
            key = tuple(hash(weight.tobytes()) for weight in generator_of(model).get_weights())
            if last.get("key") != key:
                last.update(
                    key=key,
                    result=generated_stacked_mnist_modes(
                        model, n, classifier=classifier, value_range=value_range, seed=seed
                    ),
                )
            return last["result"]

        def modes(model):
            return evaluate(model)["modes"]

        def kl(model):
            return evaluate(model)["kl"]

        return [cls(modes, every=every, name="modes"), cls(kl, every=every, name="kl")]

    def on_train_begin(self, logs=None):
        self._first_epoch = True

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            return  # Nothing to write into (a direct call without logs).
        if self.name in logs:
            raise ValueError(
                f"QualityMetric(name={self.name!r}) would overwrite the logged "
                f"metric {self.name!r}. Choose another `name`."
            )
        due = self._due(epoch)
        self._first_epoch = False
        if not due:
            if self.fill_value is not None:
                logs[self.name] = self.fill_value
            return
        value = float(self.metric(self.model))
        self.epochs.append(epoch)
        self.values.append(value)
        logs[self.name] = value

    def _due(self, epoch):
        last = (self.params or {}).get("epochs")
        return self._first_epoch or epoch % self.every == 0 or (last is not None and epoch == last - 1)
