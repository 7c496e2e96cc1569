"""Tables of the basic-information database (resources, shelters, hazard sources)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from console.db.models import Base, BigId


class ResourceRow(Base):
    """A rescue team, supply depot, shelter, hospital, hazard source or protection target.

    Coordinates are WGS-84 degrees. ``ix_resource_lon_lat`` serves the bounding-box prefilter
    of nearby searches and map views; ``ix_resource_kind_id`` the keyset pages of one kind.
    """

    __tablename__ = "resource"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    name: Mapped[str] = mapped_column(String(200), index=True)
    type: Mapped[str] = mapped_column(String(64), default="")
    capacity: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16), default="")
    contact_name: Mapped[str] = mapped_column(String(64), default="")
    contact_phone: Mapped[str] = mapped_column(String(64), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    division_code: Mapped[str | None] = mapped_column(String(6), index=True)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own mapping
    __table_args__ = (
        Index("ix_resource_kind_id", "kind", "id"),
        Index("ix_resource_lon_lat", "lon", "lat"),
    )
