"""The default trained model and its card, installed as ``framing.models``."""
