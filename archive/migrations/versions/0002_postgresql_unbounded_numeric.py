"""parsed numbers unbounded on PostgreSQL

PostgreSQL refused a parsed number that NUMERIC(18, 2) cannot hold (a garbled table's run of merged
digits: "numeric field overflow"), so the whole record failed to ingest, and it rounded fractions
to two places; SQLite stores both. On PostgreSQL the two columns become NUMERIC without a limit, an
in-place change of the type modifier. Other engines keep NUMERIC(18, 2): SQLite never enforced it
(and rebuilding `report_versions` there would cascade-delete its cells), and a NUMERIC without
precision means DECIMAL(10, 0) to MySQL.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 00:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

COLUMNS = (("cells", "value"), ("report_versions", "processing_fee_yuan"))


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in COLUMNS:
        op.alter_column(
            table, column, type_=postgresql.NUMERIC(), existing_type=sa.Numeric(18, 2), existing_nullable=True
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in COLUMNS:
        op.alter_column(
            table, column, type_=sa.Numeric(18, 2), existing_type=postgresql.NUMERIC(), existing_nullable=True
        )
