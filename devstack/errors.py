"""The local stack's one error type, apart so that every module of devstack can raise it."""


class StackError(RuntimeError):
    """The stack could not be brought up; the message says what to do."""
