"""Spectral normalisation of a critic's layers (Miyato et al. 2018).

`keras.layers.SpectralNormalization` divides a layer's kernel `W` by its
largest singular value `sigma(W)`, estimated by one power iteration per
training call, so that every layer is 1-Lipschitz:

    W_SN = W / sigma(W),   sigma(W) = max_{||h|| = 1} ||W h||

The critic's builders wrap every convolution and the final `Dense` in it
(`normalization="spectral"`), as SN-GAN does.
"""

from keras import layers


def spectrally_normalized(layer):
    """`layer` wrapped in `keras.layers.SpectralNormalization`, named `spectral_<name>`.

    The wrapper gets the layer's dtype policy: it casts its output to its
    input's dtype, so a float32 score layer stays float32 under a mixed
    precision policy.
    """
    return layers.SpectralNormalization(layer, dtype=layer.dtype_policy, name=f"spectral_{layer.name}")
