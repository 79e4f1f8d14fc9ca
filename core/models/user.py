from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, utcnow
from core.tenancy import TenantOwned


class User(Base):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_platform_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set for an organisation's representative, who uses the portal.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    # When the user followed the link in the verification e-mail; an account
    # made by sign-up cannot sign in until then. Accounts made by an
    # administrator, or by accepting an invitation, are verified when made.
    email_verified_at: Mapped[datetime | None] = mapped_column(default=None)
    # Whether the daily reminder digest is sent to the person (bevakning).
    reminders_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    roles: Mapped[list[RoleAssignment]] = relationship(back_populates="user", lazy="raise")


class RoleAssignment(TenantOwned, Base):
    """A user holds a role from one tenant's roles table in that tenant."""

    __tablename__ = "role_assignment"
    __table_args__ = (UniqueConstraint("user_id", "tenant_id", "role_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    role_key: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="roles", lazy="raise")


class UserSession(Base):
    """A server-side session. Only the SHA-256 of the cookie value is stored, so a
    leaked table does not give working session ids."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class LoginAttempt(Base):
    """Failed sign-ins, kept in the database so the rate limit holds across
    worker processes."""

    __tablename__ = "login_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    client: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class AccountToken(Base):
    """A one-time link sent by e-mail: verify an address, reset a password,
    accept an invitation. Only the SHA-256 of the token is stored."""

    __tablename__ = "account_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RequestLimitEvent(Base):
    """A sign-up or password-reset request, kept so the rate limit holds
    across worker processes (core.services.limits)."""

    __tablename__ = "request_limit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(254))
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
