"""How far each tenant's data has moved (core.data_version)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base


class DataVersion(Base):
    """One row per tenant, and one (tenant_key 0) for the platform's rows. No
    foreign key: a write to a tenant's rows then takes no lock on the tenant."""

    __tablename__ = "data_version"

    # The tenant's id; 0 for the platform's rows. Not a foreign key (see above).
    tenant_key: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger, default=1)
