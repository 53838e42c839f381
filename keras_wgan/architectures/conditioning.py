"""Label inputs for conditional networks: an embedding joined to the latent
vector (generators) and a projection score (critics).

Projection critic (Miyato and Koyama 2018, "cGANs with Projection
Discriminator", eq. 3): with `phi(x)` the critic's features,

    f(x, y) = psi(phi(x)) + <embed(y), phi(x)>

where `psi` is the unconditional critic's linear score and `embed` a
learned vector per class. Unlike concatenating the label to the input, the
label term is an inner product with the features, which the paper shows
to match the form of the optimal critic for the log-density ratio.
"""

import keras
from keras import layers

from keras_wgan.architectures.spectral_normalization import spectrally_normalized
from keras_wgan.utils import argument_validation

LABELS_INPUT_NAME = "labels"


def labels_input():
    """The `"labels"` input: integer class ids of shape `(batch,)`."""
    return keras.Input(shape=(), dtype="int32", name=LABELS_INPUT_NAME)


def generator_inputs(latent_dim, num_classes=None, label_embedding_dim=None):
    """A generator's inputs and the tensor its first layer takes.

    Returns `(inputs, x)`: the `"latent"` input and itself, or, with
    `num_classes`, `[latent, labels]` and the latent joined to a learned
    `label_embedding_dim`-vector per class (default `latent_dim`: the label
    enters the first layer with as many numbers as the noise).
    """
    latent = keras.Input((latent_dim,), name="latent")
    num_classes = argument_validation.check_num_classes(num_classes)
    if num_classes is None:
        return latent, latent
    label_embedding_dim = argument_validation.check_positive_int(
        latent_dim if label_embedding_dim is None else label_embedding_dim, "label_embedding_dim"
    )
    labels = labels_input()
    return [latent, labels], latent_with_label(latent, labels, num_classes, label_embedding_dim)


def latent_with_label(latent, labels, num_classes, embedding_dim):
    """Concatenates `latent` with a learned `embedding_dim`-vector per class.

    The embedding starts as standard normal vectors, on the scale of the
    latent's `N(0, I)` entries, so the label is heard from the first step.
    """
    embedded = layers.Embedding(
        num_classes,
        embedding_dim,
        embeddings_initializer=keras.initializers.RandomNormal(stddev=1.0),
        name="label_embedding",
    )(labels)
    return layers.Concatenate(name="latent_and_label")([latent, embedded])


def projection_score(features, labels, num_classes, *, spectral_normalization=False):
    """`psi(phi) + <embed(y), phi>`: the projection critic's float32 score.

    Args:
        features: `phi(x)`, shape `(batch, features)`.
        labels: the labels input, `(batch,)`.
        num_classes: number of classes.
        spectral_normalization: whether `psi`, the linear score, is
            spectrally normalised (a spectrally normalised critic's).
    """
    score_layer = layers.Dense(1, dtype="float32", name="score")
    if spectral_normalization:
        score_layer = spectrally_normalized(score_layer)
    score = score_layer(features)
    embedded = layers.Embedding(num_classes, features.shape[-1], dtype="float32", name="label_projection")(
        labels
    )
    projection = layers.Dot(axes=1, dtype="float32", name="projection")([embedded, features])
    return layers.Add(dtype="float32", name="conditional_score")([score, projection])
