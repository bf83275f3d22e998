"""text cache: what extraction made of each WARC record, per extractor version

A reparse after a parser-only change reuses the clean text of every page and the converted text of
every attachment instead of running trafilatura (or a PDF reader) again (`archive.textcache`). The
rows are a cache: a function of the record and of the extractor version in their key.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "text_cache",
        sa.Column("record_id", sa.String(length=64), nullable=False),
        sa.Column("extractor", sa.String(length=160), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("record_id", "extractor"),
    )


def downgrade() -> None:
    op.drop_table("text_cache")
