"""Our declarations of slack-sdk's tables (storage/models_slack.py, made by our migrations) match what its
installation and state stores read and write, column for column."""

from __future__ import annotations

import pytest
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import MetaData, Table

from storage import models_slack


def _shape(table: Table) -> dict[str, tuple[str, bool, bool]]:
    return {
        column.name: (
            type(column.type).__name__ + str(getattr(column.type, "length", "")),
            bool(column.nullable),
            column.primary_key,
        )
        for column in table.columns
    }


def _indexes(table: Table) -> set[tuple[str, tuple[str, ...]]]:
    return {(str(index.name), tuple(column.name for column in index.columns)) for index in table.indexes}


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (
            models_slack.installations,
            SQLAlchemyInstallationStore.build_installations_table(MetaData(), models_slack.INSTALLATIONS),
        ),
        (models_slack.bots, SQLAlchemyInstallationStore.build_bots_table(MetaData(), models_slack.BOTS)),
        (
            models_slack.oauth_states,
            SQLAlchemyOAuthStateStore.build_oauth_states_table(MetaData(), models_slack.OAUTH_STATES),
        ),
    ],
    ids=["installations", "bots", "oauth_states"],
)
def test_our_tables_are_the_stores_tables(ours: Table, theirs: Table) -> None:
    assert ours.name == theirs.name
    assert _shape(ours) == _shape(theirs)
    assert _indexes(ours) == _indexes(theirs)
