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

LABELS_INPUT_NAME = "labels"


def labels_input():
    """The `"labels"` input: integer class ids of shape `(batch,)`."""
    return keras.Input(shape=(), dtype="int32", name=LABELS_INPUT_NAME)


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


def projection_score(features, labels, num_classes):
    """`psi(phi) + <embed(y), phi>`: the projection critic's float32 score.

    Args:
        features: `phi(x)`, shape `(batch, features)`.
        labels: the labels input, `(batch,)`.
        num_classes: number of classes.
    """
    score = layers.Dense(1, dtype="float32", name="score")(features)
    embedded = layers.Embedding(num_classes, features.shape[-1], dtype="float32", name="label_projection")(
        labels
    )
    projection = layers.Dot(axes=1, dtype="float32", name="projection")([embedded, features])
    return layers.Add(dtype="float32", name="conditional_score")([score, projection])
