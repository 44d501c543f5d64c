"""Template versions published from the desk (the shipped ones are YAML files in inspection_templates/).

A row is never changed or deleted: a version, once published, judges its visits for ever."""

from typing import Any

from piccolo.columns import Integer, Text, Timestamptz, Varchar
from piccolo.columns.column_types import ForeignKey, OnDelete
from piccolo.table import Table

from server.accounts.tables import User


class PublishedTemplate(Table, tablename="template_version"):
    id: Any  # the primary key Piccolo adds (an annotation only, for type checkers)
    #: "<template id>.v<version>", unique: of two publishes of the same version one wins
    key = Varchar(length=80, unique=True)
    template_id = Varchar(length=64, index=True)
    version = Integer()
    #: the YAML exactly as published (checked by the same checker as the files)
    source = Text()
    note = Text(default="")
    published_by = ForeignKey(references=User, on_delete=OnDelete.restrict)
    published_at = Timestamptz()
