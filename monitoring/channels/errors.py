class DeliveryFailed(Exception):
    """The channel did not take the notification; the message names the kind of failure only (never a
    URL, which may carry a token). The delivery task retries with backoff."""
