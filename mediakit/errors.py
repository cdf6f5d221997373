"""What goes wrong in media work, in words a creator can act on."""


class RenderCancelled(Exception):
    """The job was cancelled while a stage ran; the stage stopped and cleaned up after itself."""


class StageError(RuntimeError):
    """A stage failed for a reason the creator can act on; the message says what and where."""
