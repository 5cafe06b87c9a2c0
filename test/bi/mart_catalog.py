#!/usr/bin/env python3
"""What Superset sees of the costmodel marts: SQLAlchemy's inspector over
psycopg2.  Prints the same lines as MartCatalog.java ("view", "column") and a
"denied" / "allowed" line per probe query.
Usage: mart_catalog.py URL [QUERY...]"""
import sys

import sqlalchemy as sa


def clean(r):
    """Remarks on one line; "(none)" when missing."""
    return "(none)" if not r else r.replace("\t", " ").replace("\n", " ")


def list_schema(insp, schema):
    """Print the views of schema with their comments and their columns."""
    for view in sorted(insp.get_view_names(schema=schema)):
        comment = insp.get_table_comment(view, schema=schema).get("text")
        print(f"view\t{schema}\t{view}\t{clean(comment)}")
        for col in insp.get_columns(view, schema=schema):
            print(f"column\t{schema}\t{view}\t{col['name']}\t{col['type']}\t{clean(col.get('comment'))}")


def main():
    engine = sa.create_engine(sys.argv[1])
    insp = sa.inspect(engine)
    list_schema(insp, "costmodel_mart")
    list_schema(insp, "costmodel_member")
    for query in sys.argv[2:]:
        try:
            with engine.connect() as conn:
                conn.execute(sa.text(query)).fetchall()
            print(f"allowed\t{query}")
        except sa.exc.DBAPIError as e:
            print(f"denied\t{query}\t{e.orig.pgcode}")


if __name__ == "__main__":
    main()
