"""The training loop shared by WGAN and WGAN-GP."""

import keras
from keras import ops

from keras_wgan.backends import current as backend
from keras_wgan.losses import FAKE_LABEL, REAL_LABEL, wasserstein_loss
from keras_wgan.models import compile_utils, conditioning, network_inspection
from keras_wgan.models.data import fit_data
from keras_wgan.models.non_finite_warning import NonFiniteWarning
from keras_wgan.models.scalar_cache_release import ScalarCacheRelease
from keras_wgan.utils import argument_validation


class WassersteinGAN(keras.Model):
    """A critic and a generator trained on the Wasserstein-1 objective.

    Subclasses set the Lipschitz constraint: `WGAN` clips the critic's
    weights, `WGANGP` adds a gradient penalty. Both train with `fit`.

    One train step is one iteration of Algorithm 1 of the WGAN papers: it
    receives `critic_steps` real batches of `batch_size` samples each, runs
    `critic_steps` critic updates, each on its own real batch and its own
    noise batch, then one generator update on a fresh noise batch. The
    iterations are unrolled in one graph, so no optimizer update sits inside
    control flow (such updates break `tf.distribute`). The step is written
    once in `keras.ops`; `keras_wgan.backends` runs it on TensorFlow
    (stateful) or JAX (stateless, jit-compiled). Hence:

    - `batch_size` is the `m` of Algorithm 1: samples per critic iteration;
    - a step of `fit` (`steps_per_epoch`, the progress bar,
      `generator_optimizer.iterations`, `model.optimizer.iterations`) is one
      generator iteration and consumes `critic_steps * batch_size` real
      samples.

    The two optimizers are `critic_optimizer` and `generator_optimizer`.
    Keras's `model.optimizer` is the generator's on TensorFlow and, on JAX,
    a container of both (`keras_wgan.backends.jax.OptimizerPair`) that
    carries their state through Keras's stateless trainer.

    Losses use the label trick (`REAL_LABEL = 1`, `FAKE_LABEL = -1`):

        critic_loss    = wasserstein_loss(REAL_LABEL, f(real))
                         + wasserstein_loss(FAKE_LABEL, f(G(z)))
        generator_loss = wasserstein_loss(REAL_LABEL, f(G(z)))

    Logged metrics, averaged over the epoch: `critic_loss`,
    `generator_loss` and `wasserstein_estimate = E f(real) - E f(G(z))`,
    the number the WGAN paper shows to track sample quality. `evaluate`
    and `fit(validation_data=...)` report the held-out
    `wasserstein_estimate`, whose gap to the training one signals an
    overfitting critic (WGAN-GP paper, Fig. 5b).

    Args:
        critic: a built `keras.Model` mapping samples to one linear output
            per sample.
        generator: a built `keras.Model` mapping latent vectors of shape
            `(latent_dim,)` to samples of the critic's input shape.
        critic_steps: critic iterations per generator iteration.
        seed: int or None, seeds the noise (a `keras.random.SeedGenerator`
            owned by the model). Equal seeds, weights and data give equal
            runs.
        num_classes: None (unconditional), or the number of classes of a
            conditional WGAN (Mirza and Osindero 2014; the projection critic
            of Miyato and Koyama 2018): the generator takes
            `[latent, labels]`, the critic `[samples, labels]`, labels being
            integer class ids in `[0, num_classes)` of shape `(batch,)` or
            `(batch, 1)`, and `fit` takes labelled data. Each critic
            iteration generates its fakes with the labels of its real batch,
            so real and fake scores (and the penalty's interpolates) share
            labels. The generator iteration uses the labels of the step's
            last real batch: `m` labels drawn from the data, so the generator
            trains on the classes in the data's proportions.
        augment: None, or a callable mapping a batch of samples to an
            augmented batch of the same shape, differentiable with respect
            to the samples, e.g. `keras_wgan.augment.DiffAugment()`
            (Zhao et al. 2020). The critic then sees `T(x)` and `T(G(z))`
            instead of `x` and `G(z)` in every critic iteration, in the
            generator iteration (whose gradient flows through `T`) and in
            the held-out estimate, each batch with its own draw. A
            penalty (`critic_penalty`) receives the augmented batches: the
            WGAN-GP interpolates lie between `T(x)` and `T(G(z))`, as in
            the DiffAugment authors' WGAN-GP code (compare_gan's
            `wgangp_penalty` on the augmented images). A Keras layer is
            tracked by the model: its seed generator's state is threaded
            through the JAX step and saved in `.keras` files; seed it
            (`DiffAugment(seed=...)`) for reproducible runs.
        generator_ema: None, or a decay `beta` in `[0, 1)`: the model keeps
            `averaged_generator`, a copy of the generator whose weights start
            as the generator's and, after every generator update, become

                averaged = beta * averaged + (1 - beta) * weights

            (no warm-up; non-trainable weights such as batch-norm
            statistics are copied). Training uses the raw weights;
            `generate`, `generator_output(training=False)` (`SampleGrid`),
            `QualityMetric` and `export_generator` use the averaged ones
            (Karras et al. 2018; Yazici et al. 2019). Typical decays:
            0.999 for long runs, 0.99 for a few thousand steps.
    """

    def __init__(
        self,
        critic,
        generator,
        *,
        critic_steps=5,
        seed=None,
        num_classes=None,
        augment=None,
        generator_ema=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        num_classes = argument_validation.check_num_classes(num_classes)
        latent_dim, sample_shape = network_inspection.check_networks(critic, generator, num_classes)
        network_inspection.check_critic_activation(critic)
        critic_steps = argument_validation.check_positive_int(critic_steps, "critic_steps")
        seed = argument_validation.check_seed(seed, allow_none=True)
        if augment is not None and not callable(augment):
            raise TypeError(
                "`augment` must be None or a callable mapping a batch of samples to an augmented "
                f"batch, e.g. keras_wgan.augment.DiffAugment(). {argument_validation.received('augment', augment)}"
            )
        if generator_ema is not None:
            generator_ema = argument_validation.check_number(
                generator_ema, "generator_ema", minimum=0.0, maximum=1.0, exclusive_maximum=True
            )
        self.critic = critic
        self.generator = generator
        self.critic_steps = critic_steps
        self.seed = seed
        self.num_classes = num_classes
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.augment = augment
        self.generator_ema = generator_ema
        self.averaged_generator = None if generator_ema is None else averaged_copy(generator)
        self.latent_dim = latent_dim
        self.sample_shape = sample_shape
        self.critic_loss_tracker = keras.metrics.Mean(name="critic_loss")
        self.generator_loss_tracker = keras.metrics.Mean(name="generator_loss")
        self.wasserstein_tracker = keras.metrics.Mean(name="wasserstein_estimate")
        self.built = True

    # -- Keras plumbing -------------------------------------------------

    def call(self, inputs, training=False):
        # `latent`, or `[latent, labels]` for a conditional model.
        return (self.generator if training else self.sampling_generator)(inputs, training=training)

    @property
    def conditional(self):
        """Whether the model is conditioned on class labels (`num_classes` set)."""
        return self.num_classes is not None

    @property
    def sampling_generator(self):
        """The generator that samples: `averaged_generator` with `generator_ema`, else `generator`."""
        return self.generator if self.averaged_generator is None else self.averaged_generator

    def generator_output(self, latent, labels=None, training=False):
        """`G(z)`, or `G(z, y)` for a conditional model.

        In training mode the trained generator; in inference mode
        (`training=False`) the `sampling_generator`.
        """
        network = self.generator if training else self.sampling_generator
        return _network_output(network, latent, labels, training)

    def augmented(self, samples):
        """`augment(samples)`, or `samples` for a model without `augment`."""
        return samples if self.augment is None else self.augment(samples)

    def critic_scores(self, samples, labels=None, training=False):
        """`f(x)`, or `f(x, y)` for a conditional model, as float32."""
        if labels is None:
            scores = self.critic(samples, training=training)
        else:
            samples = ops.convert_to_tensor(samples)
            scores = self.critic(
                [samples, conditioning.network_labels(labels, self.critic)], training=training
            )
        return ops.cast(scores, "float32")

    @property
    def metrics(self):
        return [self.critic_loss_tracker, self.generator_loss_tracker, self.wasserstein_tracker]

    def default_critic_optimizer(self):
        """Returns the critic's optimizer when `compile` is given none.

        Subclasses must override it with their paper's choice (`WGAN`:
        RMSprop 5e-5, `WGANGP`: Adam 1e-4 with beta_1=0, beta_2=0.9). Called
        once per `compile`; must return a new optimizer object each call.
        """
        raise NotImplementedError(f"{type(self).__name__} must define `default_critic_optimizer()`.")

    def default_generator_optimizer(self):
        """Returns the generator's optimizer when `compile` is given none.

        Same contract as `default_critic_optimizer`; the object must be a
        different one from the critic's.
        """
        raise NotImplementedError(f"{type(self).__name__} must define `default_generator_optimizer()`.")

    def compile(self, *optimizers, critic_optimizer=None, generator_optimizer=None, **kwargs):
        """Sets the two optimizers; other arguments go to `keras.Model.compile`.

        Example: `wgan.compile(critic_optimizer=Adam(1e-4), generator_optimizer=Adam(2e-4))`;
        `wgan.compile(Adam(2e-4))` gives both networks Adam 2e-4.

        Args:
            *optimizers: one optimizer for both networks (as Keras's
                `optimizer`, also accepted by that name): the critic gets
                it, the generator a copy built from its config, so each
                has its own state; or two, `critic_optimizer` and
                `generator_optimizer` in that order.
            critic_optimizer: a `keras.optimizers.Optimizer`, an identifier
                such as `"adam"`, or None for the paper's default.
            generator_optimizer: the same for the generator.
            **kwargs: `jit_compile` (default `"auto"`: on JAX always XLA,
                as Keras does; on TensorFlow XLA on GPU, off on CPU where it
                is slower for these graphs; `False` to debug),
                `steps_per_execution`, `run_eagerly`.
        """
        compile_utils.check_compile_arguments(self, kwargs)
        critic_optimizer, generator_optimizer = compile_utils.split_optimizers(
            optimizers, critic_optimizer, generator_optimizer, kwargs
        )
        # Saved as requested (see `compile_utils.compile_config`).
        self._requested_jit_compile = kwargs.get("jit_compile", "auto")
        self.critic_optimizer = compile_utils.resolve_optimizer(
            critic_optimizer, self.default_critic_optimizer, self.critic
        )
        self.generator_optimizer = compile_utils.resolve_optimizer(
            generator_optimizer, self.default_generator_optimizer, self.critic
        )
        if self.critic_optimizer is self.generator_optimizer:
            raise ValueError("The critic and the generator need two distinct optimizer objects.")
        # Built here, not lazily in the first step: under tf.distribute an
        # optimizer whose variables are created inside the step fails.
        self.critic_optimizer.build(self.critic.trainable_variables)
        self.generator_optimizer.build(self.generator.trainable_variables)
        # `model.optimizer` counts generator updates (one per step) and, on
        # JAX, carries both optimizers' state through the stateless trainer.
        super().compile(
            optimizer=backend.optimizer_container(
                self.critic_optimizer,
                self.generator_optimizer,
                (self.critic.trainable_variables, self.generator.trainable_variables),
            ),
            auto_scale_loss=False,
            **kwargs,
        )

    def get_compile_config(self):
        return compile_utils.compile_config(self) if self.compiled else None

    def compile_from_config(self, config):
        self.compile(**compile_utils.compile_arguments(config))

    def get_config(self):
        return {
            "name": self.name,
            "critic": keras.saving.serialize_keras_object(self.critic),
            "generator": keras.saving.serialize_keras_object(self.generator),
            "critic_steps": self.critic_steps,
            "seed": self.seed,
            "num_classes": self.num_classes,
            "augment": None if self.augment is None else keras.saving.serialize_keras_object(self.augment),
            "generator_ema": self.generator_ema,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key in ("critic", "generator", "augment"):
            if config.get(key) is not None:
                config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)

    def save_own_variables(self, store):
        # Keras does not save seed generators; without this a resumed run
        # would replay the noise of its first steps.
        super().save_own_variables(store)
        store["seed_generator_state"] = ops.convert_to_numpy(self.seed_generator.state)

    def load_own_variables(self, store):
        if "seed_generator_state" in store:
            self.seed_generator.state.assign(store["seed_generator_state"])
        super().load_own_variables({k: store[k] for k in store.keys() if k != "seed_generator_state"})

    # -- data -----------------------------------------------------------

    def fit(
        self,
        x=None,
        y=None,
        batch_size=None,
        *,
        validation_data=None,
        shuffle=True,
        device_data="auto",
        **kwargs,
    ):
        """Trains on real samples; see `keras.Model.fit`.

        Args:
            x: real samples scaled to the generator's output range: a
                NumPy array (or a dict of arrays, or a list holding one), a
                `tf.data.Dataset` of batches, a `keras.utils.PyDataset` or
                a Python generator of batches. Labels in `(x, y)` elements
                are ignored; dict elements, such as TensorFlow Datasets'
                `{"image": ..., "label": ...}`, give their `"image"` (see
                `keras_wgan.models.data.checks.samples_of`). Arrays must be finite; data
                outside a tanh or sigmoid generator's range gets a warning.
                A conditional model (`num_classes` set) takes a dict of
                arrays with `"image"` and `"label"`, and datasets or
                generators of `(x, y)` batches or of such dicts.
            y: None; for a conditional model with array `x`, its integer
                class ids in `[0, num_classes)`, shape `(n,)` or `(n, 1)`
                (checked before training).
            batch_size: samples per critic iteration (`m`), for arrays
                only; default 64 as in the WGAN paper.
            validation_data: held-out real samples, in any form `x`
                accepts, or an `(x, y)` / `(x, y, sample_weight)` tuple of
                arrays whose labels are ignored (a conditional model uses
                them); `val_wasserstein_estimate` is logged.
            shuffle: reshuffle arrays every epoch.
            device_data: on JAX, keep an array `x` whole in the
                accelerator's memory and gather each step's batches there
                (only their row indices cross from the host), instead of
                assembling and copying every batch on the host: `"auto"`
                (default) when the array takes at most a quarter of the
                accelerator's memory, True always (on the CPU too), False
                never. Training is the same either way (same batches, same
                shuffling). Ignored under a `keras.distribution`, on
                TensorFlow (`tf.data` already prepares batches ahead of the
                step) and for streams.
            **kwargs: `epochs`, `steps_per_epoch` (generator iterations;
                an array then repeats, reshuffled on every pass, so that
                every epoch runs them all), `validation_split` (arrays
                only: the last fraction, taken before shuffling),
                `callbacks`, `initial_epoch`, `verbose`, ...

        A `UserWarning` names the metrics at the end of the first epoch whose
        training losses are NaN or inf (`NonFiniteWarning`, added to the
        callbacks); `keras_wgan.callbacks.StopOnNonFinite` stops at the
        first non-finite step instead. TensorFlow's cache of eager scalars,
        which grows with every new epoch number and logged value, is
        emptied after each epoch (`ScalarCacheRelease`, added too).
        """
        if y is not None and not self.conditional:
            raise ValueError("A GAN learns from samples alone: `y` must be None.")
        if x is None:
            raise ValueError("`x`, the real samples, is required.")
        self._require_compiled()
        batches, validation_data, spec = fit_data.fit_batches(
            self,
            x,
            y,
            batch_size=batch_size,
            validation_data=validation_data,
            shuffle=shuffle,
            fit_kwargs=kwargs,
            device_data=device_data,
        )
        callbacks = kwargs.get("callbacks") or []
        if not isinstance(callbacks, keras.callbacks.CallbackList):  # A CallbackList is used as given.
            callbacks = list(callbacks) if isinstance(callbacks, (list, tuple)) else [callbacks]
            kwargs["callbacks"] = [*callbacks, NonFiniteWarning(), ScalarCacheRelease()]
        try:
            return super().fit(batches, validation_data=validation_data, shuffle=False, **kwargs)
        except Exception:
            # A bad later batch of a stream: its own error, not the framework's
            # report of it (a TensorFlow "Graph execution error").
            spec.raise_recorded()
            raise

    def evaluate(self, x=None, y=None, batch_size=None, **kwargs):
        """Returns the `wasserstein_estimate` on held-out real samples (and labels)."""
        if y is not None and not self.conditional:
            raise ValueError("A GAN learns from samples alone: `y` must be None.")
        self._require_compiled()
        if y is not None:
            x = (x, y)
        return super().evaluate(fit_data.held_out_batches(self, x, batch_size, name="x"), **kwargs)

    def _require_compiled(self):
        if not self.compiled:
            raise RuntimeError(f"Call `compile()` on the {type(self).__name__} before training it.")

    # -- training -------------------------------------------------------

    def _training_latent(self, batch_size):
        # Under tf.distribute: this replica's rows of the global batch's
        # noise, so that replicas draw distinct noise and a distributed
        # step equals the single-device step on the same global batch.
        return backend.replica_rows(
            lambda rows: keras.random.normal((rows, self.latent_dim), seed=self.seed_generator), batch_size
        )

    def generate(self, n, labels=None, seed=None):
        """Returns `n` generated samples as a NumPy array, float32 under mixed precision too.

        A generator computing in float16 or bfloat16 (the `mixed_float16`
        and `mixed_bfloat16` policies) has its samples cast to float32, as
        NumPy code and image writers expect; a float64 generator's stay
        float64.

        Args:
            n: number of samples.
            labels: conditional models only: an int (all `n` samples of
                that class), `n` integer class ids, or None (classes drawn
                uniformly, with `seed`).
            seed: int for reproducible samples, or None (Keras's global
                seed, see `keras.utils.set_random_seed`).

        Example: `model.generate(16, labels=7, seed=0)`, sixteen 7s.
        """
        n = argument_validation.check_positive_int(n, "n")
        seed = argument_validation.check_seed(seed, allow_none=True)
        if labels is not None and not self.conditional:
            raise ValueError(
                "`labels` are for conditional models (`num_classes` set); this model is "
                f"unconditional. Received: labels={labels!r}"
            )
        if self.conditional:
            labels = conditioning.generation_labels(labels, n, self.num_classes, seed)
        # Not the model's own seed generator: sampling must not change the
        # noise that training sees next.
        latent = keras.random.normal((n, self.latent_dim), seed=seed)
        samples = self.generator_output(latent, labels, training=False)
        if keras.backend.standardize_dtype(samples.dtype) in ("float16", "bfloat16"):
            samples = ops.cast(samples, "float32")
        return ops.convert_to_numpy(samples)

    def critic_penalty(self, real, fake, step=0, labels=None):
        """Returns `(penalty_loss, logs)`: a term added to the critic loss.

        Called inside the critic's gradient computation (so the penalty is
        differentiated with the loss), once per critic iteration. The base
        class adds nothing; `WGANGP` returns `gp_weight * gradient_penalty`.

        Args:
            real: the iteration's real batch, `(batch_size, *sample_shape)`.
            fake: the generated batch of the same shape (not detached).
            step: index of the critic iteration in the train step,
                `0 <= step < critic_steps`, a Python int.
            labels: a conditional model's labels of `real` (and of `fake`),
                `(batch_size,)`; passed only when `num_classes` is set.

        Returns:
            `penalty_loss`, a float32 scalar tensor (or 0.0), and `logs`, a
            dict of scalars to average into the epoch's metrics. Each key
            must be the name of a metric in `self.metrics`: add a
            `keras.metrics.Mean(name=key)` tracker to `metrics` for it.
        """
        return 0.0, {}

    def after_critic_update(self):
        """Runs after every critic update, outside the gradient computation.

        The place for a projection of the critic's weights: `WGAN` clips
        them to `[-clip_value, clip_value]` here. Must only assign
        variables (it runs inside the compiled train step); returns nothing.
        """
        return None

    def critic_iteration(self, real, step=0, labels=None):
        """One critic update on a real batch and a fresh noise batch.

        Returns `(loss, logs)`: the loss including `critic_penalty`, and that
        hook's logs plus `wasserstein_estimate`, each averaged into the metric
        of its name. `step` indexes the critic iterations of the train step;
        `labels`, a conditional model's labels of `real` (`(batch_size,)`),
        are also those the fakes are generated with.
        """
        batch_size = ops.shape(real)[0]
        fake = self.generator_output(self._training_latent(batch_size), labels, training=True)
        real, fake = self.augmented(real), self.augmented(fake)
        both_labels = None if labels is None else ops.concatenate([labels, labels], axis=0)
        # Unconditional subclasses' `critic_penalty` need not know labels.
        penalty_kwargs = {} if labels is None else {"labels": labels}

        def loss_function():
            # One call on both halves: the same result for a critic that
            # treats examples independently, in one larger matmul.
            scores = self.critic_scores(ops.concatenate([real, fake], axis=0), both_labels, training=True)
            real_scores, fake_scores = scores[:batch_size], scores[batch_size:]
            loss = wasserstein_loss(REAL_LABEL, real_scores) + wasserstein_loss(FAKE_LABEL, fake_scores)
            penalty_loss, logs = self.critic_penalty(real, fake, step, **penalty_kwargs)
            logs["wasserstein_estimate"] = ops.mean(real_scores) - ops.mean(fake_scores)
            return loss + penalty_loss, logs

        variables = self.critic.trainable_variables
        (loss, logs), gradients = backend.value_and_gradients(
            loss_function, variables, scale_loss=self.critic_optimizer.scale_loss
        )
        backend.apply_gradients(self.critic_optimizer, gradients, variables)
        self.after_critic_update()
        return loss, logs

    def generator_iteration(self, batch_size, labels=None):
        """One generator update on `batch_size` fresh latents; returns its float32 loss.

        `labels`: a conditional model's labels to generate, `(batch_size,)`.
        """

        def loss_function():
            fake = self.generator_output(self._training_latent(batch_size), labels, training=True)
            scores = self.critic_scores(self.augmented(fake), labels, training=True)
            return wasserstein_loss(REAL_LABEL, scores), {}

        variables = self.generator.trainable_variables
        (loss, _), gradients = backend.value_and_gradients(
            loss_function, variables, scale_loss=self.generator_optimizer.scale_loss
        )
        backend.apply_gradients(self.generator_optimizer, gradients, variables)
        if self.averaged_generator is not None:
            self.update_averaged_generator()
        return loss

    def update_averaged_generator(self):
        """`averaged = beta * averaged + (1 - beta) * weights` (`beta = generator_ema`).

        Runs after every generator update. Non-trainable weights (batch-norm
        statistics) are copied, not averaged.
        """
        decay = self.generator_ema
        for average, weight in zip(self.averaged_generator.weights, self.generator.weights, strict=True):
            if weight.trainable:
                average.assign(decay * average.value + (1.0 - decay) * weight.value)
            else:
                average.assign(weight.value)

    def train_step(self, *args):
        # (data) on TensorFlow, (state, data) on JAX.
        return backend.train_step(self, self.algorithm_step, *args)

    def test_step(self, *args):
        return backend.test_step(self, self.held_out_step, *args)

    def algorithm_step(self, data):
        """One iteration of Algorithm 1; returns the logs."""
        real_batches, labels, _ = keras.utils.unpack_x_y_sample_weight(data)
        # real_batches: (batch_size, critic_steps, *sample_shape); labels of
        # a conditional model: (batch_size, critic_steps).
        for step in range(self.critic_steps):  # Unrolled: see class docstring.
            if labels is None:
                critic_loss, logs = self.critic_iteration(real_batches[:, step], step)
            else:
                critic_loss, logs = self.critic_iteration(real_batches[:, step], step, labels=labels[:, step])
            self.critic_loss_tracker.update_state(critic_loss)
            for name, value in logs.items():
                self._metric_named(name).update_state(value)
        batch_size = ops.shape(real_batches)[0]
        if labels is None:  # Unconditional subclasses' hooks need not know labels.
            generator_loss = self.generator_iteration(batch_size)
        else:  # The last real batch's labels: a draw from the data's labels.
            generator_loss = self.generator_iteration(batch_size, labels=labels[:, -1])
        self.generator_loss_tracker.update_state(generator_loss)
        return backend.step_logs({m.name: m.result() for m in self.metrics})

    def held_out_step(self, data):
        """The held-out `wasserstein_estimate` on one batch; returns the logs."""
        real, labels, _ = keras.utils.unpack_x_y_sample_weight(data)
        # The trained generator, not the averaged one: the estimate is
        # compared with the training one.
        fake = _network_output(
            self.generator, self._training_latent(ops.shape(real)[0]), labels, training=False
        )
        real, fake = self.augmented(real), self.augmented(fake)
        estimate = ops.mean(self.critic_scores(real, labels)) - ops.mean(self.critic_scores(fake, labels))
        self.wasserstein_tracker.update_state(estimate)
        # The running mean, so that Keras's "logs of the last batch" are the
        # mean over the whole held-out set.
        return backend.step_logs({self.wasserstein_tracker.name: self.wasserstein_tracker.result()})

    def _metric_named(self, name):
        for metric in self.metrics:
            if metric.name == name:
                return metric
        raise KeyError(
            f"{type(self).__name__} logs {name!r} (from `critic_penalty` or `critic_iteration`) but has "
            f"no metric of that name. Add a `keras.metrics.Mean(name={name!r})` to its `metrics` property. "
            f"Metrics: {[metric.name for metric in self.metrics]}"
        )


def _network_output(generator, latent, labels, training):
    if labels is None:
        return generator(latent, training=training)
    # Both inputs as tensors: Keras refuses a list mixing arrays and tensors.
    latent = ops.convert_to_tensor(latent)
    return generator([latent, conditioning.network_labels(labels, generator)], training=training)


def averaged_copy(generator):
    """A non-trainable copy of `generator` with equal weights, for `generator_ema`."""
    averaged = keras.models.clone_model(generator)
    averaged.set_weights(generator.get_weights())
    averaged.trainable = False
    return averaged
