"""Services: the operations of the domain. Each takes the session and, for tenant
data, the tenant explicitly, and scopes every query to it."""


class ValidationError(Exception):
    """Bad input. ``errors`` maps a field name to a Swedish message a person can act on."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class ConflictError(Exception):
    """Someone else changed the object since it was read."""


class PermissionDenied(Exception):
    """The user may not do this in this tenant."""
