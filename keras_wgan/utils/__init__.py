"""Helpers shared by the keras_wgan packages: argument checks, file writing, samples.

Kept free of eager imports: `keras_wgan.models` uses the argument checks, and
`generator_utils` uses `keras_wgan.models`.
"""
