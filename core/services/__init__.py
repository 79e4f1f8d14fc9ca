"""Services: the operations of the domain. Each takes the session and, for tenant
data, the tenant explicitly, and scopes every query to it."""


from core.values import ValidationError

__all__ = ["ConflictError", "PermissionDenied", "ValidationError"]


class ConflictError(Exception):
    """Someone else changed the object since it was read."""


class PermissionDenied(Exception):
    """The user may not do this in this tenant."""
