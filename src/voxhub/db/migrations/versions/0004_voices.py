"""Registered voices and their aliases.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from voxhub.db.models import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "voices",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("engine", sa.String(length=32), nullable=False),
        sa.Column("engine_voice", sa.String(length=128), nullable=True),
        sa.Column("reference_key", sa.String(length=512), nullable=True),
        sa.Column("reference_media_type", sa.String(length=64), nullable=True),
        sa.Column("reference_duration", sa.Float(), nullable=True),
        sa.Column("reference_sample_rate", sa.Integer(), nullable=True),
        sa.Column("transcript", sa.Text(), nullable=True),
        sa.Column("defaults", sa.JSON(), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_voices_language", "voices", ["language"])
    op.create_index("ix_voices_engine", "voices", ["engine"])
    op.create_table(
        "voice_aliases",
        sa.Column("alias", sa.String(length=200), nullable=False),
        sa.Column("voice_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["voice_id"], ["voices.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("alias"),
    )
    op.create_index("ix_voice_aliases_voice_id", "voice_aliases", ["voice_id"])


def downgrade() -> None:
    op.drop_index("ix_voice_aliases_voice_id", table_name="voice_aliases")
    op.drop_table("voice_aliases")
    op.drop_index("ix_voices_engine", table_name="voices")
    op.drop_index("ix_voices_language", table_name="voices")
    op.drop_table("voices")
