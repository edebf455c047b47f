"""Exception types.  The library raises these; only the CLI turns them into
one line on stderr and a non-zero exit."""


class FramingError(Exception):
    """Base class: the message says what is wrong and how to fix it."""


class InputError(FramingError):
    """A document or corpus cannot be read."""


class LabelError(FramingError):
    """A label file is invalid.  ``problems`` holds one ``file:line: problem`` each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        super().__init__(problems[0] + more)


class ModelError(FramingError):
    """A model file is missing, corrupt, untrusted or incompatible."""
